"""Keeping a node's archive honest: consistency and fixity checks."""
