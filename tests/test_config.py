"""Config: every class of error is reported with its TOML path, all together; the example loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config import ConfigError, load_settings
from parsers.vocab import DocType, Mailbox
from tests.conftest import ROOT, Cli, config_text


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_settings(_write(tmp_path, text))
    return err.value.problems


def test_example_config_loads_and_is_complete() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.smtp is not None
    assert (settings.smtp.host, settings.smtp.port) == ("127.0.0.1", 2525)
    assert settings.storage.database.startswith(
        "sqlite:///"
    ) and settings.storage.database.endswith("var/inbox.sqlite3")
    assert settings.storage.files == ROOT / "var" / "files"
    company = settings.companies[0]
    assert company.addresses[Mailbox.INCOMING_INVOICES] == "firma.dosle@doklady.example.sk"
    assert company.series[DocType.INVOICE] == "OF{YYYY}{NNNN}"


def test_minimal_config_has_defaults(tmp_path: Path) -> None:
    s = load_settings(_write(tmp_path, config_text("sqlite:///x.db", tmp_path / "f")))
    assert s.smtp is None and s.imap == ()
    assert s.storage.database == f"sqlite:///{tmp_path / 'x.db'}"  # relative to the config file
    assert s.storage.spool == tmp_path / "spool"


def test_unknown_keys_are_errors_with_their_path(tmp_path: Path) -> None:
    text = config_text("sqlite:///x.db", tmp_path / "f").replace(
        "[storage]", "colour = 1\n[storage]\nfilez = 2"
    )
    problems = _problems(tmp_path, text)
    assert "colour: unknown key" in problems
    assert "storage.filez: unknown key" in problems


def test_bad_ico_checksum(tmp_path: Path) -> None:
    text = config_text("sqlite:///x.db", tmp_path / "f").replace(
        'ico = "35790326"', 'ico = "35790327"'
    )
    assert _problems(tmp_path, text) == [
        "company[0].ico: '35790327' is not a valid IČO (8 digits, mod-11 check digit)"
    ]


def test_bad_port_and_bad_ic_dph_reported_together(tmp_path: Path) -> None:
    text = config_text("sqlite:///x.db", tmp_path / "f", smtp_port=70000).replace(
        "SK2020104735", "SK2020104736"
    )
    problems = _problems(tmp_path, text)
    assert len(problems) == 2
    assert problems[0].startswith("smtp.listen: expected host:port with a port from 0 to 65535")
    assert problems[1].startswith("company[0].ic_dph:")


def test_duplicate_address_across_companies(tmp_path: Path) -> None:
    second = """
[[company]]
name = "Druhá s.r.o."
ico = "36582221"
[company.addresses]
incoming_invoices = "Firma.Dosle+x@doklady.example.sk"
"""
    problems = _problems(tmp_path, config_text("sqlite:///x.db", tmp_path / "f", extra=second))
    assert problems == [
        "company[1].addresses.incoming_invoices: Firma.Dosle+x@doklady.example.sk is already used at "
        "company[0].addresses.incoming_invoices"
    ]


IMAP = """
[[imap]]
name = "main"
host = "127.0.0.1"
security = "none"
username = "u"
{secret}
"""


def test_missing_secret_is_not_a_config_error_but_is_named(tmp_path: Path) -> None:
    """Loading never reads a secret (the office's commands run without them); `serve` asks
    `missing_secrets`, which names the key, the variable and the account."""
    text = config_text(
        "sqlite:///x.db", tmp_path / "f", extra=IMAP.format(secret='password_env = "NO_SUCH_VAR"')
    )
    settings = load_settings(_write(tmp_path, text))
    assert settings.missing_secrets({}) == [
        "imap[0].password_env: environment variable NO_SUCH_VAR is not set "
        "(needed by IMAP account 'main')"
    ]
    assert settings.missing_secrets({"NO_SUCH_VAR": "x"}) == []


def test_no_secret_at_all_is_a_config_error(tmp_path: Path) -> None:
    text = config_text("sqlite:///x.db", tmp_path / "f", extra=IMAP.format(secret=""))
    assert _problems(tmp_path, text) == ["imap[0]: missing password_env or password_file"]


def test_password_in_file_is_refused(tmp_path: Path) -> None:
    text = config_text(
        "sqlite:///x.db", tmp_path / "f", extra=IMAP.format(secret='password = "hunter2"')
    )
    problems = _problems(tmp_path, text)
    assert "imap[0].password: unknown key" in problems
    assert any(p.startswith("imap[0].password: never put the password") for p in problems)
    assert all("hunter2" not in p for p in problems)


def test_secret_from_env_and_file(tmp_path: Path) -> None:
    text = config_text(
        "sqlite:///x.db", tmp_path / "f", extra=IMAP.format(secret='password_env = "PW"')
    )
    assert load_settings(_write(tmp_path, text)).imap[0].password.read({"PW": "s3cret"}) == "s3cret"
    text = config_text(
        "sqlite:///x.db", tmp_path / "f", extra=IMAP.format(secret='password_file = "pw"')
    )
    account = load_settings(_write(tmp_path, text)).imap[0]  # the file need not exist yet
    assert (
        account.password.problem()
        == f"imap[0].password_file: cannot read {tmp_path / 'pw'}: No such file or directory"
    )
    (tmp_path / "pw").write_text("from-file\n")
    assert account.password.read() == "from-file" and account.port == 143
    assert "from-file" not in repr(account)
    (tmp_path / "pw").write_text("\n")
    assert account.password.problem() == f"imap[0].password_file: {tmp_path / 'pw'} is empty"


def test_bad_variable_name(tmp_path: Path) -> None:
    text = config_text(
        "sqlite:///x.db", tmp_path / "f", extra=IMAP.format(secret='password_env = "MY-PW"')
    )
    assert _problems(tmp_path, text) == ["imap[0].password_env: not a variable name: 'MY-PW'"]


def test_bad_series_placeholder(tmp_path: Path) -> None:
    extra = '[company.series]\ninvoice = "OF{YYYY}{XX}"\n'
    assert _problems(tmp_path, config_text("sqlite:///x.db", tmp_path / "f", extra=extra)) == [
        "company[0].series.invoice: unknown placeholder {XX} (use {YYYY}, {YY}, {NNNN}, {N})"
    ]


def test_not_toml(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "[smtp\n")
    assert len(problems) == 1 and "not valid TOML" in problems[0]


def test_check_config_cli(tmp_path: Path) -> None:
    good = _write(tmp_path, config_text("sqlite:///x.db", tmp_path / "f", smtp_port=2525))
    out = Cli(good).run("check-config")
    assert "configuration OK" in out.stdout and "Firma s.r.o. (IČO 35790326)" in out.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(
        config_text("sqlite:///x.db", tmp_path / "f", smtp_port=99999).replace(
            "35790326", "35790327"
        )
    )
    proc = Cli(bad).run("check-config", check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("podatelna: config: ") for line in lines)
    assert "Traceback" not in proc.stderr


def test_cli_without_config_is_a_user_error(tmp_path: Path) -> None:
    import os
    import subprocess

    from tests.conftest import PODATELNA

    env = {k: v for k, v in os.environ.items() if k != "PODATELNA_CONFIG"}
    proc = subprocess.run(
        [PODATELNA, "inbox", "list"], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        == "podatelna: config: no configuration: give --config FILE or set PODATELNA_CONFIG"
    )
    usage = subprocess.run(
        [PODATELNA, "inbox", "frobnicate"], capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
