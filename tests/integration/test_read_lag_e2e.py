"""The SDK, quickstart() and the smoke script against the live API's intermittent read lag.

``LocalScaleway(read_lag=3)`` (local/lag.py): a GET of a resource created in the last 3 s may
answer 404 naming its account, as recorded in tests/data/recordings. Two settings: the
recorded rate (seeded), and rate 1.0 where *every* young read fails for the whole window, so
the client's propagation retries (retry.py ``Fresh``) must wait it out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scaleway_nats import AsyncNatsAPI, NatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.lag import RECORDED_RATE, RECORDED_WINDOW

from .test_propagation_e2e import assert_quickstart_passes, assert_smoke_script_passes

SETTINGS = {
    "recorded-rate": {"read_lag_seed": 19, "read_lag_rate": RECORDED_RATE},
    "every-young-read": {"read_lag_rate": 1.0},
}


@pytest.fixture(scope="module", params=sorted(SETTINGS))
def lagging(request: pytest.FixtureRequest) -> Iterator[LocalScaleway]:
    with LocalScaleway(read_lag=RECORDED_WINDOW, **SETTINGS[request.param]) as env:
        yield env


def test_sdk_reads_what_it_just_created(lagging: LocalScaleway) -> None:
    env = lagging
    with NatsAPI(secret_key=env.secret_key, project_id=env.project_id, api_url=env.api_url) as api:
        account = api.create_account(name="lagged")
        assert api.get_account(account) == account
        creds = api.create_credentials(account, name="lagged-creds")
        got = api.get_credentials(creds)
        assert (got.id, got.name, got.nats_account_id) == (creds.id, creds.name, account.id)
        assert got.created_at == creds.created_at  # ns in the create, us in the get: one instant
        renamed = api.update_account(account, name="lagged-v2")
        assert renamed.name == "lagged-v2"
        assert [c.id for c in api.list_credentials(account)] == [creds.id]
        api.delete_credentials(creds)
        api.delete_account(account)
        if env.read_lag.rate == 1.0:  # both young GETs lagged: the client waited them out
            assert api.stats.get("propagation_retries", 0) >= 2


async def test_async_sdk_reads_what_it_just_created(lagging: LocalScaleway) -> None:
    env = lagging
    async with AsyncNatsAPI(
        secret_key=env.secret_key, project_id=env.project_id, api_url=env.api_url
    ) as api:
        account = await api.create_account(region="nl-ams")
        creds = await api.create_credentials(account)
        assert (await api.get_account(account)).id == account.id
        assert (await api.get_credentials(creds)).id == creds.id
        await api.delete_account(account)


def test_quickstart_passes_under_read_lag(lagging: LocalScaleway) -> None:
    assert_quickstart_passes(lagging)


def test_smoke_script_passes_under_read_lag(lagging: LocalScaleway) -> None:
    assert_smoke_script_passes(lagging)
