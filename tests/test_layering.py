"""The one-way arrows of the architecture: pure packages import no I/O or outer layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

FORBIDDEN = {
    "daemon",
    "storage",
    "sqlalchemy",
    "alembic",
    "aiosmtpd",
    "aioimaplib",
    "apscheduler",
    "socket",
    "asyncio",
    "structlog",
    "logging",
    "subprocess",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["parsers", "routing"])
def test_pure_packages_import_no_io(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        bad = _imports(path) & FORBIDDEN
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_parsers_do_not_import_routing() -> None:
    for path in sorted((ROOT / "parsers").rglob("*.py")):
        assert "routing" not in _imports(path), path


def test_storage_does_not_import_daemon() -> None:
    for path in sorted((ROOT / "storage").rglob("*.py")):
        assert "daemon" not in _imports(path), path
