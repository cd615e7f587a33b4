"""The composition root of `podatelna serve`: store → spool → workers → SMTP, closed in reverse.

The database may be down when `serve` starts, or go away later: SMTP needs only the spool, so
mail is acknowledged and waits there while the runner waits for the database (daemon.health).
Every node records its spool backlog and a heartbeat in the database (`report`'s `nodes`).

SIGTERM/SIGINT: stop accepting (421), let DATA under way finish, let the message being
processed finish (the rest stays spooled and is replayed at the next start), close, exit 0.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from daemon.config import Settings
from daemon.health import DatabaseGate
from daemon.imap import Poller, schedule, watch
from daemon.logs import get_logger
from daemon.runner import Processor
from daemon.smtp import Gate, Handler, drain, start_server
from daemon.spool import Spool
from daemon.workers import WorkerPool
from parsers.ocr import unavailable as ocr_unavailable
from storage.store import StorageError, Store, utcnow

SHUTDOWN_GRACE = 25.0  # seconds for DATA under way; systemd's TimeoutStopSec is 30
HEARTBEAT_SECONDS = 10.0


async def _wait_for_polls(pollers: list[Poller], grace: float) -> None:
    """A poll under way finishes its current message; the next start continues from there."""

    async def idle(poller: Poller) -> None:
        async with poller.lock:
            pass

    try:
        await asyncio.wait_for(asyncio.gather(*(idle(p) for p in pollers)), grace)
    except TimeoutError:
        get_logger().warning("imap_drain_timed_out")


async def _heartbeat(
    node: str, started: datetime, store: Store, spool: Spool, gate: DatabaseGate
) -> None:
    """Record this node's spool backlog every few seconds while the database answers."""
    while True:
        await gate.wait()
        try:
            await asyncio.to_thread(store.node_seen, node, len(spool.pending()), started)
        except StorageError as exc:
            gate.lost(str(exc))
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def serve(settings: Settings) -> int:
    log = get_logger()
    store = Store.connect(settings.storage.database, settings.storage.files)
    spool = Spool(settings.storage.spool)
    spool.ensure()
    gate = DatabaseGate(store)
    gate.start()
    p = settings.processing
    pool = WorkerPool(p.workers, p.document_timeout, p.document_memory_mb, p.max_pages)
    pool.start()
    processor = Processor(settings, store, spool, pool, gate)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = smtp_gate = None
    started = utcnow()
    heartbeat = asyncio.create_task(_heartbeat(p.node, started, store, spool, gate))
    try:
        pending = spool.pending()
        for entry in pending:
            processor.submit(entry)
        if pending:
            log.info("spool_replayed", messages=len(pending))
        workers = asyncio.create_task(processor.run())
        if settings.smtp is not None:
            smtp_gate = Gate(settings.smtp)
            handler = Handler(
                settings.smtp, settings.address_book, spool, smtp_gate, processor.submit
            )
            try:
                server = await start_server(settings.smtp, handler, smtp_gate)
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
        pollers = [
            Poller(account, settings, store, pool.extract, gate) for account in settings.imap
        ]
        for poller in pollers:
            schedule(scheduler, poller)
        scheduler.start()
        watchers = [asyncio.create_task(watch(poller)) for poller in pollers]
        log.info(
            "daemon_started",
            node=p.node,
            companies=len(settings.companies),
            workers=p.workers,
            imap_accounts=[a.name for a in settings.imap],
        )
        if (why := ocr_unavailable()) is not None:
            log.warning(
                "ocr_unavailable",
                reason=why,
                effect="photos and scans are stored for review with no fields read",
            )
        await stop.wait()
        log.info("daemon_stopping")
        scheduler.shutdown(wait=False)
        for watcher in watchers:
            watcher.cancel()
        if server is not None and smtp_gate is not None:
            await drain(server, smtp_gate, SHUTDOWN_GRACE)
        await _wait_for_polls(pollers, SHUTDOWN_GRACE)
        processor.stop()
        try:
            await asyncio.wait_for(workers, SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning("processing_drain_timed_out")
    finally:
        # Close while our handlers are still installed: a second SIGTERM during cleanup (an
        # impatient operator, a supervisor repeating itself) must not kill us half-way.
        heartbeat.cancel()
        left = len(spool.pending())
        if gate.up:
            try:
                await asyncio.to_thread(store.node_seen, p.node, left, started)
            except StorageError:
                log.warning("node_status_not_recorded")
        await gate.close()
        pool.close()
        store.close()
        spool.close()
        log.info("daemon_stopped", left_in_spool=left)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
            signal.signal(sig, signal.SIG_IGN)  # until the process exits, moments from now
    return 0
