"""The inbound SMTP endpoint (aiosmtpd, in the daemon's own event loop).

Rules (../shared/CONTRACT.md "Delivery rules"; RFC 5321):
- RCPT to an address no company owns: 550 5.1.1, before any DATA — never an open relay.
- Size: SIZE advertised; `MAIL FROM:<…> SIZE=n` over the limit: 552 at MAIL; over the limit
  without SIZE=: 552 after DATA, nothing stored.
- DATA is written to the spool (fsync) and only then answered 250; processing happens later.
- Any internal failure: 451 4.3.0 so the sender retries; never 500, never a traceback.
  Low disk at MAIL: 452 4.3.1. Too many sessions (in all or from one address): 421.
- While shutting down: new sessions and new transactions get 421; a DATA under way finishes.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session

from daemon.config import SmtpSettings
from daemon.logs import get_logger
from daemon.spool import SmtpOrigin, Spool, SpoolEntry
from routing.addresses import AddressBook
from storage.store import utcnow

WRITERS = 4  # DATA written to the spool at once


class Gate:
    """Session accounting shared by every connection of one listener."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.total = 0
        self.per_ip: Counter[str] = Counter()
        self.in_data = 0
        self.draining = False
        self.idle = asyncio.Event()
        self.idle.set()
        self.protocols: set[SMTP] = set()

    def admit(self, ip: str) -> str | None:
        if self.draining:
            return "421 4.3.2 Service shutting down, try again later"
        if self.total >= self.settings.max_sessions:
            return "421 4.7.0 Too many connections, try again later"
        if self.per_ip[ip] >= self.settings.max_sessions_per_ip:
            return "421 4.7.0 Too many connections from your address, try again later"
        self.total += 1
        self.per_ip[ip] += 1
        return None

    def enter_data(self) -> None:
        self.in_data += 1
        self.idle.clear()

    def leave_data(self) -> None:
        self.in_data -= 1
        if self.in_data == 0:
            self.idle.set()

    def release(self, ip: str) -> None:
        self.total -= 1
        self.per_ip[ip] -= 1
        if self.per_ip[ip] <= 0:
            del self.per_ip[ip]


class Handler:
    """aiosmtpd hooks: the contract's decisions at each command."""

    def __init__(
        self,
        settings: SmtpSettings,
        book: AddressBook,
        spool: Spool,
        gate: Gate,
        on_spooled: Callable[[SpoolEntry], object],
    ) -> None:
        self.settings = settings
        self.book = book
        self.spool = spool
        self.gate = gate
        self.on_spooled = on_spooled
        self.log = get_logger(listener=f"{settings.host}:{settings.port}")
        # Threads of its own for the durable writes before 250: never queued behind the
        # runner's threads waiting on documents in the default executor.
        self._writers = ThreadPoolExecutor(WRITERS, thread_name_prefix="smtp-spool")

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self.gate.draining:
            return "421 4.3.2 Service shutting down, try again later"
        try:
            free = shutil.disk_usage(self.spool.root).free
        except OSError:
            return "451 4.3.0 Local error, try again later"
        if free < 1.5 * self.settings.max_message_bytes:
            self.log.error("disk_space_low", free_bytes=free)
            return "452 4.3.1 Insufficient system storage, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= self.settings.max_recipients:
            return "452 4.5.3 Too many recipients"
        if self.book.lookup(address) is None:
            self.log.info("recipient_refused", recipient=address, peer=_peer(session))
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if len(raw) > self.settings.max_message_bytes:  # aiosmtpd checks too; belt and braces
            return "552 5.3.4 Message too big"
        try:
            origin = SmtpOrigin(envelope.mail_from, tuple(envelope.rcpt_tos), _peer(session))
            entry = await asyncio.get_running_loop().run_in_executor(
                self._writers, self.spool.put, raw, origin, utcnow()
            )
        except Exception as exc:  # disk full, permissions: the sender must retry, not drop
            self.log.error(
                "message_spool_failed", error=f"{type(exc).__name__}: {exc}", size=len(raw)
            )
            return "451 4.3.0 Local error in processing, try again later"
        self.log.info(
            "message_spooled",
            spool_id=entry.id,
            size=len(raw),
            peer=_peer(session),
            recipients=len(envelope.rcpt_tos),
        )
        self.on_spooled(entry)
        return f"250 2.0.0 OK queued as {entry.id}"

    async def handle_exception(self, error: Exception) -> str:
        """Whatever escaped a hook: the sender retries later (aiosmtpd would answer 500, and
        a 500 makes senders drop the mail)."""
        self.log.error("smtp_internal_error", error=f"{type(error).__name__}: {error}"[:300])
        return "451 4.3.0 Local error in processing, try again later"


_DOT = b".\r\n"
_END = b"\r\n.\r\n"
_PIECE = 1 << 20  # bytes read at most before a dot line is found: the reader's flow control


async def read_data(
    reader: asyncio.StreamReader, size_limit: int, line_limit: int
) -> tuple[bytes, str | None]:
    """A DATA section up to its lone dot line (RFC 5321 4.1.1.4), dot-stuffing undone
    (4.5.2), and the reply that refuses it, if any: "552" over `size_limit` bytes (0: none),
    "500" for a line over `line_limit` bytes with its CRLF, as aiosmtpd answers, after the
    dot. aiosmtpd reads DATA a line at a time, an await each: a third of the daemon's
    CPU under load. Here the reader hands over pieces that end at ".\r\n", a few per
    message; the bytes after the dot line (pipelined commands) stay in the reader.

    Only CRLF "." CRLF ends the data (never a bare LF: SMTP smuggling); at its start the
    DATA command's own CRLF counts."""
    pieces: list[bytes] = []
    size, tail, kept = 0, b"\r\n", True
    saved = reader._limit  # type: ignore[attr-defined]
    reader._limit = max(saved, _PIECE)  # type: ignore[attr-defined]
    try:
        while True:
            try:
                piece = await reader.readuntil(_DOT)
            except asyncio.LimitOverrunError as exc:  # no ".\r\n" in a whole _PIECE
                piece = await reader.read(exc.consumed)
            size += len(piece)
            if size_limit and size - len(_DOT) > size_limit:
                kept = False
                pieces.clear()  # nothing more is kept: memory stays bounded
            elif kept:
                pieces.append(piece)
            window = tail + piece[-len(_END) :]  # a few bytes: never a copy of the piece
            if window.endswith(_END):
                break
            tail = window[-2:]
    finally:
        reader._limit = saved  # type: ignore[attr-defined]
    if not kept:
        return b"", "552 Error: Too much mail data"
    pieces[-1] = pieces[-1][: -len(_DOT)]  # the last piece ends with the dot line
    data = b"".join(pieces)
    if _line_over(data, line_limit):
        return b"", "500 Line too long (see RFC5321 4.5.3.1.6)"
    if data.startswith(b"."):
        data = data[1:]
    return data.replace(b"\r\n.", b"\r\n"), None


def _line_over(data: bytes, limit: int) -> bool:
    """A line of `data` is longer than `limit` bytes with its CRLF."""
    if len(data) + 2 <= limit:
        return False
    start = 0
    while (end := data.find(b"\r\n", start)) >= 0:
        if end + 2 - start > limit:
            return True
        start = end + 2
    return len(data) - start + 2 > limit


def _peer(session: Session) -> str | None:
    peer = session.peer
    return str(peer[0]) if isinstance(peer, tuple) else None


def protocol_factory(
    settings: SmtpSettings, handler: Handler, gate: Gate, tls: ssl.SSLContext | None
) -> Callable[[], SMTP]:
    class PodatelnaSMTP(SMTP):
        # Longest line accepted: RFC 5321 says 1000 octets, real mailers send more (base64 at
        # 998 + CRLF is common, some send ~10 kB); a 1 MB line is still refused with 500.
        line_length_limit = settings.max_line_bytes

        def __init__(self) -> None:
            super().__init__(
                handler,
                hostname=settings.hostname,
                data_size_limit=settings.max_message_bytes,
                tls_context=tls,
                require_starttls=settings.require_tls,
                timeout=settings.command_timeout,
                ident="Podatelna",
            )
            self._ip = ""
            self._admitted = False
            self._last_reset = 0.0

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            if self._admitted:  # the second call, after STARTTLS
                super().connection_made(transport)
                return
            peer = transport.get_extra_info("peername")
            self._ip = str(peer[0]) if isinstance(peer, tuple) else "?"
            refusal = gate.admit(self._ip)
            if refusal is not None:
                transport.write(refusal.encode() + b"\r\n")  # type: ignore[attr-defined]
                transport.close()
                return
            self._admitted = True
            gate.protocols.add(self)
            super().connection_made(transport)

        def data_received(self, data: bytes) -> None:
            # aiosmtpd resets its idle timer per command only: a 20 MB upload over a slow link
            # would be cut off mid-DATA. Bytes arriving reset it too (at most once a second;
            # per TCP read, not per line: a per-line hook cost a sixth of the daemon's CPU).
            super().data_received(data)
            now = self.loop.time()
            if now - self._last_reset > 1.0 and self._timeout_handle is not None:
                self._last_reset = now
                self._reset_timeout()

        async def smtp_DATA(self, arg: str) -> None:
            # From 354 to the reply, a transaction is "in DATA": shutdown waits for it.
            gate.enter_data()
            try:
                if hasattr(self._reader, "_limit"):
                    await self._data(arg)
                else:  # an asyncio whose reader we do not know: aiosmtpd's line by line
                    await super().smtp_DATA(arg)
            finally:
                gate.leave_data()

        async def _data(self, arg: str) -> None:
            """aiosmtpd's DATA, its replies and hooks, with the message read by `read_data`."""
            if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
                return
            if self.envelope is None or not self.envelope.rcpt_tos:
                await self.push("503 Error: need RCPT command")
                return
            if arg:
                await self.push("501 Syntax: DATA")
                return
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            try:
                content, refusal = await read_data(
                    self._reader, self.data_size_limit or 0, self.line_length_limit
                )
            except asyncio.CancelledError:  # the connection was lost during DATA
                self._writer.close()
                raise
            if refusal is not None:
                await self.push(refusal)
                self._set_post_data_state()  # type: ignore[no-untyped-call]
                return
            self.envelope.content = self.envelope.original_content = content
            status = await self._call_handler_hook("DATA")
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            await self.push("250 OK" if status is MISSING else status)

        def connection_lost(self, error: Exception | None) -> None:
            if not self._admitted:
                return
            if self in gate.protocols:
                gate.protocols.discard(self)
                gate.release(self._ip)
            super().connection_lost(error)

    return PodatelnaSMTP


def tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if settings.tls_cert is None or settings.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key))
    return context


async def start_server(settings: SmtpSettings, handler: Handler, gate: Gate) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    factory = protocol_factory(settings, handler, gate, tls_context(settings))
    return await loop.create_server(
        factory, host=settings.host, port=settings.port, reuse_address=True
    )


async def drain(server: asyncio.Server, gate: Gate, grace: float) -> None:
    """Stop taking work: 421 to new sessions and transactions, let DATA under way finish,
    then close the listener and every session."""
    gate.draining = True
    try:
        await asyncio.wait_for(gate.idle.wait(), grace)
    except TimeoutError:
        get_logger().warning("smtp_drain_timed_out", in_data=gate.in_data)
    server.close()
    for proto in list(gate.protocols):
        transport: Any = proto.transport
        if transport is not None:
            transport.write(b"421 4.3.2 Service shutting down, try again later\r\n")
            transport.close()
    await server.wait_closed()
