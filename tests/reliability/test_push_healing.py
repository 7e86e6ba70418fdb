"""A revocation whose push failed after its commit still reaches every node (issue 18).

A delete is committed first, then its account JWT pushed; when the push fails (nats-server
too slow, a node starting for longer than a push may wait) the API answers 503: an ambiguous
outcome, as documented. The client retries, gets 404 and reports the credentials deleted. That
success must mean what a 204 means, every node refuses them, and the running nodes must get
the JWT anyway, without waiting for the next write to that account.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from nats.errors import Error as NatsError

from scaleway_nats.local import LocalScaleway
from scaleway_nats.local import pusher as pusher_module
from tests.support.http_api import RawApi, connect
from tests.support.reliability import pushes_held

BOUND = 15.0  # seconds any wait below may take


async def accepted(env: LocalScaleway, account: dict[str, Any], creds: dict[str, Any]) -> bool:
    try:
        async with connect(env, account["endpoint"], creds):
            return True
    except NatsError as error:
        if "Authorization Violation" not in str(error):
            raise
        return False


@pytest.fixture
def short_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """A push waits 0.2 s for a starting node (not 11 s), then gives up: 503."""
    monkeypatch.setattr(pusher_module, "HOLD_TIMEOUT", 0.2)


@pytest.mark.usefixtures("short_hold")
@pytest.mark.parametrize("deleted", ["nats-credentials", "nats-accounts"])
async def test_a_delete_reported_done_after_a_failed_push_is_refused_everywhere(
    fresh_emulator: LocalScaleway, raw_api: RawApi, deleted: str
) -> None:
    account = raw_api.create_account("fr-par")
    creds = raw_api.create_credentials(account)
    assert await accepted(fresh_emulator, account, creds)
    resource = creds if deleted == "nats-credentials" else account
    url = raw_api.url("fr-par", deleted, resource["id"])
    with pushes_held(fresh_emulator, "fr-par"):
        first = raw_api.client.delete(url)
        assert first.status_code == 503, first.text  # committed, not pushed: ambiguous
        # A client's retry: "gone" (404, which the client reports as deleted) would be a
        # lie while the node still admits them, so it is a 503 again as long as the push
        # cannot be made.
        retried = raw_api.client.delete(url)
        assert retried.status_code == 503, retried.text
    last = raw_api.client.delete(url)
    assert last.status_code == 404, last.text
    assert not await accepted(fresh_emulator, account, creds)


@pytest.mark.usefixtures("short_hold")
async def test_a_failed_push_reaches_the_running_nodes_without_another_write(
    fresh_emulator: LocalScaleway, raw_api: RawApi
) -> None:
    account = raw_api.create_account("fr-par")
    creds = raw_api.create_credentials(account)
    url = raw_api.url("fr-par", "nats-credentials", creds["id"])
    with pushes_held(fresh_emulator, "fr-par"):
        assert raw_api.client.delete(url).status_code == 503
    started = time.monotonic()
    while await accepted(fresh_emulator, account, creds):
        assert time.monotonic() - started < BOUND, "the revocation never reached the node"
        await asyncio.sleep(0.05)
