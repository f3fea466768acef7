"""The browser UI of a node: page shells, static assets and the few JSON views only it needs.

Wire it into an application with ``include_web(app, node)``.
"""

from lunadc.web.routes import include_web

__all__ = ["include_web"]
