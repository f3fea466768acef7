"""lunadc: the node software of the Joint Data Center for Lunar and Deep Space Research."""

__version__ = "0.1.0"
