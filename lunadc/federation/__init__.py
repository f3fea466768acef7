"""Federation: node identity, peers, signed requests, change feed, replication, search."""
