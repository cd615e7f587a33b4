"""Shared fixtures: configs on temporary storage, the CLI as a real subprocess, and real servers
(a throwaway PostgreSQL cluster) started by the tests themselves."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storage.store import DocumentRecord, Store
from tests.docgen import INCOMING, OFFICE_CLIENT, OUTGOING, RECEIPTS

ROOT = Path(__file__).resolve().parent.parent
PODATELNA = str(Path(sys.executable).parent / "podatelna")
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "public"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed_cert(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A throwaway certificate and key for `host` (an IP address or a name)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    san = f"IP:{host}" if host.replace(".", "").isdigit() else f"DNS:{host}"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={host}",
            "-addext",
            f"subjectAltName={san}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def config_text(
    database: str,
    files: Path,
    *,
    smtp_port: int | None = None,
    extra: str = "",
    spool: Path | None = None,
) -> str:
    smtp = (
        f'[smtp]\nlisten = "127.0.0.1:{smtp_port}"\nhostname = "test.local"\n\n'
        if smtp_port is not None
        else ""
    )
    spool_line = f'spool = "{spool}"\n' if spool else ""
    return f"""{smtp}[storage]
database = "{database}"
files = "{files}"
{spool_line}
[[company]]
name = "{OFFICE_CLIENT.name}"
ico = "{OFFICE_CLIENT.ico}"
dic = "{OFFICE_CLIENT.dic}"
ic_dph = "{OFFICE_CLIENT.ic_dph}"
[company.addresses]
receipts = "{RECEIPTS}"
incoming_invoices = "{INCOMING}"
outgoing_invoices = "{OUTGOING}"
{extra}
"""


@dataclass
class Cli:
    config: Path

    def run(
        self, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [PODATELNA, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PODATELNA_CONFIG": str(self.config)},
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"podatelna {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}"
            )
        return proc


# ---- PostgreSQL: a throwaway cluster, started once per session when PostgreSQL is installed ----


def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a free loopback port, started and stopped at will."""

    def __init__(self, pg: Path) -> None:
        self.pg = pg
        self.base = Path(tempfile.mkdtemp(prefix="podatelna-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root: run it as the postgres user
            shutil.chown(self.base, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *self.as_user,
                str(pg / "initdb"),
                "-D",
                str(self.data),
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def start(self) -> PostgresCluster:
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *self.as_user,
                str(self.pg / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                opts,
                "-l",
                str(self.base / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        return self

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.pg / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def pg_bin_or_skip() -> Path:
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    return pg


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A server URL (without database): PODATELNA_TEST_DATABASE_URL's, or a cluster started here."""
    given = os.environ.get("PODATELNA_TEST_DATABASE_URL")
    if given:
        yield given.rsplit("/", 1)[0]
        return
    cluster = PostgresCluster(pg_bin_or_skip()).start()
    try:
        yield cluster.url
    finally:
        cluster.remove()


def create_database(server: str) -> str:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    dsn = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'inbox.sqlite3'}"
    return create_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'inbox.sqlite3'}"


@pytest.fixture
def config_file(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(config_text(database_url, tmp_path / "files"), encoding="utf-8")
    return path


@pytest.fixture
def cli(config_file: Path) -> Cli:
    return Cli(config_file)


# ---- the daemon as a real subprocess ------------------------------------------------------------


class Daemon:
    """`podatelna serve` on a free loopback port, its JSON log lines collected."""

    def __init__(
        self,
        workdir: Path,
        database: str | None = None,
        smtp_extra: str = "",
        extra: str = "",
        files: Path | None = None,
    ) -> None:
        """`files` shared by several nodes: each still has its spool in its own `workdir`."""
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.database = database or f"sqlite:///{workdir / 'inbox.sqlite3'}"
        self.config = workdir / "config.toml"
        self.files = files or workdir / "files"
        text = config_text(
            self.database, self.files, smtp_port=self.port, extra=extra, spool=workdir / "spool"
        )
        text = text.replace(
            'hostname = "test.local"\n', f'hostname = "test.local"\n{smtp_extra}\n', 1
        )
        self.config.write_text(text, encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "serve.log"
        self.cli = Cli(self.config)
        self.env: dict[str, str] = {}  # extra environment for `serve`

    def start(self, timeout: float = 30) -> Daemon:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [PODATELNA, "serve", "--config", str(self.config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"serve exited {self.proc.returncode}:\n{self.log_path.read_text()}"
                )
            if any(e.get("event") == "smtp_listening" for e in self.events(offset)):
                return self
            time.sleep(0.05)
        raise AssertionError("serve did not start listening:\n" + self.log_path.read_text())

    def events(self, offset: int = 0) -> list[dict[str, object]]:
        out = []
        with self.log_path.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", errors="replace")
        for line in text.splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out

    def non_json_lines(self) -> list[str]:
        """Contract: `serve` logs one JSON object per line, and nothing else."""
        bad = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                if not isinstance(json.loads(line), dict):
                    bad.append(line)
            except ValueError:
                bad.append(line)
        return bad

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 35) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self.proc = None
        return rc

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def store(self) -> Store:
        return Store.open(self.database, self.files)

    def documents(self) -> list[DocumentRecord]:
        store = self.store()
        try:
            return store.documents()
        finally:
            store.close()

    def wait_for(
        self, predicate: Callable[[list[DocumentRecord]], bool], timeout: float = 60
    ) -> list[DocumentRecord]:
        deadline = time.monotonic() + timeout
        while True:
            asked = time.monotonic()
            docs = self.documents()
            if predicate(docs):
                return docs
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; have {len(docs)} documents")
            # Reading thousands of documents takes a while: the test's polling never takes
            # more than a quarter of a core from the daemon it waits for.
            time.sleep(max(0.2, 3 * (time.monotonic() - asked)))

    def spooled(self) -> int:
        new = self.workdir / "spool" / "new"
        return len(list(new.iterdir())) if new.exists() else 0


@pytest.fixture
def daemon_factory(tmp_path: Path) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def make(workdir: Path | None = None, **kwargs: Any) -> Daemon:
        d = Daemon(workdir or tmp_path, **kwargs)
        started.append(d)
        return d

    yield make
    for d in started:
        if d.proc is not None and d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()


from tests.dovecot import dovecot, dovecot_factory, tls_dovecot  # noqa: E402, F401  (the fixtures, for every test module)
