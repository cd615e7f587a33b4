"""Edited-after-issue, the review flow (`inbox resolve`), and links between documents,
end to end through `podatelna ingest` and the inbox commands."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.docgen import INCOMING, LAYOUTS, SUPPLIERS, Doc, Item, build_eml, make_doc


def _ingest(
    cli: Cli, tmp_path: Path, doc: Doc, name: str, layout: str = "sk_columns"
) -> dict[str, object]:
    path = tmp_path / f"{name}.eml"
    path.write_bytes(
        build_eml(
            INCOMING,
            [(f"{name}.pdf", LAYOUTS[layout](doc), "application/pdf")],
            message_id=f"{name}@test",
            subject=name,
        )
    )
    cli.run("ingest", str(path))
    docs = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    return next(d for d in docs if d["source"]["message_id"] == f"{name}@test")


@pytest.fixture
def edited(cli: Cli, tmp_path: Path) -> tuple[dict[str, object], dict[str, object]]:
    v1 = make_doc(41, number="2025041")
    v2 = dataclasses.replace(
        v1, items=(*v1.items, Item("Doúčtovanie", Decimal(1), Decimal("100.00"), 23))
    )
    return _ingest(cli, tmp_path, v1, "v1"), _ingest(cli, tmp_path, v2, "v2")


def test_edit_after_issue_is_held_with_a_diff(
    cli: Cli, edited: tuple[dict[str, object], dict[str, object]]
) -> None:
    original, edit = edited
    assert original["status"] == "accepted"
    assert edit["status"] == "edited_after_issue" and edit["flags"] == ["edited_after_issue"]
    assert edit["original_id"] == original["id"] and edit["id"] != original["id"]
    assert edit["number"] == original["number"]
    assert original["id"] in edit["related_ids"]
    shown = json.loads(cli.run("inbox", "show", str(edit["id"]), "--format", "json").stdout)
    assert "total" in shown["diff"] and shown["diff"]["total"]["original"] == original["total"]
    assert shown["diff"]["total"]["new"] == edit["total"]
    table = cli.run("inbox", "show", str(edit["id"])).stdout
    assert "changes against the original:" in table and "total:" in table
    held = json.loads(
        cli.run("inbox", "list", "--status", "edited_after_issue", "--format", "json").stdout
    )
    assert [d["id"] for d in held] == [edit["id"]]
    report = json.loads(cli.run("report", "--format", "json").stdout)
    counts = report["companies"][0]["mailboxes"]["incoming_invoices"]
    assert (counts["new"], counts["changed"], counts["needs_review"]) == (1, 1, 1)


def test_resolve_resend_supersedes_the_original(
    cli: Cli, edited: tuple[dict[str, object], dict[str, object]]
) -> None:
    original, edit = edited
    out = cli.run(
        "inbox",
        "resolve",
        str(edit["id"]),
        "--action",
        "resend",
        "--note",
        "klient potvrdil opravu",
    )
    assert out.stdout.strip() == f"{edit['id']}: accepted (resend)"
    docs = {d["id"]: d for d in json.loads(cli.run("inbox", "list", "--format", "json").stdout)}
    assert docs[edit["id"]]["status"] == "accepted"
    assert docs[original["id"]]["status"] == "superseded"
    resolution = docs[edit["id"]]["resolution"]
    assert resolution["action"] == "resend" and resolution["note"] == "klient potvrdil opravu"
    assert resolution["at"].endswith("Z")
    assert [
        d["id"]
        for d in json.loads(
            cli.run("inbox", "list", "--status", "superseded", "--format", "json").stdout
        )
    ] == [original["id"]]
    again = cli.run("inbox", "resolve", str(edit["id"]), "--action", "reject", check=False)
    assert again.returncode == 1 and "already resolved" in again.stderr
    report = json.loads(cli.run("report", "--format", "json").stdout)
    assert report["companies"][0]["mailboxes"]["incoming_invoices"]["resolved"] == 1


def test_resolve_reject_keeps_the_original(
    cli: Cli, edited: tuple[dict[str, object], dict[str, object]]
) -> None:
    original, edit = edited
    cli.run("inbox", "resolve", str(edit["id"]), "--action", "reject")
    docs = {d["id"]: d for d in json.loads(cli.run("inbox", "list", "--format", "json").stdout)}
    assert docs[edit["id"]]["status"] == "rejected"
    assert (
        docs[original["id"]]["status"] == "accepted" and docs[original["id"]]["resolution"] is None
    )


def test_accept_is_for_needs_review_items(
    cli: Cli, tmp_path: Path, edited: tuple[dict[str, object], dict[str, object]]
) -> None:
    _, edit = edited
    wrong = cli.run("inbox", "resolve", str(edit["id"]), "--action", "accept", check=False)
    assert wrong.returncode == 1 and "use resend or reject" in wrong.stderr
    empty = tmp_path / "empty.eml"
    empty.write_bytes(build_eml(INCOMING, [], message_id="empty@test"))
    cli.run("ingest", str(empty))
    item = next(
        d
        for d in json.loads(
            cli.run("inbox", "list", "--status", "needs_review", "--format", "json").stdout
        )
    )
    cli.run("inbox", "resolve", item["id"], "--action", "accept")
    shown = json.loads(cli.run("inbox", "show", item["id"], "--format", "json").stdout)
    assert shown["status"] == "accepted" and shown["resolution"]["action"] == "accept"
    unknown = cli.run("inbox", "resolve", "feedfacefeedface", "--action", "accept", check=False)
    assert (
        unknown.returncode == 1
        and unknown.stderr.strip() == "podatelna: no document with id feedfacefeedface"
    )


@pytest.mark.parametrize("credit_first", [False, True])
def test_credit_note_links_to_its_invoice(cli: Cli, tmp_path: Path, credit_first: bool) -> None:
    invoice = make_doc(51, number="2025051")
    credit = dataclasses.replace(
        make_doc(52, doc_type="credit_note", number="2025060"),
        supplier=invoice.supplier,
        refers_to="2025051",
        variable_symbol="2025060",
    )
    order = (
        [(credit, "credit"), (invoice, "invoice")]
        if credit_first
        else [(invoice, "invoice"), (credit, "credit")]
    )
    for doc, name in order:
        _ingest(cli, tmp_path, doc, name)
    docs = {
        d["source"]["message_id"]: d
        for d in json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    }
    inv, cn = docs["invoice@test"], docs["credit@test"]
    assert cn["doc_type"] == "credit_note" and cn["refers_to"] == "2025051"
    assert cn["related_ids"] == [inv["id"]] and inv["related_ids"] == [cn["id"]]


def test_advance_chain_is_linked(cli: Cli, tmp_path: Path) -> None:
    """The seed's example: 2 800 € advance, 2 400 € delivered, 400 € credit note."""
    supplier = SUPPLIERS[0]
    base = make_doc(60, supplier=supplier)

    def doc(doc_type: str, number: str, net: str, refers_to: str | None = None) -> Doc:
        return dataclasses.replace(
            base,
            doc_type=doc_type,
            number=number,
            variable_symbol="2025070",
            items=(Item("Zákazka", Decimal(1), Decimal(net), 23),),
            refers_to=refers_to,
        )

    chain = [
        (doc("proforma_invoice", "ZF2025070", "2276.42"), "proforma"),
        (doc("advance_tax_document", "DP2025070", "2276.42"), "advance"),
        (doc("invoice", "2025070", "1951.22"), "final"),
        (doc("credit_note", "DB2025071", "325.20", refers_to="2025070"), "credit"),
    ]
    for d, name in chain:
        _ingest(cli, tmp_path, d, name)
    docs = {
        d["source"]["message_id"].split("@")[0]: d
        for d in json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    }
    assert [docs[n]["doc_type"] for _, n in chain] == [
        "proforma_invoice",
        "advance_tax_document",
        "invoice",
        "credit_note",
    ]
    ids = {n: docs[n]["id"] for _, n in chain}
    for name, d in docs.items():
        assert set(d["related_ids"]) == set(ids.values()) - {ids[name]}, name
    assert docs["proforma"]["total"] == "2800.00" and docs["credit"]["total"] == "-400.00"
    assert (
        docs["proforma"]["accounting_range"] == "DPF" and docs["credit"]["accounting_range"] == "DD"
    )
    shown = cli.run("inbox", "show", ids["final"]).stdout
    assert all(ids[n] in shown for n in ("proforma", "advance", "credit"))


def test_report_shows_gaps_and_reuse_in_the_series(tmp_path: Path) -> None:
    from tests.conftest import config_text
    from tests.docgen import OFFICE_CLIENT, OUTGOING

    config = tmp_path / "series.toml"
    series = '[company.series]\ninvoice = "OF{YYYY}{NNNN}"\n'
    config.write_text(
        config_text(f"sqlite:///{tmp_path / 's.sqlite3'}", tmp_path / "files", extra=series)
    )
    cli = Cli(config)
    mail = tmp_path / "out"
    mail.mkdir()
    for i, number in enumerate(("OF20250001", "OF20250002", "OF20250004")):
        doc = dataclasses.replace(
            make_doc(80 + i), supplier=OFFICE_CLIENT, customer=SUPPLIERS[0], number=number
        )
        doc = dataclasses.replace(doc, issue_date=doc.issue_date.replace(year=2025))
        (mail / f"{number}.eml").write_bytes(
            build_eml(
                OUTGOING,
                [(f"{number}.pdf", LAYOUTS["sk_columns"](doc), "application/pdf")],
                message_id=f"{number}@t",
            )
        )
    cli.run("ingest", str(mail))
    report = json.loads(cli.run("report", "--format", "json").stdout)
    assert report["companies"][0]["series"] == {
        "invoice": {"2025": {"missing": ["OF20250003"], "reused": []}}
    }
    assert "missing OF20250003" in cli.run("report").stdout
