"""SHA-256 of an input file, hashed in the background while the file is parsed.

An ingest reads a large file twice: once to hash it (the release's identity) and once to
parse it. The parser keeps both cores busy most of the time but not all of it (starting,
finishing a table, single-threaded steps), and a hashing thread of idle priority uses just
those gaps. Whatever it has not hashed when the digest is asked for, the asking thread hashes
itself at its own priority, so a busy machine never leaves the digest waiting on a starved
thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

CHUNK_BYTES = 1 << 20


def _idle_priority() -> None:
    """Run the calling thread only when a core would otherwise be idle (Linux), else as is."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


class BackgroundDigest:
    """The SHA-256 of `path`, started at once in an idle-priority thread; `hexdigest()` waits
    for it by hashing the rest itself. Chunks are hashed in file order under one lock."""

    def __init__(self, path: str | os.PathLike):
        self._file = open(Path(path), "rb")  # noqa: SIM115 - closed when the end is reached
        self._hash = hashlib.sha256()
        self._buffer = bytearray(CHUNK_BYTES)
        self._lock = threading.Lock()
        self._done = False
        self._closed = False
        self.size = 0  # bytes hashed so far: the file's size once the digest is read
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self._thread.start()

    def _step(self) -> bool:
        """Hash the next chunk; False once the whole file is hashed."""
        with self._lock:
            if self._done:
                return False
            n = self._file.readinto(self._buffer)
            if n:
                self._hash.update(memoryview(self._buffer)[:n])
                self.size += n
                return True
            self._done = True
            self._file.close()
            return False

    def _run(self) -> None:
        _idle_priority()
        while self._step():
            pass

    def hexdigest(self) -> str:
        if self._closed:
            raise ValueError("digest closed before the file was hashed")
        while self._step():
            pass
        # Not joined: once the end is reached no thread touches the hash again, and a
        # starved idle thread would only make the caller wait for it to notice.
        return self._hash.hexdigest()

    def close(self) -> None:
        """Stop hashing (the digest is not needed): the thread ends after its chunk."""
        with self._lock:
            if not self._done:
                self._done = self._closed = True
                self._file.close()

    def __enter__(self) -> BackgroundDigest:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
