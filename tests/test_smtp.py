"""The SMTP endpoint, tested with a real smtplib client (or raw sockets) against the real
`podatelna serve` process on loopback."""

from __future__ import annotations

import hashlib
import os
import signal
import smtplib
import socket
import ssl
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Daemon, self_signed_cert
from tests.docgen import INCOMING, LAYOUTS, build_eml, make_doc

SENDER = "faktury@dodavatel.example"


def _read_reply(sock: socket.socket, buf: bytearray) -> bytes:
    """One whole (possibly multi-line) SMTP reply."""
    lines = []
    while True:
        while b"\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            buf.extend(chunk)
        end = buf.index(b"\r\n")
        line = bytes(buf[:end])
        del buf[: end + 2]
        lines.append(line)
        if line[3:4] != b"-":
            return b"\n".join(lines)


def _invoice_eml(seed: int, **kw: str) -> bytes:
    doc = make_doc(seed)
    return build_eml(
        INCOMING,
        [(f"f{seed}.pdf", LAYOUTS["sk_columns"](doc), "application/pdf")],
        message_id=kw.get("message_id", f"m{seed}@test"),
        subject=f"Faktúra {seed}",
    )


def test_accepts_and_stores_exact_bytes(daemon_factory: Callable[..., Daemon]) -> None:
    d = daemon_factory().start()
    raw = _invoice_eml(1)
    with smtplib.SMTP("127.0.0.1", d.port) as c:
        code, features = c.ehlo()
        assert code == 250 and b"SIZE" in features
        assert c.sendmail(SENDER, [INCOMING], raw) == {}
    docs = d.wait_for(lambda docs: len(docs) == 1)
    assert docs[0].status == "accepted" and docs[0].deliveries[0].channel == "smtp"
    assert docs[0].deliveries[0].mail_from == SENDER
    sha = hashlib.sha256(raw).hexdigest()
    assert docs[0].message_sha256 == sha
    store = d.store()
    try:
        assert store.blobs.get(sha) == raw
    finally:
        store.close()
    assert d.stop() == 0
    events = {e["event"] for e in d.events()}
    assert {"message_spooled", "document_stored", "daemon_stopped"} <= events
    assert d.non_json_lines() == []
    assert all({"event", "level", "timestamp"} <= e.keys() for e in d.events())


def test_unknown_recipient_is_refused_at_rcpt_and_tags_are_accepted(
    daemon_factory: Callable[..., Daemon],
) -> None:
    d = daemon_factory().start()
    with smtplib.SMTP("127.0.0.1", d.port) as c:
        c.ehlo()
        c.mail(SENDER)
        code, msg = c.rcpt("someone@elsewhere.example")
        assert code == 550 and msg.startswith(b"5.1.1")
        assert c.rcpt("Firma.Dosle+Januar@DOKLADY.example.sk")[0] == 250
        code, _ = c.data(_invoice_eml(2))
        assert code == 250
    docs = d.wait_for(lambda docs: len(docs) == 1)
    assert docs[0].mailbox == "incoming_invoices"
    assert docs[0].deliveries[0].recipient == "Firma.Dosle+Januar@DOKLADY.example.sk"


def test_size_limit_at_mail_and_after_data(daemon_factory: Callable[..., Daemon]) -> None:
    d = daemon_factory(smtp_extra="max_message_bytes = 100000").start()
    with smtplib.SMTP("127.0.0.1", d.port) as c:
        c.ehlo()
        assert c.docmd("MAIL", f"FROM:<{SENDER}> SIZE=200000")[0] == 552
        c.rset()
        c.mail(SENDER)  # no SIZE=: the limit bites after DATA
        c.rcpt(INCOMING)
        code, _ = c.data(b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 150)
        assert code == 552
        assert c.sendmail(SENDER, [INCOMING], _invoice_eml(3)) == {}  # the session goes on
    d.wait_for(lambda docs: len(docs) == 1)
    assert d.stop() == 0
    store = d.store()
    try:
        assert store.message_count() == 1  # the oversized one was never stored
    finally:
        store.close()


def test_100_pipelined_transactions_in_one_write(daemon_factory: Callable[..., Daemon]) -> None:
    d = daemon_factory().start()
    batch = bytearray(b"EHLO pipeliner.example\r\n")
    for i in range(100):
        body = f"From: {SENDER}\r\nTo: {INCOMING}\r\nMessage-ID: <p{i}@test>\r\nSubject: {i}\r\n\r\nbody {i}\r\n"
        batch += f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{INCOMING}>\r\nDATA\r\n{body}.\r\n".encode()
    batch += b"QUIT\r\n"
    with socket.create_connection(("127.0.0.1", d.port), timeout=30) as s:
        buf = bytearray()
        assert _read_reply(s, buf).startswith(b"220")
        s.sendall(bytes(batch))
        replies = []
        while True:
            reply = _read_reply(s, buf)
            replies.append(reply)
            if reply.startswith(b"221"):
                break
    queued = [r for r in replies if r.startswith(b"250 2.0.0 OK queued")]
    assert len(queued) == 100
    docs = d.wait_for(lambda docs: len(docs) == 100)
    assert {doc.deliveries[0].message_id for doc in docs} == {f"p{i}@test" for i in range(100)}


def test_20_mb_message_is_accepted_byte_identical(daemon_factory: Callable[..., Daemon]) -> None:
    d = daemon_factory().start()
    payload = os.urandom(15 * 1024 * 1024)
    raw = build_eml(
        INCOMING, [("scan.bin", payload, "application/octet-stream")], message_id="big@test"
    )
    assert len(raw) > 20_000_000
    with smtplib.SMTP("127.0.0.1", d.port, timeout=120) as c:
        assert c.sendmail(SENDER, [INCOMING], raw) == {}
    docs = d.wait_for(lambda docs: len(docs) == 1, timeout=120)
    assert docs[0].flags == ("no_document",)
    store = d.store()
    try:
        assert store.blobs.get(hashlib.sha256(raw).hexdigest()) == raw
    finally:
        store.close()


def test_bare_lf_dot_does_not_end_data(daemon_factory: Callable[..., Daemon]) -> None:
    """SMTP smuggling: `\\n.\\n` must not end the message, so no second message sneaks in."""
    d = daemon_factory().start()
    smuggled = (
        f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{INCOMING}>\r\nDATA\r\n"
        "Subject: smuggled\r\nMessage-ID: <smuggled@test>\r\n\r\nevil\r\n"
    )
    data = (f"Subject: first\r\nMessage-ID: <first@test>\r\n\r\nhello\n.\n{smuggled}.\r\n").encode()
    with socket.create_connection(("127.0.0.1", d.port), timeout=10) as s:
        buf = bytearray()
        _read_reply(s, buf)
        for cmd in (
            b"EHLO x\r\n",
            f"MAIL FROM:<{SENDER}>\r\n".encode(),
            f"RCPT TO:<{INCOMING}>\r\n".encode(),
            b"DATA\r\n",
        ):
            s.sendall(cmd)
            _read_reply(s, buf)
        s.sendall(data)
        assert _read_reply(s, buf).startswith(b"250")
        s.sendall(b"QUIT\r\n")
        _read_reply(s, buf)
    docs = d.wait_for(lambda docs: len(docs) >= 1)
    assert d.stop() == 0
    store = d.store()
    try:
        assert store.message_count() == 1
        raw = store.blobs.get(docs[0].message_sha256)
    finally:
        store.close()
    assert b"smuggled@test" in raw  # it stayed inside the first message's body
    assert [doc.deliveries[0].message_id for doc in docs] == ["first@test"]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.mktemp("tls"), "localhost")


def test_starttls_injection_is_not_acted_on(
    daemon_factory: Callable[..., Daemon], tls_files: tuple[Path, Path]
) -> None:
    cert, key = tls_files
    d = daemon_factory(smtp_extra=f'tls_cert = "{cert}"\ntls_key = "{key}"').start()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", d.port), timeout=10) as raw_sock:
        buf = bytearray()
        _read_reply(raw_sock, buf)
        raw_sock.sendall(b"EHLO x\r\n")
        assert b"STARTTLS" in _read_reply(raw_sock, buf)
        raw_sock.sendall(b"STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n")  # one packet
        assert _read_reply(raw_sock, buf).startswith(b"220")
        with context.wrap_socket(raw_sock, server_hostname="localhost") as s:
            tls_buf = bytearray()
            s.sendall(b"EHLO x\r\n")
            first = _read_reply(s, tls_buf)
            assert first.startswith(b"250-"), first  # not the reply to an injected MAIL
            s.sendall(b"RCPT TO:<firma.dosle@doklady.example.sk>\r\n")
            assert _read_reply(s, tls_buf).startswith(b"503")  # no MAIL was accepted


def test_require_tls_refuses_mail_before_starttls(
    daemon_factory: Callable[..., Daemon], tls_files: tuple[Path, Path]
) -> None:
    cert, key = tls_files
    d = daemon_factory(
        smtp_extra=f'tls_cert = "{cert}"\ntls_key = "{key}"\nrequire_tls = true'
    ).start()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP("127.0.0.1", d.port) as c:
        c.ehlo()
        assert c.docmd("MAIL", f"FROM:<{SENDER}>")[0] == 530
        c.starttls(context=context)
        c.ehlo()
        assert c.sendmail(SENDER, [INCOMING], _invoice_eml(4)) == {}
    d.wait_for(lambda docs: len(docs) == 1)


def test_session_limits_and_long_lines(daemon_factory: Callable[..., Daemon]) -> None:
    d = daemon_factory(smtp_extra="max_sessions_per_ip = 2").start()
    a = smtplib.SMTP("127.0.0.1", d.port)
    b = smtplib.SMTP("127.0.0.1", d.port)
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        smtplib.SMTP("127.0.0.1", d.port)
    assert refused.value.smtp_code == 421
    b.quit()
    long_line = b"X-Long: " + b"a" * 10_000 + b"\r\n"
    assert (
        a.sendmail(
            SENDER,
            [INCOMING],
            b"Subject: long\r\nMessage-ID: <long@test>\r\n" + long_line + b"\r\nbody\r\n",
        )
        == {}
    )
    with pytest.raises(smtplib.SMTPDataError) as too_long:
        a.sendmail(SENDER, [INCOMING], b"Subject: huge line\r\n\r\n" + b"b" * 1_000_000 + b"\r\n")
    assert too_long.value.smtp_code == 500
    a.quit()
    with smtplib.SMTP("127.0.0.1", d.port) as c:  # still alive
        assert c.noop()[0] == 250
    docs = d.wait_for(lambda docs: len(docs) == 1)
    assert docs[0].deliveries[0].message_id == "long@test"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_exits_0_and_replays_the_spool(
    daemon_factory: Callable[..., Daemon], sig: int
) -> None:
    d = daemon_factory().start()
    with smtplib.SMTP("127.0.0.1", d.port) as c:
        for i in range(5):
            assert c.sendmail(SENDER, [INCOMING], _invoice_eml(10 + i)) == {}
    assert d.stop(sig) == 0
    d.start()
    docs = d.wait_for(lambda docs: len(docs) == 5)
    assert d.stop() == 0
    assert d.spooled() == 0
    assert len({doc.id for doc in docs}) == 5


def test_systemd_unit_verifies() -> None:
    unit = ROOT / "systemd" / "podatelna.service"
    text = unit.read_text()
    for directive in (
        "ProtectSystem=strict",
        "ReadWritePaths=",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "ProtectHome=yes",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "KillSignal=SIGTERM",
        "Restart=on-failure",
    ):
        assert directive in text
    if not Path("/usr/bin/systemd-analyze").exists():
        pytest.skip("systemd-analyze is not installed")
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [
        line
        for line in proc.stderr.splitlines()
        if "podatelna.service" in line and "Command" not in line and "not executable" not in line
    ]
    assert problems == [], proc.stderr


def test_a_slow_upload_is_not_cut_off_but_a_silent_client_is(
    daemon_factory: Callable[..., Daemon],
) -> None:
    """The idle limit (here 2 s) counts silence, not the length of a DATA that keeps flowing."""
    d = daemon_factory(smtp_extra="command_timeout = 2").start()
    raw = _invoice_eml(3)
    with socket.create_connection(("127.0.0.1", d.port), timeout=10) as s:
        f = s.makefile("rb")
        assert f.readline().startswith(b"220")
        for command in (
            b"EHLO slow.example",
            f"MAIL FROM:<{SENDER}>".encode(),
            f"RCPT TO:<{INCOMING}>".encode(),
            b"DATA",
        ):
            s.sendall(command + b"\r\n")
            while (line := f.readline())[3:4] == b"-":
                pass
            assert line[:1] in (b"2", b"3"), line
        started = time.monotonic()
        chunks = [raw[i : i + len(raw) // 12 + 1] for i in range(0, len(raw), len(raw) // 12 + 1)]
        for chunk in chunks:  # ~6 s in all, never silent for more than 0.5 s
            s.sendall(chunk)
            time.sleep(0.5)
        s.sendall(b".\r\n" if raw.endswith(b"\r\n") else b"\r\n.\r\n")
        assert f.readline().startswith(b"250")
        assert time.monotonic() - started > 5
        s.sendall(b"NOOP\r\n")
        assert f.readline().startswith(b"250")
        time.sleep(3.5)  # silent past the limit: the server hangs up
        assert f.readline()[:3] in (b"421", b"")
    assert (
        d.wait_for(lambda docs: len(docs) == 1)[0].message_sha256 == hashlib.sha256(raw).hexdigest()
    )
