"""The reliability tests' helpers live in tests/support/reliability.py; these names stay
importable from here for tests written before the move."""

from __future__ import annotations

from tests.support.http_api import REGIONS as REGIONS
from tests.support.reliability import figures as figures
from tests.support.reliability import live_state as live_state
