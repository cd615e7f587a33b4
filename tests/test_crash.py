"""Crash tests: the daemon as a real process, killed (SIGKILL) or stopped (SIGTERM) while
clients are sending. Every message acknowledged with 250 must end in the inbox exactly once."""

from __future__ import annotations

import contextlib
import random
import signal
import smtplib
import sqlite3
import threading
import time
from collections.abc import Callable

import pytest

from tests.conftest import Daemon
from tests.docgen import INCOMING

SENDER = "crash@dodavatel.example"


def _message(mid: str) -> bytes:
    return (
        f"From: {SENDER}\r\nTo: {INCOMING}\r\nSubject: crash test\r\nMessage-ID: <{mid}>\r\n\r\n"
        + "x" * 75
        + "\r\n"
    ).encode() * 1


def _send_all(
    port: int,
    ids: list[str],
    connections: int,
    acked: set[str],
    on_ack: Callable[[int], None] | None = None,
) -> None:
    queue = list(ids)
    lock = threading.Lock()

    def worker() -> None:
        conn: smtplib.SMTP | None = None
        while True:
            with lock:
                if not queue:
                    break
                mid = queue.pop()
            try:
                if conn is None:
                    conn = smtplib.SMTP("127.0.0.1", port, timeout=10)
                conn.sendmail(SENDER, [INCOMING], _message(mid))
                with lock:
                    acked.add(mid)
                    n = len(acked)
                if on_ack:
                    on_ack(n)
            except (smtplib.SMTPException, OSError):
                if conn is not None:
                    conn.close()
                conn = None  # not acknowledged; the server may be gone
        if conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                conn.quit()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _message_ids_per_document(d: Daemon) -> list[set[str]]:
    return [{dl.message_id or "" for dl in doc.deliveries} for doc in d.documents()]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_loses_no_acknowledged_message(
    daemon_factory: Callable[..., Daemon], seed: int
) -> None:
    rnd = random.Random(seed)
    d = daemon_factory().start()
    ids = [f"crash-{seed}-{i}@test" for i in range(300)]
    kill_after = rnd.randint(30, 240)
    acked: set[str] = set()
    killed = threading.Event()

    def on_ack(n: int) -> None:
        if n >= kill_after and not killed.is_set():
            killed.set()
            assert d.proc is not None
            d.proc.send_signal(signal.SIGKILL)

    _send_all(d.port, ids, 4, acked, on_ack)
    assert killed.is_set()
    d.stop(signal.SIGKILL)
    d.start()
    # what a real MTA does: resend everything not acknowledged
    again: set[str] = set()
    _send_all(d.port, [i for i in ids if i not in acked], 4, again)
    assert again | acked == set(ids)
    docs_ids = d.wait_for(lambda docs: len(docs) >= len(ids), timeout=120)
    assert d.stop() == 0
    per_doc = [{dl.message_id for dl in doc.deliveries} for doc in docs_ids]
    seen = [mid for ids_ in per_doc for mid in ids_]
    assert len(per_doc) == len(ids)  # exactly one document per message
    assert sorted(set(seen)) == sorted(ids)
    for mid in acked:
        assert sum(mid in s for s in per_doc) == 1


@pytest.mark.slow
def test_sigterm_with_messages_in_flight(daemon_factory: Callable[..., Daemon]) -> None:
    d = daemon_factory().start()
    ids = [f"term-{i}@test" for i in range(400)]
    acked: set[str] = set()
    stopped: dict[str, int] = {}

    def on_ack(n: int) -> None:
        if n == 100:
            assert d.proc is not None
            d.proc.send_signal(signal.SIGTERM)

    _send_all(d.port, ids, 4, acked, on_ack)
    stopped["rc"] = d.stop(timeout=30)
    assert stopped["rc"] == 0
    assert len(acked) >= 100
    events = [e["event"] for e in d.events()]
    assert "daemon_stopping" in events and "daemon_stopped" in events
    d.start()
    docs = d.wait_for(lambda docs: len(docs) >= len(acked), timeout=120)
    assert d.stop() == 0
    stored = {dl.message_id for doc in docs for dl in doc.deliveries}
    assert acked <= stored


def _kill_at(d: Daemon, inside: bool, limit: float = 30) -> bool:
    """SIGKILL `d` inside one of its batch transactions (seen as SQLite's write lock held by
    it) or between two (this test holding the write lock, so no batch can be under way).
    False if the moment did not come within `limit` seconds."""
    path = d.database.removeprefix("sqlite:///")
    deadline = time.monotonic() + limit
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        while time.monotonic() < deadline:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # the daemon is writing now
                if inside:
                    assert d.proc is not None
                    d.proc.send_signal(signal.SIGKILL)
                    return True
                continue
            try:
                if not inside:
                    assert d.proc is not None
                    d.proc.send_signal(signal.SIGKILL)
                    d.proc.wait()
                    return True
            finally:
                conn.execute("ROLLBACK")
            time.sleep(0.001)
        return False
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_inside_and_between_batched_commits(daemon_factory: Callable[..., Daemon]) -> None:
    """Nothing acknowledged is lost, nothing is stored twice, wherever a batch is cut off."""
    d = daemon_factory().start()
    ids = [f"batch-{i}@test" for i in range(900)]
    acked: set[str] = set()
    found = []
    for round_, inside in enumerate((True, False, True, False)):
        part = ids[round_ * 150 : (round_ + 1) * 150]
        sender = threading.Thread(target=_send_all, args=(d.port, part, 4, acked))
        sender.start()
        found.append(_kill_at(d, inside))
        sender.join()
        d.stop(signal.SIGKILL)
        d.start()
    assert found == [True] * 4, "never found the daemon inside / between batches"
    # what a real MTA does: resend everything not acknowledged
    again: set[str] = set()
    _send_all(d.port, [i for i in ids if i not in acked], 4, again)
    assert again | acked == set(ids)
    docs = d.wait_for(lambda docs: len(docs) >= len(ids), timeout=180)
    assert d.stop() == 0
    per_doc = _message_ids_per_document(d)
    assert len(docs) == len(ids) and all(len(s) == 1 for s in per_doc)  # one each, no doubles
    assert sorted(mid for s in per_doc for mid in s) == sorted(ids)
    # an acknowledged message is one delivery; one cut off before its 250 may be two (resent)
    assert all(len(doc.deliveries) == 1 for doc in docs if doc.deliveries[0].message_id in acked)
    assert d.spooled() == 0
