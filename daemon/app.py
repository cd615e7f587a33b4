"""The composition root of `podatelna serve`: store → spool → workers → services, closed in
reverse. The services — the runner, the IMAP watchers, the heartbeat — are one TaskGroup.

The database may be down when `serve` starts, or go away later: SMTP needs only the spool and
the file store, so mail is acknowledged and waits there while the runner waits for the
database (daemon.health).
Every node records its spool backlog and a heartbeat in the database (`report`'s `nodes`).

SIGTERM/SIGINT: stop accepting (421), let DATA under way finish, let polls and the messages
being processed finish (the rest stays spooled and is replayed at the next start), close,
exit 0 — all of it within one deadline, `SHUTDOWN_SECONDS`, below systemd's TimeoutStopSec.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable
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

SHUTDOWN_SECONDS = 30.0  # for all of the shutdown; systemd/podatelna.service allows 40
HEARTBEAT_SECONDS = 10.0


async def _polls_done(pollers: list[Poller]) -> None:
    """A poll under way finishes its current messages; the next start continues from there."""
    for poller in pollers:
        async with poller.lock:
            pass


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
    spool = Spool(settings.storage.spool, store.blobs)
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
    started = utcnow()
    code = 0
    try:
        async with asyncio.TaskGroup() as services:
            runner = services.create_task(processor.run(), name="runner")
            heartbeat = services.create_task(_heartbeat(p.node, started, store, spool, gate))
            pending = spool.pending()
            for entry in pending:
                processor.submit(entry)
            if pending:
                log.info("spool_replayed", messages=len(pending))
            server, smtp_gate, watchers = None, None, []
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
                    code = 1
                    stop.set()
                else:
                    host, port = server.sockets[0].getsockname()[:2]
                    log.info(
                        "smtp_listening", host=host, port=port, hostname=settings.smtp.hostname
                    )
            scheduler = AsyncIOScheduler(timezone=UTC)
            pollers = [
                Poller(account, settings, store, processor, gate) for account in settings.imap
            ]
            if not stop.is_set():
                for poller in pollers:
                    schedule(scheduler, poller)
                scheduler.start()
                watchers = [services.create_task(watch(poller)) for poller in pollers]
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
            deadline = loop.time() + SHUTDOWN_SECONDS
            if scheduler.running:
                scheduler.shutdown(wait=False)
                for watcher in watchers:
                    watcher.cancel()
            if server is not None and smtp_gate is not None:
                await drain(server, smtp_gate, max(deadline - loop.time(), 0.1))
            if not await _within(_polls_done(pollers), deadline):
                log.warning("imap_drain_timed_out")
            processor.stop()
            if not await _within(asyncio.shield(runner), deadline):
                log.warning("processing_drain_timed_out")
                runner.cancel()
            heartbeat.cancel()
    finally:
        # Close while our handlers are still installed: a second SIGTERM during cleanup (an
        # impatient operator, a supervisor repeating itself) must not kill us half-way.
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
    return code


async def _within(awaitable: Awaitable[object], deadline: float) -> bool:
    """Wait for `awaitable` until the shutdown deadline; False when it did not end in time."""
    remaining = deadline - asyncio.get_running_loop().time()
    try:
        await asyncio.wait_for(awaitable, max(remaining, 0.01))
    except TimeoutError:
        return False
    return True
