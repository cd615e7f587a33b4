"""A throwaway Dovecot IMAP server per test (tests/peers/start-dovecot.sh), never the system one."""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port, self_signed_cert

PEERS = Path(__file__).parent / "peers"
USER, PASSWORD = "doklady", "tajne-heslo"


class Dovecot:
    def __init__(
        self,
        base: Path,
        tls: tuple[Path, Path] | None = None,
        introspection_url: str | None = None,
    ) -> None:
        self.base = base
        self.introspection_url = introspection_url
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.tls = tls
        self.pid: str | None = None

    def start(self) -> Dovecot:
        env = dict(os.environ)
        if self.introspection_url:
            env["OAUTH2_INTROSPECTION_URL"] = self.introspection_url
        if self.tls:
            env.update(
                TLS_CERT=str(self.tls[0]), TLS_KEY=str(self.tls[1]), TLS_PORT=str(self.tls_port)
            )
        out = subprocess.run(
            [str(PEERS / "start-dovecot.sh"), str(self.base), str(self.port), USER, PASSWORD],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env=env,
        )
        if out.returncode != 0:
            raise AssertionError(f"dovecot did not start: {out.stderr}")
        self.pid = out.stdout.strip().splitlines()[-1]
        return self

    def stop(self) -> None:
        if self.pid:
            subprocess.run([str(PEERS / "stop-dovecot.sh"), self.pid], check=False, timeout=30)
            self.pid = None

    def log(self) -> str:
        """What the server logged so far (one line per session event)."""
        path = self.base / "log" / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self) -> None:
        """Gone at once, connections and all (the master and its children)."""
        if self.pid:
            subprocess.run(["pkill", "-KILL", "-P", self.pid], check=False)
            subprocess.run(["kill", "-KILL", self.pid], check=False)
            self.pid = None

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, messages: list[bytes], folder: str = "INBOX") -> None:
        conn = self.client()
        try:
            if folder != "INBOX":
                conn.create(f'"{folder}"')  # NO when it exists: fine
            for raw in messages:
                typ, _ = conn.append(folder, None, None, raw)
                assert typ == "OK"
        finally:
            conn.logout()

    def count(self, folder: str = "INBOX") -> int:
        conn = self.client()
        try:
            typ, data = conn.select(f'"{folder}"', readonly=True)
            assert typ == "OK", data
            return int(data[0] or 0)
        finally:
            conn.logout()

    def account(
        self,
        name: str = "main",
        folder: str = "INBOX",
        processed: str | None = "Processed",
        password: str = PASSWORD,
        poll_seconds: float = 1,
        address: str | None = None,
        security: str = "none",
        port: int | None = None,
    ) -> str:
        secret = self.base / f"{name}.password"
        secret.write_text(password)
        lines = [
            "[[imap]]",
            f'name = "{name}"',
            'host = "127.0.0.1"',
            f"port = {port or self.port}",
            f'security = "{security}"',
            f'username = "{USER}"',
            f'password_file = "{secret}"',
            f'folder = "{folder}"',
            f"poll_seconds = {poll_seconds}",
        ]
        if processed:
            lines.append(f'processed_folder = "{processed}"')
        if address:
            lines.append(f'address = "{address}"')
        return "\n".join(lines) + "\n"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if shutil.which("dovecot", path="/usr/sbin:/usr/bin:/sbin") is None:
        pytest.skip("dovecot-imapd is not installed (make test installs it)")
    # Not under pytest's tmp_path: as root, Dovecot's auth runs as `dovecot` and must walk
    # down to its files, and pytest keeps /tmp/pytest-of-root at mode 0700.
    base = Path(tempfile.mkdtemp(prefix="podatelna-dovecot-"))
    server = Dovecot(base / "dovecot").start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., Dovecot]]:
    """Dovecot servers with options (e.g. `introspection_url` for an oauth2 passdb)."""
    if shutil.which("dovecot", path="/usr/sbin:/usr/bin:/sbin") is None:
        pytest.skip("dovecot-imapd is not installed (make test installs it)")
    started: list[tuple[Dovecot, Path]] = []

    def make(**options: Any) -> Dovecot:
        base = Path(tempfile.mkdtemp(prefix="podatelna-dovecot-"))
        server = Dovecot(base / "dovecot", **options).start()
        started.append((server, base))
        return server

    yield make
    for server, base in started:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def tls_dovecot() -> Iterator[Dovecot]:
    """Dovecot offering STARTTLS on `port` and implicit TLS on `tls_port`, with a self-signed
    certificate for 127.0.0.1 (clients trust it through SSL_CERT_FILE)."""
    if shutil.which("dovecot", path="/usr/sbin:/usr/bin:/sbin") is None:
        pytest.skip("dovecot-imapd is not installed (make test installs it)")
    base = Path(tempfile.mkdtemp(prefix="podatelna-dovecot-"))
    cert, key = self_signed_cert(base)
    os.chmod(base, 0o755)  # noqa: S103  Dovecot's unprivileged processes read the test cert
    server = Dovecot(base / "dovecot", tls=(cert, key)).start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)
