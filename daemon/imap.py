"""IMAP polling: every configured mailbox fetched reliably (aioimaplib, RFC 3501).

Each poll opens a fresh connection (no state survives a disconnect), and every network call
has a timeout. Messages are fetched one at a time with BODY.PEEK[] (aioimaplib hangs on FETCH
answers of ~1,000+ lines; sizes are asked in windows), recorded in the spool and handed to the
one runner, like SMTP's; only after its outcome is committed is a message moved to
`processed_folder` (MOVE, or COPY + \\Deleted + EXPUNGE) or flagged \\Seen. A crash in between
refetches it, and the intake key (account, folder, UIDVALIDITY, UID) makes that a no-op; a
UIDVALIDITY change rescans the folder and the SHA-256 of the bytes keeps it from making second
documents. A message that keeps failing stays in the spool, retried with backoff and not
fetched again meanwhile, until the runner keeps it for a person after `max_attempts`: the mail
behind it is stored as usual.

Failures (server down, wrong password, TLS mismatch) are one `imap_poll_failed` event and a
retry after a backoff capped at the poll interval, so recovery comes within one interval.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import aioimaplib
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from daemon.config import ImapAccount, Settings
from daemon.health import DatabaseGate
from daemon.intake import IntakeResult
from daemon.logs import get_logger
from daemon.oauth2 import AUTH_NEEDED, AuthorizationNeeded, TokenSource
from daemon.runner import Processor
from daemon.spool import ImapOrigin
from storage.store import StorageError, Store, utcnow

T = TypeVar("T")
CALL_TIMEOUT = 30.0  # seconds for any one IMAP command
SIZE_WINDOW = 200  # UIDs per RFC822.SIZE fetch
ACK_BATCH = 50  # messages stored before they are moved together

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UID_SIZE = re.compile(rb"UID (\d+)[^)]*?RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+)[^)]*?UID (\d+)")


class ImapError(Exception):
    """The server refused or misbehaved; the poll is given up and retried later."""


def _ok(response: Any, what: str) -> Any:
    if response.result != "OK":
        text = b" ".join(line for line in response.lines if isinstance(line, bytes)).decode(
            errors="replace"
        )
        raise ImapError(f"{what} refused: {text[:200]}")
    return response


class Poller:
    """One `[[imap]]` account."""

    def __init__(
        self,
        account: ImapAccount,
        settings: Settings,
        store: Store,
        processor: Processor,
        gate: DatabaseGate | None = None,
    ) -> None:
        self.account = account
        self.gate = gate
        self.settings = settings
        self.store = store
        self.processor = processor
        self.failures = 0
        self.lock = asyncio.Lock()
        self.log = get_logger(imap_account=account.name)
        self.retry: Callable[[float], None] | None = None  # set by the scheduler
        self.tokens = TokenSource(account.oauth2) if account.oauth2 is not None else None
        self._lost = asyncio.Event()  # the current connection is gone
        self._again = False  # a poll was asked for while one was running

    async def _call(self, awaitable: Awaitable[T], what: str, limit: float = CALL_TIMEOUT) -> T:
        """One IMAP command with a deadline, abandoned at once if the connection drops
        (aioimaplib never completes a command whose connection died)."""
        task = asyncio.ensure_future(awaitable)
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            done, _ = await asyncio.wait(
                {task, lost}, timeout=limit, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            lost.cancel()
        if task in done:
            return task.result()
        task.cancel()
        raise ImapError(
            f"{what}: connection lost" if lost in done else f"{what}: no answer in {limit:g} s"
        )

    async def poll_safely(self) -> None:
        """The scheduled job: never raises, never runs twice at once. Asked while a poll runs
        (IDLE saw new mail after that poll listed the folder), it polls again right after."""
        if self.gate is not None:
            await self.gate.wait()  # nothing can be stored before; the gate logs the outage
        if self.lock.locked():
            self._again = True
            return
        async with self.lock:
            self._again = True
            while self._again:
                self._again = False
                if not await self._poll_once():
                    return

    async def _poll_once(self) -> bool:
        try:
            fetched = await self.poll()
        except AuthorizationNeeded as exc:
            # Only this account stops; it tries again every poll_seconds and resumes as soon
            # as `imap authorize` has written a new token file.
            self.failures += 1
            self.log.error("imap_auth_failed", reason=str(exc), failures=self.failures)
            await self._record(error=f"{AUTH_NEEDED}: {exc}")
            return False
        except StorageError as exc:
            if self.gate is None:
                raise
            self.gate.lost(str(exc))  # the database, not the mailbox: polls wait for it
            return False
        except Exception as exc:
            self.failures += 1
            delay = min(self.account.poll_seconds, 2.0 ** min(self.failures, 10))
            error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ImapError) else str(exc)
            self.log.error("imap_poll_failed", error=error, failures=self.failures, retry_in=delay)
            await self._record(error=error)
            if self.retry is not None:
                self.retry(delay)
            return False
        if self.failures:
            self.log.info("imap_recovered", after_failures=self.failures)
        self.failures = 0
        await self._record(fetched=fetched)
        self.log.info("imap_polled", fetched=fetched, folder=self.account.folder)
        return True

    async def _record(self, *, fetched: int = 0, error: str | None = None) -> None:
        """The poll's outcome for `report`; a database outage must not break the poller."""
        try:
            await asyncio.to_thread(
                self.store.imap_poll_result, self.account.name, fetched=fetched, error=error
            )
        except StorageError as exc:
            if self.gate is not None:
                self.gate.lost(str(exc))

    async def connect(self) -> aioimaplib.IMAP4:
        a = self.account
        context = ssl.create_default_context() if a.security != "none" else None
        self._lost = lost = asyncio.Event()

        def on_lost(_exc: Exception | None) -> None:
            lost.set()

        # IMAP4 with an ssl_context is implicit TLS (IMAP4_SSL takes no conn_lost_cb)
        client = aioimaplib.IMAP4(
            a.host,
            a.port,
            timeout=CALL_TIMEOUT,
            conn_lost_cb=on_lost,
            ssl_context=context if a.security == "tls" else None,
        )
        try:
            await self._call(client.wait_hello_from_server(), "connect")
            if a.security == "starttls":
                await self._starttls(client, context)
            if self.tokens is not None:
                await self._xoauth2(client, self.tokens)
            else:
                login = client.login(a.username, a.password.read())
                _ok(await self._call(login, "LOGIN"), "LOGIN")
            # aioimaplib learns MOVE/UIDPLUS only from a capability list it has seen.
            await self._call(client.protocol.capability(), "CAPABILITY")
        except BaseException:
            await self._close(client)
            raise
        return client

    async def _xoauth2(self, client: aioimaplib.IMAP4, tokens: TokenSource) -> None:
        """SASL XOAUTH2 with a fresh access token; refused once, refreshed and tried again
        (the provider may have ended the token early). The token is never logged."""
        for attempt in (1, 2):
            token = await asyncio.to_thread(tokens.access_token if attempt == 1 else tokens.refresh)
            response = await self._call(_authenticate(client, self.account.username, token), "AUTH")
            if response.result == "OK":
                return
            tokens.forget()
        raise ImapError("AUTHENTICATE XOAUTH2 refused with a freshly refreshed token")

    async def _starttls(self, client: aioimaplib.IMAP4, context: ssl.SSLContext | None) -> None:
        """aioimaplib 2.0.3 has no STARTTLS: ask for it, then upgrade the transport ourselves."""
        context = context or ssl.create_default_context()
        protocol = client.protocol
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        _ok(await self._call(protocol.execute(command), "STARTTLS"), "STARTTLS")
        loop = asyncio.get_running_loop()
        transport = await self._call(
            loop.start_tls(
                protocol.transport, protocol, context, server_hostname=self.account.host
            ),
            "TLS",
        )
        protocol.transport = transport

    async def _close(self, client: aioimaplib.IMAP4) -> None:
        try:
            if client.protocol is not None and client.protocol.transport is not None:
                if client.has_pending_idle():
                    # A server in IDLE answers nothing, LOGOUT included, until DONE: without
                    # it every stop of the daemon waited out the LOGOUT timeout.
                    client.idle_done()
                if client.get_state() in ("AUTH", "SELECTED"):
                    await asyncio.wait_for(client.logout(), 10)
                client.protocol.transport.close()
        except Exception:  # the connection is going away anyway
            self.log.debug("imap_close_failed")

    async def poll(self) -> int:
        a = self.account
        client = await self.connect()
        try:
            if a.processed_folder:
                # A folder missing on the server would make every MOVE fail, and with it every
                # poll, new mail included. CREATE answers NO when it exists: that is fine.
                await self._call(client.create(_quote(a.processed_folder)), "CREATE")
            selected = _ok(await self._call(client.select(_quote(a.folder)), "SELECT"), "SELECT")
            uidvalidity = _uidvalidity(selected.lines)
            found = _ok(await self._call(client.uid_search("ALL"), "UID SEARCH"), "UID SEARCH")
            uids = [int(u) for line in found.lines[:1] for u in line.split() if u.isdigit()]
            stored = await asyncio.to_thread(
                self.store.imap_stored_uids, a.name, a.folder, uidvalidity
            )
            leftover = [
                u for u in uids if stored.get(u) is False
            ]  # stored before a crash, not yet moved
            if leftover and a.processed_folder:
                await self.acknowledge(client, leftover)
            todo = [u for u in uids if u not in stored]
            fetched = 0
            for start in range(0, len(todo), SIZE_WINDOW):
                window = todo[start : start + SIZE_WINDOW]
                sizes = await self.sizes(client, window)
                for at in range(0, len(window), ACK_BATCH):
                    batch = window[at : at + ACK_BATCH]
                    handed = []  # (uid, outcome to come, may be moved away)
                    for uid in batch:
                        fetch = await self.fetch_one(client, uidvalidity, uid, sizes.get(uid, 0))
                        if fetch is not None:
                            handed.append((uid, *fetch))
                    fetched += len(handed)
                    done = [
                        u
                        for u, outcome, movable in handed
                        if (await outcome) is not None and movable
                    ]
                    if done:
                        await self.acknowledge(client, done)
            return fetched
        finally:
            await self._close(client)

    async def sizes(self, client: aioimaplib.IMAP4, uids: list[int]) -> dict[int, int]:
        response = _ok(
            await self._call(client.uid("fetch", _uid_set(uids), "(RFC822.SIZE)"), "FETCH SIZE"),
            "FETCH SIZE",
        )
        out: dict[int, int] = {}
        for line in response.lines:
            if isinstance(line, bytes | bytearray):
                for m in _UID_SIZE.finditer(bytes(line)):
                    uid, size = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
                    out[int(uid)] = int(size)
        return out

    async def fetch_one(
        self, client: aioimaplib.IMAP4, uidvalidity: int, uid: int, size: int
    ) -> tuple[asyncio.Future[IntakeResult | None], bool] | None:
        """Fetch one message into the spool and hand it to the runner: its outcome to come
        (a result once committed) and whether it may then be moved away (not when left on the
        server). None when it is in the spool already (being retried)."""
        a = self.account
        key = f"imap:{a.name}:{a.folder}:{uidvalidity}:{uid}"
        if self.processor.spool.holds(key):
            return None
        limit = self.settings.max_message_bytes
        too_large = size > limit
        origin = ImapOrigin(a.name, a.folder, uidvalidity, uid, a.address, size, too_large)
        if too_large:
            # Not downloaded whole: a person looks at it in the mailbox, where it stays.
            raw = await self._body(client, uid, "BODY.PEEK[HEADER]")
            self.log.warning("imap_message_too_large", uid=uid, size=size)
        else:
            raw = await self._body(client, uid, "BODY.PEEK[]")
        entry = await asyncio.to_thread(
            self.processor.spool.put, raw, origin, utcnow(), intake_key=key
        )
        return self.processor.submit(entry), not too_large

    async def _body(self, client: aioimaplib.IMAP4, uid: int, part: str) -> bytes:
        timeout = CALL_TIMEOUT * 5  # a 25 MB message over a slow link
        response = _ok(
            await self._call(client.uid("fetch", str(uid), f"({part})"), "FETCH", timeout), "FETCH"
        )
        for line in response.lines:
            if isinstance(line, bytearray):
                return bytes(line)
        raise ImapError(f"FETCH {uid}: no message body in the answer (was it deleted meanwhile?)")

    async def acknowledge(self, client: aioimaplib.IMAP4, uids: list[int]) -> None:
        """Only for stored messages: move them out of the way, or mark them seen."""
        a = self.account
        uid_set = _uid_set(uids)
        if not a.processed_folder:
            _ok(
                await self._call(client.uid("store", uid_set, "+FLAGS.SILENT (\\Seen)"), "STORE"),
                "STORE",
            )
            return
        target = _quote(a.processed_folder)
        if client.has_capability("MOVE"):
            _ok(await self._call(client.uid("move", uid_set, target), "MOVE"), "MOVE")
            return
        _ok(await self._call(client.uid("copy", uid_set, target), "COPY"), "COPY")
        _ok(
            await self._call(client.uid("store", uid_set, "+FLAGS.SILENT (\\Deleted)"), "STORE"),
            "STORE",
        )
        if client.has_capability("UIDPLUS"):
            _ok(await self._call(client.uid("expunge", uid_set), "UID EXPUNGE"), "UID EXPUNGE")
        else:
            _ok(await self._call(client.expunge(), "EXPUNGE"), "EXPUNGE")


IDLE_RENEW = 25 * 60.0  # RFC 2177: re-issue IDLE at least every 29 minutes


async def watch(poller: Poller) -> None:
    """Wait in IDLE on a connection of its own and poll as soon as the server announces new
    mail; polling every `poll_seconds` stays the fallback. Runs until cancelled."""
    account = poller.account
    log = get_logger(imap_account=account.name)
    idler = Poller(
        account, poller.settings, poller.store, poller.processor
    )  # its own connection state
    idler.tokens = poller.tokens  # one access token and one refresh chain per account
    while True:
        try:
            client = await idler.connect()
        except Exception as exc:  # the poller reports failures; retry quietly
            log.debug("imap_idle_connect_failed", error=str(exc))
            await asyncio.sleep(min(account.poll_seconds, 30))
            continue
        try:
            if not client.has_capability("IDLE"):
                log.info("imap_idle_unsupported")
                return
            _ok(await idler._call(client.select(_quote(account.folder)), "SELECT"), "SELECT")
            log.info("imap_idle_started", folder=account.folder)
            while True:
                idle = await idler._call(client.idle_start(timeout=IDLE_RENEW), "IDLE")
                push = await idler._call(
                    client.wait_server_push(timeout=IDLE_RENEW + 60), "IDLE", IDLE_RENEW + 90
                )
                client.idle_done()
                await idler._call(idle, "IDLE DONE")
                lines = push if isinstance(push, list) else []
                if any(isinstance(line, bytes | bytearray) and b"EXISTS" in line for line in lines):
                    asyncio.get_running_loop().create_task(poller.poll_safely())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("imap_idle_interrupted", error=str(exc))
            await asyncio.sleep(min(account.poll_seconds, 5))
        finally:
            await idler._close(client)


async def _authenticate(client: aioimaplib.IMAP4, user: str, token: str) -> Any:
    """aioimaplib's XOAUTH2, answering the server's error challenge ("+ <base64 JSON>") with
    the empty line RFC 7628 asks for, so a refusal ends in NO instead of a stalled command."""
    task = asyncio.ensure_future(client.xoauth2(user, token))
    answered = False
    try:
        while not task.done():
            await asyncio.sleep(0.02)
            command = client.protocol.pending_sync_command
            if not answered and command is not None and getattr(command, "_resp_lines", None):
                client.protocol.transport.write(b"\r\n")
                answered = True
        return task.result()
    finally:
        task.cancel()  # given up by the caller's deadline: the command dies with the connection


def _uidvalidity(lines: list[Any]) -> int:
    for line in lines:
        if isinstance(line, bytes | bytearray) and (m := _UIDVALIDITY.search(bytes(line))):
            return int(m.group(1))
    raise ImapError("SELECT did not report UIDVALIDITY")


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(u) for u in uids)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def schedule(scheduler: AsyncIOScheduler, poller: Poller) -> None:
    """Every `poll_seconds` (coalesced, never overlapping), first run now; failures add one
    earlier retry with backoff, capped at the interval."""
    name = poller.account.name

    def retry(delay: float) -> None:
        scheduler.add_job(
            poller.poll_safely,
            "date",
            run_date=datetime.now(UTC) + timedelta(seconds=delay),
            id=f"imap-retry-{name}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    poller.retry = retry
    scheduler.add_job(
        poller.poll_safely,
        "interval",
        seconds=poller.account.poll_seconds,
        id=f"imap-{name}",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
        misfire_grace_time=None,
    )
