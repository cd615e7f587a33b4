"""Skip marks for tests that need a system program: `make test` installs them all, so a skip
says the machine lacks what `make test` would have put there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

chromium = pytest.mark.skipif(
    not shutil.which("chromium") or not shutil.which("chromedriver"),
    reason="chromium and chromium-driver are not installed",  # make test installs them
)

node_producers = pytest.mark.skipif(
    not shutil.which("node")
    or not (Path(__file__).parent / "node" / "node_modules" / "@h1dd3nsn1p3r").is_dir(),
    reason="node or tests/node's packages are missing",  # make test installs them (npm ci)
)
