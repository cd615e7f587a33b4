"""The office's commands run without the daemon's secrets (CONTRACT "Install and run"):
`inbox` (list, show, resolve, correct), `report`, `ingest`, `user add` and `check-config`
(and `web`, in tests/test_browser.py) with an IMAP password that is neither in the
environment nor readable; `serve` refuses to start without it, before it touches anything.

"Unreadable" must hold for root too (CI runs as root, and root reads a mode-000 file): there
the commands run with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped (setpriv), which makes
root obey file modes exactly like the service's unprivileged user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PODATELNA, ROOT, Daemon, config_text
from tests.dovecot import Dovecot

UNSET = "PODATELNA_TEST_NEVER_SET"
SAMPLES = ROOT / "docs" / "samples"


def _as_unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to make root obey file modes")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def _run(
    config: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != UNSET} | (env or {})
    return subprocess.run(
        [*_as_unprivileged(), PODATELNA, *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environ,
        check=False,
    )


def _imap_accounts(password_file: Path) -> str:
    return f"""
[[imap]]
name = "from-env"
host = "127.0.0.1"
security = "none"
username = "u"
password_env = "{UNSET}"

[[imap]]
name = "from-file"
host = "127.0.0.1"
security = "none"
username = "u"
password_file = "{password_file}"
"""


@pytest.fixture
def secretless_config(tmp_path: Path) -> Path:
    secret = tmp_path / "imap.pass"
    secret.write_text("tajne\n")
    secret.chmod(0o000)
    config = tmp_path / "config.toml"
    database = f"sqlite:///{tmp_path / 'inbox.sqlite3'}"
    config.write_text(
        config_text(database, tmp_path / "files", extra=_imap_accounts(secret)), encoding="utf-8"
    )
    probe = subprocess.run(
        [*_as_unprivileged(), "cat", str(secret)], capture_output=True, check=False
    )
    assert probe.returncode != 0, "the secret file must be unreadable for the commands under test"
    return config


def test_office_commands_run_without_any_secret(secretless_config: Path) -> None:
    config = secretless_config
    done = _run(
        config,
        "ingest",
        str(SAMPLES / "incoming-sk_columns.eml"),
        str(SAMPLES / "no-attachment.eml"),
    )
    assert done.returncode == 0, done.stderr
    assert "ingested 2 file(s): 2 new document(s)" in done.stdout

    listed = _run(config, "inbox", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    docs = json.loads(listed.stdout)
    assert len(docs) == 2
    held = next(d for d in docs if d["status"] == "needs_review")
    assert "no_document" in held["flags"]

    shown = _run(config, "inbox", "show", held["id"], "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == held["id"]

    resolved = _run(config, "inbox", "resolve", held["id"], "--action", "accept", "--note", "ok")
    assert resolved.returncode == 0, resolved.stderr
    assert resolved.stdout.strip() == f"{held['id']}: accepted (accept)"

    corrected = _run(config, "inbox", "correct", held["id"], "--set", "number=2026001")
    assert corrected.returncode == 0, corrected.stderr

    user = subprocess.run(
        [*_as_unprivileged(), PODATELNA, "user", "add", "ucto", "--config", str(config)],
        input="dlhe-heslo-1\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != UNSET},
        check=False,
    )
    assert user.returncode == 0 and user.stdout.strip() == "user ucto added", user.stderr

    report = _run(config, "report", "--format", "json")
    assert report.returncode == 0, report.stderr
    mailboxes = json.loads(report.stdout)["companies"][0]["mailboxes"]
    assert mailboxes["incoming_invoices"]["new"] == 2

    for out in (done, listed, shown, resolved, corrected, user, report):
        assert "Traceback" not in out.stderr and UNSET not in out.stderr


def test_check_config_names_each_secret_serve_will_need(secretless_config: Path) -> None:
    out = _run(secretless_config, "check-config")
    assert out.returncode == 0, out.stderr
    needed = [line for line in out.stdout.splitlines() if line.startswith("not visible here")]
    assert needed == [
        "not visible here, serve will need it: imap[0].password_env: environment variable "
        f"{UNSET} is not set (needed by IMAP account 'from-env')",
        "not visible here, serve will need it: imap[1].password_file: cannot read "
        f"{secretless_config.parent / 'imap.pass'}: Permission denied (needed by IMAP account 'from-file')",
    ]
    assert out.stdout.startswith(f"configuration OK: {secretless_config}\n")

    summary = json.loads(_run(secretless_config, "check-config", "--format", "json").stdout)
    assert [a["secret"]["visible"] for a in summary["imap"]] == [False, False]
    assert summary["missing_secrets"] == [line.split(": ", 1)[1] for line in needed]
    assert "tajne" not in json.dumps(summary)


def test_check_config_is_silent_about_secrets_it_can_see(secretless_config: Path) -> None:
    (secretless_config.parent / "imap.pass").chmod(0o600)
    env = {UNSET: "heslo"}
    out = subprocess.run(
        [PODATELNA, "check-config", "--config", str(secretless_config)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "not visible" not in out.stdout and "heslo" not in out.stdout
    assert "imap: 2 account(s)" in out.stdout


def test_check_config_json_lists_every_address(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_text("sqlite:///x.db", tmp_path / "files"), encoding="utf-8")
    summary = json.loads(_run(config, "check-config", "--format", "json").stdout)
    assert summary["missing_secrets"] == [] and summary["smtp"] is None
    (company,) = summary["companies"]
    assert set(company["addresses"]) == {"receipts", "incoming_invoices", "outgoing_invoices"}
    assert all("@" in a for a in company["addresses"].values())


def test_serve_without_its_secret_exits_1_before_touching_anything(tmp_path: Path) -> None:
    secret = tmp_path / "imap.pass"
    secret.write_text("x")
    secret.chmod(0o000)
    config = tmp_path / "config.toml"
    config.write_text(
        config_text(
            f"sqlite:///{tmp_path / 'db.sqlite3'}",
            tmp_path / "files",
            smtp_port=2,
            extra=_imap_accounts(secret),
        ),
        encoding="utf-8",
    )
    out = _run(config, "serve")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert out.stderr.splitlines() == [
        f"podatelna: config: imap[0].password_env: environment variable {UNSET} is not set "
        "(needed by IMAP account 'from-env')",
        f"podatelna: config: imap[1].password_file: cannot read {secret}: Permission denied "
        "(needed by IMAP account 'from-file')",
    ]
    # Nothing created: no spool, no database, no files folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "imap.pass"]


def test_serve_polls_with_the_secret_while_inbox_list_runs_without(
    daemon_factory: Callable[..., Daemon], dovecot: Dovecot
) -> None:
    from tests.docgen import INCOMING, build_eml

    dovecot.append([build_eml(INCOMING, [], message_id="secretless@test", subject="bez hesla")])
    d = daemon_factory(extra=dovecot.account()).start()
    secret = dovecot.base / "main.password"
    deadline = time.monotonic() + 60
    try:
        secret.chmod(0o000)  # serve read it at login; the office's shell cannot
        while True:
            out = _run(d.config, "inbox", "list", "--format", "json")
            assert out.returncode == 0, out.stderr
            ids = [dl["message_id"] for doc in json.loads(out.stdout) for dl in doc["deliveries"]]
            if ids:
                break
            assert time.monotonic() < deadline, "the polled message never showed in inbox list"
            time.sleep(0.3)
        assert ids == ["secretless@test"]
    finally:
        secret.chmod(0o600)
    assert d.stop() == 0
