"""Reads for the operator's node-status view: the recent ingest runs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from lunadc.catalog.tables import ingest_runs


@dataclass(frozen=True, slots=True)
class IngestRun:
    """One ``lunadc ingest`` (or API ingest) run, as the catalog recorded it."""

    started_at: str
    finished_at: str | None  # None while running, or if the run died before finishing
    source: str | None
    ingested: int
    unchanged: int
    rejected: int
    bytes: int


def recent_ingest_runs(conn: Connection, limit: int) -> list[IngestRun]:
    """The ``limit`` most recent ingest runs, newest first."""
    rows = conn.execute(select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(limit))
    return [
        IngestRun(
            started_at=r.started_at,
            finished_at=r.finished_at,
            source=r.source,
            ingested=r.ingested,
            unchanged=r.unchanged,
            rejected=r.rejected,
            bytes=int(r.bytes),
        )
        for r in rows
    ]
