"""``run_once(node)``: pull every peer's change feed, apply it, fetch the bytes the sharing
rules ask for; and ``SyncLoop``, the thin thread around it that ``lunadc serve`` runs.

Each feed page is applied in one transaction together with the new cursor, so a crash
between pages neither loses nor repeats an event. A peer that fails is reported and skipped:
the others are still synced.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lunadc.catalog import federation as fed
from lunadc.catalog import replicas as rep
from lunadc.catalog.db import begin_write
from lunadc.errors import LunadcError, NotFoundError
from lunadc.federation.apply import Applier, rule_matches
from lunadc.federation.identity import Identity, load_identity
from lunadc.federation.labels import LabelReader
from lunadc.federation.peers import ClientFactory, PeerClient, describe
from lunadc.federation.prefetch import Prefetch
from lunadc.federation.transfer import Transfer
from lunadc.model.times import format_time
from lunadc.node import Node

log = logging.getLogger("lunadc.federation")
PAGE = 2000  # events a page (the home serves at most feed.MAX_LIMIT): one transaction each
MAX_PAGES = 1000  # per peer and pass: one pass is bounded even against a hostile feed
TRANSFER_BATCH = 500  # products per transfer round
MAX_ATTEMPTS = 5  # after this many failed passes a replica waits for an operator


@dataclass
class PeerSync:
    peer: str
    events: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    files: int = 0
    bytes: int = 0
    completed: int = 0
    refused: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    error: str | None = None
    last_seq: int = 0
    head: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failures and not self.refused


@dataclass
class SyncReport:
    peers: list[PeerSync] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.peers)


def run_once(
    node: Node,
    peer: str | None = None,
    *,
    identity: Identity | None = None,
    factory: ClientFactory | None = None,
    transfer: bool = True,
    page_size: int = PAGE,
) -> SyncReport:
    """One pass over every active peer (or just ``peer``)."""
    started = time.perf_counter()
    identity = identity or load_identity(node.config.root, node.node_id)
    with node.engine.connect() as conn:
        peers = fed.list_peers(conn)
        rules = fed.list_rules(conn)
    if peer is not None:
        peers = [p for p in peers if p.name == peer]
        if not peers:
            raise NotFoundError(f"no peer {peer}")
    report = SyncReport()
    for row in peers:
        with PeerClient(row, identity, factory=factory) as client:
            report.peers.append(_sync_peer(node, client, rules, transfer, page_size))
    report.seconds = time.perf_counter() - started
    return report


def _now(node: Node) -> str:
    return format_time(node.clock())


def _sync_peer(
    node: Node, client: PeerClient, rules: Sequence[fed.Rule], transfer: bool, page_size: int
) -> PeerSync:
    result = PeerSync(client.name)
    try:
        _pull(node, client, rules, result, page_size)
        _reconcile(node, client, result)
        _requeue(node, client.name, rules)
        if transfer:
            _transfer(node, client, result)
        with begin_write(node.engine) as conn:
            fed.save_cursor(
                conn, client.name, last_sync_at=_now(node), last_ok_at=_now(node), last_error=None
            )
    except LunadcError as exc:
        result.error = describe(exc)
        log.warning("sync with %s failed: %s", client.name, result.error)
        with begin_write(node.engine) as conn:
            fed.save_cursor(conn, client.name, last_sync_at=_now(node), last_error=result.error)
    return result


def _pull(
    node: Node, client: PeerClient, rules: Sequence[fed.Rule], result: PeerSync, size: int
) -> None:
    with node.engine.connect() as conn:
        cursor = fed.cursor(conn, client.name)
    after = int(cursor.last_seq) if cursor else 0
    released_after = cursor.last_event_at if cursor else None
    with LabelReader() as reader:
        _pull_pages(node, client, rules, result, size, after, released_after, reader)


@dataclass
class _Page:
    """A fetched feed page, its new labels verified and being read (not yet applied)."""

    events: list[dict[str, Any]]
    applier: Applier
    next: int
    head: int
    event_at: str | None


def _pull_pages(
    node: Node,
    client: PeerClient,
    rules: Sequence[fed.Rule],
    result: PeerSync,
    size: int,
    after: int,
    released_after: str | None,
    reader: LabelReader,
) -> None:
    # The next page is fetched and prepared (labels verified, being read) in a thread while
    # this one is written: pages are still applied one by one, in order, each in one
    # transaction with its cursor. A prepared page that is never applied (a crash, an
    # error) leaves only unreferenced blobs behind.
    pages = _prepared_pages(node, client, rules, size, after, released_after, reader)
    with Prefetch(pages, depth=1) as prepared:
        for page in prepared:
            ready = page.applier.finish()
            page.applier.store()
            with begin_write(node.engine) as conn:
                page.applier.apply(conn, page.events, ready, _now(node))
                fed.save_cursor(
                    conn,
                    client.name,
                    last_seq=page.next,
                    remote_head=page.head,
                    last_event_at=page.event_at,
                )
            applied = page.applier.result
            result.events += len(page.events)
            result.added += applied.added
            result.updated += applied.updated
            result.removed += applied.removed
            result.refused += applied.refused
            result.last_seq, result.head = page.next, page.head


def _prepared_pages(
    node: Node,
    client: PeerClient,
    rules: Sequence[fed.Rule],
    size: int,
    after: int,
    released_after: str | None,
    reader: LabelReader,
) -> Iterator[_Page]:
    for _page in range(MAX_PAGES):
        data = client.changes(after, size, released_after)
        events = [e for e in data.get("events", []) if isinstance(e, dict)]
        events += [e for e in data.get("released", []) if isinstance(e, dict)]
        nxt, head = int(data.get("next", after)), int(data.get("head", 0))
        if nxt < after:
            raise NotFoundError(f"peer {client.name}'s feed went backwards ({nxt} < {after})")
        applier = Applier(node, client, rules, reader)
        with node.engine.connect() as conn:
            applier.prepare(conn, events)
        event_at = str(data.get("now")) if data.get("now") else released_after
        yield _Page(events, applier, nxt, head, event_at)
        released_after = None  # asked once per pass, on the first page
        if nxt >= head or nxt == after:
            return
        after = nxt


def _reconcile(node: Node, client: PeerClient, result: PeerSync) -> None:
    """Restricted replicas can lose visibility without an event we may see (a grant was
    revoked, other groups were set): ask the home which we may still keep."""
    with node.engine.connect() as conn:
        held = rep.replicas_of(conn, client.name, access="restricted")
    for start in range(0, len(held), 2000):
        chunk = held[start : start + 2000]
        keep = client.visible(chunk)
        gone = [lv for lv in chunk if lv not in keep]
        if gone:
            with begin_write(node.engine) as conn:
                for lidvid in gone:
                    result.removed += rep.remove_replica(conn, lidvid, _now(node))


def _requeue(node: Node, peer: str, rules: Sequence[fed.Rule]) -> None:
    """Metadata-only replicas that a (new) sharing rule now wants: queue their bytes."""
    mine = [r for r in rules if r.peer == peer]
    if not mine:
        return
    with node.engine.connect() as conn:
        rows = rep.replicas_in_state(conn, peer, "metadata")
    wanted = [
        r.lidvid
        for r in rows
        if any(rule_matches(rule, r.lid, [r.investigation or ""], r.access) for rule in mine)
    ]
    if wanted:
        with begin_write(node.engine) as conn:
            for lidvid in wanted:
                rep.set_replica_state(conn, lidvid, "queued", _now(node))


def _transfer(node: Node, client: PeerClient, result: PeerSync) -> None:
    for _round in range(1000):
        with node.engine.connect() as conn:
            todo = rep.pending_replicas(conn, client.name, TRANSFER_BATCH, MAX_ATTEMPTS)
        if not todo:
            return
        report = Transfer(node, client).run(todo)
        result.files += report.files_fetched
        result.bytes += report.bytes_fetched
        result.completed += report.products_completed
        result.failures += report.failures
        if report.failures and not report.products_completed:
            return  # nothing moves: try again next pass rather than spin


class SyncLoop:
    """Runs ``run_once`` every ``sync_interval_s`` in a daemon thread until ``stop``."""

    def __init__(self, node: Node, identity: Identity | None = None) -> None:
        self.node = node
        self.identity = identity or load_identity(node.config.root, node.node_id)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lunadc-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        interval = max(self.node.config.sync_interval_s, 0.2)
        while not self._stop.wait(interval):
            try:
                run_once(self.node, identity=self.identity)
            except Exception:  # the loop must outlive any one bad pass; it is logged
                log.exception("sync pass failed")
