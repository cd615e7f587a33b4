"""The optional eKasa lookup against a local stand-in for the Financial Administration's
receipt service (the public internet is not reachable here): fields filled exactly, answers
cached, a slow or absent service leaves the document as read, off by default."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from daemon.config import ConfigError, EkasaSettings, load_settings
from daemon.ekasa import EkasaLookup
from parsers.extract import ExtractedDocument
from parsers.fields import ExtractedFields, as_contract
from parsers.mime import AttachmentKind
from parsers.vocab import DocType
from tests.conftest import Cli, config_text
from tests.docgen import RECEIPTS, build_eml, make_receipt, render_receipt
from tests.oauthstand import QuietHandler

RECEIPT = make_receipt(11)
EKASA_PATH = "/mdu/api/v1/opd/receipt/find"


def _record(doc: Any) -> dict[str, Any]:
    """The receipt as the service describes it (the "Over doklad" app's JSON)."""
    record: dict[str, Any] = {
        "receiptId": doc.receipt_id,
        "ico": doc.supplier.ico,
        "dic": doc.supplier.dic,
        "icDph": doc.supplier.ic_dph,
        "cashRegisterCode": "88812345678900001",
        "issueDate": doc.issue_date.strftime("%d.%m.%Y") + " 17:49:46",
        "receiptNumber": int(doc.number),
        "type": "PD",
        "totalPrice": float(doc.total()),
        "organization": {"name": doc.supplier.name, "ico": doc.supplier.ico, "vatPayer": True},
    }
    for kind, row in zip(("Basic", "Reduced", "Reduced2"), doc.vat_rows(), strict=False):
        record[f"taxBase{kind}"] = float(row["base"])
        record[f"vatAmount{kind}"] = float(row["vat"])
        record[f"vatRate{kind}"] = float(row["rate"])
    return record


class StandIn:
    """POST {"receiptId": …} → {"returnValue": 0, "receipt": {…}} for the receipts it knows."""

    def __init__(self, delay: float = 0.0) -> None:
        self.known = {RECEIPT.receipt_id: _record(RECEIPT)}
        self.hits: list[str] = []
        self.delay = delay
        stand_in = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.hits.append(body["receiptId"])
                time.sleep(stand_in.delay)
                receipt = stand_in.known.get(body["receiptId"])
                answer = {"returnValue": 0 if receipt else -1, "receipt": receipt}
                self.reply(200 if self.path == EKASA_PATH else 404, answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{EKASA_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    s = StandIn()
    yield s
    s.close()


def _read(receipt_id: str | None, number: str = "1") -> ExtractedDocument:
    """A receipt as a blurred photo leaves it: the id from the QR, little else."""
    fields = ExtractedFields(
        doc_type=DocType.RECEIPT, number=number, receipt_id=receipt_id, missing=("total",)
    )
    return ExtractedDocument(
        "0" * 64, "IMG.jpg", AttachmentKind.IMAGE, fields, 1, None, None, "ocr"
    )


def test_lookup_fills_the_receipt_exactly_and_caches_it(stand_in: StandIn, tmp_path: Path) -> None:
    lookup = EkasaLookup(EkasaSettings(True, stand_in.url, 5.0), tmp_path / "ekasa")
    doc = lookup.enrich(_read(RECEIPT.receipt_id))
    got = as_contract(doc.fields)
    expected = RECEIPT.expected()
    for key in ("number", "issue_date", "total", "vat", "supplier", "receipt_id", "doc_type"):
        assert got[key] == expected[key], key
    assert doc.read_by == "ekasa" and doc.fields.missing == ()
    assert doc.problem and RECEIPT.receipt_id in doc.problem
    again = lookup.enrich(_read(RECEIPT.receipt_id))  # a redelivery: from the cache
    assert as_contract(again.fields) == got
    assert stand_in.hits == [RECEIPT.receipt_id]


def test_unknown_receipt_slow_service_and_no_service_leave_the_document_as_read(
    stand_in: StandIn, tmp_path: Path
) -> None:
    unknown = "O-" + "A" * 32
    lookup = EkasaLookup(EkasaSettings(True, stand_in.url, 5.0), tmp_path / "ekasa")
    assert lookup.enrich(_read(unknown)) == _read(unknown)
    assert not (tmp_path / "ekasa" / f"{unknown}.json").exists()  # may be registered later
    stand_in.delay = 2.0
    slow = EkasaLookup(EkasaSettings(True, stand_in.url, 0.3), tmp_path / "other")
    started = time.monotonic()
    assert slow.enrich(_read(RECEIPT.receipt_id)) == _read(RECEIPT.receipt_id)
    assert time.monotonic() - started < 1.5  # the timeout, not the service, decides
    closed = EkasaLookup(EkasaSettings(True, "http://127.0.0.1:9/x", 1.0), tmp_path / "x")
    assert closed.enrich(_read(RECEIPT.receipt_id)) == _read(RECEIPT.receipt_id)
    off = EkasaLookup(EkasaSettings(False, stand_in.url, 1.0), tmp_path / "y")
    assert off.enrich(_read(RECEIPT.receipt_id)) == _read(RECEIPT.receipt_id)
    assert lookup.enrich(_read("not-an-id")) == _read("not-an-id")  # nothing sent for junk


def test_ingest_with_lookup_on_stores_the_registered_values(
    stand_in: StandIn, tmp_path: Path
) -> None:
    damaged = dataclasses.replace(RECEIPT, total_shift=Decimal("10.00"))  # the print is wrong
    pdf = render_receipt(damaged)
    mail = tmp_path / "mail"
    mail.mkdir()
    (mail / "r.eml").write_bytes(build_eml(RECEIPTS, [("blocek.pdf", pdf, "application/pdf")]))
    config = tmp_path / "config.toml"
    extra = f'[ekasa]\nlookup = true\nurl = "{stand_in.url}"\ntimeout = 5\n'
    config.write_text(
        config_text(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "files", extra=extra)
    )
    cli = Cli(config)
    cli.run("ingest", str(mail))
    listed = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    shown = json.loads(cli.run("inbox", "show", listed[0]["id"], "--format", "json").stdout)
    assert shown["total"] == f"{RECEIPT.total():.2f}"  # the registered total, not the print's
    assert shown["read_by"] == "ekasa"
    assert stand_in.hits == [RECEIPT.receipt_id]


def test_ekasa_config_errors_name_their_keys(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    base = config_text("sqlite:///x.db", tmp_path / "f")
    config.write_text(base + '[ekasa]\nlookup = "yes"\nurl = "ftp://x"\ntimeout = 0\nretry = 1\n')
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    text = str(err.value)
    for key in ("ekasa.lookup", "ekasa.url", "ekasa.timeout", "ekasa.retry"):
        assert key in text
