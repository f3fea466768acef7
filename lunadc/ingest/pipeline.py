"""The ingest run: scan, check, stage in batches, then register each product atomically.

Order of durability, which is what makes a crash at any moment harmless:
1. files are staged under temporary names (a crash leaves ``.part`` files, removed at the
   next start);
2. staged blobs are fsynced and renamed to their content address (a crash leaves blobs that
   no product references yet: harmless, collected by ``lunadc gc``);
3. one database transaction registers the batch, so a product is either registered with every
   file present and verified, or not at all.

Speed comes from doing each step for many products at once (see ``settings``): one barrier
(``syncfs``) makes a whole batch of blobs durable, and one transaction with one statement per
table registers it. Meanwhile worker processes read and validate labels, stage the files of
small products and compute their label-only rows (``workers``), so that this process, the
single catalog writer, mostly renames blobs and inserts ready rows. Worker temporary files
carry this process's pid: they are removed at the next start if it dies, and at once if the
run stops on an error.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lunadc.access.policyfile import AccessPolicy
from lunadc.catalog import products as catalog
from lunadc.catalog.access import AccessSetting
from lunadc.catalog.db import begin_write
from lunadc.catalog.records import NewProduct, ProductRow, StoredFile
from lunadc.catalog.register import register_batch
from lunadc.errors import ImmutableVersionError
from lunadc.ingest.collector import rare_collections
from lunadc.ingest.prepare import (
    HandedOver,
    LabelCheck,
    NotStaged,
    Prepared,
    check_label,
    stage_files,
)
from lunadc.ingest.report import IngestReport, Outcome, Rejection
from lunadc.ingest.scan import find_labels
from lunadc.ingest.settings import IngestSettings
from lunadc.ingest.workers import WorkerSetup, check_in_worker, init_worker
from lunadc.model.findings import Finding, Severity
from lunadc.model.product import Label
from lunadc.model.times import format_time
from lunadc.node import Node
from lunadc.storage.base import Digests, copy_and_hash

Progress = Callable[[Outcome, Path], None]
Checked = LabelCheck | HandedOver | NotStaged | Rejection
# Below this many labels, starting worker processes costs more than it saves.
PARALLEL_MIN_LABELS = 200
# Checked labels are looked up in the catalog (one query) and staged this many at a time
# (64: the query and its connection cost ~9 us a product, 256: ~5 us).
LOOKUP_WINDOW = 256
MAX_WORKERS = 4
# Workers stage the files of products this small themselves (the writer process then only
# renames them); bigger ones are staged by the writer once it knows the version is new.
WORKER_STAGE_MAX_BYTES = 4 * 1024 * 1024


class Ingestor:
    """Ingests label files into one node. Use ``run`` once per command."""

    def __init__(
        self,
        node: Node,
        *,
        access: AccessSetting | None = None,
        policy: AccessPolicy | None = None,
        progress: Progress | None = None,
        workers: int | None = None,
        settings: IngestSettings | None = None,
    ) -> None:
        self.node = node
        self.policy = policy
        self.settings = settings or IngestSettings.from_config(node.config.extra)
        wanted = workers if workers is not None else self.settings.workers
        self.workers = wanted or min(MAX_WORKERS, os.cpu_count() or 1)
        self.access = access
        self.progress = progress
        self.report = IngestReport()
        self._batch: list[Prepared] = []
        self._batch_bytes = 0
        self._batch_started = 0.0
        self._collections: dict[str, tuple[str, ...]] = {}
        # The folder workers stage this run's files into (our pid first, so that a later
        # start removes it if we die; the rest tells this run's apart).
        self._run_folder = node.store.new_run_name()

    def run(self, paths: Sequence[Path], *, labels: list[Path] | None = None) -> IngestReport:
        with rare_collections():
            return self._run(paths, labels)

    def _run(self, paths: Sequence[Path], labels: list[Path] | None) -> IngestReport:
        started = time.perf_counter()
        labels = list(find_labels(paths)) if labels is None else labels
        now = format_time(self.node.clock())
        with begin_write(self.node.engine) as conn:
            run_id = catalog.start_ingest_run(conn, now, ", ".join(str(p) for p in paths))
        checked = self._checked(labels)
        try:
            window: list[tuple[Path, Checked]] = []
            for item in checked:
                window.append(item)
                if len(window) >= LOOKUP_WINDOW:
                    self._after_checks(window)
                    window = []
            self._after_checks(window)
            self._flush()
            self._check_inventories()
        except BaseException:
            # Whatever was staged but not registered (an interrupt) must not linger: stop
            # the workers first (then ``finally`` removes what they staged, unclaimed).
            checked.close()
            raise
        finally:
            for prepared in self._batch:
                prepared.discard()
            self._batch.clear()
            self.node.store.close_run(self._run_folder)
            with begin_write(self.node.engine) as conn:
                catalog.finish_ingest_run(
                    conn,
                    run_id,
                    format_time(self.node.clock()),
                    ingested=len(self.report.ingested),
                    unchanged=len(self.report.unchanged),
                    rejected=len(self.report.rejected),
                    size=self.report.bytes_stored,
                )
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _checked(self, labels: list[Path]) -> Generator[tuple[Path, Checked], None, None]:
        """Each label checked, in order. When there are enough labels to pay for starting
        them, worker processes read and validate the labels and stage small products' files
        (CPU-bound work), leaving this process only the catalog."""
        max_bytes = self.node.config.max_label_bytes
        if len(labels) < PARALLEL_MIN_LABELS or self.workers < 2:
            for source in labels:
                yield source, check_label(source, schemas=self.node.schemas, max_bytes=max_bytes)
            return
        self.node.store.open_run(self._run_folder)
        setup = WorkerSetup(
            schema_catalog=self.node.config.schema_catalog,
            max_label_bytes=max_bytes,
            parent=os.getpid(),
            archive=self.node.store.root,
            run_folder=self._run_folder,
            stage_max_bytes=WORKER_STAGE_MAX_BYTES,
        )
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(setup,),
        )
        try:
            yield from zip(labels, pool.map(check_in_worker, labels, chunksize=32), strict=True)
        finally:
            # Stopped early (an error, an interrupt): labels not yet started are dropped.
            pool.shutdown(wait=True, cancel_futures=True)

    def _after_checks(self, window: list[tuple[Path, Checked]]) -> None:
        """Handle checked labels: one catalog look-up for the whole window, then each one."""
        lidvids = [label.lidvid for _s, check in window if (label := _label_of(check))]
        with self.node.engine.connect() as conn:
            known = catalog.registered_lidvids(conn, lidvids)
        for source, check in window:
            if isinstance(check, Rejection):
                self._rejected(check, source)
            elif isinstance(check, NotStaged):
                if check.check.label.lidvid in known:
                    self._compare_with_registered(check.check)
                else:
                    self.report.warnings.extend(check.check.warnings)
                    self._rejected(check.rejection, source)
            elif check.label.lidvid in known:
                self._compare_with_registered(check)
            elif isinstance(check, HandedOver):
                self.report.warnings.extend(check.warnings)
                self._add(check.claim(self.node.store))
            else:
                self.report.warnings.extend(check.warnings)
                self._stage(check)
        if self._batch and time.monotonic() - self._batch_started >= self.settings.batch_seconds:
            self._flush()

    def _compare_with_registered(self, check: LabelCheck | HandedOver) -> None:
        """Re-ingest of a registered LIDVID: unchanged if every byte is equal, else rejected."""
        self.report.warnings.extend(check.warnings)
        if isinstance(check, HandedOver):
            check.claim(self.node.store).discard()  # its digests are all that is needed
        with self.node.engine.connect() as conn:
            existing = catalog.find_lidvid(conn, check.label.lidvid)
            existing_files = catalog.files_of(conn, existing.id) if existing else []
        if existing is not None and self._same_bytes(check, existing, existing_files):
            self._done(Outcome.UNCHANGED, check.label.lidvid, check.source)
        else:
            self._rejected(_immutable(check.source, check.label.lidvid), check.source)

    def _stage(self, check: LabelCheck) -> None:
        prepared = stage_files(check, self.node.store)
        if isinstance(prepared, Rejection):
            self._rejected(prepared, check.source)
        else:
            self._add(prepared)

    def _add(self, prepared: Prepared) -> None:
        """Add a staged product to the batch; register the batch once it is big enough."""
        if not self._batch:
            self._batch_started = time.monotonic()
        self._batch.append(prepared)
        self._batch_bytes += sum(blob.digests.size for _e, blob in prepared.files)
        limits = self.settings
        if (
            len(self._batch) >= limits.batch_products
            or self._batch_bytes >= limits.batch_bytes
            or time.monotonic() - self._batch_started >= limits.batch_seconds
        ):
            self._flush()

    def _same_bytes(
        self, check: LabelCheck | HandedOver, existing: ProductRow, files: list[StoredFile]
    ) -> bool:
        """True if this label and every file it describes equal the registered version."""
        if existing.label_sha256 != check.label_sha256:
            return False
        stored = {f.path: f for f in files if f.role == "data"}
        if set(stored) != {e.path for e in check.label.data_files}:
            return False
        for entry in check.label.data_files:
            if isinstance(check, HandedOver):  # hashed by the worker as it staged them
                digests: Digests | None = check.digests_of(entry.path)
            else:
                digests = _digests_if_size(check.source.parent / entry.path, stored[entry.path])
            if digests is None or (digests.size, digests.sha256) != (
                stored[entry.path].size,
                stored[entry.path].sha256,
            ):
                return False
        return True

    def _flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch, self._batch_bytes = self._batch, [], 0
        blobs = [blob for p in batch for _e, blob in p.files]
        flat = iter(self.node.store.commit_all(blobs))
        keys = [[next(flat) for _f in p.files] for p in batch]
        now = format_time(self.node.clock())
        news = [self._new_product(p, k, now) for p, k in zip(batch, keys, strict=True)]
        with begin_write(self.node.engine) as conn:
            registered = register_batch(conn, news)
        for prepared, outcome in zip(batch, registered, strict=True):
            if outcome.product_id is not None:
                self.report.bytes_stored += sum(b.digests.size for _e, b in prepared.files)
                if prepared.members:
                    self._collections[prepared.label.lidvid] = tuple(
                        m.lid for m in prepared.members if m.status == "P"
                    )
                self._done(Outcome.INGESTED, prepared.label.lidvid, prepared.source)
            elif outcome.existing_label_sha256 == prepared.label_sha256:
                # The same LIDVID twice in this run (or from a concurrent ingest), same bytes.
                self._done(Outcome.UNCHANGED, prepared.label.lidvid, prepared.source)
            else:
                self._rejected(_immutable(prepared.source, prepared.label.lidvid), prepared.source)

    def _new_product(self, prepared: Prepared, keys: list[str], now: str) -> NewProduct:
        explicit = self.policy.setting_for(prepared.label.lid) if self.policy else None
        explicit = explicit or self.access
        return NewProduct(
            label=prepared.label,
            label_sha256=prepared.label_sha256,
            files=prepared.stored_files(keys),
            members=prepared.members,
            home_node=self.node.node_id,
            ingested_at=now,
            access=explicit.access if explicit else "public",
            release_at=explicit.release_at if explicit else None,
            groups=explicit.groups if explicit else frozenset(),
            inherit_access=explicit is None,
            rows=prepared.rows,
        )

    def _check_inventories(self) -> None:
        """Report members that a collection ingested now lists but the catalog lacks."""
        if not self._collections:
            return
        with self.node.engine.connect() as conn:
            for lidvid, lids in self._collections.items():
                missing = sorted(set(lids) - catalog.existing_lids(conn, lids))
                if missing:
                    shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
                    self.report.warnings.append(
                        Finding(
                            "inventory.member_missing",
                            Severity.WARNING,
                            f"{lidvid} lists {len(missing)} member(s) not in the catalog: {shown}",
                            lidvid,
                        )
                    )

    def _done(self, outcome: Outcome, lidvid: str, source: Path) -> None:
        if outcome is Outcome.INGESTED:
            self.report.ingested.append(lidvid)
        else:
            self.report.unchanged.append(lidvid)
        if self.progress:
            self.progress(outcome, source)

    def _rejected(self, rejection: Rejection, source: Path) -> None:
        self.report.rejected.append(rejection)
        if self.progress:
            self.progress(Outcome.REJECTED, source)


def _label_of(check: Checked) -> Label | None:
    if isinstance(check, Rejection):
        return None
    return check.check.label if isinstance(check, NotStaged) else check.label


def _digests_if_size(path: Path, stored: StoredFile) -> Digests | None:
    """The file's digests, or None without reading it when its size already differs."""
    if path.stat().st_size != stored.size:
        return None
    with open(path, "rb") as handle:
        return copy_and_hash(handle, None)


def _immutable(source: Path, lidvid: str) -> Rejection:
    error = ImmutableVersionError(
        f"{lidvid} is already registered with other bytes (a version never changes:"
        " give the new content a higher version_id)",
        where=str(source),
    )
    return Rejection(file=str(source), reasons=(str(error),), lidvid=lidvid)


def ingest(
    node: Node,
    paths: Sequence[Path],
    *,
    access: AccessSetting | None = None,
    policy: AccessPolicy | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest every label under ``paths`` into ``node``; see ``Ingestor``."""
    return Ingestor(node, access=access, policy=policy, progress=progress).run(paths)
