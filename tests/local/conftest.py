"""Fixtures for the emulator tests: the shared emulator, a fresh organization per test and raw
HTTP to it (helpers live in tests/support/http_api.py).

Everything is real: nats-servers, HTTP over loopback (httpx), nats-py over TLS.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scaleway_nats.local import LocalScaleway, Organization
from tests.support.http_api import RawApi, raw_api_on


@pytest.fixture
def org(emulator: LocalScaleway) -> Organization:
    """A fresh organization per test: its own quota, listings and API key."""
    return emulator.create_organization()


@pytest.fixture
def raw_api(emulator: LocalScaleway, org: Organization) -> Iterator[RawApi]:
    """Raw HTTP (httpx, nothing raised on 4xx/5xx) with `org`'s key on the shared emulator."""
    yield from raw_api_on(emulator, org)
