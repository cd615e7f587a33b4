"""The review page and its API over HTTP (CONTRACT "The review page"), against the real app
and a real database: sessions, CSRF, every API row, escaping, the original as an attachment,
corrections through the web, and the same JSON as the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from daemon.config import load_settings
from daemon.intake import Source, intake
from daemon.spool import FileOrigin
from daemon.web import create_app
from daemon.websession import LoginThrottle, hash_password
from daemon.workers import WorkerPool
from parsers.pages import RenderedPage
from storage.store import Store
from tests.conftest import Cli, config_text
from tests.docgen import INCOMING, LAYOUTS, Party, build_eml, make_doc

PASSWORD = "tajne-heslo-1"
RENDERS: list[int] = []


class _CountingPool(WorkerPool):
    """The real worker pool, counting the pages it is asked to render."""

    def render(self, data: bytes, page: int) -> RenderedPage:
        RENDERS.append(page)
        return super().render(data, page)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Cli, dict[str, str]]]:
    config = tmp_path / "config.toml"
    config.write_text(config_text(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "files"))
    cli = Cli(config)
    hostile = dataclasses.replace(
        make_doc(71, number="2025071"),
        supplier=Party("<script>alert('x')</script> s.r.o.", "36582221", "2022222222", None),
        total_shift=Decimal("5.00"),  # totals_inconsistent: needs a person
    )
    settings = load_settings(config)
    store = Store.open(settings.storage.database, settings.storage.files)
    ids = {}
    for name, doc, filename in (
        ("held", hostile, '../../etc/pass"wd <b>.pdf'),
        ("fine", make_doc(72, number="2025072"), "faktúra 72.pdf"),
    ):
        raw = build_eml(
            INCOMING,
            [(filename, LAYOUTS["sk_columns"](doc), "application/pdf")],
            message_id=f"{name}@t",
        )
        result = intake(store, settings, raw, Source.fresh(FileOrigin(name)))
        ids[name] = result.items[0].document_id
    store.set_user("ucto", hash_password(PASSWORD))
    pool = _CountingPool(1, 30, 1024, 10)
    pool.start()
    try:
        with TestClient(create_app(settings, store, pool), base_url="http://testserver") as client:
            yield client, cli, ids
    finally:
        pool.close()
        store.close()


def _login(client: TestClient) -> str:
    r = client.post(
        "/login", data={"username": "ucto", "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    return str(client.get("/api/session").json()["csrf_token"])


def test_nothing_without_a_session(site: tuple[TestClient, Cli, dict[str, str]]) -> None:
    client, _, ids = site
    for path in ("/", "/report", f"/documents/{ids['fine']}", f"/documents/{ids['fine']}/original"):
        r = client.get(path, follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (303, "/login"), path
    for path in ("/api/documents", f"/api/documents/{ids['fine']}", "/api/report", "/api/session"):
        assert client.get(path).status_code == 401, path
    r = client.post(f"/api/documents/{ids['held']}/resolve", json={"action": "accept"})
    assert r.status_code == 401


def test_login_wrong_password_then_right(site: tuple[TestClient, Cli, dict[str, str]]) -> None:
    client, _, _ = site
    r = client.post(
        "/login", data={"username": "ucto", "password": "zle-heslo"}, follow_redirects=False
    )
    assert r.status_code == 401 and "set-cookie" not in r.headers
    r = client.post(
        "/login", data={"username": "nikto", "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 401 and "set-cookie" not in r.headers
    r = client.post(
        "/login", data={"username": "ucto", "password": PASSWORD}, follow_redirects=False
    )
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303 and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain HTTP here; behind TLS the cookie is Secure
    assert client.get("/api/session").json()["user"] == "ucto"
    csrf = client.get("/api/session").json()["csrf_token"]
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    assert client.get("/api/session").status_code == 401


def test_a_tampered_session_is_no_session(site: tuple[TestClient, Cli, dict[str, str]]) -> None:
    client, _, _ = site
    _login(client)
    value = client.cookies["podatelna_session"]
    client.cookies.clear()
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    for cookie in (value, tampered, value.replace(".", "x.", 1)):
        r = client.get("/api/session", headers={"cookie": f"podatelna_session={cookie}"})
        assert r.status_code == (200 if cookie == value else 401)


def test_state_changes_need_the_csrf_token(site: tuple[TestClient, Cli, dict[str, str]]) -> None:
    client, cli, ids = site
    csrf = _login(client)
    url = f"/api/documents/{ids['held']}/resolve"
    assert client.post(url, json={"action": "accept"}).status_code == 403
    assert (
        client.post(url, json={"action": "accept"}, headers={"X-CSRF-Token": "wrong"}).status_code
        == 403
    )
    form = client.post(
        f"/documents/{ids['held']}/resolve", data={"action": "accept"}, follow_redirects=False
    )
    assert form.status_code == 403
    held = json.loads(cli.run("inbox", "show", ids["held"], "--format", "json").stdout)
    assert held["status"] == "needs_review" and held["resolution"] is None  # nothing changed
    r = client.post(
        url, json={"action": "accept", "note": "overené"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 200
    assert r.json()["status"] == "accepted" and r.json()["resolution"]["by"] == "ucto"
    assert r.json() == json.loads(cli.run("inbox", "show", ids["held"], "--format", "json").stdout)


def test_the_api_answers_exactly_as_the_cli(site: tuple[TestClient, Cli, dict[str, str]]) -> None:
    client, cli, ids = site
    _login(client)
    assert client.get("/api/documents").json() == json.loads(
        cli.run("inbox", "list", "--format", "json").stdout
    )
    filtered = client.get("/api/documents", params={"status": "needs_review"}).json()
    assert [d["id"] for d in filtered] == [ids["held"]]
    assert client.get(f"/api/documents/{ids['fine']}").json() == json.loads(
        cli.run("inbox", "show", ids["fine"], "--format", "json").stdout
    )
    report = client.get("/api/report", params={"since": "2000-01-01"}).json()
    assert report == json.loads(
        cli.run("report", "--since", "2000-01-01", "--format", "json").stdout
    )
    assert client.get("/api/report", params={"since": "yesterday"}).status_code == 422
    for bad in ("0000000000000000", "../etc/passwd", "x" * 300):
        assert client.get(f"/api/documents/{bad}").status_code == 404


def test_corrections_through_the_api(site: tuple[TestClient, Cli, dict[str, str]]) -> None:
    client, cli, ids = site
    csrf = {"X-CSRF-Token": _login(client)}
    url = f"/api/documents/{ids['fine']}/correct"
    bad = client.post(url, json={"fields": {"number": "X", "total": "abc"}}, headers=csrf)
    assert bad.status_code == 422 and bad.json()["field"] == "total"
    assert (
        json.loads(cli.run("inbox", "show", ids["fine"], "--format", "json").stdout)["corrections"]
        == []
    )
    # both come from one supplier: the corrected number is the held document's, so this is
    # now an edit of it, held for a person
    ok = client.post(
        url, json={"fields": {"number": "2025071"}, "note": "podľa tlače"}, headers=csrf
    )
    assert ok.status_code == 200
    doc = ok.json()
    assert doc["number"] == "2025071" and doc["corrections"][0]["by"] == "ucto"
    assert doc["status"] == "edited_after_issue" and doc["original_id"] == ids["held"]
    assert doc == json.loads(cli.run("inbox", "show", ids["fine"], "--format", "json").stdout)
    assert (
        client.post(
            f"/api/documents/{'f' * 16}/correct", json={"fields": {}}, headers=csrf
        ).status_code
        == 404
    )


def test_document_text_is_escaped_and_the_page_is_locked_down(
    site: tuple[TestClient, Cli, dict[str, str]],
) -> None:
    client, _, ids = site
    _login(client)
    for path in ("/", f"/documents/{ids['held']}"):
        r = client.get(path)
        assert r.status_code == 200
        assert "<script>alert" not in r.text and "&lt;script&gt;alert(" in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert "<script>" not in r.text.replace('<script src="/static/app.js" defer></script>', "")
    assert "totals_inconsistent" in client.get("/").text  # the queue shows why
    page = client.get(f"/documents/{ids['held']}").text
    row = page.split('for="f-total"')[0].rsplit("<tr", 1)[1]
    assert "flagged" in row  # the field that failed its check is marked
    number_row = page.split('for="f-number"')[0].rsplit("<tr", 1)[1]
    assert "flagged" not in number_row


def test_the_original_is_an_attachment_with_a_safe_name(
    site: tuple[TestClient, Cli, dict[str, str]],
) -> None:
    client, _, ids = site
    _login(client)
    r = client.get(f"/documents/{ids['held']}/original")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/octet-stream"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="pass_wd_b_.pdf"')
    assert "/" not in disposition.split("filename*=")[0] and ".." not in disposition
    png = client.get(f"/documents/{ids['held']}/pages/0.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(f"/documents/{ids['held']}/pages/7.png").status_code == 404


def test_repeated_login_failures_are_slowed_down() -> None:
    throttle = LoginThrottle()
    keys = ("user:ucto", "ip:192.0.2.1")
    delays = []
    for _ in range(6):
        delays.append(throttle.delay(*keys))
        throttle.failed(*keys)
    assert delays == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0]
    assert throttle.delay("user:other", "ip:192.0.2.1") == 16.0  # the address alone counts too
    throttle.succeeded(*keys)
    assert throttle.delay(*keys) == 0.0


def test_user_add_needs_no_imap_secret_and_refuses_a_short_password(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    imap = '\n[[imap]]\nname = "m"\nhost = "127.0.0.1"\nsecurity = "none"\nusername = "u"\npassword_env = "PODATELNA_TEST_NEVER_SET"\n'
    config.write_text(
        config_text(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "files", extra=imap)
    )
    import subprocess

    from tests.conftest import PODATELNA

    env = {k: v for k, v in os.environ.items() if k != "PODATELNA_TEST_NEVER_SET"}

    def add(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PODATELNA, "user", "add", "ucto", "--config", str(config)],
            input=password + "\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    short = add("kratke")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    ok = add(PASSWORD)
    assert ok.returncode == 0 and ok.stdout.strip() == "user ucto added"
    assert add("ine-heslo-2").stdout.strip() == "user ucto has a new password"
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "files")
    try:
        stored = store.password_hash("ucto")
    finally:
        store.close()
    assert stored and stored.startswith("$argon2id$") and "ine-heslo-2" not in stored


def test_a_document_page_renders_its_first_page_once(
    site: tuple[TestClient, Cli, dict[str, str]],
) -> None:
    client, _, ids = site
    _login(client)
    RENDERS.clear()
    for _ in range(3):
        page = client.get(f"/documents/{ids['fine']}")
        assert page.status_code == 200 and f"/documents/{ids['fine']}/pages/0.png" in page.text
        assert client.get(f"/documents/{ids['fine']}/pages/0.png").content.startswith(b"\x89PNG")
    assert RENDERS == [0]  # the count and the image come from the cache afterwards
