import hashlib
import os
import threading

import pytest

from strikescope import digest as digest_module
from strikescope.digest import CHUNK_BYTES, BackgroundDigest


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, 3 * CHUNK_BYTES + 17])
def test_background_digest_is_the_files_sha256(tmp_path, size):
    path = tmp_path / "f.bin"
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path.write_bytes(data)
    with BackgroundDigest(path) as d:
        got = d.hexdigest()
    assert got == hashlib.sha256(data).hexdigest()
    assert d.size == size


def test_the_asking_thread_hashes_what_the_background_thread_has_not(tmp_path, monkeypatch):
    # The background thread is held before its first chunk: the caller hashes every chunk.
    gate = threading.Event()
    monkeypatch.setattr(digest_module, "_idle_priority", gate.wait)
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * (2 * CHUNK_BYTES + 5))
    d = BackgroundDigest(path)
    got = {}
    caller = threading.Thread(target=lambda: got.update(sha=d.hexdigest()), daemon=True)
    caller.start()
    caller.join(10)  # a caller waiting for the held thread would never finish
    gate.set()
    assert got.get("sha") == hashlib.sha256(path.read_bytes()).hexdigest()
    d.close()


def test_a_closed_digest_cannot_be_read(tmp_path, monkeypatch):
    gate = threading.Event()
    monkeypatch.setattr(digest_module, "_idle_priority", gate.wait)
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * (2 * CHUNK_BYTES))
    d = BackgroundDigest(path)
    d.close()
    gate.set()
    with pytest.raises(ValueError, match="closed"):
        d.hexdigest()


def test_a_missing_file_is_an_error_at_once(tmp_path):
    with pytest.raises(FileNotFoundError):
        BackgroundDigest(tmp_path / "nope.csv")


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling policy")
def test_the_background_thread_runs_at_idle_priority(tmp_path, monkeypatch):
    seen = []
    lower = digest_module._idle_priority

    def record():
        lower()
        seen.append(os.sched_getscheduler(0))

    monkeypatch.setattr(digest_module, "_idle_priority", record)
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 10)
    d = BackgroundDigest(path)
    d._thread.join(10)
    assert seen == [os.SCHED_IDLE]
    assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the caller keeps its own
