"""Whether the database answers, as `serve` sees it: it starts without it and waits for it.

SMTP needs only the spool and the file store, so a database that is down at start, or goes
away later, costs delay and nothing else: mail is acknowledged and waits in the spool,
processing waits here, and a single probe retries with capped backoff. The log says so once per change of state
(`database_unavailable`, then `database_available`), never once per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from daemon.logs import get_logger
from storage.store import StorageError, Store

PROBE_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds between probes; the last one repeats


class DatabaseGate:
    def __init__(self, store: Store, delays: tuple[float, ...] = PROBE_DELAYS) -> None:
        self.store = store
        self.delays = delays
        self._up = asyncio.Event()
        self._migrated = False
        self._said_down = False  # database_unavailable was logged: say when it is back
        self._probe: asyncio.Task[None] | None = None

    @property
    def up(self) -> bool:
        return self._up.is_set()

    async def wait(self) -> None:
        await self._up.wait()

    def start(self) -> None:
        """Migrate the schema as soon as the database answers (now, or later)."""
        self._probing()

    def lost(self, error: str) -> None:
        """Someone's database call failed with `StorageUnavailable`: wait until it answers."""
        if self._up.is_set():
            self._up.clear()
            self._said_down = True
            get_logger().error("database_unavailable", error=error)
        self._probing()

    async def close(self) -> None:
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe

    def _probing(self) -> None:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        log = get_logger()
        since, attempt = time.monotonic(), 0
        while True:
            try:
                await asyncio.to_thread(self._check)
            except StorageError as exc:  # unavailable, or refusing the schema: the same wait
                delay = self.delays[min(attempt, len(self.delays) - 1)]
                if not self._said_down:  # down at start: say it once
                    self._said_down = True
                    log.error("database_unavailable", error=str(exc), retry_in=delay)
                attempt += 1
                await asyncio.sleep(delay)
                continue
            self._up.set()
            if self._said_down:
                self._said_down = False
                log.info(
                    "database_available",
                    after_seconds=round(time.monotonic() - since, 1),
                    probes=attempt + 1,
                )
            return

    def _check(self) -> None:
        if self._migrated:
            self.store.ping()
        else:
            self.store.migrate()
            self._migrated = True
