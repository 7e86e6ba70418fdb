"""The plugin's fixtures under the live API's read lag (``LocalScaleway(read_lag=...)``)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

# An app overriding the plugin's emulator, as a user who wants the hard case would.
CONFTEST = """
import pytest
from scaleway_nats.local import LocalScaleway


@pytest.fixture(scope="session")
def scaleway_nats_local():
    with LocalScaleway(read_lag=3.0, read_lag_rate=1.0) as env:
        yield env
"""

APP_TESTS = """
import pytest


def test_sync(nats_api):
    account = nats_api.create_account(name="lagged")
    assert nats_api.get_account(account).name == "lagged"
    creds = nats_api.create_credentials(account)
    assert nats_api.get_credentials(creds).id == creds.id


@pytest.mark.asyncio
async def test_async_and_connection(async_nats_api, nats_connection):
    account = await async_nats_api.create_account(region="nl-ams")
    creds = await async_nats_api.create_credentials(account)
    assert (await async_nats_api.get_credentials(creds)).id == creds.id
    async with nats_connection(account, creds) as nc:
        assert nc.is_connected


def test_everything_was_deleted(nats_api):
    assert list(nats_api.list_accounts()) == []
    assert list(nats_api.list_accounts(region="nl-ams")) == []
"""


def test_fixtures_work_under_read_lag(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3)
