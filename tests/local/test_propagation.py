"""``propagation_delay``: new resources are briefly invisible and not yet usable (issue 9).

The real API can answer 404/403 right after a create, and nats-server may not accept a new
account or credentials yet. Each wait below is a bounded poll; the figures are printed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from nats.errors import Error as NatsError

from scaleway_nats.local import LocalScaleway
from tests.support.http_api import RawApi, connect, raw_api_on

DELAY = 1.0
BOUND = DELAY + 5.0  # a poll gives up after this many seconds


@pytest.fixture(scope="module")
def slow() -> Iterator[LocalScaleway]:
    with LocalScaleway(propagation_delay=DELAY) as env:
        yield env


@pytest.fixture
def raw_api(slow: LocalScaleway) -> Iterator[RawApi]:
    yield from raw_api_on(slow, slow.organization)


def poll_status(api: RawApi, url: str, wanted: int) -> float:
    started = time.monotonic()
    while api.client.get(url).status_code != wanted:
        assert time.monotonic() - started < BOUND, f"{url} never answered {wanted}"
        time.sleep(0.05)
    return time.monotonic() - started


async def test_new_resources_appear_after_the_delay(slow: LocalScaleway, raw_api: RawApi) -> None:
    account = raw_api.create_account("fr-par", name="late")
    url = raw_api.url("fr-par", "nats-accounts", account["id"])
    assert raw_api.client.get(url).status_code == 404  # not visible yet
    listed = raw_api.client.get(raw_api.url("fr-par", "nats-accounts")).json()
    assert account["id"] not in [a["id"] for a in listed["nats_accounts"]]
    account_after = poll_status(raw_api, url, 200)

    creds = raw_api.create_credentials(account)
    creds_url = raw_api.url("fr-par", "nats-credentials", creds["id"])
    assert raw_api.client.get(creds_url).status_code == 404
    with pytest.raises(NatsError, match="Authorization Violation"):
        async with connect(slow, account["endpoint"], creds):
            pass  # not active on nats-server yet
    creds_after = poll_status(raw_api, creds_url, 200)

    started = time.monotonic()
    while True:
        try:
            async with connect(slow, account["endpoint"], creds) as nc:
                assert nc.is_connected
                break
        except NatsError:
            assert time.monotonic() - started < BOUND, "credentials never became usable"
            time.sleep(0.05)
    print(
        f"\nFIGURES propagation_delay={DELAY}s: account visible after {account_after:.2f}s, "
        f"credentials visible after {creds_after:.2f}s, usable {time.monotonic() - started:.2f}s "
        "after that"
    )


def test_propagation_delay_is_checked() -> None:
    with pytest.raises(ValueError, match="propagation_delay"):
        LocalScaleway(propagation_delay=-1)
