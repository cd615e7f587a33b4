"""Content-addressed blob store: atomic, durable, never a path from a sender's name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from storage.blobs import BlobStore


def test_put_get_and_sharding(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    store.ensure()
    sha = store.put(b"faktura")
    assert sha == hashlib.sha256(b"faktura").hexdigest()
    assert store.path(sha) == tmp_path / sha[:2] / sha[2:4] / sha
    assert store.get(sha) == b"faktura"
    assert store.put(b"faktura") == sha  # idempotent
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_failed_rename_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BlobStore(tmp_path)
    store.ensure()

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.put(b"x" * 10_000)
    sha = hashlib.sha256(b"x" * 10_000).hexdigest()
    assert not store.exists(sha)
    assert list((tmp_path / "tmp").iterdir()) == []  # the temp file is cleaned up


def test_a_write_interrupted_midway_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BlobStore(tmp_path)
    store.ensure()
    real_write = os.write
    calls = {"n": 0}

    def flaky(fd: int, data: object) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(5, "Input/output error")
        return real_write(fd, bytes(data)[:100])  # type: ignore[call-overload]

    monkeypatch.setattr(os, "write", flaky)
    with pytest.raises(OSError):
        store.put(b"y" * 10_000)
    assert not store.exists(hashlib.sha256(b"y" * 10_000).hexdigest())
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "faktura.pdf", "A" * 64, ""])
def test_only_digests_name_files(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a SHA-256"):
        BlobStore(tmp_path).path(name)
