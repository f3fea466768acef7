"""Jobs run on the node's own data: quicklooks (and, later, format conversion)."""
