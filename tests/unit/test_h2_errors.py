"""h2 errors that httpcore lets through unmapped are transport errors like any other.

Over HTTP/2, an answer whose stream ends short of its Content-Length (a dropped connection,
the emulator's `dropped` fault) surfaces from h2 as `InvalidBodyLengthError`, not as an httpx
error: the chaos suite saw it reach the caller raw. It is a lost answer: retried where the call
is idempotent, reconciled for a create, and raised as a ScalewayError, never as h2's own.
"""

from __future__ import annotations

from typing import Any

import h2.exceptions
import httpx
import pytest

from scaleway_nats import RetryPolicy, TransportError

InProcessScaleway = Flavoured = Any  # the fixtures' types (see conftest.py)


def short_body(message: str, request: httpx.Request) -> Exception:
    return h2.exceptions.InvalidBodyLengthError(64, 0)


async def test_a_get_whose_body_ends_short_is_retried(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = fake.add_account()
    fake.fail_next(1, method="GET", exception=short_body, after=True)

    got = await client.call("get_account", account["id"])

    assert got.id == account["id"]
    assert fake.count("GET") == 2


async def test_a_create_whose_body_ends_short_is_reconciled(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    fake.fail_next(1, method="POST", exception=short_body, after=True)

    account = await client.call("create_account")

    assert [a["id"] for a in fake.accounts["fr-par"].values()] == [account.id]  # adopted
    assert fake.count("POST") == 1


async def test_out_of_retries_it_is_a_transport_error_naming_h2s_reason(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    client = flavoured_factory(flavour, retry_policy=RetryPolicy(max_retries=0))
    account = fake.add_account()
    fake.fail_next(1, method="GET", exception=short_body, after=True)

    with pytest.raises(TransportError, match="InvalidBodyLengthError") as raised:
        await client.call("get_account", account["id"])

    assert raised.value.request_was_sent


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)
