"""Search: the PDS ``q`` query language (parsed here, compiled to SQL in ``lunadc.catalog``)."""
