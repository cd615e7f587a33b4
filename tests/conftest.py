"""Shared fixtures: configs on temporary storage, the CLI as a real subprocess, and real servers
(a throwaway PostgreSQL cluster) started by the tests themselves."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docgen import INCOMING, OFFICE_CLIENT, OUTGOING, RECEIPTS

ROOT = Path(__file__).resolve().parent.parent
PODATELNA = str(Path(sys.executable).parent / "podatelna")
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "public"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config_text(
    database: str, files: Path, *, smtp_port: int | None = None, extra: str = ""
) -> str:
    smtp = (
        f'[smtp]\nlisten = "127.0.0.1:{smtp_port}"\nhostname = "test.local"\n\n'
        if smtp_port is not None
        else ""
    )
    return f"""{smtp}[storage]
database = "{database}"
files = "{files}"

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A server URL (without database): PODATELNA_TEST_DATABASE_URL's, or a cluster started here."""
    given = os.environ.get("PODATELNA_TEST_DATABASE_URL")
    if given:
        yield given.rsplit("/", 1)[0]
        return
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    base = Path(tempfile.mkdtemp(prefix="podatelna-pg-"))
    data = base / "data"
    port = free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as the postgres user
        shutil.chown(base, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_user,
            str(pg / "initdb"),
            "-D",
            str(data),
            "--auth=trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_user,
            str(pg / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_user, str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def _create_database(server: str) -> str:
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
    return _create_database(request.getfixturevalue("postgres_server"))


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
