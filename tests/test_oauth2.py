"""OAuth2 mailboxes through real Dovecot: its `oauth2` passdb asks a token-introspection
endpoint served by this test on loopback, which also stands in for the provider's device and
token endpoints (the providers are the public internet, which cannot run here)."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from daemon.config import ConfigError, load_settings
from tests.conftest import Cli, Daemon, config_text
from tests.docgen import INCOMING, LAYOUTS, build_eml, make_doc
from tests.dovecot import USER, Dovecot
from tests.oauthstand import Provider


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider(USER)
    yield p
    p.close()


@pytest.fixture
def oauth_dovecot(provider: Provider, dovecot_factory: Callable[..., Dovecot]) -> Dovecot:
    return dovecot_factory(introspection_url=provider.introspection_url)


def _oauth_account(d: Dovecot, provider: Provider, token_file: Path, name: str = "m365") -> str:
    return (
        "[[imap]]\n"
        f'name = "{name}"\nhost = "127.0.0.1"\nport = {d.port}\nsecurity = "none"\n'
        f'username = "{USER}"\nauth = "oauth2"\noauth2_provider = "custom"\n'
        f'oauth2_client_id = "podatelna-test"\noauth2_token_url = "{provider.token_url}"\n'
        f'oauth2_device_url = "{provider.device_url}"\noauth2_scope = "imap offline_access"\n'
        f'oauth2_token_file = "{token_file}"\nfolder = "INBOX"\nprocessed_folder = "Processed"\n'
        "poll_seconds = 1\n"
    )


def _mail(n: int) -> bytes:
    doc = make_doc(500 + n)
    return build_eml(INCOMING, [(f"f{n}.pdf", LAYOUTS["sk_columns"](doc), "application/pdf")])


def test_authorize_then_poll_through_xoauth2_with_refreshes_and_rotation(
    provider: Provider,
    oauth_dovecot: Dovecot,
    daemon_factory: Callable[..., Daemon],
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "state" / "m365.token"
    d = daemon_factory(extra=_oauth_account(oauth_dovecot, provider, token_file))
    out = d.cli.run("imap", "authorize", "m365", timeout=60)
    assert "ABCD-1234" in out.stdout and f"{provider.base}/activate" in out.stdout
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    first = json.loads(token_file.read_text())["refresh_token"]
    assert first in provider.refresh

    provider.lifetime = 3  # access tokens now expire while the daemon runs
    d.start()
    oauth_dovecot.append([_mail(1)])
    d.wait_for(lambda docs: len(docs) == 1)
    time.sleep(4)  # past the first access token's life: the next polls must refresh
    oauth_dovecot.append([_mail(2)])
    d.wait_for(lambda docs: len(docs) == 2)
    assert provider.refreshes() >= 2
    rotated = json.loads(token_file.read_text())["refresh_token"]
    assert rotated != first and rotated in provider.refresh  # the file has the live one
    log = d.log_path.read_text()
    assert "at-" not in log and "rt-" not in log  # no token is ever logged

    # SIGKILL right after a refresh (the file changes): the rotated token was saved first
    deadline = time.monotonic() + 20
    while json.loads(token_file.read_text())["refresh_token"] == rotated:
        assert time.monotonic() < deadline, "no refresh within 20 s"
        time.sleep(0.01)
    d.kill()
    d.start()
    oauth_dovecot.append([_mail(3)])
    d.wait_for(lambda docs: len(docs) == 3)
    assert d.stop() == 0


def test_a_revoked_token_stops_only_its_account_until_authorised_again(
    provider: Provider,
    oauth_dovecot: Dovecot,
    daemon_factory: Callable[..., Daemon],
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "m365.token"
    token_file.write_text(json.dumps({"refresh_token": provider.issue_refresh_token()}))
    os.chmod(token_file, 0o600)
    password_account = oauth_dovecot.account(name="heslo", folder="Heslo", processed=None)
    extra = _oauth_account(oauth_dovecot, provider, token_file) + password_account
    d = daemon_factory(extra=extra).start()
    oauth_dovecot.append([_mail(4)])
    d.wait_for(lambda docs: len(docs) == 1)

    provider.revoke_all()  # the admin revoked the app, or the token aged out
    oauth_dovecot.append([_mail(5)])
    oauth_dovecot.append([_mail(6)], folder="Heslo")
    d.wait_for(lambda docs: any(x.filename == "f6.pdf" for x in docs))  # the other account polls
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        failed = [e for e in d.events() if e.get("event") == "imap_auth_failed"]
        if failed:
            break
        time.sleep(0.2)
    assert failed and failed[0]["imap_account"] == "m365"
    assert "imap authorize" in str(failed[0]["reason"]) or "refused" in str(failed[0]["reason"])
    report = json.loads(d.cli.run("report", "--format", "json").stdout)
    accounts = {a["name"]: a for a in report["imap"]}
    assert accounts["m365"]["needs_authorization"] is True
    assert accounts["heslo"]["needs_authorization"] is False
    assert "needs authorisation" in d.cli.run("report").stdout

    d.cli.run("imap", "authorize", "m365", timeout=60)  # polling resumes by itself
    d.wait_for(lambda docs: any(x.filename == "f5.pdf" for x in docs), timeout=30)
    report = json.loads(d.cli.run("report", "--format", "json").stdout)
    assert {a["name"]: a for a in report["imap"]}["m365"]["needs_authorization"] is False
    assert d.stop() == 0


def test_oauth2_config_errors_name_their_keys(tmp_path: Path) -> None:
    base = config_text("sqlite:///x.db", tmp_path / "f")
    account = (
        '[[imap]]\nname = "a"\nhost = "h"\nusername = "u"\nauth = "oauth2"\n'
        'oauth2_provider = "yahoo"\npassword_env = "X"\n'
    )
    config = tmp_path / "c.toml"
    config.write_text(base + account)
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    text = str(err.value)
    for key in (
        "imap[0].oauth2_provider",
        "imap[0].oauth2_client_id",
        "imap[0].oauth2_token_file",
        "imap[0].password_env",
    ):
        assert key in text, text
    config.write_text(
        base + '[[imap]]\nname = "a"\nhost = "h"\nusername = "u"\nauth = "kerberos"\n'
        'password_env = "X"\noauth2_client_id = "c"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    assert "imap[0].auth" in str(err.value) and "imap[0].oauth2_client_id" in str(err.value)
    config.write_text(
        base + '[[imap]]\nname = "a"\nhost = "h"\nusername = "u@firma.sk"\nauth = "oauth2"\n'
        'oauth2_provider = "microsoft"\noauth2_client_id = "c"\n'
        f'oauth2_token_file = "{tmp_path / "t"}"\n'
    )
    settings = load_settings(config)
    oauth = settings.imap[0].oauth2
    assert oauth is not None and "login.microsoftonline.com/common/" in oauth.token_url
    assert "IMAP.AccessAsUser.All" in oauth.scope and "offline_access" in oauth.scope
    # no token yet: `check-config` says what serve will need; other commands do not care
    out = Cli(config).run("check-config")
    assert "imap authorize" in out.stdout


def test_imap_authorize_refuses_an_unknown_or_password_account_in_one_line(
    tmp_path: Path,
) -> None:
    config = tmp_path / "c.toml"
    account = '[[imap]]\nname = "heslo"\nhost = "h"\nusername = "u"\npassword_env = "X"\n'
    config.write_text(config_text(f"sqlite:///{tmp_path / 'db'}", tmp_path / "f") + account)
    cli = Cli(config)
    for name, says in (("nosuch", "no [[imap]] account named 'nosuch'"), ("heslo", "password")):
        out = cli.run("imap", "authorize", name, check=False)
        assert out.returncode == 1 and says in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
