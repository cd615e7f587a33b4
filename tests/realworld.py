"""Score extraction against ../shared/corpus/realworld: real PDFs from real invoicing software,
each with the values printed on it (`NAME.expected.json`; an absent key is unknown, not null).
Shared by tests/test_realworld.py and bench/accuracy.py, so both count alike."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from parsers.extract import extract_document
from parsers.fields import as_contract, extract_fields
from parsers.grid import Grid
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.pdftext import read_pdf

REALWORLD = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "realworld"


@dataclass
class Score:
    """Fields exact / empty / wrong, and documents read with no flag and every field right."""

    fields: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    accepted: int = 0
    wrong: list[str] = field(default_factory=list)  # "file: key: got != expected"
    # documents read with every field right but held, by the flags that held them
    held: Counter[str] = field(default_factory=Counter)

    def ratio(self, kind: str) -> float:
        return self.fields[kind] / max(sum(self.fields.values()), 1)


def documents() -> list[Path]:
    return sorted(REALWORLD.glob("*.pdf")) if REALWORLD.is_dir() else []


def observed(pdf: bytes, printed_only: bool = False) -> tuple[dict[str, object], tuple[str, ...]]:
    """The corpus keys as the product reads them, and the document's flags. `printed_only`:
    from the text layer alone, as if the embedded e-invoice were not there (most of these
    carry one; a PDF from a Slovak or Czech program usually does not)."""
    if printed_only:
        fields = extract_fields(Grid.from_pdf(read_pdf(pdf)))
    else:
        fields = extract_document(
            Attachment(AttachmentKind.PDF, pdf, sha256_hex(pdf), "x.pdf", "application/pdf", "2")
        ).fields
    c = as_contract(fields)
    supplier, customer = c["supplier"], c["customer"]
    assert isinstance(supplier, dict) and isinstance(customer, dict)
    got = {
        "doc_type": None if c["doc_type"] == "unknown" else c["doc_type"],
        "number": c["number"],
        "issue_date": c["issue_date"],
        "due_date": c["due_date"],
        "total": c["total"],
        "currency": c["currency"],
        "supplier_name": supplier["name"],
        "supplier_vat_id": supplier["ic_dph"] or supplier["dic"],
        "customer_name": customer["name"],
        "iban": c["iban"],
        "variable_symbol": c["variable_symbol"],
    }
    flags = tuple(f.value for f in fields.flags) + (("missing_fields",) if fields.missing else ())
    return got, flags


def score(paths: list[Path], printed_only: bool = False) -> Score:
    out = Score()
    for path in paths:
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        got, flags = observed(path.read_bytes(), printed_only)
        right = True
        for key, value in expected.items():
            if key not in got:
                continue
            if got[key] is None:
                out.fields["empty"] += 1
                right = False
            elif str(got[key]) == str(value):
                out.fields["exact"] += 1
            else:
                out.fields["wrong"] += 1
                out.wrong.append(f"{path.stem}: {key}: {got[key]!r} != {value!r}")
                right = False
        out.documents += 1
        out.accepted += right and not flags
        if right and flags:
            out.held[", ".join(flags)] += 1
    return out
