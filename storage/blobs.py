"""Content-addressed files: originals are stored by SHA-256, never by a sender's filename.

A write is atomic and durable: temp file in the same file system, fsync, rename into place,
fsync the folder. Folders are sharded (`ab/cd/abcd…`) so none grows past a few thousand files.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{64}")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(target: Path, data: bytes, tmp_dir: Path) -> None:
    """Write `data` to `target` so that after a crash it is either whole or absent."""
    tmp = tmp_dir / f".{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def ensure(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not _SHA.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists() and target.stat().st_size == len(data):
            return sha
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            fsync_dir(target.parent.parent)
            fsync_dir(target.parent.parent.parent)
        write_durably(target, data, self.tmp)
        return sha

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    # Page images for the review page: a cache beside the originals, rebuilt when missing.
    def page_image(self, sha256: str, page: int) -> bytes | None:
        return self._cached(sha256, f"page{int(page)}.png")

    def put_page_image(self, sha256: str, page: int, png: bytes) -> None:
        self._cache(sha256, f"page{int(page)}.png", png)

    def page_count(self, sha256: str) -> int | None:
        found = self._cached(sha256, "pages")
        return int(found) if found and found.isdigit() else None

    def put_page_count(self, sha256: str, pages: int) -> None:
        self._cache(sha256, "pages", str(int(pages)).encode())

    def _cached(self, sha256: str, suffix: str) -> bytes | None:
        path = self.path(sha256).with_name(f"{sha256}.{suffix}")
        return path.read_bytes() if path.is_file() else None

    def _cache(self, sha256: str, suffix: str, data: bytes) -> None:
        path = self.path(sha256).with_name(f"{sha256}.{suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.tmp / f"{path.name}.{os.getpid()}"
        tmp.write_bytes(data)
        os.replace(tmp, path)  # a cache: atomic, not fsynced
