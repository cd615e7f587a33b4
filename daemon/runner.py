"""The runner: every spooled message, from any channel, read in the workers and committed in
batches.

    submit(entry) ──► readers (2 × `workers`)  ──► committer ──► spool entries removed
                      begin_attempt, worker pool       one transaction for all that are
                      reads MIME + documents           ready, a savepoint each, then one
                                                       folder fsync

A message that fails is retried with backoff and, after `processing.max_attempts`, kept as a
`needs_review` item — whichever channel brought it. A database that does not answer is not the
message's fault: the attempt is not counted and, in `serve`, every reader waits on the
`DatabaseGate` until the database is back.

`submit` returns a future that ends with the entry's first attempt: its `IntakeResult` once
committed, or None when it will be tried again (or the runner stops first). The IMAP poller
moves a message on the server only for a result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import structlog

from daemon.config import Settings
from daemon.health import DatabaseGate
from daemon.intake import IntakeResult, Outcome, Prepared, Source, commit, enrich, quarantined
from daemon.logs import get_logger
from daemon.spool import DamagedEntry, ImapOrigin, SmtpOrigin, Spool, SpoolEntry
from daemon.workers import WorkerPool
from parsers.vocab import Flag
from storage.store import StorageUnavailable, Store, utcnow

RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0)
BATCH = 64  # messages committed together at most
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Ready:
    entry: SpoolEntry
    prepared: Prepared


@dataclass(frozen=True, slots=True)
class _Failed:
    entry: SpoolEntry  # to be tried again later


@dataclass(frozen=True, slots=True)
class _Gone:
    entry: SpoolEntry  # nothing more to do: done already, or set aside


@dataclass
class Processor:
    settings: Settings
    store: Store
    spool: Spool
    pool: WorkerPool
    gate: DatabaseGate | None = None
    # Messages under way at once; None: two per worker, so a worker never waits while its
    # reader's thread counts the next attempt or hands a result on.
    readers: int | None = None
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    on_done: Callable[[SpoolEntry, IntakeResult], None] | None = None
    queue: asyncio.Queue[SpoolEntry] = field(default_factory=asyncio.Queue)
    _ready: asyncio.Queue[_Ready | None] = field(default_factory=asyncio.Queue)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _waiting: dict[str, asyncio.Future[IntakeResult | None]] = field(default_factory=dict)
    _open: set[str] = field(default_factory=set)  # submitted, not yet finished for good
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    unavailable: StorageUnavailable | None = None  # without a gate: why the runner gave up

    def __post_init__(self) -> None:
        self.idle.set()  # nothing submitted yet
        self._threads: ThreadPoolExecutor | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def submit(self, entry: SpoolEntry) -> asyncio.Future[IntakeResult | None]:
        future = self._waiting.get(entry.id)
        if future is None:
            future = self._waiting[entry.id] = asyncio.get_running_loop().create_future()
        if self.stopping:
            self._settle(entry.id, None)
        else:
            self._open.add(entry.id)
            self.idle.clear()
            self.queue.put_nowait(entry)
        return future

    def stop(self) -> None:
        """Finish the messages under way; the rest stays spooled for the next start."""
        self._stop.set()

    async def run(self) -> None:
        readers = self.readers or 2 * self.settings.processing.workers
        # Threads of the runner's own (a reader's waits on its worker for a whole message):
        # never queued behind, or ahead of, the other services' threads.
        self._threads = ThreadPoolExecutor(readers + 1, thread_name_prefix="runner")
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._committer())
                async with asyncio.TaskGroup() as group:
                    for _ in range(readers):
                        group.create_task(self._reader())
                await self._ready.put(None)  # the readers are done: commit what is left
        finally:
            for entry_id in list(self._waiting):
                self._settle(entry_id, None)
            self._threads.shutdown(wait=False)

    async def _in_thread(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, fn, *args)

    # -- reading -------------------------------------------------------------------------
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

    async def _reader(self) -> None:
        while (entry := await self._next()) is not None:
            try:
                ready = await self._in_thread(self.prepare, entry)
            except Exception as exc:  # never let one message stop all processing
                get_logger().error(
                    "message_processing_failed", spool_id=entry.id, error=_short(exc)
                )
                self._retry(entry, self.retry_delays[-1])
                continue
            if isinstance(ready, _Ready):
                await self._ready.put(ready)
            elif isinstance(ready, _Failed):
                self._retry(ready.entry)
            else:
                self._settle(ready.entry.id, None)

    def prepare(self, entry: SpoolEntry) -> _Ready | _Failed | _Gone:
        """Count the attempt and read the message in a worker (in a thread)."""
        with structlog.contextvars.bound_contextvars(spool_id=entry.id):
            return self._prepare(entry)

    def _prepare(self, entry: SpoolEntry) -> _Ready | _Failed | _Gone:
        try:
            entry = self.spool.begin_attempt(entry)
        except FileNotFoundError:
            return _Gone(entry)  # already done (a retry that raced a replay)
        try:
            return self._read(entry)
        except Exception as exc:  # a disk error, a bug: this attempt failed, the entry stays
            get_logger().error(
                "message_processing_failed", attempts=entry.attempts, error=_short(exc)
            )
            return _Failed(entry)

    def _read(self, entry: SpoolEntry) -> _Ready | _Failed | _Gone:
        log = get_logger()
        try:
            spooled = self.spool.read(entry)
        except FileNotFoundError:
            return _Gone(entry)
        except DamagedEntry as damaged:
            # Nothing silent: the message is kept for a person, routed by its headers.
            source = Source(SmtpOrigin(None, ()), utcnow(), f"damaged:{entry.id}")
            return self._quarantine(
                entry,
                source,
                f"spool entry damaged ({damaged}); the envelope is lost, the message is kept as received",
                log_event="spool_entry_damaged",
            )
        source = Source(spooled.origin, spooled.received_at, spooled.intake_key)
        origin = spooled.origin
        if isinstance(origin, ImapOrigin) and origin.left_on_server:
            account = next((a for a in self.settings.imap if a.name == origin.account), None)
            where = f"{origin.folder} on {account.host}" if account else origin.folder
            return self._quarantine(
                entry,
                source,
                f"message of {origin.size} bytes is over the {self.settings.max_message_bytes}-byte limit;"
                f" left in {where}",
                Flag.MESSAGE_TOO_LARGE,
            )
        limit = self.settings.processing.max_attempts
        if entry.attempts > limit:
            return self._quarantine(entry, source, f"processing failed {limit} times")
        try:
            read = self.pool.read_message(self.store.blobs.root, entry.sha256)
            read = enrich(self.settings, read)
        except FileNotFoundError:
            return self._set_aside(entry)
        except Exception as exc:
            log.error(
                "message_processing_failed",
                attempts=entry.attempts,
                error=_short(exc),
                exc_info=not isinstance(exc, OSError),
            )
            return _Failed(entry)
        size = self.store.blobs.path(entry.sha256).stat().st_size
        return _Ready(entry, Prepared(source, entry.sha256, size, read))

    def _quarantine(
        self,
        entry: SpoolEntry,
        source: Source,
        problem: str,
        flag: Flag = Flag.PROCESSING_FAILED,
        log_event: str = "message_quarantined",
    ) -> _Ready | _Gone:
        try:
            raw = self.store.blobs.get(entry.sha256)
        except FileNotFoundError:
            return self._set_aside(entry)
        if flag is Flag.PROCESSING_FAILED:
            get_logger().error(log_event, attempts=entry.attempts - 1, reason=problem)
        return _Ready(entry, quarantined(source, raw, problem, flag))

    def _set_aside(self, entry: SpoolEntry) -> _Gone:
        """The message's bytes are gone from the file store (a disk fault, a hand at work)."""
        where = self.spool.set_aside(entry)
        get_logger().error("spool_entry_unrecoverable", kept_at=str(where), sha256=entry.sha256)
        return _Gone(entry)

    # -- committing ------------------------------------------------------------------------
    async def _committer(self) -> None:
        while (first := await self._ready.get()) is not None:
            batch, last = [first], False
            while len(batch) < BATCH and not self._ready.empty():
                item = self._ready.get_nowait()
                if item is None:
                    last = True
                    break
                batch.append(item)
            await self._commit(batch)
            if last:
                return

    async def _commit(self, batch: list[_Ready]) -> None:
        try:
            outcomes = await self._in_thread(self._commit_batch, batch)
        except StorageUnavailable as exc:
            # Not the messages' fault: their attempts are not counted; they wait for the database.
            for ready in batch:
                entry = self.spool.undo_attempt(ready.entry)
                if self.gate is not None:
                    self.submit(entry)
                else:  # ingest: give up; the entries stay for the next ingest
                    self.unavailable = exc
                    self._settle(entry.id, None)
                    self.stop()
            if self.gate is not None:
                self.gate.lost(str(exc))
            return
        except Exception as exc:
            outcomes = [exc] * len(batch)
        for ready, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, IntakeResult):
                self._finish(ready.entry, outcome)
            else:
                get_logger().error(
                    "message_processing_failed",
                    spool_id=ready.entry.id,
                    attempts=ready.entry.attempts,
                    error=_short(outcome),
                )
                self._retry(ready.entry)

    def _commit_batch(self, batch: list[_Ready]) -> list[Outcome]:
        outcomes = commit(self.store, self.settings, [r.prepared for r in batch])
        self.spool.remove(
            r.entry for r, o in zip(batch, outcomes, strict=True) if isinstance(o, IntakeResult)
        )
        for ready in batch:
            for doc in ready.prepared.read.documents:
                if doc.problem and doc.problem.startswith("could not read the file"):
                    get_logger().warning(
                        "document_extraction_failed", sha256=doc.sha256, reason=doc.problem
                    )
        return outcomes

    # -- outcomes ----------------------------------------------------------------------------
    def _finish(self, entry: SpoolEntry, result: IntakeResult) -> None:
        self._open.discard(entry.id)
        if self.on_done is not None:
            self.on_done(entry, result)
        self._settle(entry.id, result)

    def _retry(self, entry: SpoolEntry, delay: float | None = None) -> None:
        if delay is None:
            delay = self.retry_delays[min(max(entry.attempts - 1, 0), len(self.retry_delays) - 1)]
        self._settle(entry.id, None, keep_open=True)
        asyncio.get_running_loop().call_later(delay, self._resubmit, entry)

    def _resubmit(self, entry: SpoolEntry) -> None:
        if self.stopping:
            self._open.discard(entry.id)
            self._check_idle()
        else:
            self.submit(entry)

    def _settle(self, entry_id: str, result: IntakeResult | None, keep_open: bool = False) -> None:
        future = self._waiting.pop(entry_id, None)
        if future is not None and not future.done():
            future.set_result(result)
        if not keep_open:
            self._open.discard(entry_id)
        self._check_idle()

    def _check_idle(self) -> None:
        if not self._open:
            self.idle.set()


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
