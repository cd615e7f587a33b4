"""Skip marks for tests that need a system program: `make test` installs them all, so a skip
says the machine lacks what `make test` would have put there."""

from __future__ import annotations

import shutil

import pytest

chromium = pytest.mark.skipif(
    not shutil.which("chromium") or not shutil.which("chromedriver"),
    reason="chromium and chromium-driver are not installed",  # make test installs them
)
