"""Failures inside the daemon never lose or drop a message: 451 so the sender retries,
a hostile PDF costs a worker not the daemon, a message that keeps failing is quarantined."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF

from daemon.config import Settings, SmtpSettings, load_settings
from daemon.reading import ReadMessage
from daemon.runner import Processor
from daemon.smtp import Gate, Handler, start_server
from daemon.spool import Origin, SmtpOrigin, Spool, SpoolEntry
from daemon.workers import WorkerPool
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.vocab import Flag
from storage.blobs import BlobStore
from storage.store import Store
from tests.conftest import config_text, free_port
from tests.docgen import INCOMING, LAYOUTS, build_eml, make_doc


class FlakySpool(Spool):
    """The storage step fails the first `failures` times (disk full)."""

    def __init__(self, root: Path, blobs: BlobStore, failures: int) -> None:
        super().__init__(root, blobs)
        self.failures = failures

    def put(self, raw: bytes, origin: Origin, *args: object, **kwargs: object) -> SpoolEntry:
        if self.failures > 0:
            self.failures -= 1
            raise OSError(28, "No space left on device")
        return super().put(raw, origin, *args, **kwargs)  # type: ignore[arg-type]


async def test_storage_failure_answers_451_then_retry_gets_250(tmp_path: Path) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), hostname="test.local")
    spool = FlakySpool(tmp_path / "spool", BlobStore(tmp_path / "files"), failures=1)
    spool.ensure()
    gate = Gate(settings)
    queued: list[SpoolEntry] = []
    book = load_settings(_config(tmp_path)).address_book
    server = await start_server(settings, Handler(settings, book, spool, gate, queued.append), gate)
    raw = build_eml(INCOMING, [], message_id="retry@test")

    def send() -> tuple[int, int]:
        with smtplib.SMTP("127.0.0.1", settings.port) as c:
            c.ehlo()
            c.mail("a@b.example")
            c.rcpt(INCOMING)
            first, reply = c.data(raw)
            assert b"Traceback" not in reply and b"No space" not in reply
            c.rset()
            c.mail("a@b.example")
            c.rcpt(INCOMING)
            return first, c.data(raw)[0]

    try:
        assert await asyncio.to_thread(send) == (451, 250)
    finally:
        server.close()
        await server.wait_closed()
    assert len(queued) == 1 and spool.blobs.get(queued[0].sha256) == raw


class _BrokenBook:
    def lookup(self, address: str) -> object:
        raise RuntimeError("a bug in a hook")


async def test_an_exception_in_a_hook_is_answered_451_never_500(tmp_path: Path) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), hostname="test.local")
    spool = Spool(tmp_path / "spool", BlobStore(tmp_path / "files"))
    spool.ensure()
    gate = Gate(settings)
    handler = Handler(settings, _BrokenBook(), spool, gate, lambda _e: None)  # type: ignore[arg-type]
    server = await start_server(settings, handler, gate)

    def send() -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", settings.port) as c:
            c.ehlo()
            c.mail("a@b.example")
            return c.rcpt(INCOMING)

    try:
        code, reply = await asyncio.to_thread(send)
    finally:
        server.close()
        await server.wait_closed()
    assert (code, reply) == (451, b"4.3.0 Local error in processing, try again later")
    assert spool.pending() == []


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(config_text(f"sqlite:///{tmp_path / 'inbox.sqlite3'}", tmp_path / "files"))
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(_config(tmp_path))


@pytest.fixture
def parts(settings: Settings) -> Iterator[tuple[Store, Spool]]:
    """The store and the spool of `settings`, as serve opens them."""
    store = Store.open(settings.storage.database, settings.storage.files)
    spool = Spool(settings.storage.spool, store.blobs)
    spool.ensure()
    yield store, spool
    store.close()


def _pdf_attachment(seed: int = 1) -> Attachment:
    data = LAYOUTS["sk_columns"](make_doc(seed))
    return Attachment(AttachmentKind.PDF, data, sha256_hex(data), "f.pdf", "application/pdf", "2")


def _long_pdf(pages: int) -> Attachment:
    doc = FPDF()
    doc.set_font("helvetica", size=8)
    for page in range(pages):
        doc.add_page()
        for line in range(60):
            doc.text(10, 10 + line * 4, f"Strana {page} riadok {line} " * 6)
    data = bytes(doc.output())
    return Attachment(
        AttachmentKind.PDF, data, sha256_hex(data), "long.pdf", "application/pdf", "2"
    )


def test_worker_pool_reads_and_survives_a_timeout() -> None:
    pool = WorkerPool(1, timeout=30, memory_mb=1024, max_pages=1000)
    pool.start()
    try:
        good = pool.extract_one(_pdf_attachment())
        assert good.fields.number is not None and good.problem is None
        pool.timeout = 0.05  # 400 dense pages take far longer: the worker is killed and replaced
        slow = pool.extract_one(_long_pdf(400))
        assert slow.fields.flags == (Flag.UNREADABLE_PDF,)
        assert slow.problem is not None and "gave up after 0.05 s" in slow.problem
        pool.timeout = 30
        again = pool.extract_one(_pdf_attachment(3))  # a fresh worker took over
        assert again.fields.number is not None
    finally:
        pool.close()


def test_a_document_its_worker_is_lost_on_costs_only_that_document(tmp_path: Path) -> None:
    """The message is read again by a fresh worker told to skip the document it was lost on."""
    blobs = BlobStore(tmp_path / "files")
    blobs.ensure()
    slow, good = _long_pdf(400), _pdf_attachment(2)
    raw = build_eml(
        INCOMING,
        [("slow.pdf", slow.data, "application/pdf"), ("good.pdf", good.data, "application/pdf")],
        message_id="two@test",
    )
    sha = blobs.put(raw)
    pool = WorkerPool(1, timeout=30, memory_mb=1024, max_pages=1000)
    pool.start()
    try:
        assert pool.extract_one(_pdf_attachment()).fields.number is not None  # warmed up
        pool.timeout = 0.5
        read = pool.read_message(blobs.root, sha)
    finally:
        pool.close()
    lost, kept = read.documents
    assert lost.fields.flags == (Flag.UNREADABLE_PDF,) and "gave up after 0.5 s" in (
        lost.problem or ""
    )
    assert kept.fields.number is not None and kept.problem is None
    assert read.headers.message_id == "two@test" and read.attachments == 2
    assert blobs.get(slow.sha256) == slow.data and blobs.get(good.sha256) == good.data


def test_worker_pool_survives_a_worker_dying() -> None:
    pool = WorkerPool(1, timeout=30, memory_mb=1024, max_pages=50)
    pool.start()
    try:
        victim = pool._all[0]
        victim.process.kill()
        victim.process.join()
        died = pool.extract_one(_pdf_attachment())
        assert died.fields.flags == (Flag.UNREADABLE_PDF,) and "worker died" in (died.problem or "")
        assert pool.extract_one(_pdf_attachment()).fields.number is not None
    finally:
        pool.close()


class _ExplodingPool(WorkerPool):
    """Every message fails as a bug or a worker lost in the MIME parsing would fail it."""

    calls = 0

    def read_message(self, files: object, sha256: str) -> ReadMessage:  # type: ignore[override]
        self.calls += 1
        raise RuntimeError("boom: a bug met a strange message")


def _smtp(raw: bytes, spool: Spool) -> SpoolEntry:
    return spool.put(raw, SmtpOrigin("a@b.example", (INCOMING,)), datetime.now(UTC))


def run_until_idle(processor: Processor, entries: list[SpoolEntry], limit: float = 60) -> None:
    """Run the runner on `entries` until each is finished for good, then stop it."""

    async def go() -> None:
        runner = asyncio.create_task(processor.run())
        for entry in entries:
            processor.submit(entry)
        await asyncio.wait_for(processor.idle.wait(), limit)
        processor.stop()
        await runner

    asyncio.run(go())


def test_message_failing_every_time_is_quarantined(
    settings: Settings, parts: tuple[Store, Spool]
) -> None:
    store, spool = parts
    pdf = LAYOUTS["sk_columns"](make_doc(1))
    raw = build_eml(INCOMING, [("f.pdf", pdf, "application/pdf")], message_id="poison@test")
    pool = _ExplodingPool(1, 1, 64, 1)
    processor = Processor(settings, store, spool, pool, retry_delays=(0.0,))
    run_until_idle(processor, [_smtp(raw, spool)])
    assert pool.calls == settings.processing.max_attempts  # tried, then kept: not forever
    assert spool.pending() == []
    docs = store.documents()
    assert len(docs) == 1
    assert docs[0].status == "needs_review" and docs[0].flags == ("processing_failed",)
    assert docs[0].deliveries[0].message_id == "poison@test"
    assert f"processing failed {settings.processing.max_attempts} times" in (docs[0].problem or "")
    assert store.blobs.get(sha256_hex(raw)) == raw  # the original is kept


def test_replayed_entry_is_not_a_second_delivery(
    settings: Settings, parts: tuple[Store, Spool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after the commit but before the spool file is removed: the replay is a no-op."""
    store, spool = parts
    raw = build_eml(
        INCOMING, [("f.pdf", LAYOUTS["en_grid"](make_doc(7)), "application/pdf")], message_id="r@t"
    )
    entry = _smtp(raw, spool)
    pool = WorkerPool(1, 30, 1024, 50)
    pool.start()
    try:
        with monkeypatch.context() as m:
            m.setattr(spool, "remove", lambda entries: list(entries))  # "crash" before removal
            run_until_idle(Processor(settings, store, spool, pool), [entry])
        [left] = spool.pending()
        assert left.attempts == 1
        run_until_idle(Processor(settings, store, spool, pool), [left])  # the replay
        docs = store.documents()
        assert len(docs) == 1 and len(docs[0].deliveries) == 1
        assert spool.pending() == []
    finally:
        pool.close()


def _pdf_bomb(inflated_mb: int) -> bytes:
    """A valid one-page PDF whose content stream inflates to `inflated_mb` MB of spaces."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = (
        b"".join(packer.compress(chunk) for _ in range(inflated_mb))
        + packer.compress(b"BT ET")
        + packer.flush()
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length "
        + str(len(body)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + body
        + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def test_decompression_bomb_is_contained_by_the_worker() -> None:
    bomb = _pdf_bomb(700)  # ~700 KB on the wire, 700 MB inflated
    assert len(bomb) < 2_000_000
    pool = WorkerPool(1, timeout=60, memory_mb=256, max_pages=5)
    pool.start()
    try:
        result = pool.extract_one(
            Attachment(
                AttachmentKind.PDF, bomb, sha256_hex(bomb), "bomb.pdf", "application/pdf", "2"
            )
        )
        # whatever PDFium does with it, the worker's limits hold and the answer is a flag
        assert (
            Flag.UNREADABLE_PDF in result.fields.flags or Flag.NO_TEXT_LAYER in result.fields.flags
        )
        after = pool.extract_one(_pdf_attachment(5))  # the pool still works
        assert after.fields.number is not None
    finally:
        pool.close()


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b'{"origin": {"kind": "imap", "account": "m", "folder": "INBOX", "uidvalidity": 1,'
        b' "uid": "7; DROP"}, "received_at": "2026-12-01T10:00:00+00:00", "intake_key": "k"}',
        b'{"origin": {"kind": "pop3"}, "received_at": "2026-12-01", "intake_key": "k"}',
    ],
)
def test_damaged_spool_entry_is_kept_for_a_person(
    settings: Settings, parts: tuple[Store, Spool], damage: bytes
) -> None:
    store, spool = parts
    raw = build_eml(INCOMING, [], message_id="damaged@test")
    entry = _smtp(raw, spool)
    entry.path.write_bytes(damage)  # the entry is damaged; the bytes are in the store
    pool = _ExplodingPool(1, 1, 64, 1)
    run_until_idle(Processor(settings, store, spool, pool), [entry])
    assert pool.calls == 0 and spool.pending() == []
    [doc] = store.documents()
    assert doc.status == "needs_review" and "processing_failed" in doc.flags
    assert doc.company == "35790326"  # routed by its To: header
    assert b"damaged@test" in store.blobs.get(doc.message_sha256)
    assert "spool entry damaged" in (doc.problem or "")


def test_one_message_failing_in_a_batch_takes_nothing_of_its_neighbours(
    settings: Settings, parts: tuple[Store, Spool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: a savepoint each. The failing message leaves no row at all (its message
    row rolled back with its documents); the others are committed in the same transaction."""
    import daemon.intake as intake_module
    from daemon.intake import Prepared, Source, commit, read_in_process

    store, _ = parts
    batch = []
    for seed in (11, 12, 13):
        raw = build_eml(
            INCOMING,
            [("f.pdf", LAYOUTS["sk_columns"](make_doc(seed)), "application/pdf")],
            message_id=f"batch-{seed}@test",
        )
        sha = store.blobs.put(raw)
        read = read_in_process(store, raw, 50)
        batch.append(
            Prepared(Source.fresh(SmtpOrigin("a@b.example", (INCOMING,))), sha, len(raw), read)
        )
    real = intake_module._store_document

    def failing(inbox, settings, message_sha, delivery, target, doc):  # type: ignore[no-untyped-def]
        if message_sha == batch[1].sha256:
            raise RuntimeError("a bug met this one")
        return real(inbox, settings, message_sha, delivery, target, doc)

    monkeypatch.setattr(intake_module, "_store_document", failing)
    outcomes = commit(store, settings, batch)
    assert isinstance(outcomes[1], RuntimeError)
    assert all(not isinstance(outcomes[i], Exception) for i in (0, 2))
    stored = {d.deliveries[0].message_id for d in store.documents()}
    assert stored == {"batch-11@test", "batch-13@test"}
    assert store.message_count() == 2  # nothing of the failed one, not even its message row
    monkeypatch.setattr(intake_module, "_store_document", real)
    [again] = commit(store, settings, [batch[1]])  # tried again later: stored once
    assert not isinstance(again, Exception) and len(store.documents()) == 3
