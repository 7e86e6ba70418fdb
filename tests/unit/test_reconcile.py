"""Creates that lost their answer: adopt what they provably made, never touch others.

Proof is a generated name (random, unique); with a name the caller chose, any namesake that
appeared since the call started makes the outcome ambiguous: AmbiguousCreateError.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from scaleway_nats import (
    AmbiguousCreateError,
    NatsAccount,
    NatsCredentials,
    NotFoundError,
    ServerError,
)
from tests.ids import new_account_id
from tests.support.in_process import api_on

InProcessScaleway = Flavoured = Any  # the fixtures' types (see conftest.py)

# failures after which the request may have been carried out
AMBIGUOUS = {
    "read-error": {"exception": httpx.ReadError},
    "remote-protocol-error": {"exception": httpx.RemoteProtocolError},
    "503": {"status": 503},
}
# failures after which the request surely took no effect
NOT_SENT = pytest.mark.parametrize(
    "fault",
    [{"exception": httpx.ConnectError}, {"status": 429, "headers": {"Retry-After": "0"}}],
    ids=["connect-error", "429"],
)


def accounts(fake: InProcessScaleway) -> list[dict[str, Any]]:
    return list(fake.accounts["fr-par"].values())


def credentials(fake: InProcessScaleway) -> list[dict[str, Any]]:
    return list(fake.credentials["fr-par"].values())


# -- create_account -----------------------------------------------------------------------------


@pytest.mark.parametrize("failure", list(AMBIGUOUS))
async def test_create_account_adopts_what_a_lost_request_created(
    client: Flavoured, fake: InProcessScaleway, failure: str
) -> None:
    fake.fail_next(1, method="POST", after=True, **AMBIGUOUS[failure])

    account = await client.call("create_account")

    assert isinstance(account, NatsAccount)
    stored = accounts(fake)
    assert len(stored) == 1  # no duplicate
    assert account.id == stored[0]["id"]
    assert account.name == stored[0]["name"]
    assert fake.count("POST") == 1  # adopted, not sent again
    assert client.stats["reconciliations"] >= 1


@pytest.mark.parametrize("failure", list(AMBIGUOUS))
async def test_create_account_with_a_name_never_adopts_what_it_cannot_prove_its_own(
    client: Flavoured, fake: InProcessScaleway, failure: str
) -> None:
    # A chosen name proves nothing: another client may have created the namesake
    # (see the two-client tests below), so the lost create is reported, not adopted.
    fake.fail_next(1, method="POST", after=True, **AMBIGUOUS[failure])

    with pytest.raises(AmbiguousCreateError) as caught:
        await client.call("create_account", name="orders")

    assert [c.id for c in caught.value.candidates] == [a["id"] for a in accounts(fake)]
    assert caught.value.name == "orders"
    assert fake.count("POST") == 1  # not sent again: that could make a second one
    assert fake.count("DELETE") == 0
    assert client.stats["reconciliations"] == 1


@pytest.mark.parametrize("failure", list(AMBIGUOUS))
async def test_create_account_resends_when_the_lost_request_created_nothing(
    client: Flavoured, fake: InProcessScaleway, failure: str
) -> None:
    fake.fail_next(1, method="POST", after=False, **AMBIGUOUS[failure])

    account = await client.call("create_account")

    assert [a["id"] for a in accounts(fake)] == [account.id]
    assert fake.count("POST") == 2
    assert client.stats["reconciliations"] == 1


@NOT_SENT
async def test_create_account_not_sent_is_simply_resent(
    client: Flavoured, fake: InProcessScaleway, fault: dict[str, Any]
) -> None:
    fake.fail_next(1, method="POST", **fault)

    account = await client.call("create_account")

    assert [a["id"] for a in accounts(fake)] == [account.id]
    assert fake.count("POST") == 2
    assert fake.count("GET") == 0  # nothing to reconcile: the request surely took no effect
    assert client.stats.get("reconciliations", 0) == 0
    assert client.stats["retries"] == 1


async def test_an_existing_account_with_the_same_name_is_never_adopted(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    existing = fake.add_account(name="orders")
    fake.backdate(existing, minutes=10)  # older than the clock-skew window
    fake.fail_next(1, method="POST", status=503)  # nothing created

    account = await client.call("create_account", name="orders")

    assert account.id != existing["id"]
    assert {a["id"] for a in accounts(fake)} == {existing["id"], account.id}
    assert fake.count("POST") == 2


async def test_a_recent_namesake_makes_a_lost_named_create_ambiguous(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    # Without a read before the create (one request when nothing fails), a namesake made
    # in the last minutes cannot be told from ours: reported, never adopted.
    recent = fake.add_account(name="orders")
    fake.fail_next(1, method="POST", status=503)

    with pytest.raises(AmbiguousCreateError) as caught:
        await client.call("create_account", name="orders")

    assert [c.id for c in caught.value.candidates] == [recent["id"]]
    assert fake.count("POST") == 1


async def test_a_named_create_costs_one_request_when_nothing_fails(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = await client.call("create_account", name="orders")
    await client.call("create_credentials", account, name="ci")

    assert fake.total == 2


async def test_older_and_other_project_namesakes_are_never_candidates(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    existing = fake.add_account(name="orders")
    fake.backdate(existing, minutes=10)
    fake.add_account(name="orders", project_id=fake.other_project_id)
    fake.fail_next(1, method="POST", exception=httpx.ReadError, after=True)

    with pytest.raises(AmbiguousCreateError) as caught:
        await client.call("create_account", name="orders")

    ours = [a["id"] for a in accounts(fake) if a["project_id"] == fake.project_id]
    assert [c.id for c in caught.value.candidates] == [ours[-1]]
    assert existing["id"] in fake.accounts["fr-par"]
    assert fake.count("POST") == 1
    assert fake.count("DELETE") == 0


async def test_create_account_gives_up_with_the_error_when_retries_are_exhausted(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    from scaleway_nats import RetryPolicy

    client = flavoured_factory(
        flavour,
        retry_policy=RetryPolicy(
            max_retries=2, backoff_base=0.0, backoff_max=0.0, visibility_window=0.0
        ),
    )
    fake.fail_next(10, method="POST", status=503)

    with pytest.raises(ServerError):
        await client.call("create_account")

    assert fake.count("POST") == 3
    assert accounts(fake) == []


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- create_credentials -------------------------------------------------------------------------


@pytest.mark.parametrize("failure", list(AMBIGUOUS))
async def test_create_credentials_replaces_the_orphan_of_a_lost_create(
    client: Flavoured, fake: InProcessScaleway, failure: str
) -> None:
    account = fake.add_account()
    fake.fail_next(1, method="POST", after=True, **AMBIGUOUS[failure])

    created = await client.call("create_credentials", account["id"])

    assert isinstance(created, NatsCredentials)
    assert created.has_content
    assert created.content and created.content.startswith("-----BEGIN NATS USER JWT-----")
    left = credentials(fake)
    assert [c["id"] for c in left] == [created.id]  # exactly one: the orphan is gone
    assert fake.count("POST") == 2
    assert fake.count("DELETE") == 1
    assert client.stats["reconciliations"] >= 1


async def test_create_credentials_survives_two_lost_creates_in_a_row(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = fake.add_account()
    fake.fail_next(2, method="POST", exception=httpx.ReadError, after=True)

    created = await client.call("create_credentials", account["id"])

    assert [c["id"] for c in credentials(fake)] == [created.id]
    assert created.has_content
    assert fake.count("POST") == 3
    assert fake.count("DELETE") == 2
    assert client.stats["reconciliations"] == 2


async def test_create_credentials_resends_when_nothing_was_created(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = fake.add_account()
    fake.fail_next(1, method="POST", status=503)

    created = await client.call("create_credentials", account["id"], name="ci")

    assert [c["id"] for c in credentials(fake)] == [created.id]
    assert created.name == "ci"
    assert fake.count("DELETE") == 0


async def test_namesake_credentials_are_never_deleted(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = fake.add_account()
    other = fake.add_account()
    mine_before = fake.add_credentials(account["id"], name="ci")
    fake.backdate(mine_before, minutes=10)
    theirs = fake.add_credentials(other["id"], name="ci")
    fake.fail_next(1, method="POST", exception=httpx.ReadError, after=True)

    with pytest.raises(AmbiguousCreateError) as caught:
        await client.call("create_credentials", account["id"], name="ci")

    ids = {c["id"] for c in credentials(fake)}
    (orphan,) = ids - {mine_before["id"], theirs["id"]}
    assert [c.id for c in caught.value.candidates] == [orphan]
    assert fake.count("DELETE") == 0  # not even the likely orphan: it cannot be proven


# -- delete -------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", list(AMBIGUOUS))
@pytest.mark.parametrize("kind", ["account", "credentials"])
async def test_delete_whose_retry_finds_it_gone_succeeds(
    client: Flavoured, fake: InProcessScaleway, failure: str, kind: str
) -> None:
    account = fake.add_account()
    target = account if kind == "account" else fake.add_credentials(account["id"])
    fake.fail_next(1, method="DELETE", after=True, **AMBIGUOUS[failure])

    assert await client.call(f"delete_{kind}", target["id"]) is None

    assert fake.count("DELETE") == 2  # the retry got a 404
    store = fake.accounts if kind == "account" else fake.credentials
    assert target["id"] not in store["fr-par"]


@pytest.mark.parametrize("kind", ["account", "credentials"])
async def test_delete_of_something_missing_raises_not_found(
    client: Flavoured, fake: InProcessScaleway, kind: str
) -> None:
    missing = new_account_id() if kind == "account" else "9a1e1bb2-0c3e-4b8e-8d51-3c6f1f0c2a11"

    with pytest.raises(NotFoundError) as caught:
        await client.call(f"delete_{kind}", missing)

    assert missing in str(caught.value)
    # Scaleway's words for the resource (recorded 404s, see local/app.py wire_error)
    assert caught.value.resource == ("namespace" if kind == "account" else "credentials")
    assert fake.count("DELETE") == 1


@NOT_SENT
async def test_delete_of_something_missing_raises_even_after_a_failure_that_was_not_sent(
    client: Flavoured, fake: InProcessScaleway, fault: dict[str, Any]
) -> None:
    # BUG: _delete swallows any 404 that is not on attempt 1, even when the earlier
    # attempt surely took no effect (connect error, 429): deleting something that never
    # existed then "succeeds" silently. See the report (operations.py, _delete).
    missing = new_account_id()
    fake.fail_next(1, method="DELETE", **fault)

    with pytest.raises(NotFoundError):
        await client.call("delete_account", missing)


# -- two clients, one name: never touch what another client made (issue 10 item 5) -------------


def other_client_creates_during_reconciliation(
    fake: InProcessScaleway, create: Any
) -> dict[str, Any]:
    """Run `create(client_b)` when client A sends its first request after its lost POST.

    That is the reconciling read: B's create lands between A's lost answer and A's look.
    What B got back is stored in the returned dict under "made".
    """

    other = api_on(fake, "sync")
    seen: dict[str, Any] = {}

    def hook(request: httpx.Request) -> None:
        if request.method == "POST" and "posted" not in seen:
            seen["posted"] = True  # A's lost POST (B's own POST comes later)
        elif request.method == "GET" and "posted" in seen and "made" not in seen:
            seen["made"] = None  # B's own requests pass through this hook too
            seen["made"] = create(other)

    fake.on_request = hook
    return seen


@pytest.mark.parametrize("lost", ["committed", "not-committed"])
async def test_two_clients_same_credentials_name_nobody_loses_their_credentials(
    client: Flavoured, fake: InProcessScaleway, lost: str
) -> None:
    account = fake.add_account()
    fake.fail_next(1, method="POST", exception=httpx.ReadError, after=lost == "committed")
    b = other_client_creates_during_reconciliation(
        fake, lambda other: other.create_credentials(account["id"], name="ci")
    )

    with pytest.raises(AmbiguousCreateError) as caught:
        await client.call("create_credentials", account["id"], name="ci")

    theirs = b["made"]
    assert theirs.id in fake.credentials["fr-par"]  # B's credentials still work
    assert fake.count("DELETE") == 0
    candidates = {c.id for c in caught.value.candidates}
    assert theirs.id in candidates
    assert candidates == {c["id"] for c in credentials(fake)}
    message = str(caught.value)
    assert theirs.id in message and "'ci'" in message
    print(f"\n{lost}: {message}")


@pytest.mark.parametrize("lost", ["committed", "not-committed"])
async def test_two_clients_same_account_name_nobody_adopts_the_other_s_account(
    client: Flavoured, fake: InProcessScaleway, lost: str
) -> None:
    fake.fail_next(1, method="POST", exception=httpx.ReadError, after=lost == "committed")
    b = other_client_creates_during_reconciliation(
        fake, lambda other: other.create_account(name="orders")
    )

    with pytest.raises(AmbiguousCreateError) as caught:
        await client.call("create_account", name="orders")

    theirs = b["made"]
    assert theirs.id in fake.accounts["fr-par"]
    assert fake.count("DELETE") == 0
    assert {a.id for a in caught.value.candidates} == {a["id"] for a in accounts(fake)}
    assert all(a.created_at is not None for a in caught.value.candidates)


async def test_two_clients_generated_names_recover_automatically_and_apart(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = fake.add_account()
    fake.fail_next(1, method="POST", exception=httpx.ReadError, after=True)
    b = other_client_creates_during_reconciliation(
        fake, lambda other: other.create_credentials(account["id"])
    )

    mine = await client.call("create_credentials", account["id"])

    theirs = b["made"]
    assert {c["id"] for c in credentials(fake)} == {mine.id, theirs.id}
    assert mine.has_content and mine.name != theirs.name
    assert fake.count("DELETE") == 1  # A's own orphan only


async def test_two_clients_generated_account_names_adopt_only_their_own(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    fake.fail_next(1, method="POST", exception=httpx.ReadError, after=True)
    b = other_client_creates_during_reconciliation(fake, lambda other: other.create_account())

    mine = await client.call("create_account")

    theirs = b["made"]
    assert mine.id != theirs.id
    assert {a["id"] for a in accounts(fake)} == {mine.id, theirs.id}
    assert fake.count("POST") == 2  # A's one (adopted) and B's


async def test_a_failed_look_up_reports_the_create_s_own_failure(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    from scaleway_nats import TransportError

    fake.fail_next(1, method="POST", exception=httpx.ReadError, after=True)
    fake.fail_next(10, method="GET", status=403, body={"type": "permissions_denied"})

    with pytest.raises(TransportError) as caught:
        await client.call("create_account")

    error = caught.value
    message = str(error)
    assert "POST" in message and "may have taken effect" in message
    assert fake.count("POST") == 1  # never resent blindly
    # What the retry loop learned is built into the message once (issue 20.6):
    assert "may have taken effect" not in error.message  # what failed, unpatched
    assert error.outcome is not None and "may have taken effect" in error.outcome.note
    assert error.args == (message,)  # repr and tracebacks show the same text
