"""The chaos suite's seed: given (`--chaos-seed N`, a replay) or new and printed."""

from __future__ import annotations

import secrets

import pytest


@pytest.fixture
def chaos_seed(request: pytest.FixtureRequest) -> int:
    given: int | None = request.config.getoption("--chaos-seed")
    return given if given is not None else secrets.randbelow(2**32)
