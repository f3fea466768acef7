"""Federation status: each peer (reachable or not), feed position and lag in events and in
time, replication queue, bytes replicated and the latest failures with their reasons, per
file."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from lunadc.catalog import federation as fed
from lunadc.catalog import replicas as rep
from lunadc.federation.identity import Identity
from lunadc.model.times import parse_time
from lunadc.node import Node

PROBE_TIMEOUT_S = 2.0
WAITING = ("queued", "failed")  # states of a replica whose bytes are still to come


@dataclass
class PeerStatus:
    name: str
    url: str
    reachable: bool | None
    last_seq: int  # the last event of the peer's feed applied here
    remote_head: int  # the peer's newest event when last asked
    lag_events: int
    lag_seconds: float | None  # since the last pass that reached the head without error
    last_sync_at: str | None
    last_ok_at: str | None
    last_error: str | None
    replicas: dict[str, int]  # state -> how many
    queue: int  # replicas whose bytes are still to come
    queue_bytes: int
    bytes_replicated: int
    failures: list[dict[str, str]] = field(default_factory=list)


@dataclass
class StatusReport:
    node_id: str
    public_key: str | None
    peers: list[PeerStatus]

    def as_dict(self, *, details: bool = True) -> dict[str, Any]:
        peers = []
        for p in self.peers:
            entry = dict(vars(p))
            if not details:
                entry["failures"] = len(p.failures)  # which products: archivists only
                entry["last_error"] = "failed" if p.last_error else None
            peers.append(entry)
        return {"node_id": self.node_id, "public_key": self.public_key, "peers": peers}


def _probe(url: str) -> bool:
    try:
        with httpx.Client(timeout=PROBE_TIMEOUT_S, trust_env=False) as client:
            return client.get(url.rstrip("/") + "/federation/info").status_code == 200
    except httpx.HTTPError:
        return False


def collect(
    node: Node, *, probe: bool = False, identity: Identity | None = None, failures: int = 20
) -> StatusReport:
    now = node.clock()
    with node.engine.connect() as conn:
        peers = fed.list_peers(conn)
        cursors = {p.name: fed.cursor(conn, p.name) for p in peers}
        counts = {p.name: rep.replica_counts(conn, p.name) for p in peers}
        recent = {p.name: rep.recent_failures(conn, p.name, failures) for p in peers}
    reachable: dict[str, bool | None] = {p.name: None for p in peers}
    if probe and peers:
        # In parallel: a down peer costs one timeout, not one per peer.
        with ThreadPoolExecutor(min(len(peers), 16)) as pool:
            answers = pool.map(_probe, [p.url for p in peers])
            reachable = {p.name: ok for p, ok in zip(peers, answers, strict=True)}
    report = StatusReport(node.node_id, identity.public_key if identity else None, [])
    for peer in peers:
        cursor = cursors[peer.name]
        states = counts[peer.name]
        last_seq = int(cursor.last_seq) if cursor else 0
        head = int(cursor.remote_head) if cursor else 0
        last_ok = cursor.last_ok_at if cursor else None
        report.peers.append(
            PeerStatus(
                name=peer.name,
                url=peer.url,
                reachable=reachable[peer.name],
                last_seq=last_seq,
                remote_head=head,
                lag_events=max(0, head - last_seq),
                lag_seconds=(now - parse_time(last_ok)).total_seconds() if last_ok else None,
                last_sync_at=cursor.last_sync_at if cursor else None,
                last_ok_at=last_ok,
                last_error=cursor.last_error if cursor else None,
                replicas={state: n for state, (n, _size) in states.items()},
                queue=sum(states.get(s, (0, 0))[0] for s in WAITING),
                queue_bytes=sum(states.get(s, (0, 0))[1] for s in WAITING),
                bytes_replicated=states.get("complete", (0, 0))[1],
                failures=[
                    {"lidvid": f.lidvid, "path": f.path, "reason": f.reason, "at": f.at}
                    for f in recent[peer.name]
                ],
            )
        )
    return report
