"""Turning a peer's feed events into replicas here, trusting bytes, not the peer's word.

For a new product the label (inside the event, or fetched when too large) is checked against
the event's SHA-256, size and MD5, then parsed here (safe XML, the same extraction as
ingest): the catalog entry comes from those label bytes, never from metadata the peer
parsed. The label is kept as a file with the product's bytes, when a sharing rule wants
them; a metadata-only replica points to its home for the label as for its data files.
The peer's file list must agree with the label (same files, sizes and MD5 where the label
gives them). Collection inventories are fetched too, since membership lives in them.
Receiving-side policy: a product must come from its home node, never overwrite one of ours,
and a restricted one must name a granted group.
"""

from __future__ import annotations

import dataclasses
import io
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from lunadc.catalog import federation as fed
from lunadc.catalog import replicas as rep
from lunadc.catalog.records import NewProduct, StoredFile
from lunadc.errors import IntegrityError, LunadcError, PeerError
from lunadc.federation.labels import LabelJob, LabelReader, Pending
from lunadc.federation.peers import PeerClient, describe
from lunadc.federation.transfer import FileJob, Transfer, check
from lunadc.model.access import Access
from lunadc.model.identifiers import is_under
from lunadc.model.product import Label, Member
from lunadc.model.times import canonical_time
from lunadc.node import Node
from lunadc.pds4.inventory import read_inventory
from lunadc.pds4.safe_xml import parse_xml
from lunadc.storage.base import StagedBlob, blob_key, copy_and_hash

_LEVELS = {a.value for a in Access}


@dataclass
class Applied:
    added: int = 0
    updated: int = 0
    removed: int = 0
    queued: int = 0
    refused: list[str] = field(default_factory=list)


@dataclass
class _Incoming:
    event: dict[str, Any]
    label_file: dict[str, Any]
    label: Label | None = None
    members: tuple[Member, ...] = ()
    tree: Any = None
    raw: bytes | None = None  # the label's bytes when they came inside the event
    wanted: bool = False  # a sharing rule asks for the product's bytes
    files: list[StoredFile] = field(default_factory=list)


def rule_matches(rule: fed.Rule, lid: str, investigations: Sequence[str], access: str) -> bool:
    """Does this sharing rule ask for the bytes of this product?"""
    if rule.access and access not in rule.access:
        return False
    for prefix in (rule.bundle_lid, rule.collection_lid):
        if prefix and not (lid == prefix or is_under(lid, prefix)):
            return False
    if rule.mission:
        # A mission by investigation name ("Chang'e-4") or by the bundle id's start
        # ("change4" matches urn:cnsa:clep:change4_rover).
        wanted = rule.mission.casefold()
        names = {name.casefold() for name in investigations}
        bundle = lid.split(":")[3] if lid.count(":") >= 3 else ""
        if wanted not in names and not bundle.casefold().startswith(wanted):
            return False
    return True


def _check_policy(event: dict[str, Any]) -> str | None:
    access = event.get("access")
    if access not in _LEVELS:
        return f"unknown access level {access!r}"
    if access == Access.RESTRICTED.value and not event.get("groups"):
        return "restricted product sent without a granted group"
    return None


class Applier:
    """Applies one page of a peer's events (fetching what it needs first)."""

    def __init__(
        self,
        node: Node,
        client: PeerClient,
        rules: Sequence[fed.Rule],
        reader: LabelReader | None = None,
    ) -> None:
        self.node = node
        self.reader = reader or LabelReader(workers=1)
        self.client = client
        self.peer = client.name
        self.rules = [r for r in rules if r.peer == self.peer]
        self.result = Applied()
        self._failed: set[str] = set()
        self._inline: list[_Incoming] = []  # labels verified in memory, not stored yet
        self._incoming: list[_Incoming] = []
        self._blobs: dict[str, bool] = {}  # blob key -> present here (``_have``)
        self._reading: tuple[list[_Incoming], list[LabelJob], Pending] = ([], [], list)

    def prepare(self, conn: Connection, events: list[dict[str, Any]]) -> None:
        """Check the page's new products, verify (or fetch) their labels and start reading
        them; no catalog writes. Then ``store`` and ``finish``, then ``apply``.

        Sync runs this for the next page in a thread while the current one is applied, so it
        does little I/O of its own: the labels are read in worker processes (when there are
        many) and stored, if at all, by the thread that applies (``store``).
        """
        incoming: list[_Incoming] = []
        homes = rep.homes_of(
            conn, [e["lidvid"] for e in events if isinstance(e.get("lidvid"), str)]
        )
        for event in events:
            if event.get("kind") != "added" or not isinstance(event.get("lidvid"), str):
                continue
            if event["lidvid"] in homes:
                continue  # handled as an access update in apply()
            problem = _check_policy(event)
            labels = [f for f in event.get("files", []) if f.get("role") == "label"]
            if problem is None and len(labels) != 1:
                problem = "the product must list exactly one label"
            if problem is None and labels[0].get("sha256") != event.get("label_sha256"):
                problem = "the label's SHA-256 differs from the event's"
            if problem:
                self.result.refused.append(f"{event['lidvid']}: {problem}")
                continue
            incoming.append(_Incoming(event, labels[0]))
        for item in incoming:
            text = item.event.get("label")
            item.raw = text.encode("utf-8") if isinstance(text, str) else None
        fetched = [i for i in incoming if i.raw is None]
        self._fetch([_job(i.event["lidvid"], i.label_file) for i in fetched])
        self._verify_inline([i for i in incoming if i.raw is not None])
        self._incoming = incoming
        readable = [i for i in incoming if i.event["lidvid"] not in self._failed]
        self._reading = (readable, *self._start_reading(readable))

    def finish(self) -> list[_Incoming]:
        """The page's new products, read from their verified labels (and inventories).
        Then ``store``, then ``apply``."""
        self._finish_reading(*self._reading)
        incoming = self._incoming
        inventories = [
            (item, f)
            for item in incoming
            if item.label is not None
            for f in item.event.get("files", [])
            if f.get("path") in item.label.inventory_files
        ]
        self._fetch([_job(i.event["lidvid"], f) for i, f in inventories])
        for item, f in inventories:
            if item.label is not None and item.event["lidvid"] not in self._failed:
                self._read_inventory(item, f)
        return [
            i for i in incoming if i.label is not None and i.event["lidvid"] not in self._failed
        ]

    def _verify_inline(self, items: list[_Incoming]) -> None:
        """Check the labels that came inside the feed page like fetched files (size, MD5,
        SHA-256): only verified bytes are read, and later stored (``store``)."""
        for item in items:
            lidvid = item.event["lidvid"]
            try:
                digests = copy_and_hash(io.BytesIO(item.raw or b""), None)
                check(_job(lidvid, item.label_file), digests)
            except IntegrityError as exc:
                self._failed.add(lidvid)
                self.result.refused.append(f"{lidvid}: {exc.message}")
            else:
                self._inline.append(item)

    def store(self) -> None:
        """Make the verified inline labels of products whose bytes a rule wants durable
        blobs (one barrier for all), after ``finish`` and before the page's transaction.

        The label of a metadata-only replica is not kept as a file: it was verified and
        read, the catalog entry comes from it, and its bytes come with the product's when a
        rule asks for them (until then the home node serves them, like the data files). A
        file per label cost as much as registering the product, for bytes nobody asked for.
        It runs in the thread that applies the page: a thread making thousands of small
        syscalls beside a busy one waits for the GIL at each of them.
        """
        store = self.node.store
        staged: list[StagedBlob] = []
        try:
            for item in self._inline:
                lidvid = item.event["lidvid"]
                if lidvid in self._failed or not item.wanted:
                    continue
                blob = store.stage(io.BytesIO(item.raw or b""))
                staged.append(blob)
                check(_job(lidvid, item.label_file), blob.digests)
            store.commit_all(staged)
        except BaseException:
            for blob in staged:
                blob.discard()
            raise
        self._inline.clear()

    def _fetch(self, jobs: list[FileJob]) -> None:
        missing = [j for j in jobs if not self.node.store.exists(blob_key(j.sha256))]
        if not missing:
            return
        for (lidvid, path), reason in Transfer(self.node, self.client).fetch(missing).items():
            if reason:
                self._failed.add(lidvid)
                self.result.refused.append(f"{lidvid}: {path}: {reason}")

    def _start_reading(self, items: list[_Incoming]) -> tuple[list[LabelJob], Pending]:
        max_bytes = self.node.config.max_label_bytes
        jobs = [
            LabelJob(
                self.node.store.path_of(blob_key(item.label_file["sha256"])),
                item.event["lidvid"],
                f"{self.peer}:{item.event['lidvid']}",
                max_bytes,
                item.raw,
            )
            for item in items
        ]
        return jobs, self.reader.start(jobs)

    def _finish_reading(
        self, items: list[_Incoming], jobs: list[LabelJob], pending: Pending
    ) -> None:
        for item, job, (label, problem) in zip(items, jobs, pending(), strict=True):
            if job.lidvid in self._failed:
                continue
            try:
                if label is None:
                    raise PeerError(problem or "unreadable label")
                names = [i.name for i in label.investigations]
                access = item.event["access"]
                item.wanted = any(rule_matches(r, label.lid, names, access) for r in self.rules)
                item.files = self._files(item, label)
                if label.inventory_files:
                    # Inventories are read against their label's tree: parsed again here
                    # for the few products (collections) that have one.
                    data = job.data
                    if data is None:
                        with open(job.path, "rb") as handle:
                            data = handle.read(job.max_bytes + 1)
                    item.tree = parse_xml(data, source=job.source, max_bytes=job.max_bytes)
                item.label = label
            except LunadcError as exc:
                self._failed.add(job.lidvid)
                self.result.refused.append(f"{job.lidvid}: {describe(exc)}")

    def _files(self, item: _Incoming, label: Label) -> list[StoredFile]:
        """The product's files from the label, with the peer's SHA-256 (checked on arrival)."""
        offered = {f.get("path"): f for f in item.event.get("files", []) if f.get("role") == "data"}
        if set(offered) != {e.path for e in label.data_files}:
            raise PeerError("the peer's file list differs from the label's")
        label_file = item.label_file
        key = blob_key(label_file["sha256"])
        # A label that came inline is kept only with the product's bytes (see ``store``).
        keep = item.wanted or item.raw is None or self._have(key)
        files = [_stored(label_file, "label", key if keep else rep.NO_BLOB)]
        for entry in label.data_files:
            offer = offered[entry.path]
            if entry.size is not None and entry.size != offer.get("size"):
                raise PeerError(f"{entry.path}: size differs from the label's")
            if entry.md5 is not None and entry.md5.lower() != offer.get("md5"):
                raise PeerError(f"{entry.path}: MD5 differs from the label's")
            key = blob_key(str(offer.get("sha256")))
            have = self._have(key)
            files.append(
                dataclasses.replace(
                    _stored(offer, "data", key if have else rep.NO_BLOB),
                    creation_time=canonical_time(entry.creation_date_time),
                    records=entry.records,
                )
            )
        return files

    def _have(self, key: str) -> bool:
        """Is this blob here? Asked once per page and key: products often share files,
        and a stat per file of thousands of products adds up."""
        have = self._blobs.get(key)
        if have is None:
            have = self._blobs[key] = self.node.store.exists(key)
        return have

    def _read_inventory(self, item: _Incoming, offer: dict[str, Any]) -> None:
        key = blob_key(offer["sha256"])
        with self.node.store.open(key) as handle:
            data = handle.read()
        members, _findings = read_inventory(data, tree=item.tree, source=offer["path"])
        item.members = (*item.members, *members)
        item.files = [
            dataclasses.replace(f, blob_key=key) if f.path == offer["path"] else f
            for f in item.files
        ]

    def apply(
        self, conn: Connection, events: list[dict[str, Any]], ready: list[_Incoming], now: str
    ) -> None:
        """Write the page's effects in the caller's transaction.

        New products are gathered and registered together (one ``register_batch``); any
        other event about a product still waiting in that batch registers the batch first,
        so that the page's order is kept.
        """
        by_lidvid = {i.event["lidvid"]: i for i in ready}
        homes = rep.homes_of(
            conn, [e["lidvid"] for e in events if isinstance(e.get("lidvid"), str)]
        )
        pending: list[rep.NewReplica] = []
        waiting: set[str] = set()

        def flush() -> None:
            rep.register_replicas(conn, pending, peer=self.peer, now=now)
            for item in pending:
                homes[item.product.label.lidvid] = self.peer
            pending.clear()
            waiting.clear()

        for event in events:
            lidvid = event.get("lidvid")
            kind = event.get("kind")
            if not isinstance(lidvid, str):
                continue
            if lidvid in waiting:
                flush()
            home = homes.get(lidvid)
            if home is not None and home != self.peer:
                if kind == "added":
                    self.result.refused.append(f"{lidvid}: already here, homed at {home}")
                continue
            if kind in ("revoked", "withdrawn"):
                if home is not None and rep.remove_replica(conn, lidvid, now):
                    self.result.removed += 1
                    homes.pop(lidvid, None)
            elif kind in ("added", "access_changed") and home is not None:
                if self._update(conn, event, lidvid, now):
                    homes.pop(lidvid, None)
            elif kind == "added" and lidvid in by_lidvid:
                pending.append(self._replica(by_lidvid.pop(lidvid), now))
                waiting.add(lidvid)
        flush()

    def _update(self, conn: Connection, event: dict[str, Any], lidvid: str, now: str) -> bool:
        """Follow the home's access change; True if the replica was removed instead."""
        problem = _check_policy(event)
        if problem:
            # The home says it is restricted but names no group we hold: hide it here.
            if rep.remove_replica(conn, lidvid, now):
                self.result.removed += 1
                return True
            return False
        if rep.update_replica_access(
            conn,
            lidvid,
            access=event["access"],
            release_at=event.get("release_at"),
            groups=event.get("groups", []),
            now=now,
        ):
            self.result.updated += 1
        return False

    def _replica(self, item: _Incoming, now: str) -> rep.NewReplica:
        assert item.label is not None
        event = item.event
        complete = all(f.blob_key != rep.NO_BLOB for f in item.files)
        state = "complete" if complete else "queued" if item.wanted else "metadata"
        new = NewProduct(
            label=item.label,
            label_sha256=event["label_sha256"],
            files=tuple(item.files),
            members=item.members,
            home_node=self.peer,
            ingested_at=now,
            access=event["access"],
            release_at=event.get("release_at"),
            groups=frozenset(str(g) for g in event.get("groups", [])),
        )
        self.result.added += 1
        self.result.queued += state == "queued"
        return rep.NewReplica(new, state)


def _job(lidvid: str, offer: dict[str, Any]) -> FileJob:
    return FileJob(
        lidvid, str(offer["path"]), int(offer["size"]), str(offer["md5"]), str(offer["sha256"])
    )


def _stored(offer: dict[str, Any], role: str, key: str) -> StoredFile:
    path = str(offer["path"])
    mime, _enc = mimetypes.guess_type(path)
    return StoredFile(
        path=path,
        role=role,
        size=int(offer["size"]),
        md5=str(offer["md5"]),
        sha256=str(offer["sha256"]),
        blob_key=key,
        mime_type=mime or ("application/xml" if role == "label" else None),
    )
