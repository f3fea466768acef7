"""A blob store on the local filesystem: write to a temporary name, fsync, rename.

Layout under the store's root: ``sha256/ab/<sha256>`` for finished blobs (stores made before
the ``layout`` file existed: ``sha256/ab/cd/<sha256>``, read and written as they are),
``.tmp/<pid>-<tag>-<random>.part`` for blobs being written, ``.tmp/<pid>-<tag>-<run>/`` for
the blobs that worker processes stage for the process ``<pid>`` (a *run folder*), and
``.resume/<name>`` for downloads from peers that may be resumed after a crash or a cut. A
``.part`` file or run folder whose owner process is gone is a leftover of a crash and is
removed by ``clean_partial`` at the next start; ``.resume`` files are kept on purpose (the
bytes already fetched are not fetched again) and are always verified in full before they
become a blob.

Why run folders: after a ``kill -9`` of an ingest its workers may live a moment longer (a
syscall in progress ends first), and could create a file just after the next start cleaned
up. Workers never create their run folder, only files in it, so once ``clean_partial`` has
removed the folder, a late worker's file cannot be created at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from lunadc.errors import NotFoundError, StorageError
from lunadc.storage.base import Digests, StagedBlob, blob_key, copy_and_hash
from lunadc.storage.direct import DirectFile

_TMP = ".tmp"
# Starts the temporary names this process makes, after its pid: ``clean_partial`` leaves
# them alone (they are in flight here: another node handle opened in this process must not
# remove them), while a dead process's names, or an earlier process's under a reused pid,
# are leftovers. A forked child has another pid, so sharing the tag is harmless.
_PROCESS_TAG = secrets.token_hex(4)
# Names the blob layout of a store; a store without it has the older two-level fan-out.
# One level of 256 folders, because a fresh replica or archive paid a new folder for nearly
# every blob under 65,536 (about 0.5 ms of kernel time each on this machine's ext4: 2,000
# small replicated files took 2.8-3.2 s, 1.7-1.8 s with the folders already there).
_LAYOUT_FILE = "layout"
_ONE_LEVEL = "sha256/ab/<sha256>\n"
_RESUME = ".resume"


def _fsync_dir(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(path: Path) -> bool:
    """Flush the whole filesystem holding ``path`` in one call (Linux ``syncfs``).

    One barrier for a batch of blobs costs about as much as one fsync, where a fsync per file
    and per folder costs one each. False if the call is not available here.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _own_prefix() -> str:
    return f"{os.getpid()}-{_PROCESS_TAG}"


def _read_layout(root: Path) -> str:
    try:
        return (root / _LAYOUT_FILE).read_text(encoding="ascii")
    except FileNotFoundError:
        return ""


def _remove_run_folder(folder: Path, attempts: int = 20) -> int:
    """Remove a run folder and its files; how many files. A worker of a dead run may still
    add a file while this runs (its ``open`` was under way): then the folder is not empty
    yet, so try again; once the folder is gone no file can be added to it."""
    removed = 0
    for _ in range(attempts):
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return removed
        for name in names:
            try:
                os.unlink(folder / name)
                removed += 1
            except FileNotFoundError:
                pass
        try:
            folder.rmdir()
            return removed
        except FileNotFoundError:
            return removed
        except OSError as exc:
            if exc.errno != errno.ENOTEMPTY:
                raise
    shutil.rmtree(folder)  # a writer that keeps adding files: the last word is ours
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Chunks at least this big bypass the page cache (or, where that is refused, are pushed
# towards the disk as soon as they are written); smaller files are not worth it.
_LARGE_WRITE = 1024 * 1024


class _LocalStaged:
    # Paths are kept as text: an ingest commits two blobs per small product, and pathlib's
    # joins and conversions cost more than the stat and rename themselves (24 against
    # ~9 us a blob).
    __slots__ = ("_digests", "_key", "_renamed_to", "_store", "_synced", "_tmp")

    def __init__(self, store: LocalBlobStore, tmp: str, digests: Digests) -> None:
        self._store = store
        self._tmp = tmp
        self._digests = digests
        self._synced = False
        self._key: str | None = None
        self._renamed_to: str | None = None

    @property
    def digests(self) -> Digests:
        return self._digests

    @property
    def name(self) -> str:
        return self._store.tmp_name(self._tmp)

    def fsync(self) -> None:
        if not self._synced and self._key is None:
            fd = os.open(self._tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._synced = True

    def commit(self) -> str:
        key = self.rename()
        if self._renamed_to is not None:
            _fsync_dir(os.path.dirname(self._renamed_to))
            self._renamed_to = None
        return key

    def rename(self) -> str:
        """Move the (already durable) bytes to their key; the folder entry is not yet synced."""
        if self._key is not None:
            return self._key
        key = blob_key(self._digests.sha256)
        final = self._store.blob_file(self._digests.sha256)
        if os.path.exists(final):
            # Same content already stored: never overwrite a finished blob.
            _unlink_if_there(self._tmp)
        else:
            self.fsync()
            try:
                os.replace(self._tmp, final)  # the folder is usually there (see ``stage``)
            except FileNotFoundError:
                if not os.path.exists(self._tmp):
                    raise
                self._store.ensure_folder(os.path.dirname(final))
                os.replace(self._tmp, final)
            self._renamed_to = final
        self._key = key
        return key

    def discard(self) -> None:
        if self._key is None:
            _unlink_if_there(self._tmp)


def _unlink_if_there(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class LocalBlobStore:
    """Content-addressed blobs in a folder."""

    def __init__(
        self,
        root: Path,
        *,
        hash_pool: ThreadPoolExecutor | None = None,
        run_folder: str | None = None,
    ) -> None:
        """``run_folder``: stage into ``.tmp/<run_folder>/``, which the owner made with
        :meth:`open_run` (a worker staging for the ingest that owns it); by default files
        go straight into ``.tmp`` named after this process."""
        self.root = root
        self._root_text = os.fspath(root)
        self._tmp_root = root / _TMP
        self._tmp_dir = self._tmp_root / run_folder if run_folder else self._tmp_root
        self._tmp_root_text = os.fspath(self._tmp_root)
        self._tmp_dir_text = os.fspath(self._tmp_dir)
        self._in_run = bool(run_folder)
        self._pool = hash_pool
        # Large blobs are written by this thread while the others hash (it starts at the
        # first large blob). A store given no hashing thread wants no threads at all.
        self._writer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="blob-write")
            if hash_pool is not None
            else None
        )
        self._folders: set[str] = set()
        self._tmp_ready = False
        layout = _read_layout(root)
        if layout not in ("", _ONE_LEVEL):
            raise StorageError(
                f"unknown blob layout {layout.strip()!r}", where=str(root / _LAYOUT_FILE)
            )
        self._one_level = layout == _ONE_LEVEL

    def ensure_folder(self, folder: str | Path) -> None:
        """Create a fan-out folder once; remembered, since mkdir per blob adds up."""
        name = os.fspath(folder)
        if name not in self._folders:
            os.makedirs(name, exist_ok=True)
            self._folders.add(name)

    def create(self) -> None:
        """Make the store's folders; a new store (no blobs folder yet) gets the one-level
        layout, an existing one keeps its own."""
        blobs = self.root / "sha256"
        if not blobs.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / _LAYOUT_FILE).write_text(_ONE_LEVEL, encoding="ascii")
            self._one_level = True
        blobs.mkdir(parents=True, exist_ok=True)
        self._tmp_root.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str) -> Path:
        parts = key.split("/")
        if len(parts) != 4 or parts[0] != "sha256" or not all(p.isalnum() for p in parts[1:]):
            raise NotFoundError(f"not a blob key: {key!r}")
        if self._one_level:
            return self.root / parts[0] / parts[1] / parts[3]
        return self.root.joinpath(*parts)

    def blob_file(self, sha256: str) -> str:
        """``path_of(blob_key(sha256))`` as text (the same checks, without pathlib)."""
        if len(sha256) < 4 or not sha256.isalnum():
            raise NotFoundError(f"not a blob key: {blob_key(sha256)!r}")
        if self._one_level:
            return f"{self._root_text}/sha256/{sha256[:2]}/{sha256}"
        return f"{self._root_text}/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def new_tmp_path(self) -> Path:
        """A fresh temporary name (``stage`` writes there; so may a caller that writes the
        file itself and then ``claim``s it by ``tmp_name``). If the writer dies first, the
        next start removes it like any other leftover."""
        return Path(self._new_tmp_file())

    def _new_tmp_file(self) -> str:
        # A run folder is never created here (see the module doc): if it is gone, the run
        # that owned it is over and nothing may be staged for it any more.
        if not self._tmp_ready and not self._in_run:  # once: a mkdir per file adds up
            self._tmp_dir.mkdir(parents=True, exist_ok=True)
            self._tmp_ready = True
        prefix = "" if self._in_run else f"{_own_prefix()}-"
        return f"{self._tmp_dir_text}/{prefix}{secrets.token_hex(8)}.part"

    def tmp_name(self, tmp: str | Path) -> str:
        """The name :meth:`claim` takes for the temporary file ``tmp``."""
        folder, name = os.path.split(os.fspath(tmp))
        return name if folder == self._tmp_root_text else f"{os.path.basename(folder)}/{name}"

    def claim(self, name: str, digests: Digests) -> StagedBlob:
        parts = name.split("/")
        if (
            len(parts) > 2
            or any(not p or p.startswith(".") for p in parts)
            or not name.endswith(".part")
        ):
            raise StorageError(f"not a staged blob name: {name!r}")
        return _LocalStaged(self, f"{self._tmp_root_text}/{name}", digests)

    @staticmethod
    def new_run_name() -> str:
        """A name for a run folder of this process (see :meth:`open_run`)."""
        return f"{_own_prefix()}-{secrets.token_hex(4)}"

    def open_run(self, name: str) -> None:
        """Make the run folder ``name`` (from :meth:`new_run_name`) that workers stage into."""
        if not name.startswith(f"{_own_prefix()}-") or "/" in name:
            # Any other name would not be this process's to ``clean_partial``: another
            # handle on the store in this process could remove the folder mid-run.
            raise StorageError(f"a run folder must be named by new_run_name, not {name!r}")
        (self._tmp_root / name).mkdir(parents=True)

    def close_run(self, name: str) -> int:
        """Remove the run folder ``name`` with whatever was staged in it and never claimed
        (a run that stopped on an error); how many files."""
        return _remove_run_folder(self._tmp_root / name)

    def stage(self, source: BinaryIO) -> StagedBlob:
        tmp = self._new_tmp_file()
        try:
            # Unbuffered: chunks go straight to the kernel, without a copy into a buffer.
            with open(tmp, "xb", buffering=0) as sink:
                digests = copy_and_hash(
                    source,
                    DirectFile(sink.fileno(), min_direct=_LARGE_WRITE, drop_cached=True),
                    pool=self._pool,
                    writer=self._writer,
                )
            # The blob's fan-out folder is made now, by whichever process stages it (an
            # ingest's workers), rather than at commit by the one process that commits.
            self.ensure_folder(os.path.dirname(self.blob_file(digests.sha256)))
        except OSError as exc:
            _unlink_if_there(tmp)
            raise StorageError(f"cannot write blob: {exc.strerror}", where=tmp) from exc
        except BaseException:
            _unlink_if_there(tmp)
            raise
        return _LocalStaged(self, tmp, digests)

    def resume_path(self, name: str) -> Path:
        """Where a resumable download named ``name`` (e.g. its expected SHA-256) keeps bytes."""
        if not name.isalnum():
            raise StorageError(f"bad resumable download name {name!r}")
        folder = self.root / _RESUME
        self.ensure_folder(folder)  # once: a mkdir per download added up for small files
        return folder / name

    def adopt(self, path: Path, digests: Digests | None = None) -> StagedBlob:
        """Turn a complete local file (a finished resumable download) into a staged blob.

        The file is hashed in full here, so what gets committed is exactly what was verified,
        unless the caller gives ``digests`` it computed over exactly these bytes as it wrote
        them (a download hashed while streaming: no second read of a large file).
        """
        tmp = self._new_tmp_file()
        os.replace(path, tmp)
        if digests is None:
            with open(tmp, "rb") as handle:
                digests = copy_and_hash(handle, None, pool=self._pool)
        return _LocalStaged(self, tmp, digests)

    def commit_all(self, blobs: list[StagedBlob]) -> list[str]:
        """Commit many staged blobs with two filesystem barriers instead of two per blob.

        Barrier 1 makes every temporary file's bytes durable before any rename; barrier 2
        makes the renames durable before the caller registers anything that names them.
        """
        local = [b for b in blobs if isinstance(b, _LocalStaged)]
        if len(local) < 4 or not _syncfs(self.root):
            return [blob.commit() for blob in blobs]
        for blob in local:
            blob._synced = True
        keys = [
            blob.rename() if isinstance(blob, _LocalStaged) else blob.commit() for blob in blobs
        ]
        if not _syncfs(self.root):  # pragma: no cover - it worked a moment ago
            for blob in local:
                blob.commit()
        for blob in local:
            blob._renamed_to = None
        return keys

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path_of(key), "rb")
        except FileNotFoundError as exc:
            raise NotFoundError(f"blob {key} is missing from the archive") from exc

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path_of(key).stat().st_size
        except FileNotFoundError as exc:
            raise NotFoundError(f"blob {key} is missing from the archive") from exc

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    def iter_keys(self) -> Iterator[str]:
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for first in sorted(base.iterdir()):
            if self._one_level:
                for blob in sorted(first.iterdir()):
                    yield blob_key(blob.name)
                continue
            for second in sorted(first.iterdir()):
                for blob in sorted(second.iterdir()):
                    yield f"sha256/{first.name}/{second.name}/{blob.name}"

    def clean_partial(self) -> int:
        removed = 0
        if not self._tmp_root.is_dir():
            return 0
        for part in self._tmp_root.iterdir():
            pid_text = part.name.split("-", 1)[0]
            if part.name.startswith(_own_prefix() + "-"):
                continue  # in flight in this process
            if pid_text.isdigit() and _pid_alive(int(pid_text)) and int(pid_text) != os.getpid():
                continue
            if part.is_dir():
                removed += _remove_run_folder(part)
                continue
            try:
                part.unlink()
                removed += 1
            except OSError as exc:
                if exc.errno != errno.ENOENT:
                    raise
        return removed

    def used_bytes(self) -> int:
        total = 0
        for dirpath, _dirs, files in os.walk(self.root / "sha256"):
            for name in files:
                total += os.stat(os.path.join(dirpath, name)).st_size
        return total
