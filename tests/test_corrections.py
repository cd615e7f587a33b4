"""`inbox correct` (CONTRACT "Corrections"): values validated like extracted ones, every change
kept, the document checked again with the corrected values; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from parsers.corrections import InvalidCorrection, parse_value
from tests.conftest import Cli, config_text
from tests.docgen import Item, make_doc
from tests.test_review import _ingest


@pytest.fixture
def lite(tmp_path: Path, sqlite_url: str) -> Cli:
    """SQLite only: the checks and validation are the same code on both databases; the
    business-key decision, which takes the database's lock, runs on both (`cli`)."""
    config = tmp_path / "lite.toml"
    config.write_text(config_text(sqlite_url, tmp_path / "files"), encoding="utf-8")
    return Cli(config)


def _show(cli: Cli, doc_id: object) -> dict[str, Any]:
    return json.loads(cli.run("inbox", "show", str(doc_id), "--format", "json").stdout)  # type: ignore[no-any-return]


def test_a_corrected_total_is_checked_again_and_every_change_kept(
    lite: Cli, tmp_path: Path
) -> None:
    doc = _ingest(lite, tmp_path, make_doc(61, number="2025061"), "c1")
    assert doc["status"] == "accepted" and doc["corrections"] == []
    out = lite.run("inbox", "correct", str(doc["id"]), "--set", "total=1.00", "--note", "preklep")
    assert out.stdout.strip() == f"{doc['id']}: needs_review (totals_inconsistent)"
    wrong = _show(lite, doc["id"])
    assert wrong["total"] == "1.00" and wrong["flags"] == ["totals_inconsistent"]
    [change] = wrong["corrections"]
    assert (change["field"], change["old"], change["new"], change["note"]) == (
        "total",
        doc["total"],
        "1.00",
        "preklep",
    )
    assert change["by"] and change["at"].endswith("Z")

    lite.run("inbox", "correct", str(doc["id"]), "--set", f"total={doc['total']}")
    back = _show(lite, doc["id"])
    assert back["flags"] == [] and back["total"] == doc["total"]
    assert back["status"] == "needs_review"  # correcting does not accept
    assert [c["new"] for c in back["corrections"]] == ["1.00", doc["total"]]
    lite.run("inbox", "resolve", str(doc["id"]), "--action", "accept")
    assert _show(lite, doc["id"])["status"] == "accepted"


def test_a_corrected_number_can_make_an_edit_of_an_earlier_document(
    cli: Cli, tmp_path: Path
) -> None:
    v1 = make_doc(62, number="2025062")
    other = dataclasses.replace(
        v1,
        number="2025999",
        variable_symbol="2025999",
        items=(*v1.items, Item("Navyše", Decimal(1), Decimal("10.00"), 23)),
    )
    first = _ingest(cli, tmp_path, v1, "n1")
    second = _ingest(cli, tmp_path, other, "n2")
    assert second["status"] == "accepted"
    cli.run("inbox", "correct", str(second["id"]), "--set", "number=2025062")
    edit = _show(cli, second["id"])
    assert edit["status"] == "edited_after_issue" and "edited_after_issue" in edit["flags"]
    assert edit["original_id"] == first["id"] and "total" in edit["diff"]
    assert first["id"] in edit["related_ids"]
    assert _show(cli, first["id"])["status"] == "accepted"


def test_a_corrected_reference_links_a_credit_note_to_its_invoice(
    lite: Cli, tmp_path: Path
) -> None:
    invoice = make_doc(63, number="2025063")
    credit = dataclasses.replace(
        make_doc(64, doc_type="credit_note", supplier=invoice.supplier),
        number="D2025064",
        refers_to="2025777",
    )
    inv = _ingest(lite, tmp_path, invoice, "i")
    cn = _ingest(lite, tmp_path, credit, "cn")
    assert inv["id"] not in cn["related_ids"]
    lite.run("inbox", "correct", str(cn["id"]), "--set", "refers_to=2025063")
    assert inv["id"] in _show(lite, cn["id"])["related_ids"]
    assert cn["id"] in _show(lite, inv["id"])["related_ids"]


# One of each kind through the CLI (all of them: test_values_are_normalised…, parse_value)
BAD = ["total=abc", "supplier.ico=35790327", "colour=red"]


def test_a_bad_value_changes_nothing(lite: Cli, tmp_path: Path) -> None:
    doc = _ingest(lite, tmp_path, make_doc(65, number="2025065"), "bad")
    for assignment in BAD:  # with a good value beside it: all or nothing
        out = lite.run(
            "inbox",
            "correct",
            str(doc["id"]),
            "--set",
            "number=X1",
            "--set",
            assignment,
            check=False,
        )
        assert out.returncode == 1 and "Traceback" not in out.stderr, assignment
        assert out.stderr.startswith("podatelna: ") and assignment.split("=")[0] in out.stderr
    after = _show(lite, doc["id"])
    assert after["number"] == doc["number"] and after["corrections"] == []


def test_unknown_id_and_usage(lite: Cli) -> None:
    out = lite.run("inbox", "correct", "nosuchid", "--set", "number=1", check=False)
    assert out.returncode == 1 and out.stderr.strip() == "podatelna: no document with id nosuchid"
    assert lite.run("inbox", "correct", "x", "--set", "number", check=False).returncode == 2


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("total", "1234,5", "1234.50"),
        ("supplier.ico", "35 790 326", "35790326"),
        ("iban", "sk31 1200 0000 1987 4263 7541", "SK3112000000198742637541"),
        ("customer.ic_dph", "sk 2020104735", "SK2020104735"),
        (
            "vat",
            '[{"rate":"23.0","base":"10","vat":"2.3"}]',
            [{"rate": "23", "base": "10.00", "vat": "2.30"}],
        ),
        ("due_date", "2026-02-01", "2026-02-01"),
        ("number", "", None),
        ("currency", "czk", "CZK"),
    ],
)
def test_values_are_normalised_like_extracted_ones(field: str, text: str, value: object) -> None:
    assert parse_value(field, text) == value


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("supplier.street", "x"),
        ("total", "abc"),
        ("issue_date", "2025-13-01"),
        ("supplier.ico", "35790327"),
        ("iban", "SK0000000000000000000000"),
        ("supplier.ic_dph", "SK1234"),
        ("vat", '[{"rate":"23"}]'),
        ("variable_symbol", "12a"),
        ("currency", "euro"),
    ],
)
def test_a_bad_value_is_refused_with_its_field(field: str, text: str) -> None:
    with pytest.raises(InvalidCorrection) as refused:
        parse_value(field, text)
    assert refused.value.field == field
