"""Never hang, never give up silently (issue 10, item 3).

After 6 crashes of one region's nats-server the supervisor used to give up for good. Now only
recent crashes count (a healthy period resets them) and it keeps restarting; while a region's
server is down the API answers a JSON 503 within a few seconds, and the committed state reaches
the server when it is back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from nats.errors import Error as NatsError

from scaleway_nats.local import LocalScaleway
from tests.support.http_api import RawApi, connect, raw_api_on
from tests.support.reliability import figures

CRASHES = 8  # more than the old limit of 5 restarts
BOUND = 15.0  # seconds any single wait below may take before the test gives up


@pytest.fixture
def fresh_emulator() -> Iterator[LocalScaleway]:
    with LocalScaleway() as emulator:
        yield emulator


@pytest.fixture
def raw_api(fresh_emulator: LocalScaleway) -> Iterator[RawApi]:
    yield from raw_api_on(fresh_emulator, fresh_emulator.organization)


async def wait_connectable(env: LocalScaleway, account: dict, creds: dict) -> float:
    started = time.monotonic()
    while True:
        try:
            async with connect(env, account["endpoint"], creds):
                return time.monotonic() - started
        except (NatsError, OSError):
            assert time.monotonic() - started < BOUND, "nats-server did not come back"
            await asyncio.sleep(0.05)


async def test_a_server_crashing_again_and_again_is_still_restarted(
    fresh_emulator: LocalScaleway, raw_api: RawApi
) -> None:
    account = raw_api.create_account("fr-par")
    creds = raw_api.create_credentials(account)
    server = fresh_emulator.servers["fr-par"].nodes[0]
    downtimes = []
    for _ in range(CRASHES):
        pid = server.pid
        server.kill()
        deadline = time.monotonic() + BOUND
        while server.pid == pid:
            assert time.monotonic() < deadline, "the supervisor gave up restarting"
            await asyncio.sleep(0.02)
        downtimes.append(await wait_connectable(fresh_emulator, account, creds))
    # And the API still writes to that region.
    more = raw_api.create_credentials(account)
    assert "credentials" in more, more
    figures("supervision[crashes]", crashes=CRASHES, max_downtime_s=round(max(downtimes), 2))


async def test_a_region_down_answers_503_and_heals_when_back(
    fresh_emulator: LocalScaleway, raw_api: RawApi
) -> None:
    account = raw_api.create_account("fr-par")
    creds = raw_api.create_credentials(account)
    await wait_connectable(fresh_emulator, account, creds)
    server = fresh_emulator.servers["fr-par"].nodes[0]
    server.stop()  # down, and not restarted by the supervisor
    started = time.monotonic()
    response = raw_api.client.delete(raw_api.url("fr-par", "nats-credentials", creds["id"]))
    answered = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["type"] == "service_unavailable"
    # The delete is committed (an ambiguous outcome, as documented): gone from the API...
    assert (
        raw_api.client.get(raw_api.url("fr-par", "nats-credentials", creds["id"])).status_code
        == 404
    )
    # ...and once the server is back, it refuses the revoked credentials.
    server.start()
    with pytest.raises(NatsError, match="Authorization Violation"):
        async with connect(fresh_emulator, account["endpoint"], creds):
            pass
    figures("supervision[down]", answered_503_in_s=round(answered, 2))
    assert isinstance(response, httpx.Response)
