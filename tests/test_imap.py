"""IMAP polling against a real Dovecot: round trip, volume, server and daemon crashes,
UIDVALIDITY change, wrong password, and the same attachment by SMTP and IMAP."""

from __future__ import annotations

import asyncio
import json
import smtplib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from daemon.config import load_settings
from daemon.imap import Poller
from daemon.reading import ReadMessage
from daemon.runner import Processor
from daemon.spool import Spool
from daemon.workers import WorkerPool
from storage.blobs import BlobStore
from storage.store import Store
from tests.conftest import Daemon, config_text
from tests.docgen import INCOMING, LAYOUTS, build_eml, make_doc
from tests.dovecot import Dovecot


def _plain(i: int, prefix: str = "imap") -> bytes:
    return build_eml(INCOMING, [], message_id=f"{prefix}-{i}@test", subject=f"správa {i}")


def _invoice(seed: int) -> bytes:
    doc = make_doc(seed)
    return build_eml(
        INCOMING,
        [(f"faktura-{seed}.pdf", LAYOUTS["cz_stacked"](doc), "application/pdf")],
        message_id=f"inv-{seed}@test",
        subject=f"Faktura {seed}",
    )


def _ids(d: Daemon) -> list[str]:
    return [dl.message_id or "" for doc in d.documents() for dl in doc.deliveries]


def test_round_trip_and_move(daemon_factory: Callable[..., Daemon], dovecot: Dovecot) -> None:
    dovecot.append([_invoice(1), _invoice(2), _plain(3)])
    d = daemon_factory(extra=dovecot.account()).start()
    docs = d.wait_for(lambda docs: len(docs) == 3)
    assert {doc.deliveries[0].channel for doc in docs} == {"imap"}
    invoices = [doc for doc in docs if doc.doc_type == "invoice"]
    assert len(invoices) == 2 and all(doc.status == "accepted" for doc in invoices)
    deadline = time.monotonic() + 20
    while dovecot.count("INBOX") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (0, 3)
    assert d.stop() == 0
    assert any(e["event"] == "imap_polled" and e.get("fetched") == 3 for e in d.events())
    status = {s.account: s for s in d.store().imap_status()}
    assert status["main"].fetched == 3 and status["main"].last_success is not None


@pytest.mark.slow
def test_1500_messages_all_stored_once(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    dovecot.append([_plain(i) for i in range(1500)])
    d = daemon_factory(extra=dovecot.account()).start()
    d.wait_for(lambda docs: len(docs) >= 1500, timeout=300)
    assert d.stop() == 0
    ids = _ids(d)
    assert len(ids) == 1500 and len(set(ids)) == 1500
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (0, 1500)


@pytest.mark.slow
def test_server_killed_mid_poll(daemon_factory: Callable[..., Daemon], dovecot: Dovecot) -> None:
    dovecot.append([_plain(i, "k") for i in range(250)])
    d = daemon_factory(extra=dovecot.account()).start()
    d.wait_for(lambda docs: len(docs) >= 50, timeout=120)
    dovecot.kill()
    time.sleep(2)
    dovecot.start()  # same port, same Maildir
    docs = d.wait_for(lambda docs: len(docs) >= 250, timeout=180)
    deadline = time.monotonic() + 30
    while dovecot.count("INBOX") and time.monotonic() < deadline:
        time.sleep(0.3)
    assert d.stop() == 0
    ids = [dl.message_id for doc in docs for dl in doc.deliveries]
    assert sorted(set(ids)) == sorted(f"k-{i}@test" for i in range(250))
    assert len(docs) == 250  # nothing twice
    assert dovecot.count("INBOX") == 0
    events = [e["event"] for e in d.events()]
    assert "imap_poll_failed" in events and "imap_recovered" in events


@pytest.mark.slow
def test_daemon_killed_mid_poll(daemon_factory: Callable[..., Daemon], dovecot: Dovecot) -> None:
    total = 250  # killed after 80: more than one ACK_BATCH stored before, the rest after
    dovecot.append([_plain(i, "c") for i in range(total)])
    d = daemon_factory(extra=dovecot.account()).start()
    violations: list[tuple[int, int]] = []
    stop = threading.Event()

    def watch() -> None:  # moved out of INBOX must never exceed stored
        while not stop.is_set():
            moved = dovecot.count("Processed")
            stored = len(d.documents())
            if moved > stored:
                violations.append((moved, stored))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        d.wait_for(lambda docs: len(docs) >= 80, timeout=120)
        d.kill()
        d.start()
        d.wait_for(lambda docs: len(docs) >= total, timeout=180)
        deadline = time.monotonic() + 30
        while dovecot.count("INBOX") and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        stop.set()
        watcher.join()
    assert d.stop() == 0
    assert violations == []
    ids = _ids(d)
    assert len(ids) == total and len(set(ids)) == total
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (0, total)


def test_uidvalidity_change_makes_no_second_documents(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    conn = dovecot.client()
    conn.create("Doklady")
    conn.logout()
    messages = [_invoice(5), _plain(6)]
    dovecot.append(messages, "Doklady")
    d = daemon_factory(extra=dovecot.account(folder="Doklady", processed=None)).start()
    d.wait_for(lambda docs: len(docs) == 2)
    conn = dovecot.client()
    assert (
        conn.delete("Doklady")[0] == "OK" and conn.create("Doklady")[0] == "OK"
    )  # new UIDVALIDITY
    conn.logout()
    dovecot.append(messages, "Doklady")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sum(len(doc.deliveries) for doc in d.documents()) < 4:
        time.sleep(0.2)
    docs = d.documents()
    assert d.stop() == 0
    assert len(docs) == 2  # the rescan found the same bytes: deliveries, not documents
    assert sorted(len(doc.deliveries) for doc in docs) == [2, 2]
    assert dovecot.count("Doklady") == 2  # no processed folder: left in place, flagged \\Seen


def test_wrong_password_does_not_stop_other_accounts(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    dovecot.append([_plain(1, "good")])
    accounts = dovecot.account("good") + dovecot.account(
        "bad", folder="INBOX", password="zle-heslo"
    )
    d = daemon_factory(extra=accounts).start()
    d.wait_for(lambda docs: len(docs) == 1)
    time.sleep(2)
    assert d.proc is not None and d.proc.poll() is None  # no crash
    assert d.stop() == 0
    failures = [e for e in d.events() if e["event"] == "imap_poll_failed"]
    assert failures and all(e["imap_account"] == "bad" for e in failures)
    assert "LOGIN refused" in str(failures[0]["error"])
    assert d.non_json_lines() == []
    assert "zle-heslo" not in d.log_path.read_text()
    report = json.loads(d.cli.run("report", "--format", "json").stdout)
    status = {a["name"]: a for a in report["imap"]}
    assert status["bad"]["errors"] >= 1 and status["bad"]["last_success"] is None
    assert "LOGIN refused" in status["bad"]["last_error"]
    assert status["good"]["errors"] == 0 and status["good"]["fetched"] == 1
    assert status["good"]["last_success"].endswith("Z")


def test_same_attachment_by_smtp_and_imap_is_one_document(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    pdf = LAYOUTS["sk_columns"](make_doc(77))
    by_smtp = build_eml(INCOMING, [("f.pdf", pdf, "application/pdf")], message_id="via-smtp@test")
    by_imap = build_eml(
        INCOMING,
        [("faktura.pdf", pdf, "application/pdf")],
        message_id="via-imap@test",
        subject="Fwd: faktúra",
    )
    d = daemon_factory(extra=dovecot.account(address=INCOMING)).start()
    with smtplib.SMTP("127.0.0.1", d.port) as c:
        c.sendmail("a@b.example", [INCOMING], by_smtp)
    d.wait_for(lambda docs: len(docs) == 1)
    dovecot.append([by_imap])
    docs = d.wait_for(lambda docs: len(docs) == 1 and len(docs[0].deliveries) == 2)
    assert [(dl.channel, dl.message_id) for dl in docs[0].deliveries] == [
        ("smtp", "via-smtp@test"),
        ("imap", "via-imap@test"),
    ]


def test_too_large_message_stays_on_the_server(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    big = build_eml(
        INCOMING,
        [("scan.bin", b"\x00" * 300_000, "application/octet-stream")],
        message_id="big@test",
    )
    dovecot.append([big, _plain(1, "small")])
    d = daemon_factory(smtp_extra="max_message_bytes = 200000", extra=dovecot.account()).start()
    docs = d.wait_for(lambda docs: len(docs) == 2)
    flagged = [doc for doc in docs if "message_too_large" in doc.flags]
    assert len(flagged) == 1 and flagged[0].status == "needs_review"
    assert flagged[0].deliveries[0].message_id == "big@test"
    time.sleep(1.5)
    assert d.stop() == 0
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (1, 1)


def test_idle_picks_up_new_mail_within_seconds(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    d = daemon_factory(
        extra=dovecot.account(poll_seconds=300)
    ).start()  # polls alone would take 5 minutes
    ready = {"imap_idle_started", "imap_polled"}  # IDLE is waiting and the first poll is done
    deadline = time.monotonic() + 30
    while not ready <= {str(e["event"]) for e in d.events()} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ready <= {str(e["event"]) for e in d.events()}
    started = time.monotonic()
    dovecot.append([_invoice(9)])
    d.wait_for(lambda docs: len(docs) == 1, timeout=20)
    assert time.monotonic() - started < 10
    assert d.stop() == 0
    assert dovecot.count("Processed") == 1
    # Stopping ends IDLE (DONE) before LOGOUT: a server in IDLE answers nothing else, so the
    # daemon used to wait out its LOGOUT timeout and drop the connection mid-IDLE.
    sessions = [
        line for line in dovecot.log().splitlines() if "imap(" in line and "Disconnected" in line
    ]
    assert sessions and all("Logged out" in line for line in sessions), sessions


def test_tls_starttls_and_a_tls_mismatch(
    daemon_factory: Callable[..., Daemon], tls_dovecot: Dovecot
) -> None:
    tls_dovecot.append([_plain(1, "tls")])
    accounts = (
        tls_dovecot.account("implicit", security="tls", port=tls_dovecot.tls_port, processed=None)
        + tls_dovecot.account("upgraded", security="starttls", processed=None)
        + tls_dovecot.account(
            "mismatch", security="tls", processed=None
        )  # TLS spoken to the plain port
    )
    d = daemon_factory(extra=accounts)
    assert tls_dovecot.tls is not None
    d.env["SSL_CERT_FILE"] = str(tls_dovecot.tls[0])
    d.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = {s.account: s for s in d.store().imap_status()}
        if {"implicit", "upgraded"} <= {
            a for a, s in status.items() if s.last_success
        } and "mismatch" in status:
            break
        time.sleep(0.3)
    assert d.stop() == 0
    status = {s.account: s for s in d.store().imap_status()}
    assert status["implicit"].last_success and status["upgraded"].last_success
    assert (status["implicit"].fetched, status["upgraded"].fetched) == (
        1,
        1,
    )  # left in INBOX, fetched once
    assert status["mismatch"].last_success is None and status["mismatch"].errors >= 1
    failures = [e for e in d.events() if e["event"] == "imap_poll_failed"]
    assert failures and {e["imap_account"] for e in failures} == {"mismatch"}
    assert (
        len(d.documents()) == 1 and len(d.documents()[0].deliveries) == 2
    )  # same message, two accounts


def test_messages_left_in_place_are_fetched_once(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    """Without a processed folder messages stay (flagged \\Seen); progress per (account, folder,
    UIDVALIDITY, UID) is recorded with the message, so later polls do not download them again."""
    dovecot.append([_plain(1, "stay"), _plain(2, "stay")])
    d = daemon_factory(extra=dovecot.account(processed=None, poll_seconds=1)).start()
    deadline = time.monotonic() + 20
    while (
        sum(1 for e in d.events() if e["event"] == "imap_polled") < 4
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert d.stop() == 0
    polled = [e["fetched"] for e in d.events() if e["event"] == "imap_polled"]
    assert len(polled) >= 4 and sum(polled) == 2  # type: ignore[arg-type]
    store = d.store()
    try:
        assert store.imap_status()[0].fetched == 2
        with store.engine.connect() as conn:
            from sqlalchemy import text

            assert conn.execute(text("SELECT count(*) FROM imap_progress")).scalar() == 2
    finally:
        store.close()
    assert dovecot.count("INBOX") == 2


def test_processed_folder_missing_on_the_server_is_created(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    dovecot.append([_plain(1, "new-folder"), _plain(2, "new-folder")])
    d = daemon_factory(extra=dovecot.account(processed="Spracovane/2025")).start()
    d.wait_for(lambda docs: len(docs) == 2)
    deadline = time.monotonic() + 20
    while dovecot.count("INBOX") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert d.stop() == 0
    assert (dovecot.count("INBOX"), dovecot.count("Spracovane/2025")) == (0, 2)
    assert not [e for e in d.events() if e["event"] == "imap_poll_failed"]


def test_imap_message_for_no_company_is_kept(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    """Contract: IMAP cannot refuse, so a message for no company is a needs_review item."""
    stray = build_eml("someone@elsewhere.example", [], message_id="stray@imap", subject="?")
    dovecot.append([stray])
    d = daemon_factory(extra=dovecot.account()).start()
    [doc] = d.wait_for(lambda docs: len(docs) == 1)
    assert d.stop() == 0
    assert doc.company is None and doc.status == "needs_review"
    assert set(doc.flags) == {"unknown_recipient", "no_document"}
    assert (
        doc.deliveries[0].channel == "imap"
        and doc.deliveries[0].recipient == "someone@elsewhere.example"
    )


class _PoisonPool(WorkerPool):
    """Reads every message but one, which fails as a bug in reading it would, every time.
    Its retries wait for `retries` to be set: until then it is surely still in the spool,
    however slowly the test's own steps run on a loaded machine."""

    poisoned = 0
    retries = threading.Event()

    def read_message(self, files: Path, sha256: str) -> ReadMessage:
        if b"poison@test" in BlobStore(files).get(sha256):
            if self.poisoned:
                self.retries.wait(60)
            self.poisoned += 1
            raise RuntimeError("a bug met this message")
        return super().read_message(files, sha256)


def test_a_poison_message_is_kept_after_max_attempts_and_the_mail_behind_it_is_stored(
    tmp_path: Path, dovecot: Dovecot
) -> None:
    poison = build_eml(INCOMING, [], message_id="poison@test", subject="poison")
    dovecot.append([_invoice(41), poison, _invoice(42)])
    config = tmp_path / "config.toml"
    config.write_text(
        config_text(f"sqlite:///{tmp_path / 'inbox.sqlite3'}", tmp_path / "files")
        + dovecot.account(poll_seconds=60)
    )
    settings = load_settings(config)
    store = Store.open(settings.storage.database, settings.storage.files)
    spool = Spool(settings.storage.spool, store.blobs)
    spool.ensure()
    pool = _PoisonPool(1, 30, 1024, 50)
    pool.retries = threading.Event()
    pool.start()
    processor = Processor(settings, store, spool, pool, retry_delays=(0.5,))
    poller = Poller(settings.imap[0], settings, store, processor)

    async def go() -> None:
        runner = asyncio.create_task(processor.run())
        await poller.poll_safely()  # the two invoices stored and moved; the poison waits
        assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (1, 2)
        assert spool.holds(f"imap:main:INBOX:{_uidvalidity(dovecot)}:2")
        await poller.poll_safely()  # in the spool, being retried: not fetched again
        assert dovecot.count("Processed") == 2 and pool.poisoned <= 2
        pool.retries.set()
        await asyncio.wait_for(processor.idle.wait(), 60)
        await poller.poll_safely()  # now kept for a person: moved like the others
        processor.stop()
        await runner

    try:
        asyncio.run(go())
        docs = store.documents()
    finally:
        pool.retries.set()
        pool.close()
        spool.close()
        store.close()
    assert pool.poisoned == settings.processing.max_attempts
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (0, 3)
    assert spool.pending() == []
    by_id = {doc.deliveries[0].message_id: doc for doc in docs}
    assert sorted(by_id) == ["inv-41@test", "inv-42@test", "poison@test"]
    assert by_id["poison@test"].status == "needs_review"
    assert by_id["poison@test"].flags == ("processing_failed",)
    assert all(by_id[m].status == "accepted" for m in ("inv-41@test", "inv-42@test"))
    assert all(len(doc.deliveries) == 1 for doc in docs)


def _uidvalidity(dovecot: Dovecot) -> int:
    client = dovecot.client()
    try:
        client.select("INBOX")
        _, data = client.response("UIDVALIDITY")
        return int(data[0])
    finally:
        client.logout()
