"""The reliability tests' helpers live in tests/support/reliability.py; these names stay
importable from here for tests written before the move. The fixtures: an emulator of the
test's own (for tests that kill, hold or break it) and raw HTTP to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scaleway_nats.local import LocalScaleway
from tests.support.http_api import REGIONS as REGIONS
from tests.support.http_api import RawApi, raw_api_on
from tests.support.reliability import figures as figures
from tests.support.reliability import live_state as live_state


@pytest.fixture
def fresh_emulator() -> Iterator[LocalScaleway]:
    with LocalScaleway() as emulator:
        yield emulator


@pytest.fixture
def raw_api(fresh_emulator: LocalScaleway) -> Iterator[RawApi]:
    yield from raw_api_on(fresh_emulator, fresh_emulator.organization)
