"""Two writers storing the same document at the same moment end with one document and two
deliveries (constraints, not checks, decide), on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
from decimal import Decimal
from pathlib import Path

from daemon.config import load_settings
from daemon.intake import Source, intake
from daemon.spool import SmtpOrigin
from storage.store import Store
from tests.conftest import config_text
from tests.docgen import INCOMING, LAYOUTS, Item, build_eml, make_doc, to_ubl


def _race(config: Path, messages: list[bytes], writers: int = 2) -> Store:
    settings = load_settings(config)
    stores = [Store.open(settings.storage.database, settings.storage.files) for _ in range(writers)]
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(store: Store, raw: bytes) -> None:
        try:
            barrier.wait()
            intake(
                store,
                settings,
                raw,
                Source.fresh(SmtpOrigin("a@b.example", (INCOMING,))),
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(s, m)) for s, m in zip(stores, messages, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores[1:]:
        s.close()
    assert errors == []
    return stores[0]


def test_same_document_at_once_is_one_document(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(config_text(database_url, tmp_path / "files"))
    pdf = LAYOUTS["sk_columns"](make_doc(3))
    messages = [
        build_eml(INCOMING, [("f.pdf", pdf, "application/pdf")], message_id=f"race-{i}@test")
        for i in range(2)
    ]
    for _ in range(3):  # several rounds: the race must be lost cleanly every time
        store = _race(config, messages)
        docs = store.documents()
        store.close()
        assert len(docs) == 1
    assert {d.message_id for d in docs[0].deliveries} == {"race-0@test", "race-1@test"}
    assert len(docs[0].deliveries) == 6


def test_two_versions_at_once_one_is_the_edit(database_url: str, tmp_path: Path) -> None:
    """Four writers, each round a new number: every round one original and one edit per pair."""
    config = tmp_path / "c.toml"
    config.write_text(config_text(database_url, tmp_path / "files"))
    for rnd in range(10):
        v1 = make_doc(40 + rnd, number=f"20250{rnd:02d}4")
        v2 = dataclasses.replace(
            v1, items=(*v1.items, Item("Navyše", Decimal(1), Decimal("10.00"), 23))
        )
        messages = [
            build_eml(
                INCOMING,
                [("f.xml", to_ubl(v), "application/xml")],
                message_id=f"v{i}-{rnd}-{copy}@t",
            )
            for copy in range(2)
            for i, v in enumerate((v1, v2))
        ]
        store = _race(config, messages, writers=4)
        docs = [d for d in store.documents() if d.fields["number"] == v1.number]
        store.close()
        assert sorted(d.status for d in docs) == ["accepted", "edited_after_issue"], rnd
        edit = next(d for d in docs if d.status == "edited_after_issue")
        original = next(d for d in docs if d.status == "accepted")
        assert edit.original_id == original.id
        assert len(edit.deliveries) == len(original.deliveries) == 2


def test_credit_note_and_its_invoice_at_once_are_linked(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(config_text(database_url, tmp_path / "files"))
    for rnd in range(10):
        invoice = make_doc(60 + rnd, number=f"20261{rnd:02d}")
        credit = dataclasses.replace(
            make_doc(80 + rnd, doc_type="credit_note", supplier=invoice.supplier),
            number=f"D20261{rnd:02d}",
            refers_to=invoice.number,
        )
        messages = [
            build_eml(
                INCOMING, [("f.xml", to_ubl(d), "application/xml")], message_id=f"{i}-{rnd}@t"
            )
            for i, d in enumerate((invoice, credit))
        ]
        store = _race(config, messages)
        docs = {d.fields["number"]: d for d in store.documents()}
        store.close()
        inv, cn = docs[invoice.number], docs[credit.number]
        assert cn.id in inv.related_ids and inv.id in cn.related_ids, rnd
