"""Opening the catalog database and bringing its schema up to date (Alembic)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from lunadc.errors import ConfigError

_MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # WAL lets readers (the HTTP server) run beside one writer (an ingest).
    # synchronous=NORMAL in WAL mode: a commit is written to the WAL file but not fsynced, so
    # - a process crash (kill -9) loses nothing committed: the bytes are in the OS cache;
    # - a power loss or OS crash may roll back the last commits (never corrupts the database).
    # That keeps the archive's guarantee, because blobs are made durable *before* the commit
    # that names them: a commit lost to power leaves only unreferenced blobs (``lunadc gc``),
    # and a re-run ingests those products again. What it costs is that an ingest reported as
    # done may need that re-run after a power cut; FULL would fsync the WAL on every commit.
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, see _sqlite_begin
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A write transaction takes the write lock up front (BEGIN IMMEDIATE), so "check then
    # insert" cannot interleave with another writer; readers use a plain deferred BEGIN so
    # they never wait for an ingest.
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


WRITE_OPTION = "lunadc_write"


def begin_write(engine: Engine) -> Any:
    """A transaction for writing: ``with begin_write(engine) as conn: ...``."""
    return engine.execution_options(**{WRITE_OPTION: True}).begin()


def open_engine(url: str) -> Engine:
    """Create the engine for a catalog URL (``sqlite:///PATH`` or ``postgresql://...``)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"invalid database URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise ConfigError(f"unsupported database {parsed.get_backend_name()!r} (sqlite or postgresql)")


def _alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the catalog schema to the newest migration (creating it if empty)."""
    try:
        command.upgrade(_alembic_config(engine), "head")
    except OperationalError as exc:
        raise ConfigError(f"cannot open the catalog: {exc.orig}") from exc


def is_current(engine: Engine) -> bool:
    """True if the database is at the newest migration."""
    head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
