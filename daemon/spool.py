"""The SMTP spool: a message is durable here before the sender hears 250.

One file per accepted message in `new/`: a JSON envelope line, then the raw bytes exactly as
received. Written to `tmp/`, fsynced, renamed into `new/`, and the folder fsynced (the
Postfix/Maildir rule). The file name carries how many processing attempts have started
(`<id>.<attempts>`), renamed before each attempt, so a message that crashes the daemon is not
retried forever: after `max_attempts` it becomes a `needs_review` item.

A spool belongs to one `serve` process: `ensure` takes an exclusive lock on `spool/lock`
(held until `close` or the process ends), so a second node configured with the same folder
refuses to start instead of clearing the first one's `tmp/` under it.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.blobs import fsync_dir, write_durably


class SpoolBusy(Exception):
    """Another `serve` process holds this spool."""


class DamagedEntry(Exception):
    """A spool file whose envelope line (ours) is unreadable; `data` is what the sender sent."""

    def __init__(self, data: bytes, reason: str) -> None:
        super().__init__(reason)
        self.data = data


@dataclass(frozen=True, slots=True)
class Envelope:
    mail_from: str | None
    recipients: tuple[str, ...]
    received_at: datetime
    peer: str | None = None


@dataclass(frozen=True, slots=True)
class SpoolEntry:
    id: str
    path: Path
    attempts: int


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.new = root / "new"
        self.tmp = root / "tmp"
        self._lock: int | None = None

    def ensure(self) -> None:
        """Create the folders, take the spool for this process, clear unfinished writes."""
        for folder in (self.root, self.new, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self._take()
        for leftover in self.tmp.iterdir():  # never renamed: never acknowledged
            leftover.unlink(missing_ok=True)

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
        os.pwrite(fd, f"serve pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._lock = fd

    def close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # releases the lock
            self._lock = None

    def put(self, raw: bytes, envelope: Envelope) -> SpoolEntry:
        """Durably store one message; returns only once it survives a crash."""
        entry_id = f"{time.time_ns():020d}-{secrets.token_hex(6)}"
        head = json.dumps(
            {
                "mail_from": envelope.mail_from,
                "recipients": list(envelope.recipients),
                "received_at": envelope.received_at.isoformat(),
                "peer": envelope.peer,
            }
        ).encode()
        path = self.new / f"{entry_id}.0"
        write_durably(path, head + b"\n" + raw, self.tmp)
        return SpoolEntry(entry_id, path, 0)

    def pending(self) -> list[SpoolEntry]:
        """Entries waiting to be processed, oldest first."""
        entries = []
        for path in self.new.iterdir():
            entry_id, _, attempts = path.name.rpartition(".")
            if entry_id and attempts.isdigit():
                entries.append(SpoolEntry(entry_id, path, int(attempts)))
        return sorted(entries, key=lambda e: e.id)

    def read(self, entry: SpoolEntry) -> tuple[Envelope, bytes]:
        """The envelope and the message; `DamagedEntry` (carrying the bytes) when the envelope
        line cannot be read (a disk fault, a hand-edited file)."""
        data = entry.path.read_bytes()
        head, _, raw = data.partition(b"\n")
        try:
            meta = json.loads(head)
            received = datetime.fromisoformat(meta["received_at"])
        except (ValueError, KeyError, TypeError) as exc:
            raise DamagedEntry(raw, f"{type(exc).__name__}: {exc}") from None
        envelope = Envelope(
            meta.get("mail_from"),
            tuple(meta.get("recipients") or ()),
            received if received.tzinfo else received.replace(tzinfo=UTC),
            meta.get("peer"),
        )
        return envelope, raw

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

    def remove(self, entry: SpoolEntry) -> None:
        entry.path.unlink(missing_ok=True)
        fsync_dir(self.new)
