"""How documents look to users: the contract's JSON shape and the human tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from parsers.vocab import FIELD_KEYS
from storage.store import DeliveryRecord, DocumentRecord

_EMPTY_PARTY = {"name": None, "ico": None, "dic": None, "ic_dph": None}


READ_BY = {
    "text": "the PDF's text layer",
    "xml": "the e-invoice (XML), checked against the print",
    "ocr": "OCR of a picture (photo or scan): check the values against the image",
    "ekasa": "the receipt's record in the eKasa service (by its receipt id)",
}


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _delivery(d: DeliveryRecord) -> dict[str, Any]:
    return {
        "channel": d.channel,
        "message_id": d.message_id,
        "from": d.mail_from,
        "to": d.recipient,
        "received_at": iso(d.received_at),
    }


def document_json(doc: DocumentRecord) -> dict[str, Any]:
    """One document exactly as ../shared/CONTRACT.md shows it; every key always present."""
    fields = doc.fields
    out: dict[str, Any] = {
        "id": doc.id,
        "status": doc.status,
        "mailbox": doc.mailbox,
        "company": doc.company,
    }
    for key in FIELD_KEYS:
        value = fields.get(key)
        if key in ("supplier", "customer"):
            value = {**_EMPTY_PARTY, **(value or {})}
        elif key == "vat":
            value = list(value or [])
        elif key == "doc_type":
            value = value or doc.doc_type
        out[key] = value
    first = doc.deliveries[0] if doc.deliveries else None
    out.update(
        {
            "related_ids": list(doc.related_ids),
            "accounting_range": doc.accounting_range,
            "flags": list(doc.flags),
            "original_id": doc.original_id,
            "source": {**_delivery(first), "filename": doc.filename, "sha256": doc.sha256}
            if first
            else None,
            "deliveries": [_delivery(d) for d in doc.deliveries],
            "resolution": doc.resolution,
            "corrections": [dict(c) for c in doc.corrections],
        }
    )
    return out


def detail_json(doc: DocumentRecord) -> dict[str, Any]:
    """`inbox show`: the contract shape plus what a person needs to decide (diff, problem)."""
    return {
        **document_json(doc),
        "diff": doc.diff,
        "problem": doc.problem,
        "read_by": doc.read_by,
    }


TABLE_COLUMNS = (
    "id",
    "status",
    "company",
    "mailbox",
    "doc_type",
    "number",
    "issue_date",
    "total",
    "supplier",
    "flags",
)


def table_row(doc: DocumentRecord) -> list[str]:
    f = doc.fields
    total = f"{f.get('total')} {f.get('currency') or ''}".strip() if f.get("total") else ""
    supplier = f.get("supplier") or {}
    return [
        doc.id,
        doc.status,
        doc.company or "-",
        doc.mailbox or "-",
        doc.doc_type,
        f.get("number") or "",
        f.get("issue_date") or "",
        total,
        supplier.get("ico") or supplier.get("name") or "",
        ",".join(doc.flags),
    ]


def render_table(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def render_detail(doc: DocumentRecord) -> str:
    data = detail_json(doc)
    lines = [f"Document {doc.id}  [{doc.status}]"]
    # one line a field; parties and VAT rows below, each in a line of its own
    single = [k for k in FIELD_KEYS if k not in ("supplier", "customer", "vat")]
    for key in ("company", "mailbox", *single, "accounting_range"):
        lines.append(f"  {key:<17} {data[key] if data[key] is not None else '-'}")
    for role in ("supplier", "customer"):
        p = data[role]
        lines.append(
            f"  {role:<17} {p['name'] or '-'} (IČO {p['ico'] or '-'}, DIČ {p['dic'] or '-'}, "
            f"IČ DPH {p['ic_dph'] or '-'})"
        )
    for row in data["vat"]:
        lines.append(f"  vat {row['rate']:>3} %         base {row['base']}  vat {row['vat']}")
    lines.append(f"  flags             {', '.join(data['flags']) or '-'}")
    if doc.read_by:
        lines.append(f"  read by           {READ_BY.get(doc.read_by, doc.read_by)}")
    if doc.problem:
        lines.append(f"  problem           {doc.problem}")
    if doc.original_id:
        lines.append(f"  original          {doc.original_id}")
    if doc.related_ids:
        lines.append(f"  related           {', '.join(doc.related_ids)}")
    if doc.diff:
        lines.append("  changes against the original:")
        for key, change in doc.diff.items():
            lines.append(f"    {key}: {change['original']!r} -> {change['new']!r}")
    if doc.resolution:
        r = doc.resolution
        lines.append(
            f"  resolution        {r.get('action')} at {r.get('at')} {r.get('note') or ''}".rstrip()
        )
    lines.append(f"  file              {doc.filename or '-'} sha256 {doc.sha256}")
    for d in data["deliveries"]:
        lines.append(
            f"  delivered         {d['received_at']} via {d['channel']} from {d['from'] or '-'} "
            f"to {d['to'] or '-'} ({d['message_id'] or 'no Message-ID'})"
        )
    return "\n".join(lines)
