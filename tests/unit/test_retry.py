"""Retries: what is retried, how often, how long to pause, and the statistics."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest

from scaleway_nats import (
    InvalidArgumentsError,
    NotFoundError,
    PermissionsDeniedError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
    UnauthorizedError,
)

InProcessScaleway = Flavoured = Any  # the fixtures' types (see conftest.py)


class TopOfRange(random.Random):
    """An rng whose jitter always takes the largest pause: pauses become predictable."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Clock:
    """Fake time for the retry loop: the recorded sleeps are all that elapses."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> Clock:
    """Fake time for the client's retries (its `clock=`): nothing really waits.

    The conftest's `client` and `flavoured_factory` pass it to the clients they build when a
    test asks for it.
    """
    return Clock()


def policy(**kwargs: Any) -> RetryPolicy:
    defaults: dict[str, Any] = {"max_retries": 3, "backoff_base": 0.0, "backoff_max": 0.0}
    return RetryPolicy(**{**defaults, **kwargs})


FAILURES = {
    "503": ({"status": 503}, ServerError),
    "500": ({"status": 500}, ServerError),
    "502": ({"status": 502}, ServerError),
    "429": ({"status": 429, "headers": {"Retry-After": "0"}}, RateLimitedError),
    "connect-error": ({"exception": httpx.ConnectError}, TransportError),
    "read-error": ({"exception": httpx.ReadError}, TransportError),
    "remote-protocol-error": ({"exception": httpx.RemoteProtocolError}, TransportError),
    "read-timeout": ({"exception": httpx.ReadTimeout}, TransportError),
}


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_get_is_retried_until_it_succeeds(
    client: Flavoured, fake: InProcessScaleway, failure: str
) -> None:
    account = fake.add_account(name="kept")
    fault, _ = FAILURES[failure]
    fake.fail_next(2, **fault)

    got = await client.call("get_account", account["id"])

    assert got.id == account["id"]
    assert got.name == "kept"
    assert fake.count("GET") == 3
    assert client.stats["requests"] == 3
    assert client.stats["retries"] == 2


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_get_gives_up_after_max_retries_with_the_matching_error(
    flavoured_factory: Any, fake: InProcessScaleway, failure: str, flavour: str
) -> None:
    client = flavoured_factory(flavour, retry_policy=policy(max_retries=3))
    account = fake.add_account()
    fault, expected = FAILURES[failure]
    fake.fail_next(10, **fault)

    with pytest.raises(expected) as caught:
        await client.call("get_account", account["id"])

    assert fake.count("GET") == 4  # the attempt and 3 retries
    assert client.stats == {"requests": 4, "retries": 3}
    if expected is TransportError:
        assert caught.value.status_code is None
        assert account["id"] in str(caught.value)  # names the request
    else:
        assert caught.value.status_code == fault["status"]


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_transport_errors_tell_whether_the_request_was_sent(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    client = flavoured_factory(flavour, retry_policy=policy(max_retries=0))
    account = fake.add_account()

    fake.fail_next(1, exception=httpx.ConnectError)
    with pytest.raises(TransportError) as not_sent:
        await client.call("get_account", account["id"])
    fake.fail_next(1, exception=httpx.ReadError)
    with pytest.raises(TransportError) as sent:
        await client.call("get_account", account["id"])

    assert not not_sent.value.request_was_sent
    assert isinstance(not_sent.value.cause, httpx.ConnectError)
    assert sent.value.request_was_sent
    assert sent.value.status_code is None
    assert "ReadError" in str(sent.value)


async def test_max_retries_zero_means_one_attempt(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    client = flavoured_factory(flavour, retry_policy=policy(max_retries=0))
    account = fake.add_account()
    fake.fail_next(1, status=503)

    with pytest.raises(ServerError):
        await client.call("get_account", account["id"])

    assert fake.total == 1
    assert client.stats.get("retries", 0) == 0


def test_max_retries_argument_builds_the_policy(fake: InProcessScaleway) -> None:
    from scaleway_nats import NatsAPI

    account = fake.add_account()
    fake.fail_next(10, status=503)
    with (
        NatsAPI(
            secret_key=fake.secret_key,
            project_id=fake.project_id,
            api_url=fake.api_url,
            max_retries=0,
            transport=fake.transport(),
        ) as api,
        pytest.raises(ServerError),
    ):
        api.get_account(account["id"])
    assert fake.total == 1


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, InvalidArgumentsError),
        (401, UnauthorizedError),
        (403, PermissionsDeniedError),
        (404, NotFoundError),
    ],
)
async def test_client_errors_are_not_retried(
    client: Flavoured, fake: InProcessScaleway, status: int, expected: type[Exception]
) -> None:
    account = fake.add_account()
    fake.fail_next(5, status=status)

    with pytest.raises(expected):
        await client.call("get_account", account["id"])

    assert fake.total == 1
    assert client.stats.get("retries", 0) == 0


async def test_wrong_secret_key_is_not_retried(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    client = flavoured_factory(flavour, secret_key="00000000-0000-0000-0000-000000000000")

    with pytest.raises(UnauthorizedError):
        await client.call("create_account", name="x")

    assert fake.total == 1  # the name check (a list) is refused; nothing more is sent
    assert fake.accounts["fr-par"] == {}


async def test_retry_after_is_slept(
    client: Flavoured, fake: InProcessScaleway, clock: Clock
) -> None:
    account = fake.add_account()
    fake.fail_next(1, status=429, headers={"Retry-After": "3"})

    await client.call("get_account", account["id"])

    assert clock.sleeps == [3.0]


def test_retry_after_drives_the_pause() -> None:
    limited = RateLimitedError("slow down", retry_after=7.0)

    assert policy(backoff_base=0.0).pause(0, limited) == 7.0
    jittered = [policy(backoff_base=0.5).pause(3, limited) for _ in range(50)]
    assert all(7.0 <= p <= 7.5 for p in jittered)
    # and without a Retry-After header, it is the ordinary backoff
    assert policy(backoff_base=0.0).pause(0, RateLimitedError("slow down")) == 0.0


def test_backoff_doubles_up_to_its_cap() -> None:
    capped = RetryPolicy(backoff_base=0.5, backoff_max=3.0, rng=TopOfRange())
    error = ServerError("boom", status_code=503)

    assert [capped.pause(n, error) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    jittered = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    assert all(0.0 <= jittered.pause(4, error) <= 3.0 for _ in range(50))


def failing_get(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str, failures: int, **policy: Any
) -> tuple[Flavoured, dict[str, Any]]:
    """A client whose pauses are the top of their range, and an account whose next
    `failures` requests answer 503."""
    policy = {"backoff_base": 1.0, "deadline": 600, **policy}
    client = flavoured_factory(flavour, retry_policy=RetryPolicy(rng=TopOfRange(), **policy))
    account = fake.add_account()
    fake.fail_next(failures, status=503)
    return client, account


async def test_backoff_pauses_are_slept_between_attempts(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str, clock: Clock
) -> None:
    client, account = failing_get(
        flavoured_factory, fake, flavour, 3, max_retries=5, backoff_base=0.25, backoff_max=10.0
    )

    await client.call("get_account", account["id"])

    assert clock.sleeps == [0.25, 0.5, 1.0]


async def test_deadline_stops_retries(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str, clock: Clock
) -> None:
    client, account = failing_get(
        flavoured_factory, fake, flavour, 10, max_retries=10, backoff_max=100.0, deadline=5.0
    )

    with pytest.raises(ServerError):
        await client.call("get_account", account["id"])

    # pauses 1 and 2 fit in 5 s; after 3 s, a pause of 4 would end at 7 s: give up
    assert clock.sleeps == [1.0, 2.0]
    assert fake.total == 3


async def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str, clock: Clock
) -> None:
    client = flavoured_factory(flavour, retry_policy=policy(max_retries=5, deadline=10.0))
    account = fake.add_account()
    fake.fail_next(1, status=429, headers={"Retry-After": "100"})

    with pytest.raises(RateLimitedError) as caught:
        await client.call("get_account", account["id"])

    assert caught.value.retry_after == 100.0
    assert clock.sleeps == []
    assert fake.total == 1


@pytest.mark.parametrize("failure", ["503", "read-error"])
async def test_idempotent_mutations_are_retried(
    client: Flavoured, fake: InProcessScaleway, failure: str
) -> None:
    account = fake.add_account(name="old")
    fault, _ = FAILURES[failure]

    fake.fail_next(1, method="PATCH", **fault)
    renamed = await client.call("update_account", account["id"], "new")
    fake.fail_next(1, method="DELETE", **fault)
    await client.call("delete_account", account["id"])

    assert renamed.name == "new"
    assert fake.count("PATCH") == 2
    assert fake.count("DELETE") == 2
    assert fake.accounts["fr-par"] == {}


async def test_a_failing_page_is_retried_within_the_iteration(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    ids = fake.fill(9)
    fake.fail_next(1, status=503)
    fake.fail_next(1, status=429, headers={"Retry-After": "0"})

    items = await client.collect(client.api.list_accounts(page_size=3))

    assert [a.id for a in items] == ids
    assert client.stats["retries"] == 2
    assert client.stats["requests"] == 5


async def test_stats_count_requests_and_retries(client: Flavoured, fake: InProcessScaleway) -> None:
    account = fake.add_account()

    await client.call("get_account", account["id"])
    assert client.stats == {"requests": 1}
    fake.fail_next(1, exception=httpx.ConnectError)
    await client.call("get_account", account["id"])

    assert client.stats == {"requests": 3, "retries": 1}
    assert fake.total == 3
