"""The HTTP surfaces of a node (FastAPI routers, one module per surface); see ``app``."""
