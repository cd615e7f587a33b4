"""Structured e-invoices: UBL / Peppol BIS 3, ISDOC, CII (Factur-X, ZUGFeRD), alone, embedded in
a PDF (with or without a text layer) or beside one - generated here and the public samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parsers.einvoice import read_einvoice
from parsers.extract import extract_document
from parsers.fields import as_contract
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.vocab import Flag
from tests.conftest import SHARED_CORPUS, Cli, config_text
from tests.docgen import (
    INCOMING,
    LAYOUTS,
    Doc,
    build_eml,
    curves_only_pdf,
    czech,
    make_doc,
    render_cz_supplier,
    to_cii,
    to_isdoc,
    to_ubl,
    with_embedded,
)

DOC_TYPES = ["invoice", "credit_note", "debit_note", "advance_tax_document"]


def _att(data: bytes, name: str, kind: AttachmentKind = AttachmentKind.PDF) -> Attachment:
    return Attachment(kind, data, sha256_hex(data), name, "application/octet-stream", "2")


def _expected(doc: Doc, fmt: str) -> dict[str, Any]:
    """What each format can carry of the document (the rest stays empty, never guessed)."""
    exp = doc.expected()
    none = {"name": None, "ico": None, "dic": None, "ic_dph": None}
    if fmt == "ubl":
        if doc.doc_type == "credit_note":
            exp["due_date"] = None
    elif fmt == "isdoc":
        # ISDOC's PartyTaxScheme is the DIČ as a Czech print shows it (CONTRACT "Conventions")
        exp["refers_to"] = None
        for side, p in (("supplier", doc.supplier), ("customer", doc.customer)):
            exp[side] = {**exp[side], "dic": p.ic_dph or p.dic, "ic_dph": None}
    elif fmt == "cii":
        exp["variable_symbol"] = exp["refers_to"] = None
        exp["supplier"] = {
            **none,
            "name": doc.supplier.name,
            "ico": doc.supplier.ico,
            "ic_dph": doc.supplier.ic_dph,
        }
        exp["customer"] = {
            **none,
            "name": doc.customer.name,
            "ico": doc.customer.ico,
            "ic_dph": doc.customer.ic_dph,
        }
    return exp


@pytest.mark.parametrize("doc_type", DOC_TYPES)
@pytest.mark.parametrize("fmt", ["ubl", "isdoc", "cii"])
def test_generated_xml(fmt: str, doc_type: str) -> None:
    doc = make_doc(DOC_TYPES.index(doc_type) + 300, doc_type=doc_type)
    if fmt == "isdoc":
        doc = czech(doc)
    xml = {"ubl": to_ubl, "isdoc": to_isdoc, "cii": to_cii}[fmt](doc)
    fields = read_einvoice(xml)
    assert fields is not None
    got = as_contract(fields)
    for key, value in _expected(doc, fmt).items():
        assert got[key] == value, f"{key}: {got[key]!r} != {value!r}"
    assert fields.flags == () and fields.missing == ()


def test_isdoc_pdf_with_text_layer_is_complete() -> None:
    doc = czech(make_doc(311))
    pdf = with_embedded(render_cz_supplier(doc), "invoice.isdoc", to_isdoc(doc))
    result = extract_document(_att(pdf, "FV.isdoc.pdf"))
    assert result.structured == "invoice.isdoc"
    got = as_contract(result.fields)
    for key, value in doc.expected().items():  # the print fills what the XML lacks (customer DIČ)
        assert got[key] == value, key
    assert result.fields.flags == ()


def test_isdoc_pdf_without_text_layer_is_fully_read() -> None:
    doc = czech(make_doc(312))
    result = extract_document(
        _att(with_embedded(curves_only_pdf(), "invoice.isdoc", to_isdoc(doc)), "f.pdf")
    )
    assert Flag.NO_TEXT_LAYER not in result.fields.flags and result.problem is None
    got = as_contract(result.fields)
    for key, value in _expected(doc, "isdoc").items():
        assert got[key] == value, key


def test_facturx_pdf_and_a_pdf_with_xml_beside_it() -> None:
    doc = make_doc(313)
    printed = LAYOUTS["sk_columns"](doc)
    embedded = extract_document(_att(with_embedded(printed, "factur-x.xml", to_cii(doc)), "f.pdf"))
    beside = extract_document(
        _att(printed, "f.pdf"), companions=(_att(to_ubl(doc), "f.xml", AttachmentKind.XML),)
    )
    for result in (embedded, beside):
        assert result.structured in ("factur-x.xml", "f.xml")
        assert as_contract(result.fields) == {**as_contract(result.fields), **doc.expected()}
        assert result.fields.flags == ()


def test_disagreement_between_xml_and_print_is_flagged() -> None:
    doc = make_doc(314)
    other = make_doc(314, number="20259999")
    result = extract_document(
        _att(LAYOUTS["sk_columns"](doc), "f.pdf"),
        companions=(_att(to_ubl(other), "f.xml", AttachmentKind.XML),),
    )
    # one XML beside the PDF is its twin even when the numbers differ: and that is the finding
    assert Flag.STRUCTURED_MISMATCH in result.fields.flags


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;'
    b'&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol3;</ID></Invoice>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>'
)


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE])
def test_entities_are_never_expanded(payload: bytes) -> None:
    fields = read_einvoice(payload)
    assert fields is not None  # a UBL invoice, but the entity in its number stays unexpanded
    assert fields.number is None and "number" in fields.missing  # so a person looks at it


@pytest.mark.parametrize(
    "payload", [b"<not-xml", b"", b"<Invoice/>", b"<Invoice xmlns='urn:other'/>"]
)
def test_foreign_or_broken_xml_is_not_an_einvoice(payload: bytes) -> None:
    assert read_einvoice(payload) is None


# ---- the public samples (read from ../shared/corpus; never copied) --------------------------------

PDF_SAMPLES = [
    "cz_abra_FV-2-2021.isdoc.pdf",
    "cz_abra_FV-1-2021_no-text-layer.isdoc.pdf",
    "de_zugferd_RE-20170509-505.pdf",
    "fr_facturx_avoir_AV-2017-0005.pdf",
    "fr_facturx_F20180027.pdf",
]


def _sample(name: str) -> bytes:
    path = SHARED_CORPUS / name
    if not path.exists():
        pytest.skip("../shared/corpus is not present")
    return path.read_bytes()


# The two corpora disagree on this family's supplier name: public/ expects the page's "Au bon
# moulin SARL", realworld/ (two documents of the same family) the XML's "Au bon moulin". The
# reader takes the XML's name where the page shows it, as it does for every other field.
_CONFLICTS = {"fr_facturx_avoir_AV-2017-0005.pdf": {"supplier": {"name": "Au bon moulin"}}}


@pytest.mark.parametrize("name", PDF_SAMPLES)
def test_public_pdf_samples(name: str) -> None:
    data = _sample(name)
    expected = json.loads((SHARED_CORPUS / name.replace(".pdf", ".expected.json")).read_text())
    for key, override in _CONFLICTS.get(name, {}).items():
        expected[key] = {**expected[key], **override}
    result = extract_document(_att(data, name))
    got = as_contract(result.fields)
    for key, value in expected.items():
        assert got[key] == value, f"{key}: {got[key]!r} != {value!r}"
    assert Flag.STRUCTURED_MISMATCH not in result.fields.flags
    assert Flag.NO_TEXT_LAYER not in result.fields.flags


def test_public_ubl_samples() -> None:
    domestic = read_einvoice(_sample("sk_peppol_ubl_domestic-23-standard.xml"))
    assert domestic is not None
    d = as_contract(domestic)
    assert (d["doc_type"], d["number"], d["total"], d["currency"]) == (
        "invoice",
        "FIX-DOMESTIC-23",
        "553.50",
        "EUR",
    )
    assert d["vat"] == [{"rate": "23", "base": "450.00", "vat": "103.50"}]
    assert d["supplier"] == {
        "name": "Ukazkova Firma s.r.o.",
        "ico": "12345678",
        "dic": "1234567890",
        "ic_dph": "SK1234567890",
    }
    assert d["iban"] == "SK9709000000000012345678"
    assert {Flag.INVALID_ICO, Flag.INVALID_IC_DPH} <= set(domestic.flags)  # synthetic ids, flagged
    credit = as_contract(read_einvoice(_sample("sk_peppol_ubl_credit-note.xml")))  # type: ignore[arg-type]
    assert (credit["doc_type"], credit["total"], credit["refers_to"]) == (
        "credit_note",
        "-246.00",
        "2026-CN-TEST-2",
    )
    assert credit["vat"] == [{"rate": "23", "base": "-200.00", "vat": "-46.00"}]
    advance = as_contract(read_einvoice(_sample("sk_peppol_ubl_advance-tax-document.xml")))  # type: ignore[arg-type]
    assert (advance["doc_type"], advance["total"]) == ("advance_tax_document", "246.00")
    mixed = as_contract(read_einvoice(_sample("sk_peppol_ubl_mixed-rates.xml")))  # type: ignore[arg-type]
    assert [r["rate"] for r in mixed["vat"]] == ["23", "19", "5"]
    isdoc = as_contract(read_einvoice(_sample("cz_isdoc_sample_FV-111999-2011.isdoc")))  # type: ignore[arg-type]
    assert (isdoc["number"], isdoc["supplier"]["ico"], isdoc["supplier"]["dic"]) == (
        "FV-111999/2011",
        "25097563",
        "CZ25097563",
    )


def test_einvoices_end_to_end(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_text(f"sqlite:///{tmp_path / 'inbox.sqlite3'}", tmp_path / "files"))
    mail = tmp_path / "mail"
    mail.mkdir()
    pair, alone, mismatch = make_doc(320), make_doc(321), make_doc(322)
    pair_pdf = LAYOUTS["sk_columns"](pair)
    messages = {
        "pair": [
            ("f.pdf", pair_pdf, "application/pdf"),
            ("f.xml", to_ubl(pair), "application/xml"),
        ],
        "alone": [("efaktura.xml", to_ubl(alone), "application/octet-stream")],
        "mismatch": [
            ("m.pdf", LAYOUTS["en_grid"](mismatch), "application/pdf"),
            ("m.xml", to_ubl(make_doc(322, number="20250001")), "application/xml"),
        ],
    }
    for name, attachments in messages.items():
        (mail / f"{name}.eml").write_bytes(build_eml(INCOMING, attachments, message_id=f"{name}@e"))
    cli = Cli(config)
    cli.run("ingest", str(mail))
    docs = {
        d["source"]["message_id"].split("@")[0]: d
        for d in json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    }
    assert len(docs) == 3  # the PDF and its XML are one document
    assert (
        docs["pair"]["source"]["sha256"] == sha256_hex(pair_pdf)
        and docs["pair"]["source"]["filename"] == "f.pdf"
    )
    assert {k: docs["pair"][k] for k in pair.expected()} == pair.expected()
    assert docs["pair"]["status"] == "accepted"
    assert {k: docs["alone"][k] for k in ("number", "total", "doc_type")} == {
        "number": alone.number,
        "total": alone.expected()["total"],
        "doc_type": "invoice",
    }
    assert docs["alone"]["status"] == "accepted"
    assert (
        docs["mismatch"]["status"] == "needs_review"
        and "structured_mismatch" in docs["mismatch"]["flags"]
    )


def test_isdocx_archive_is_read() -> None:
    """.isdocx: a ZIP with the .isdoc and its PDF - one document, data from the XML."""
    import io
    import zipfile

    from parsers.extract import jobs_for
    from parsers.mime import extract_attachments

    doc = czech(make_doc(330))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("faktura.isdoc", to_isdoc(doc))
        archive.writestr("faktura.pdf", render_cz_supplier(doc))
    parsed = extract_attachments(
        build_eml(INCOMING, [("faktura.isdocx", buf.getvalue(), "application/octet-stream")])
    )
    jobs = jobs_for(parsed.attachments)
    assert len(jobs) == 1 and jobs[0].attachment.filename == "faktura.pdf"
    result = extract_document(jobs[0].attachment, companions=jobs[0].companions)
    assert result.structured == "faktura.isdoc"
    got = as_contract(result.fields)
    for key, value in doc.expected().items():
        assert got[key] == value, key


def test_ubl_tax_scheme_tax_is_the_dic_and_vat_the_ic_dph() -> None:
    """EN 16931 BT-32 (seller tax registration, TaxScheme TAX) → dic; VAT → ic_dph; a Czech
    VAT id stays in ic_dph: nothing is copied between keys (CONTRACT "Conventions")."""
    xml = b"""<?xml version="1.0"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>2026-7</cbc:ID><cbc:IssueDate>2026-11-24</cbc:IssueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cac:AccountingSupplierParty><cac:Party>
 <cac:PartyTaxScheme><cbc:CompanyID>CZ25596641</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
 <cac:PartyTaxScheme><cbc:CompanyID>CZ25596641</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
 <cac:PartyLegalEntity><cbc:RegistrationName>Dodavatel s.r.o.</cbc:RegistrationName><cbc:CompanyID>25596641</cbc:CompanyID></cac:PartyLegalEntity>
</cac:Party></cac:AccountingSupplierParty>
<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="CZK">121.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>"""
    fields = read_einvoice(xml)
    assert fields is not None
    assert as_contract(fields)["supplier"] == {
        "name": "Dodavatel s.r.o.",
        "ico": "25596641",
        "dic": "CZ25596641",
        "ic_dph": "CZ25596641",
    }
