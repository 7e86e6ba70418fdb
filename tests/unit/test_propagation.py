"""Right after a create, the real API may answer 404/403 for the new resource for a while.

Scaleway's Terraform provider retries those reads for 30 s (terraform-provider-scaleway,
internal/services/mnq/helpers_mnq_retry.go: 404 "resource namespace", 403 "insufficient
permissions: read namespace"). The client does the same, bounded, for resources THIS client
created within `RetryPolicy.propagation_window`; anything else fails at once.
"""

from __future__ import annotations

from typing import Any

import pytest

from scaleway_nats import AmbiguousCreateError, NotFoundError, PermissionsDeniedError, RetryPolicy
from scaleway_nats.local.lag import ReadLag
from scaleway_nats.retry import Created
from tests.ids import new_account_id

InProcessScaleway = Any

UNKNOWN_ID = new_account_id()
# The 403 the Terraform provider retries after a create (helpers_mnq_retry.go). The emulator
# answers a not-yet-visible resource with its recorded 404 only: the 403 is scripted through
# its fault layer, on the request it would hit.
PROPAGATING_403 = {
    "type": "permissions_denied",
    "message": "insufficient permissions: read namespace",
}


def hide_once(fake: InProcessScaleway, status: int, method: str, path: str) -> None:
    """With `status` 403, the next `method` on `path` answers the propagation 403."""
    if status == 403:
        fake.fail_next(1, method=method, path_contains=path, status=403, body=PROPAGATING_403)


def policy(window: float = 5.0) -> RetryPolicy:
    return RetryPolicy(
        max_retries=3, backoff_base=0.0, backoff_max=0.0, deadline=10.0, propagation_window=window
    )


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("status", [404, 403])
async def test_the_new_account_and_credentials_are_used_as_soon_as_visible(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str, status: int
) -> None:
    if status == 404:
        fake.propagation_delay = 0.3
    client = flavoured_factory(flavour, retry_policy=policy())

    account = await client.call("create_account", name="orders")
    hide_once(fake, status, "GET", "nats-accounts")
    assert (await client.call("get_account", account)).id == account.id
    hide_once(fake, status, "POST", "nats-credentials")
    creds = await client.call("create_credentials", account, name="ci")  # names the account
    hide_once(fake, status, "GET", "nats-credentials")
    assert (await client.call("get_credentials", creds.id)).id == creds.id
    hide_once(fake, status, "PATCH", "nats-accounts")
    await client.call("update_account", account, name="orders-v2")

    print(f"\n{flavour} {status}: {client.stats}")
    assert client.stats["propagation_retries"] >= 2


async def test_a_404_for_something_this_client_did_not_create_is_raised_at_once(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    fake.propagation_delay = 3600.0
    client = flavoured_factory(flavour, retry_policy=policy())
    other = fake.add_account()  # created by someone else, not visible yet: no reason to wait

    with pytest.raises(NotFoundError):
        await client.call("get_account", other["id"])
    with pytest.raises(NotFoundError):
        await client.call("get_account", UNKNOWN_ID)

    assert fake.total == 2


async def test_a_404_from_another_region_than_the_new_resource_is_raised_at_once(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    # Regions are separate namespaces: a new nl-ams account is never going to appear in
    # fr-par, so waiting for it there only delays the truth (tests/integration/test_api.py
    # test_regions_are_separate took 30 s per flavour on this).
    client = flavoured_factory(flavour, retry_policy=policy(window=30.0))
    account = await client.call("create_account", region="nl-ams")
    before = fake.total

    with pytest.raises(NotFoundError):
        await client.call("get_account", account.id, region="fr-par")

    assert fake.total == before + 1
    assert client.stats.get("propagation_retries", 0) == 0


@pytest.mark.parametrize("status", [404, 403])
async def test_a_new_resource_that_never_appears_fails_clearly_within_the_window(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str, status: int
) -> None:
    fake.propagation_delay = 3600.0
    client = flavoured_factory(flavour, retry_policy=policy(window=0.5))
    account = await client.call("create_account")
    for _ in range(10):
        hide_once(fake, status, "GET", "nats-accounts")

    expected = NotFoundError if status == 404 else PermissionsDeniedError
    with pytest.raises(expected) as caught:
        await client.call("get_account", account)

    message = str(caught.value)
    assert "created by this client" in message and "not visible" in message
    assert 2 <= fake.count("GET") <= 10  # bounded by the window
    print(f"\n{flavour} {status}: {fake.count('GET')} GETs: {message}")


async def test_a_resource_this_client_deleted_is_not_waited_for(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    client = flavoured_factory(flavour, retry_policy=policy())
    account = await client.call("create_account")
    await client.call("delete_account", account)
    gets_before = fake.count("GET")

    with pytest.raises(NotFoundError):
        await client.call("get_account", account)

    assert fake.count("GET") == gets_before + 1


async def test_quota_errors_are_never_taken_for_propagation(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    from scaleway_nats import QuotaExceededError

    client = flavoured_factory(flavour, retry_policy=policy())
    account = await client.call("create_account")
    body = {"type": "quotas_exceeded", "message": "quota exceeded", "details": []}
    fake.fail_next(1, method="POST", status=403, body=body)

    with pytest.raises(QuotaExceededError):
        await client.call("create_credentials", account)

    assert fake.count("POST") == 2  # the account's create and one credentials attempt


async def test_credentials_that_went_with_their_account_are_not_waited_for(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    # Deleting an account deletes its credentials: a 404 for them afterwards is the truth,
    # even though this client created them a moment ago (it used to wait out the window).
    client = flavoured_factory(flavour, retry_policy=policy(window=30.0))
    account = await client.call("create_account")
    creds = await client.call("create_credentials", account)
    await client.call("delete_account", account)
    sent = fake.total

    with pytest.raises(NotFoundError):
        await client.call("delete_credentials", creds)

    assert fake.total == sent + 1
    assert client.stats.get("propagation_retries", 0) == 0


def test_a_delete_during_the_call_ends_the_wait() -> None:
    # A call that started before its resource's account was deleted must not go on taking
    # 404s for propagation: freshness is asked again at each 404/403, not once at the start.
    created = Created(window=30.0)
    created.add("creds-1", "NATS credentials creds-1", parent="account-1")
    fresh = created.fresh("creds-1")
    assert fresh is not None and fresh.still_known()
    created.forget("account-1")  # deleting the account takes its credentials with it
    assert not fresh.still_known()


async def test_the_candidates_of_an_ambiguous_create_are_read_through_the_lag(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    # Chaos seeds 4005 and 4007 (issue 18): a named create lost its answer, the namesake it
    # listed came back as AmbiguousCreateError's candidate, and a GET of that candidate a
    # moment later met Scaleway's lag: a 404 raised at once, for a resource that exists.
    # The client just saw it listed: it is as young as anything it created itself.
    fake.service.read_lag = ReadLag(window=1.0, rate=1.0)  # every GET in its first second
    client = flavoured_factory(flavour, retry_policy=policy())
    fake.fail_next(1, method="POST", after=True, status=503)
    with pytest.raises(AmbiguousCreateError) as caught:
        await client.call("create_account", name="orders")
    (candidate,) = caught.value.candidates

    assert (await client.call("get_account", candidate.id)).id == candidate.id
    assert client.stats["propagation_retries"] >= 1
