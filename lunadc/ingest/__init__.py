"""The ingest pipeline: scan, read, validate, stage, register; all or nothing per product."""
