"""Every review flag, produced end to end: generated e-mails → `podatelna ingest` → the flags
and status `inbox list` shows."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from tests.conftest import Cli, config_text
from tests.docgen import (
    INCOMING,
    LAYOUTS,
    OFFICE_CLIENT,
    OUTGOING,
    RECEIPTS,
    SUPPLIERS,
    Item,
    build_eml,
    curves_only_pdf,
    encrypted,
    make_doc,
    make_receipt,
    render_receipt,
)


def _cases() -> dict[str, tuple[str, bytes, list[str], str]]:
    """name → (address, pdf, expected flags, expected status)."""
    pdf = LAYOUTS["sk_columns"]
    base = make_doc(21)
    stranger = dataclasses.replace(make_doc(28), customer=SUPPLIERS[1])
    own = dataclasses.replace(
        make_doc(22), supplier=OFFICE_CLIENT, customer=SUPPLIERS[0], number="OF20250022"
    )
    big_receipt = dataclasses.replace(
        make_receipt(3), items=(Item("Notebook", Decimal(1), Decimal("500.00"), 23),)
    )
    return {
        "clean": (INCOMING, pdf(base), [], "accepted"),
        "customer_ico_mismatch": (
            INCOMING,
            pdf(stranger),
            ["customer_ico_mismatch"],
            "needs_review",
        ),
        "supplier_ico_mismatch": (
            OUTGOING,
            pdf(stranger),
            ["supplier_ico_mismatch"],
            "needs_review",
        ),
        "misrouted": (INCOMING, pdf(own), ["customer_ico_mismatch", "misrouted"], "needs_review"),
        "series_ok": (OUTGOING, pdf(own), [], "accepted"),
        "series_mismatch": (
            OUTGOING,
            pdf(dataclasses.replace(own, number="2025023", variable_symbol="2025023")),
            ["series_mismatch"],
            "needs_review",
        ),
        "totals_inconsistent": (
            INCOMING,
            pdf(dataclasses.replace(make_doc(24), total_shift=Decimal("10.00"))),
            ["totals_inconsistent"],
            "needs_review",
        ),
        "rounding_is_consistent": (
            INCOMING,
            pdf(dataclasses.replace(make_doc(29), rounding=Decimal("0.03"))),
            [],
            "accepted",
        ),
        "advance_deducted_is_consistent": (
            INCOMING,
            pdf(dataclasses.replace(make_doc(30), advance_paid=Decimal("100.00"))),
            [],
            "accepted",
        ),
        "invalid_ico": (
            INCOMING,
            pdf(
                dataclasses.replace(
                    make_doc(25), supplier=dataclasses.replace(SUPPLIERS[0], ico="12345678")
                )
            ),
            ["invalid_ico"],
            "needs_review",
        ),
        "invalid_iban": (
            INCOMING,
            pdf(dataclasses.replace(make_doc(26), iban="SK3112000000198742637542")),
            ["invalid_iban"],
            "needs_review",
        ),
        "receipt": (RECEIPTS, render_receipt(make_receipt(4)), [], "accepted"),
        "receipt_over_limit": (
            RECEIPTS,
            render_receipt(big_receipt),
            ["receipt_over_limit"],
            "needs_review",
        ),
        "unreadable_pdf": (
            INCOMING,
            encrypted(pdf(make_doc(27))),
            ["unreadable_pdf"],
            "needs_review",
        ),
        "no_text_layer": (INCOMING, curves_only_pdf(), ["no_text_layer"], "needs_review"),
    }


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("flags")
    config = tmp / "config.toml"
    series = '[company.series]\ninvoice = "OF{YYYY}{NNNN}"\ncredit_note = "OD{YYYY}{NNNN}"\n'
    config.write_text(
        config_text(f"sqlite:///{tmp / 'inbox.sqlite3'}", tmp / "files", extra=series)
    )
    mail = tmp / "mail"
    mail.mkdir()
    for name, (address, pdf, _, _) in _cases().items():
        (mail / f"{name}.eml").write_bytes(
            build_eml(
                address, [(f"{name}.pdf", pdf, "application/pdf")], message_id=f"{name}@flags"
            )
        )
    cli = Cli(config)
    cli.run("ingest", str(mail))
    docs = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    return {d["source"]["message_id"].split("@")[0]: d for d in docs}


@pytest.mark.parametrize("name", list(_cases()))
def test_flag_end_to_end(inbox: dict[str, dict[str, object]], name: str) -> None:
    _, _, flags, status = _cases()[name]
    doc = inbox[name]
    assert doc["flags"] == sorted(flags)
    assert doc["status"] == status


def test_misrouted_says_where(inbox: dict[str, dict[str, object]]) -> None:
    assert inbox["misrouted"]["accounting_range"] == "DF"
    assert inbox["receipt"]["accounting_range"] == "P" and inbox["receipt"]["doc_type"] == "receipt"
    assert inbox["receipt"]["receipt_id"] is not None
