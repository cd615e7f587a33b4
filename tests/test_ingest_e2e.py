"""End to end through the real CLI: `podatelna ingest` a folder of generated .eml files, then
`inbox list --format json` is exactly the expected documents (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.docgen import INCOMING, OFFICE_CLIENT, build_eml, sample_messages

CONTRACT_KEYS = {
    "id",
    "status",
    "mailbox",
    "company",
    "doc_type",
    "number",
    "variable_symbol",
    "issue_date",
    "delivery_date",
    "due_date",
    "supplier",
    "customer",
    "currency",
    "total",
    "vat",
    "iban",
    "receipt_id",
    "refers_to",
    "related_ids",
    "accounting_range",
    "flags",
    "original_id",
    "source",
    "deliveries",
    "resolution",
    "corrections",
}


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, tuple[bytes, object]]:
    folder = tmp_path / "mail"
    folder.mkdir()
    messages = sample_messages()
    for name, (eml, _) in messages.items():
        (folder / name).write_bytes(eml)
    return messages


def test_ingest_folder_then_list(
    cli: Cli, tmp_path: Path, samples: dict[str, tuple[bytes, object]]
) -> None:
    out = cli.run("ingest", str(tmp_path / "mail"))
    assert out.stdout.strip().startswith(
        f"ingested {len(samples)} file(s): {len(samples)} new document(s)"
    )
    events = [json.loads(line) for line in out.stderr.splitlines() if line.startswith("{")]
    assert {"message_stored", "delivery_recorded", "document_stored", "message_processed"} <= {
        e["event"] for e in events
    }
    assert all(
        {"event", "level", "timestamp"} <= e.keys() and e["timestamp"].endswith("Z") for e in events
    )

    docs = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    assert len(docs) == len(samples)
    by_message = {d["source"]["message_id"]: d for d in docs}
    for name, (eml, truth) in samples.items():
        message_id = next(
            line for line in eml.decode().splitlines() if line.startswith("Message-ID:")
        )
        doc = by_message[message_id.split("<")[1].rstrip(">")]
        assert set(doc) == CONTRACT_KEYS
        assert doc["company"] == OFFICE_CLIENT.ico
        assert len(doc["deliveries"]) == 1 and doc["deliveries"][0]["channel"] == "file"
        if truth is None:  # the message without an attachment
            assert (doc["status"], doc["flags"], doc["doc_type"]) == (
                "needs_review",
                ["no_document"],
                "unknown",
            )
            continue
        expected = truth.expected()  # type: ignore[attr-defined]
        for key, value in expected.items():
            assert doc[key] == value, (name, key)
        assert doc["status"] == "accepted" and doc["flags"] == []
        assert doc["source"]["filename"].endswith(".pdf") and len(doc["source"]["sha256"]) == 64
        mailbox = "outgoing_invoices" if name.startswith("outgoing") else "incoming_invoices"
        assert doc["mailbox"] == mailbox
        assert (
            doc["accounting_range"]
            == {"invoice": ("OF" if mailbox.startswith("out") else "DF"), "credit_note": "DD"}[
                expected["doc_type"]
            ]
        )

    jsonl = [
        json.loads(line)
        for line in cli.run("inbox", "list", "--format", "jsonl").stdout.splitlines()
    ]
    assert jsonl == docs
    review = json.loads(
        cli.run("inbox", "list", "--status", "needs_review", "--format", "json").stdout
    )
    assert [d["flags"] for d in review] == [["no_document"]]
    table = cli.run("inbox", "list").stdout
    assert f"{len(samples)} document(s)" in table and "no_document" in table


def test_same_eml_twice_is_one_document_two_deliveries(
    cli: Cli, tmp_path: Path, samples: dict[str, tuple[bytes, object]]
) -> None:
    path = tmp_path / "mail" / "incoming-sk_columns.eml"
    cli.run("ingest", str(path))
    second = cli.run("ingest", str(path))
    assert "0 new document(s)" in second.stdout and "1 redelivered" in second.stdout
    docs = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    assert len(docs) == 1
    assert [d["channel"] for d in docs[0]["deliveries"]] == ["file", "file"]
    shown = json.loads(cli.run("inbox", "show", docs[0]["id"], "--format", "json").stdout)
    assert shown["id"] == docs[0]["id"] and len(shown["deliveries"]) == 2


def test_to_overrides_headers_and_unknown_recipient_is_kept(
    cli: Cli, tmp_path: Path, samples: dict[str, tuple[bytes, object]]
) -> None:
    path = tmp_path / "mail" / "incoming-en_grid.eml"
    cli.run("ingest", "--to", "Firma.Blocky+scan@doklady.example.sk", str(path))
    stray = tmp_path / "stray.eml"
    stray.write_bytes(build_eml("someone@elsewhere.example", [], message_id="stray@x", subject="?"))
    cli.run("ingest", str(stray))
    docs = {
        d["source"]["message_id"]: d
        for d in json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    }
    assert docs["sample-en_grid@test.example"]["mailbox"] == "receipts"
    assert (
        docs["sample-en_grid@test.example"]["deliveries"][0]["to"]
        == "Firma.Blocky+scan@doklady.example.sk"
    )
    stray_doc = docs["stray@x"]
    assert stray_doc["company"] is None and stray_doc["status"] == "needs_review"
    assert stray_doc["flags"] == ["no_document", "unknown_recipient"]
    assert INCOMING not in json.dumps(stray_doc)


def test_user_errors_are_one_line_exit_1(cli: Cli, tmp_path: Path) -> None:
    missing = cli.run("ingest", str(tmp_path / "nope.eml"), check=False)
    assert (
        missing.returncode == 1
        and missing.stderr.strip() == f"podatelna: no such file or folder: {tmp_path / 'nope.eml'}"
    )
    unknown = cli.run("inbox", "show", "0123456789abcdef", check=False)
    assert (
        unknown.returncode == 1
        and unknown.stderr.strip() == "podatelna: no document with id 0123456789abcdef"
    )


def test_report_counts_per_company_and_mailbox(
    cli: Cli, tmp_path: Path, samples: dict[str, tuple[bytes, object]]
) -> None:
    cli.run("ingest", str(tmp_path / "mail"))
    cli.run("ingest", str(tmp_path / "mail" / "incoming-en_grid.eml"))  # a redelivery is not new
    report = json.loads(cli.run("report", "--format", "json").stdout)
    assert set(report) >= {"since", "pending", "companies", "imap"}
    assert report["since"] is None and report["pending"] == 0 and report["imap"] == []
    [company] = report["companies"]
    assert company["company"] == OFFICE_CLIENT.ico and company["name"] == OFFICE_CLIENT.name
    incoming = company["mailboxes"]["incoming_invoices"]
    assert incoming == {
        "new": 4,
        "changed": 0,
        "needs_review": 1,
        "failed": 1,
        "resolved": 0,
        "flags": {"no_document": 1},
    }
    assert company["mailboxes"]["outgoing_invoices"]["new"] == 1
    assert company["mailboxes"]["receipts"]["new"] == 0
    future = json.loads(cli.run("report", "--since", "2999-01-01", "--format", "json").stdout)
    assert future["since"] == "2999-01-01"
    assert future["companies"][0]["mailboxes"]["incoming_invoices"]["new"] == 0
    table = cli.run("report").stdout
    assert "incoming_invoices" in table and "no_document 1" in table
    bad = cli.run("report", "--since", "yesterday", check=False)
    assert bad.returncode == 2
    unknown = cli.run("report", "--company", "12345678", check=False)
    assert unknown.returncode == 1 and "no company with IČO 12345678" in unknown.stderr


def test_list_filters_and_pending_spool(
    cli: Cli, tmp_path: Path, samples: dict[str, tuple[bytes, object]]
) -> None:
    from datetime import UTC, datetime

    from daemon.spool import SmtpOrigin, Spool
    from storage.blobs import BlobStore

    cli.run("ingest", str(tmp_path / "mail"))
    everything = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    outgoing = json.loads(
        cli.run("inbox", "list", "--mailbox", "outgoing_invoices", "--format", "json").stdout
    )
    assert [d["mailbox"] for d in outgoing] == ["outgoing_invoices"]
    mine = json.loads(
        cli.run("inbox", "list", "--company", OFFICE_CLIENT.ico, "--format", "json").stdout
    )
    assert len(mine) == len(everything)
    assert (
        json.loads(cli.run("inbox", "list", "--company", "36582221", "--format", "json").stdout)
        == []
    )
    # contract: a message is listed only once processed; report counts the spooled ones as pending
    spool = Spool(tmp_path / "spool", BlobStore(tmp_path / "files"))
    spool.ensure()
    spool.put(
        b"Subject: later\r\n\r\nbody\r\n", SmtpOrigin("a@b.example", (INCOMING,)), datetime.now(UTC)
    )
    spool.close()
    assert json.loads(cli.run("report", "--format", "json").stdout)["pending"] == 1
    assert len(json.loads(cli.run("inbox", "list", "--format", "json").stdout)) == len(everything)


def test_ingest_bounds_each_document(tmp_path: Path) -> None:
    """A document that takes too long is given up and kept for a person; ingest carries on."""
    from tests.conftest import config_text
    from tests.test_faults import _long_pdf

    config = tmp_path / "bounded.toml"
    extra = "[processing]\ndocument_timeout = 0.1\nmax_pages = 1000\n"
    config.write_text(
        config_text(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path / "files") + extra
    )
    slow = _long_pdf(400).data
    eml = tmp_path / "slow.eml"
    eml.write_bytes(
        build_eml(INCOMING, [("slow.pdf", slow, "application/pdf")], message_id="slow@t")
    )
    out = Cli(config).run("ingest", str(eml))
    assert "1 need review" in out.stdout
    [doc] = json.loads(Cli(config).run("inbox", "list", "--format", "json").stdout)
    assert doc["flags"] == ["unreadable_pdf"] and doc["status"] == "needs_review"
    shown = json.loads(Cli(config).run("inbox", "show", doc["id"], "--format", "json").stdout)
    assert "gave up after 0.1 s" in shown["problem"]


def test_ingest_goes_through_the_spool_and_finishes_a_killed_ingest(
    cli: Cli, tmp_path: Path
) -> None:
    """ingest records each file in a spool of its own and runs serve's runner; what a killed
    ingest left there (acknowledged to nobody, but read from the user's files) is finished by
    the next one, and nothing is left behind."""
    from datetime import UTC, datetime

    from daemon.config import load_settings
    from daemon.spool import FileOrigin, Spool
    from storage.blobs import BlobStore
    from tests.docgen import LAYOUTS, make_doc

    settings = load_settings(cli.config)
    killed = Spool.for_ingest(settings.storage.spool, BlobStore(settings.storage.files))
    pdf = LAYOUTS["sk_columns"](make_doc(77, number="2026077"))
    left = build_eml(INCOMING, [("f.pdf", pdf, "application/pdf")], message_id="left@t")
    killed.put(left, FileOrigin("left.eml"), datetime.now(UTC))
    killed.close()  # the process is gone: its lock with it, its entry stays
    assert json.loads(cli.run("report", "--format", "json").stdout)["pending"] == 1
    mail = tmp_path / "new.eml"
    pdf = LAYOUTS["cz_stacked"](make_doc(78, number="2026078"))
    mail.write_bytes(build_eml(INCOMING, [("g.pdf", pdf, "application/pdf")], message_id="new@t"))
    out = cli.run("ingest", str(mail))
    assert (
        "ingested 1 file(s) (and 1 left by an interrupted ingest): 2 new document(s)" in out.stdout
    )
    listed = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    assert sorted(d["number"] for d in listed) == ["2026077", "2026078"]
    assert list((settings.storage.spool / "ingest").iterdir()) == []
    again = cli.run("ingest", str(mail))  # a file ingested twice: a second delivery, one document
    assert "1 redelivered" in again.stdout
    assert len(json.loads(cli.run("inbox", "list", "--format", "json").stdout)) == 2
