"""The plugin's fixtures delete exactly what each test created, sync and async alike."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

APP_TESTS = '''
import pytest

from scaleway_nats import NatsAPI


@pytest.fixture(scope="module")
def kept(scaleway_nats_local):
    """An account made outside the fixtures: theirs to leave alone."""
    env = scaleway_nats_local
    with NatsAPI(secret_key=env.secret_key, project_id=env.project_id, api_url=env.api_url) as api:
        yield api.create_account(name="kept")


@pytest.mark.asyncio
async def test_async_creates(kept, async_nats_api):
    account = await async_nats_api.create_account(name="made-async", region="nl-ams")
    await async_nats_api.create_credentials(account)
    await async_nats_api.create_credentials(kept)


def test_sync_creates(kept, nats_api):
    nats_api.create_account(name="made-sync")
    nats_api.create_credentials(kept)


@pytest.mark.asyncio
async def test_connection(kept, nats_api, nats_connection):
    creds = nats_api.create_credentials(kept)
    async with nats_connection(kept, creds) as nc:
        assert nc.is_connected


def test_only_what_the_tests_made_is_gone(kept, nats_api):
    assert [a.id for a in nats_api.list_accounts()] == [kept.id]
    assert list(nats_api.list_accounts(region="nl-ams")) == []
    assert list(nats_api.list_credentials(kept)) == []
'''


def test_fixtures_delete_what_each_test_created(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4)
