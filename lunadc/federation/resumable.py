"""The pieces of a resumable download of one large file (see ``transfer``): what is already
on disk read back and hashed, then the network's bytes; a sink that appends after them; a
pace for links that must not be filled; the check of the peer's ``Content-Range``."""

from __future__ import annotations

import time
from pathlib import Path

from lunadc.errors import IntegrityError, PeerError
from lunadc.federation.peers import Download
from lunadc.storage.direct import DirectFile

CHUNK = 1024 * 1024


class Resumed:
    """A file-like source: the first ``offset`` bytes of ``part``, then the response body;
    never more than ``size`` bytes in all. Read into the caller's buffer: no copies."""

    def __init__(
        self, part: Path, offset: int, response: Download, name: str, size: int, pace: Pace
    ) -> None:
        self._prefix = open(part, "rb") if offset else None  # noqa: SIM115 - closed in close()
        self._left = offset
        self._body = response
        self._name = name
        self._size = size
        self._total = 0
        self._pace = pace

    def readinto(self, buffer: memoryview, /) -> int:
        if self._prefix is not None and self._left > 0:
            got = self._prefix.readinto(buffer[: self._left])
            if not got:
                raise IntegrityError(f"{self._name}: the partial download shrank")
            self._left -= got
        else:
            got = self._body.readinto(buffer)
            self._pace.after(got)
        self._total += got
        if self._total > self._size:
            raise IntegrityError(f"{self._name}: more bytes than {self._size}")
        return got

    def read(self, n: int = -1, /) -> bytes:
        buffer = bytearray(n if n > 0 else CHUNK)
        got = self.readinto(memoryview(buffer))
        del buffer[got:]
        return bytes(buffer)

    def close(self) -> None:
        if self._prefix is not None:
            self._prefix.close()


class Appender:
    """A sink that skips the ``offset`` bytes already in the file (a resume: they were read
    back to be hashed) and writes the rest after them."""

    def __init__(self, out: DirectFile, offset: int) -> None:
        self._out = out
        self._skip = offset
        out.position = offset

    def write(self, data: bytes | memoryview, /) -> int:
        view = memoryview(data)
        size = len(view)
        if self._skip:
            dropped = min(self._skip, size)
            self._skip -= dropped
            view = view[dropped:]
        self._out.write(view)
        return size


class Pace:
    """Sleeps as needed to keep a download at or under ``rate`` bytes/s (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.started = time.monotonic()
        self.done = 0

    def after(self, size: int) -> None:
        if self.rate <= 0:
            return
        self.done += size
        ahead = self.done / self.rate - (time.monotonic() - self.started)
        if ahead > 0:
            time.sleep(ahead)


def check_range(response: Download, offset: int) -> None:
    value = response.headers.get("content-range", "")
    if not value.startswith(f"bytes {offset}-"):
        raise PeerError(f"the peer answered range {value!r}, not from byte {offset}")
