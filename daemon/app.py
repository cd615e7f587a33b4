"""The composition root of `podatelna serve`: store → spool → workers → SMTP, closed in reverse.

SIGTERM/SIGINT: stop accepting (421), let DATA under way finish, let the message being
processed finish (the rest stays spooled and is replayed at the next start), close, exit 0.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from datetime import UTC

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import OperationalError

from daemon.config import Settings
from daemon.imap import Poller, schedule, watch
from daemon.intake import Source, intake, quarantine
from daemon.logs import get_logger
from daemon.smtp import Gate, Handler, drain, start_server
from daemon.spool import DamagedEntry, Spool, SpoolEntry
from daemon.workers import WorkerPool
from parsers.vocab import Channel
from storage.store import StorageError, Store, utcnow

SHUTDOWN_GRACE = 25.0  # seconds for DATA under way; systemd's TimeoutStopSec is 30
RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0)


@dataclass
class Processor:
    """Runs spooled messages through the one intake, in threads, `workers` at a time."""

    settings: Settings
    store: Store
    spool: Spool
    pool: WorkerPool
    queue: asyncio.Queue[SpoolEntry] = field(default_factory=asyncio.Queue)
    stopping: bool = False

    def submit(self, entry: SpoolEntry) -> None:
        if not self.stopping:
            self.queue.put_nowait(entry)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for _ in range(self.settings.processing.workers):
                tg.create_task(self._worker())

    async def _worker(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stopping:
            entry = await self.queue.get()
            if self.stopping:
                return
            try:
                delay = await asyncio.to_thread(self.process, entry)
            except Exception as exc:  # never let one message stop all processing
                get_logger().error(
                    "message_processing_failed", spool_id=entry.id, error=_short(exc)
                )
                delay = RETRY_DELAYS[-1]
            if delay is not None:
                loop.call_later(delay, self.submit, entry)

    def process(self, entry: SpoolEntry) -> float | None:
        """Process one entry; returns a retry delay when it must be tried again."""
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
            quarantine(
                self.store,
                self.settings,
                damaged.data,
                source,
                f"spool entry damaged ({damaged}); the envelope is lost, the message is kept as received",
            )
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
        except (OperationalError, StorageError) as exc:
            # The database is unavailable or locked: not the message's fault, don't count it.
            self.spool.undo_attempt(entry)
            log.error("message_processing_deferred", error=_short(exc))
            return RETRY_DELAYS[-1] if entry.attempts > limit else RETRY_DELAYS[0]
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


async def _wait_for_polls(pollers: list[Poller], grace: float) -> None:
    """A poll under way finishes its current message; the next start continues from there."""

    async def idle(poller: Poller) -> None:
        async with poller.lock:
            pass

    try:
        await asyncio.wait_for(asyncio.gather(*(idle(p) for p in pollers)), grace)
    except TimeoutError:
        get_logger().warning("imap_drain_timed_out")


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


async def serve(settings: Settings) -> int:
    log = get_logger()
    store = Store.open(settings.storage.database, settings.storage.files)
    spool = Spool(settings.storage.spool)
    spool.ensure()
    p = settings.processing
    pool = WorkerPool(p.workers, p.document_timeout, p.document_memory_mb, p.max_pages)
    pool.start()
    processor = Processor(settings, store, spool, pool)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = gate = None
    try:
        pending = spool.pending()
        for entry in pending:
            processor.submit(entry)
        if pending:
            log.info("spool_replayed", messages=len(pending))
        workers = asyncio.create_task(processor.run())
        if settings.smtp is not None:
            gate = Gate(settings.smtp)
            handler = Handler(settings.smtp, settings.address_book, spool, gate, processor.submit)
            try:
                server = await start_server(settings.smtp, handler, gate)
            except OSError as exc:
                log.error(
                    "smtp_listen_failed",
                    listen=f"{settings.smtp.host}:{settings.smtp.port}",
                    error=str(exc),
                )
                return 1
            host, port = server.sockets[0].getsockname()[:2]
            log.info("smtp_listening", host=host, port=port, hostname=settings.smtp.hostname)
        scheduler = AsyncIOScheduler(timezone=UTC)
        pollers = [Poller(account, settings, store, pool.extract) for account in settings.imap]
        for poller in pollers:
            schedule(scheduler, poller)
        scheduler.start()
        watchers = [asyncio.create_task(watch(poller)) for poller in pollers]
        log.info(
            "daemon_started",
            companies=len(settings.companies),
            workers=p.workers,
            imap_accounts=[a.name for a in settings.imap],
        )
        await stop.wait()
        log.info("daemon_stopping")
        scheduler.shutdown(wait=False)
        for watcher in watchers:
            watcher.cancel()
        if server is not None and gate is not None:
            await drain(server, gate, SHUTDOWN_GRACE)
        await _wait_for_polls(pollers, SHUTDOWN_GRACE)
        processor.stopping = True
        for _ in range(p.workers):
            processor.queue.put_nowait(
                SpoolEntry("", settings.storage.spool, 0)
            )  # wake idle workers
        try:
            await asyncio.wait_for(workers, SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning("processing_drain_timed_out")
    finally:
        # Close while our handlers are still installed: a second SIGTERM during cleanup (an
        # impatient operator, a supervisor repeating itself) must not kill us half-way.
        pool.close()
        store.close()
        log.info("daemon_stopped", left_in_spool=len(spool.pending()))
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
            signal.signal(sig, signal.SIG_IGN)  # until the process exits, moments from now
    return 0
