"""The optional eKasa lookup: a receipt's registered data by its receipt id (`O-…`).

Every eKasa receipt is registered with the Financial Administration, which answers the public
"Over doklad" service with what the cash register sent: seller, number, date, total and the
VAT recap. With `[ekasa] lookup = true` a document carrying a receipt id (printed, or read from
its QR code) takes those values instead of what was read from the print or the photo: exact,
where OCR may misread. Off by default (it sends the receipt id to a public service); one
request per receipt with a timeout; found receipts are cached under the files folder (a
registered receipt never changes), so a redelivery asks nothing. A slow, absent or refusing
service leaves the document as read and says so in the log; it never blocks intake for long.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from daemon.config import EkasaSettings
from daemon.logs import get_logger
from parsers.extract import ExtractedDocument
from parsers.fields import ExtractedFields, Party, VatRow, identifier_flags, missing_required
from parsers.vocab import DocType, Flag

_RECEIPT_ID = re.compile(r"^O-[0-9A-F]{32}$")
_IDENTIFIER_FLAGS = (Flag.INVALID_ICO, Flag.INVALID_IC_DPH, Flag.INVALID_IBAN, Flag.NO_TEXT_LAYER)


class EkasaLookup:
    def __init__(self, settings: EkasaSettings, cache_dir: Path) -> None:
        self.settings = settings
        self.cache_dir = cache_dir

    def enrich(self, doc: ExtractedDocument) -> ExtractedDocument:
        """The document with its receipt's registered values, or as it was."""
        receipt_id = doc.fields.receipt_id
        if not self.settings.lookup or not receipt_id or not _RECEIPT_ID.match(receipt_id):
            return doc
        log = get_logger()
        record, outcome = self._cached(receipt_id), "cached"
        if record is None:
            try:
                record = self._fetch(receipt_id)
            except (OSError, ValueError) as exc:  # URLError, timeout, bad JSON
                log.warning(
                    "ekasa_lookup", receipt_id=receipt_id, outcome="failed", reason=str(exc)
                )
                return doc
            if record is None:
                log.info("ekasa_lookup", receipt_id=receipt_id, outcome="not_found")
                return doc
            self._store(receipt_id, record)
            outcome = "filled"
        fields = registered_fields(record, doc.fields)
        if fields is None:
            log.warning("ekasa_lookup", receipt_id=receipt_id, outcome="unusable_answer")
            return doc
        log.info("ekasa_lookup", receipt_id=receipt_id, outcome=outcome)
        note = f"filled from the eKasa record of receipt {receipt_id}"
        return replace(
            doc,
            fields=fields,
            read_by="ekasa",
            problem="; ".join(filter(None, [note, doc.problem])),
        )

    def _fetch(self, receipt_id: str) -> dict[str, Any] | None:
        body = json.dumps({"receiptId": receipt_id}).encode()
        request = urllib.request.Request(  # noqa: S310 - config allows http(s) URLs only
            self.settings.url,
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:  # noqa: S310
                answer = json.loads(response.read(1024 * 1024))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise
        receipt = answer.get("receipt") if isinstance(answer, dict) else None
        return receipt if isinstance(receipt, dict) else None

    def _path(self, receipt_id: str) -> Path:
        return self.cache_dir / f"{receipt_id}.json"

    def _cached(self, receipt_id: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(receipt_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _store(self, receipt_id: str, record: dict[str, Any]) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._path(receipt_id).with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self._path(receipt_id))


def registered_fields(record: dict[str, Any], read: ExtractedFields) -> ExtractedFields | None:
    """The contract's fields from an eKasa receipt record; None if it lacks the essentials."""
    total = _decimal(record.get("totalPrice"))
    issued = _date(record.get("issueDate"))
    if total is None or issued is None:
        return None
    found = record.get("organization")
    org: dict[str, Any] = found if isinstance(found, dict) else {}

    def ident(key: str) -> str | None:
        value = record.get(key) or org.get(key)
        return str(value).strip() if value else None

    vat = []
    for key in sorted(k for k in record if k.startswith("taxBase")):
        kind = key.removeprefix("taxBase")
        base = _decimal(record.get(key))
        amount = _decimal(record.get(f"vatAmount{kind}"))
        rate = _decimal(record.get(f"vatRate{kind}"))
        if base and amount is not None and rate is not None:
            vat.append(VatRow(f"{rate.normalize():f}", base, amount))
    number = record.get("receiptNumber")
    fields = replace(
        read,
        doc_type=DocType.RECEIPT,
        number=str(number) if number is not None else read.number,
        issue_date=issued,
        delivery_date=issued,
        supplier=Party(
            name=str(org["name"]).strip() if org.get("name") else read.supplier.name,
            ico=ident("ico"),
            dic=ident("dic"),
            ic_dph=ident("icDph"),
        ),
        currency="EUR",
        total=total,
        vat=tuple(vat) or read.vat,
        receipt_id=str(record.get("receiptId") or read.receipt_id),
    )
    flags = [f for f in fields.flags if f not in _IDENTIFIER_FLAGS]
    fields = replace(fields, flags=tuple([*flags, *identifier_flags(fields)]))
    return replace(fields, missing=missing_required(fields))


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _date(value: object) -> date | None:
    """ "24.11.2026 17:49:46" as the service writes it (or ISO)."""
    if not isinstance(value, str):
        return None
    m = re.match(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})|\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    d, mo, y = (m[1], m[2], m[3]) if m[1] else (m[6], m[5], m[4])
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None
