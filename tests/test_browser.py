"""The review page in a real browser: Debian's Chromium, headless, driven by Selenium through
Debian's chromium-driver, against `podatelna web` started as a subprocess (without the
daemon's IMAP secret in its environment). Log in, open the queue, open a document and see
its page image, correct the number, accept; the CLI sees the result. Screenshots of the
queue and the document page are saved in the test's temporary folder."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import PODATELNA, Cli, config_text, free_port
from tests.docgen import INCOMING, LAYOUTS, build_eml, make_doc

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="chromium and chromium-driver (make test installs them)",
)
PASSWORD = "tajne-heslo-1"
IMAP = '\n[[imap]]\nname = "m"\nhost = "127.0.0.1"\nsecurity = "none"\nusername = "u"\npassword_env = "PODATELNA_TEST_NEVER_SET"\n'


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[str, Cli]]:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        config_text(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "files", extra=IMAP)
        + f'\n[web]\nlisten = "127.0.0.1:{port}"\n'
    )
    cli = Cli(config)
    doc = dataclasses.replace(make_doc(81, number="2025081"), total_shift=Decimal("3.00"))
    eml = tmp_path / "held.eml"
    eml.write_bytes(
        build_eml(
            INCOMING, [("f.pdf", LAYOUTS["sk_columns"](doc), "application/pdf")], message_id="b@t"
        )
    )
    cli.run("ingest", str(eml))
    env = {k: v for k, v in os.environ.items() if k != "PODATELNA_TEST_NEVER_SET"}
    subprocess.run(
        [PODATELNA, "user", "add", "ucto", "--config", str(config)],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    log = (tmp_path / "web.log").open("wb")
    proc = subprocess.Popen(
        [PODATELNA, "web", "--config", str(config)], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, (tmp_path / "web.log").read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "podatelna web did not listen"
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}", cli
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        log.close()
        lines = (tmp_path / "web.log").read_text().splitlines()
        assert all(line.startswith("{") for line in lines), lines  # JSON lines only


def test_log_in_review_correct_and_accept_in_chromium(web: tuple[str, Cli], tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, cli = web
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    wait = WebDriverWait(browser, 20)
    try:
        browser.get(base + "/")
        assert browser.current_url == base + "/login"  # no session: the login page
        browser.find_element(By.NAME, "username").send_keys("ucto")
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "login").click()
        rows = wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#queue tr[data-href]"))
        assert len(rows) == 1 and "totals_inconsistent" in rows[0].get_attribute("innerHTML")
        browser.save_screenshot(str(tmp_path / "queue.png"))
        rows[0].click()
        image = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "img.page")))
        wait.until(lambda b: b.execute_script("return arguments[0].naturalWidth", image) > 500)
        browser.save_screenshot(str(tmp_path / "document.png"))
        number = browser.find_element(By.ID, "f-number")
        number.clear()
        number.send_keys("2025999")
        browser.find_element(By.ID, "save").click()
        wait.until(ec.presence_of_element_located((By.ID, "corrections")))
        assert browser.find_element(By.ID, "f-number").get_attribute("value") == "2025999"
        browser.find_element(By.ID, "accept").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "accepted"))
        assert [
            e for e in browser.get_log("browser") if "favicon" not in e["message"]
        ] == []  # no CSP violation, no script error
    finally:
        browser.quit()
    assert (tmp_path / "queue.png").stat().st_size > 10_000
    [doc] = json.loads(cli.run("inbox", "list", "--format", "json").stdout)
    assert (doc["status"], doc["number"]) == ("accepted", "2025999")
    assert doc["corrections"][0]["by"] == "ucto" and doc["resolution"]["by"] == "ucto"
