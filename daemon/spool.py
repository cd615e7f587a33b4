"""The spool: every message, from any channel, is durable here before anyone is told it arrived.

A message's raw bytes are written once, into the content-addressed store (storage.blobs), and
the spool holds a small entry beside them: where the message came from (its `Origin`), when,
its intake key and the SHA-256 of the bytes. One file per entry in `new/`, written to `tmp/`,
fsynced, renamed, the folder fsynced (the Postfix/Maildir rule). SMTP answers 250, and IMAP may
later move a message away, only after both are durable.

The file name is `<stamp>-<key hash>-<sha256>.<attempts>`: the stamp orders entries, the key
hash finds the entry of an intake key (an IMAP message already waiting is not fetched again),
the SHA-256 finds the bytes even when the entry's JSON is damaged, and `attempts` counts the
processing attempts that have started (renamed before each), so a message that crashes the
daemon is not retried forever: after `max_attempts` it becomes a `needs_review` item.

A spool belongs to one process: `ensure` takes an exclusive lock on `lock` (held until `close`
or the process ends), so a second node configured with the same folder refuses to start
instead of clearing the first one's `tmp/` under it. `ingest` uses a spool of its own under
`ingest/`, and adopts the entries of an ingest that was killed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.blobs import BlobStore, fsync_dir, write_durably


class SpoolBusy(Exception):
    """Another process holds this spool."""


class DamagedEntry(Exception):
    """A spool entry (ours) that cannot be read; `sha256` still names the message's bytes."""

    def __init__(self, sha256: str, reason: str) -> None:
        super().__init__(reason)
        self.sha256 = sha256


# -- where a message came from --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SmtpOrigin:
    mail_from: str | None
    recipients: tuple[str, ...]
    peer: str | None = None


@dataclass(frozen=True, slots=True)
class ImapOrigin:
    account: str
    folder: str
    uidvalidity: int
    uid: int
    address: str | None = None  # the account's address: its recipient
    size: int = 0
    left_on_server: bool = False  # too large to fetch: only its header is here


@dataclass(frozen=True, slots=True)
class FileOrigin:
    filename: str
    recipients: tuple[str, ...] | None = None  # `ingest --to`; None: route by headers


Origin = SmtpOrigin | ImapOrigin | FileOrigin
_KINDS: dict[str, type[SmtpOrigin] | type[ImapOrigin] | type[FileOrigin]] = {
    "smtp": SmtpOrigin,
    "imap": ImapOrigin,
    "file": FileOrigin,
}


def _origin_json(origin: Origin) -> dict[str, Any]:
    kind = next(k for k, cls in _KINDS.items() if isinstance(origin, cls))
    data = {name: getattr(origin, name) for name in origin.__slots__}
    return {"kind": kind, **{k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}}


def _origin_of(data: dict[str, Any]) -> Origin:
    cls = _KINDS[data.pop("kind")]
    if isinstance(data.get("recipients"), list):
        data["recipients"] = tuple(data["recipients"])
    origin = cls(**data)
    # Ours, but a disk or a hand may have changed it: a value of the wrong type would fail
    # every commit, quarantine included. Refused here, the message is kept as damaged.
    numbers = (
        (origin.uidvalidity, origin.uid, origin.size) if isinstance(origin, ImapOrigin) else ()
    )
    texts = getattr(origin, "recipients", None) or ()
    if not all(type(n) is int for n in numbers) or not all(isinstance(t, str) for t in texts):
        raise TypeError(f"{data} is not a {cls.__name__}")
    return origin


@dataclass(frozen=True, slots=True)
class SpoolEntry:
    id: str  # <stamp>-<key hash>-<sha256>
    path: Path
    attempts: int

    @property
    def sha256(self) -> str:
        return self.id.rsplit("-", 1)[1]

    @property
    def key_hash(self) -> str:
        return self.id.split("-")[2]


@dataclass(frozen=True, slots=True)
class Spooled:
    """An entry's content (the bytes it stands for: `SpoolEntry.sha256`)."""

    origin: Origin
    received_at: datetime
    intake_key: str


_NAME = re.compile(r"(\d{20}-[0-9a-f]{12}-([0-9a-f]{16})-[0-9a-f]{64})\.(\d+)")


def backlog(root: Path) -> int:
    """How many entries wait in the spool at `root`, an ingest's under it included (for
    `report`; nothing is taken or made)."""
    ingests = sorted((root / "ingest").glob("*/new")) if (root / "ingest").is_dir() else []
    return sum(
        sum(1 for p in new.iterdir() if _NAME.fullmatch(p.name))
        for new in [root / "new", *ingests]
        if new.is_dir()
    )


def key_hash(intake_key: str) -> str:
    return hashlib.sha256(intake_key.encode()).hexdigest()[:16]


def new_stamp() -> str:
    """A fresh, time-ordered name part; also the intake key of a message only this spool saw."""
    return f"{time.time_ns():020d}-{secrets.token_hex(6)}"


class Spool:
    def __init__(self, root: Path, blobs: BlobStore, role: str = "serve") -> None:
        self.root = root
        self.role = role
        self.blobs = blobs
        self.new = root / "new"
        self.tmp = root / "tmp"
        self._lock: int | None = None
        self._keys: dict[str, str] = {}  # key hash → entry id, for the entries in new/

    def ensure(self) -> None:
        """Create the folders, take the spool for this process, clear unfinished writes."""
        for folder in (self.root, self.new, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self.blobs.ensure()
        self._take()
        for leftover in self.tmp.iterdir():  # never renamed: never acknowledged
            leftover.unlink(missing_ok=True)
        self._keys = {e.key_hash: e.id for e in self.pending()}

    def _take(self) -> None:
        fd = os.open(self.root / "lock", os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise SpoolBusy(
                f"spool {self.root} is in use by {holder}: every node needs a spool of its own"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.role} pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._lock = fd

    def close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # releases the lock
            self._lock = None

    def put(
        self,
        raw: bytes,
        origin: Origin,
        received_at: datetime,
        intake_key: str | None = None,
        stamp: str | None = None,
    ) -> SpoolEntry:
        """Durably record one message (its bytes in the store, the entry here); returns only
        once both survive a crash. Without `intake_key` the message is known only by this
        entry (SMTP, a file): its key is `<kind>:<stamp>`."""
        stamp = stamp or new_stamp()
        kind = _origin_json(origin)["kind"]
        key = intake_key or f"{kind}:{stamp}"
        sha = self.blobs.put(raw)
        entry_id = f"{stamp}-{key_hash(key)}-{sha}"
        head = {
            "origin": _origin_json(origin),
            "received_at": received_at.isoformat(),
            "intake_key": key,
        }
        path = self.new / f"{entry_id}.0"
        write_durably(path, json.dumps(head).encode(), self.tmp)
        self._keys[key_hash(key)] = entry_id
        return SpoolEntry(entry_id, path, 0)

    def holds(self, intake_key: str) -> bool:
        """An entry for this intake key is waiting (or being retried)."""
        return key_hash(intake_key) in self._keys

    def pending(self) -> list[SpoolEntry]:
        """Entries waiting to be processed, oldest first."""
        entries = []
        for path in self.new.iterdir():
            if m := _NAME.fullmatch(path.name):
                entries.append(SpoolEntry(m.group(1), path, int(m.group(3))))
        return sorted(entries, key=lambda e: e.id)

    def read(self, entry: SpoolEntry) -> Spooled:
        """The entry's content; `DamagedEntry` when it cannot be read (a disk fault, a
        hand-edited file) — the message's bytes are still known by the name."""
        data = entry.path.read_bytes()
        try:
            meta = json.loads(data)
            received = datetime.fromisoformat(meta["received_at"])
            origin = _origin_of(dict(meta["origin"]))
            key = str(meta["intake_key"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DamagedEntry(entry.sha256, f"{type(exc).__name__}: {exc}") from None
        received = received if received.tzinfo else received.replace(tzinfo=UTC)
        return Spooled(origin, received, key)

    def begin_attempt(self, entry: SpoolEntry) -> SpoolEntry:
        """Count an attempt before it starts, so a crash during it is counted too."""
        path = entry.path.with_name(f"{entry.id}.{entry.attempts + 1}")
        os.replace(entry.path, path)
        fsync_dir(self.new)
        return SpoolEntry(entry.id, path, entry.attempts + 1)

    def undo_attempt(self, entry: SpoolEntry) -> SpoolEntry:
        """A failure that was not the message's fault (the database was down): don't count it."""
        path = entry.path.with_name(f"{entry.id}.{max(entry.attempts - 1, 0)}")
        os.replace(entry.path, path)
        return SpoolEntry(entry.id, path, max(entry.attempts - 1, 0))

    def remove(self, entries: Iterable[SpoolEntry]) -> None:
        """Done with these (their outcome is committed): one folder fsync for them all."""
        removed = False
        for entry in entries:
            entry.path.unlink(missing_ok=True)
            if self._keys.get(entry.key_hash) == entry.id:
                self._keys.pop(entry.key_hash, None)
            removed = True
        if removed:
            fsync_dir(self.new)

    def set_aside(self, entry: SpoolEntry) -> Path:
        """An entry that cannot be processed at all (its bytes are gone): moved to `damaged/`
        for a person, never deleted."""
        folder = self.root / "damaged"
        folder.mkdir(exist_ok=True)
        target = folder / entry.path.name
        os.replace(entry.path, target)
        self._keys.pop(entry.key_hash, None)
        fsync_dir(self.new)
        return target

    # -- ingest's own spools -----------------------------------------------------------------
    @classmethod
    def for_ingest(cls, root: Path, blobs: BlobStore) -> Spool:
        """A spool of this `ingest` run's own under `<root>/ingest/`, holding also the entries
        of any earlier ingest that was killed (its lock is free): they are finished now."""
        base = root / "ingest"
        base.mkdir(parents=True, exist_ok=True)
        mine = cls(base / new_stamp(), blobs, role="ingest")
        mine.ensure()
        for other in sorted(p for p in base.iterdir() if p.is_dir() and p != mine.root):
            orphan = cls(other, blobs)
            try:
                orphan._take()
            except SpoolBusy:
                continue  # another ingest is running
            try:
                if orphan.new.is_dir():
                    for entry in orphan.pending():
                        os.replace(entry.path, mine.new / entry.path.name)
                    fsync_dir(mine.new)
            finally:
                orphan.close()
            if not orphan.new.is_dir() or not any(orphan.new.iterdir()):
                shutil.rmtree(other, ignore_errors=True)
        mine._keys = {e.key_hash: e.id for e in mine.pending()}
        return mine

    def discard(self) -> None:
        """Remove an emptied ingest spool (left in place while it holds anything)."""
        self.close()
        if not self.new.is_dir() or not any(self.new.iterdir()):
            shutil.rmtree(self.root, ignore_errors=True)
