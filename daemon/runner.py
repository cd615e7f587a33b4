"""The runner: spooled messages through the one intake, in threads, `workers` at a time.

A message that fails is retried with backoff and, after `processing.max_attempts`, kept as a
`needs_review` item; a database that does not answer is not the message's fault: the attempt
is not counted, and every worker waits on the `DatabaseGate` until the database is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

import structlog

from daemon.config import Settings
from daemon.health import DatabaseGate
from daemon.intake import Source, intake, quarantine
from daemon.logs import get_logger
from daemon.spool import DamagedEntry, Spool, SpoolEntry
from daemon.workers import WorkerPool
from parsers.vocab import Channel
from storage.store import StorageUnavailable, Store, utcnow

RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0)
T = TypeVar("T")


@dataclass
class Processor:
    settings: Settings
    store: Store
    spool: Spool
    pool: WorkerPool
    gate: DatabaseGate | None = None
    queue: asyncio.Queue[SpoolEntry] = field(default_factory=asyncio.Queue)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def submit(self, entry: SpoolEntry) -> None:
        if not self.stopping:
            self.queue.put_nowait(entry)

    def stop(self) -> None:
        """Finish the messages under way; the rest stays spooled for the next start."""
        self._stop.set()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for _ in range(self.settings.processing.workers):
                tg.create_task(self._worker())

    async def _or_stop(self, awaitable: Awaitable[T]) -> T | None:
        """`awaitable`'s result, or None as soon as the runner is stopping."""
        task = asyncio.ensure_future(awaitable)
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if self.stopping:
            task.cancel()  # an entry taken now stays in the spool for the next start
            return None
        return task.result()

    async def _next(self) -> SpoolEntry | None:
        """The next entry, once the database answers; None when stopping."""
        entry = await self._or_stop(self.queue.get())
        if entry is not None and self.gate is not None:
            await self._or_stop(self.gate.wait())
        return None if self.stopping else entry

    async def _worker(self) -> None:
        loop = asyncio.get_running_loop()
        while (entry := await self._next()) is not None:
            try:
                delay = await asyncio.to_thread(self.process, entry)
            except StorageUnavailable as exc:
                if self.gate is not None:
                    self.gate.lost(str(exc))
                delay = 0.0 if self.gate is not None else RETRY_DELAYS[0]
            except Exception as exc:  # never let one message stop all processing
                get_logger().error(
                    "message_processing_failed", spool_id=entry.id, error=_short(exc)
                )
                delay = RETRY_DELAYS[-1]
            if delay is not None:
                loop.call_later(delay, self.submit, entry)

    def process(self, entry: SpoolEntry) -> float | None:
        """Process one entry; returns a retry delay when it must be tried again. Raises
        `StorageUnavailable` (the attempt uncounted) when the database does not answer."""
        with structlog.contextvars.bound_contextvars(spool_id=entry.id):
            return self._process(entry)

    def _process(self, entry: SpoolEntry) -> float | None:
        log = get_logger()
        try:
            entry = self.spool.begin_attempt(entry)
            envelope, raw = self.spool.read(entry)
        except FileNotFoundError:
            return None  # already done (a retry that raced a replay)
        except DamagedEntry as damaged:
            # Nothing silent: the whole file is kept for a person, routed by its headers.
            source = Source(Channel.SMTP, utcnow(), intake_key=f"smtp:{entry.id}")
            try:
                quarantine(
                    self.store,
                    self.settings,
                    damaged.data,
                    source,
                    f"spool entry damaged ({damaged}); the envelope is lost, the message is kept as received",
                )
            except StorageUnavailable:
                self.spool.undo_attempt(entry)
                raise
            log.error("spool_entry_damaged", reason=str(damaged))
            self.spool.remove(entry)
            return None
        source = Source(
            Channel.SMTP,
            envelope.received_at,
            envelope.mail_from,
            envelope.recipients,
            intake_key=f"smtp:{entry.id}",
        )
        limit = self.settings.processing.max_attempts
        try:
            if entry.attempts > limit:
                quarantine(
                    self.store, self.settings, raw, source, f"processing failed {limit} times"
                )
                log.error("message_quarantined", attempts=entry.attempts - 1)
            else:
                intake(self.store, self.settings, raw, source, extractor=self.pool.extract)
        except StorageUnavailable:
            self.spool.undo_attempt(entry)  # not the message's fault: don't count it
            raise
        except Exception as exc:
            log.error(
                "message_processing_failed",
                attempts=entry.attempts,
                error=_short(exc),
                exc_info=True,
            )
            return RETRY_DELAYS[min(entry.attempts - 1, len(RETRY_DELAYS) - 1)]
        self.spool.remove(entry)
        return None


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
