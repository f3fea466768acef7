"""The change feed as a peer sees it: events in order, only for what that peer may have.

A peer receives an event of a product homed here only while ``visible_clause`` lets the peer
see it now. A product that stopped being visible to the peer (re-restricted, withdrawn)
turns into a ``revoked`` event carrying nothing but its LIDVID, and only when the peer could
have known the product before (it was public or partner); a replica that was restricted is
re-checked by the peer itself (``POST /federation/visible``), so a restricted LIDVID never
leaks to a peer that was never granted it. Embargoes that end have no event: a peer asks
for the products released since its last pass (``released_after``).

A new product's label text rides in its event (``attach_labels``): the peer needs it to
register the product anyway, and one request per page beats a second round trip for the
labels. The peer still checks it against the label's SHA-256, size and MD5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from lunadc.catalog import federation as fed
from lunadc.catalog import replicas as rep
from lunadc.catalog.federation import PeerRow
from lunadc.model.access import Access

MAX_LIMIT = 2000
INLINE_LABEL_MAX = 256 * 1024  # a larger label is fetched on its own (``/federation/batch``)
INLINE_PAGE_MAX = 16 * 1024 * 1024  # label bytes per page: well under a peer's answer limit
_SHARED_LEVELS = (Access.PUBLIC.value, Access.PARTNER.value)


def page(
    conn: Connection,
    peer: PeerRow,
    *,
    home: str,
    now: str,
    after: int,
    limit: int,
    released_after: str | None = None,
) -> dict[str, Any]:
    """One page of the feed for ``peer``: events after ``after``, the head, the home's clock."""
    viewer = fed.peer_viewer(peer)
    rows, head = rep.feed_rows(conn, viewer, now, after, min(max(limit, 1), MAX_LIMIT))
    shown = [r for r in rows if r.visible and r.home_node == home]
    ids = [r.product_id for r in shown]
    granted = set(peer.grants)
    groups = rep.groups_of(conn, ids)
    files = rep.manifests(conn, [r.product_id for r in shown if r.kind == "added"])
    events: list[dict[str, Any]] = []
    for row in rows:
        payload = rep.payload_of(row.payload)
        base = {"seq": row.seq, "at": row.at, "lidvid": row.lidvid}
        if row.product_id is not None and row.home_node != home:
            continue  # a replica's local bookkeeping, not ours to export
        if row.visible:
            event = {
                **base,
                "kind": row.kind,
                "access": row.access,
                "release_at": row.release_at,
                # Only the groups this peer was granted: the others are none of its business.
                "groups": sorted(set(groups.get(row.product_id, ())) & granted),
                "label_sha256": row.label_sha256,
            }
            if row.kind == "added":
                event["files"] = files.get(row.product_id, [])
            if row.kind == "superseded":
                event["by"] = payload.get("by")
            events.append(event)
        elif row.kind in ("access_changed", "withdrawn") and _peer_knew(row, payload, home):
            events.append({**base, "kind": "revoked"})
    result: dict[str, Any] = {
        "node_id": home,
        "events": events,
        "next": rows[-1].seq if rows else after,
        "head": head,
        "now": now,
    }
    if released_after is not None:
        released = rep.released_rows(conn, viewer, home, released_after, now)
        rgroups = rep.groups_of(conn, [r.product_id for r in released])
        rfiles = rep.manifests(conn, [r.product_id for r in released])
        result["released"] = [
            {
                "seq": 0,
                "at": r.release_at,
                "lidvid": r.lidvid,
                "kind": "added",
                "access": r.access,
                "release_at": r.release_at,
                "groups": sorted(set(rgroups.get(r.product_id, ())) & granted),
                "label_sha256": r.label_sha256,
                "files": rfiles.get(r.product_id, []),
            }
            for r in released
        ]
    return result


def _peer_knew(row: Any, payload: dict[str, Any], home: str) -> bool:
    """Could the peer have seen this product before the change? (then it may hear it went)."""
    if payload.get("home_node") not in (None, home):
        return False
    before = payload.get("was", payload.get("access"))
    return before in _SHARED_LEVELS


def attach_labels(data: dict[str, Any], read: Callable[[str], bytes | None]) -> None:
    """Put the label text of each ``added`` event of a page into the event (``label``).

    ``read`` gives a label's bytes by SHA-256 (None: not here). Labels that are too large,
    over the page's budget or not UTF-8 are left out: the peer fetches those as files.
    """
    budget = INLINE_PAGE_MAX
    for event in (*data.get("events", ()), *data.get("released", ())):
        if event.get("kind") != "added":
            continue
        labels = [f for f in event.get("files", ()) if f.get("role") == "label"]
        if len(labels) != 1 or labels[0]["size"] > min(INLINE_LABEL_MAX, budget):
            continue
        raw = read(labels[0]["sha256"])
        if raw is None:
            continue
        try:
            event["label"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        budget -= len(raw)
