"""Arguments are checked before anything is sent: the API must see no request."""

from __future__ import annotations

from typing import Any

import pytest

from scaleway_nats import (
    ORDER_BY,
    ArgumentValidationError,
    NatsAccount,
    NatsCredentials,
    NotFoundError,
)
from tests.ids import EXAMPLE_ACCOUNT_ID as ACCOUNT_ID

Flavoured = InProcessScaleway = Any  # the fixtures' types (see conftest.py)

CREDENTIALS_ID = "7e1a8b3d-2c4f-4d6e-9f0a-1b2c3d4e5f60"

CALLS_WITH_REGION = {
    "create_account": ((), {}),
    "get_account": ((ACCOUNT_ID,), {}),
    "update_account": ((ACCOUNT_ID, "new"), {}),
    "delete_account": ((ACCOUNT_ID,), {}),
    "list_accounts": ((), {}),
    "create_credentials": ((ACCOUNT_ID,), {}),
    "get_credentials": ((CREDENTIALS_ID,), {}),
    "delete_credentials": ((CREDENTIALS_ID,), {}),
    "list_credentials": ((), {}),
}


async def refused(client: Flavoured, method: str, *args: Any, **kwargs: Any) -> str:
    """Call; expect a local ArgumentValidationError; return the argument it names."""
    with pytest.raises(ArgumentValidationError) as caught:
        await client.call(method, *args, **kwargs)
    assert client.fake.total == 0, "a request was sent"
    assert caught.value.status_code is None  # refused locally, not by the server
    assert len(caught.value.details) == 1
    return caught.value.details[0].argument_name


@pytest.mark.parametrize("method", list(CALLS_WITH_REGION))
async def test_unknown_region(client: Flavoured, method: str) -> None:
    args, kwargs = CALLS_WITH_REGION[method]

    with pytest.raises(ArgumentValidationError) as caught:
        await client.call(method, *args, region="mars-1", **kwargs)

    assert caught.value.details[0].argument_name == "region"
    message = str(caught.value)
    assert "'mars-1'" in message
    assert "fr-par, nl-ams" in message
    assert client.fake.total == 0


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "123", 123, None, ["x"]])
@pytest.mark.parametrize(
    ("method", "argument"),
    [
        ("get_account", "nats_account_id"),
        ("delete_account", "nats_account_id"),
        ("create_credentials", "nats_account_id"),
        ("get_credentials", "nats_credentials_id"),
        ("delete_credentials", "nats_credentials_id"),
    ],
)
async def test_ids_must_be_uuids(client: Flavoured, method: str, argument: str, bad: Any) -> None:
    assert await refused(client, method, bad) == argument


@pytest.mark.parametrize("bad", ["not-a-uuid", 42])
async def test_other_ids_must_be_uuids(client: Flavoured, bad: Any) -> None:
    assert await refused(client, "update_account", bad, "name") == "nats_account_id"
    assert await refused(client, "list_credentials", bad) == "nats_account_id"
    assert await refused(client, "list_credentials", project_id=bad) == "project_id"
    assert await refused(client, "list_accounts", project_id=bad) == "project_id"
    assert await refused(client, "create_account", project_id=bad) == "project_id"


async def test_id_refusal_message_shows_the_value(client: Flavoured) -> None:
    with pytest.raises(ArgumentValidationError, match="'nope' is not a UUID"):
        await client.call("get_credentials", "nope")


# Real account ids are NKEY account public keys (56 chars, base32 upper-case, "A" prefix);
# a credentials or project UUID, a lower-case key or a user key ("U...") is refused.
@pytest.mark.parametrize(
    "bad",
    [
        ACCOUNT_ID.lower(),
        "U" + ACCOUNT_ID[1:],
        ACCOUNT_ID[:-1] + "1",  # 0, 1, 8, 9 are not base32
        ACCOUNT_ID + "A",
        ACCOUNT_ID[:-1],
        CREDENTIALS_ID,
    ],
)
@pytest.mark.parametrize("method", ["get_account", "delete_account", "create_credentials"])
async def test_account_ids_follow_the_nkey_rule(client: Flavoured, method: str, bad: str) -> None:
    assert await refused(client, method, bad) == "nats_account_id"


async def test_account_id_refusal_names_the_rule(client: Flavoured) -> None:
    with pytest.raises(ArgumentValidationError, match="56 characters, got 36"):
        await client.call("get_account", CREDENTIALS_ID)
    with pytest.raises(ArgumentValidationError, match="base32 starting with 'A'"):
        await client.call("get_account", "U" + ACCOUNT_ID[1:])


@pytest.mark.parametrize("method", ["list_accounts", "list_credentials"])
async def test_order_by_lists_the_six_allowed_values(client: Flavoured, method: str) -> None:
    with pytest.raises(ArgumentValidationError) as caught:
        await client.call(method, order_by="newest")

    assert caught.value.details[0].argument_name == "order_by"
    message = str(caught.value)
    assert len(ORDER_BY) == 6
    for order in ORDER_BY:
        assert order in message
    assert client.fake.total == 0


@pytest.mark.parametrize("method", ["list_accounts", "list_credentials"])
@pytest.mark.parametrize("page", [0, -1, 2**31, 10**12])
async def test_page_numbers_outside_int32_name_the_range(
    client: Flavoured, method: str, page: int
) -> None:
    # Issue 18.6(e): page=10**12 was sent, and answered "value must be an integer". The spec
    # types `page` as int32 (spec/scaleway-nats-api.yaml, format: int32).
    with pytest.raises(ArgumentValidationError, match=r"from 1 to 2147483647, got -?\d+") as caught:
        await client.pager_call(await client.call(method), "page", page)

    assert caught.value.details[0].argument_name == "page"
    assert client.fake.total == 0


# Limits from Scaleway's generated validation rules (scaleway/scaleway-sdk-js,
# packages/clients/src/api/mnq/v1beta1/validation-rules.gen.ts): account 1-64, credentials
# 1-500 characters. Control characters and lone surrogates: issue 9's rule (no published one).
BAD_CHARACTERS = ["a\nb", "tab\there", "nul\x00", "del\x7f", "c1\x85", "\ud800", "x\udfffy"]


@pytest.mark.parametrize("bad", ["", "   ", "x" * 501, 7, None, *BAD_CHARACTERS])
async def test_names_are_checked(client: Flavoured, bad: Any) -> None:
    if bad is not None:  # None means "generate one" for creates
        assert await refused(client, "create_account", name=bad) == "name"
        assert await refused(client, "create_credentials", ACCOUNT_ID, name=bad) == "name"
    assert await refused(client, "update_account", ACCOUNT_ID, bad) == "name"


async def test_account_names_have_64_characters_at_most(client: Flavoured) -> None:
    assert await refused(client, "create_account", name="x" * 65) == "name"
    assert await refused(client, "update_account", ACCOUNT_ID, "é" * 65) == "name"

    account = await client.call("create_account", name="é" * 64)  # characters, not bytes

    assert account.name == "é" * 64


async def test_credentials_names_have_500_characters_at_most(client: Flavoured) -> None:
    account = client.fake.add_account()
    assert await refused(client, "create_credentials", account["id"], name="x" * 501) == "name"

    creds = await client.call("create_credentials", account["id"], name="x" * 500)

    assert creds.name == "x" * 500


async def test_name_length_is_in_the_message(client: Flavoured) -> None:
    with pytest.raises(ArgumentValidationError, match="1 to 64 characters, got 65"):
        await client.call("create_account", name="x" * 65)
    with pytest.raises(ArgumentValidationError, match="1 to 500 characters, got 501"):
        await client.call("create_credentials", ACCOUNT_ID, name="x" * 501)


@pytest.mark.parametrize("bad", BAD_CHARACTERS)
async def test_the_bad_character_is_named(client: Flavoured, bad: str) -> None:
    with pytest.raises(ArgumentValidationError) as caught:
        await client.call("create_account", name=bad)

    message = str(caught.value)
    assert "U+" in message and "control character" in message
    assert bad not in message  # the raw character would garble a terminal


# Issue 18.6(d): "blank" is whitespace only (str.isspace, Unicode's White_Space: a choice,
# as no published rule refuses it). Scaleway's rules have a length and nothing else, so names
# of invisible format characters (zero-width space, joiners, word joiner, BOM) are sent.
BLANK = ["   ", "\t", "\u00a0", "\u3000\u2003", "\u2028"]
ZERO_WIDTH = ["\u200b", "\u200c\u200d", "\u2060", "\ufeff", "\u200b" * 64]


@pytest.mark.parametrize("blank", BLANK)
async def test_blank_names_are_refused_as_blank(client: Flavoured, blank: str) -> None:
    for method, args in (("create_account", ()), ("create_credentials", (ACCOUNT_ID,))):
        with pytest.raises(ArgumentValidationError, match="must not be blank") as caught:
            await client.call(method, *args, name=blank)
        assert caught.value.details[0].argument_name == "name"
    assert client.fake.total == 0


@pytest.mark.parametrize("name", ZERO_WIDTH)
async def test_zero_width_names_are_sent_as_scaleway_accepts_them(
    client: Flavoured, name: str
) -> None:
    account = await client.call("create_account", name=name)

    assert account.name == name


async def test_unicode_names_within_the_rules_are_sent(client: Flavoured) -> None:
    for name in ("commandes-été", "注文", "orders 🚀", "a b"):
        account = await client.call("create_account", name=name)
        assert account.name == name


def model_account(fake: InProcessScaleway, region: str) -> NatsAccount:
    return NatsAccount.from_json(fake.add_account(region=region))  # the API's own JSON


def paths(fake: InProcessScaleway) -> list[str]:
    return [path for _, path, _ in fake.log]


async def test_a_model_stands_for_its_id_and_region(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = model_account(fake, "nl-ams")  # the client's default region is fr-par

    got = await client.call("get_account", account)
    creds = await client.call("create_credentials", account)
    listed = await client.collect(client.api.list_credentials(account))
    fetched = await client.call("get_credentials", creds)
    await client.call("delete_credentials", creds)
    await client.call("delete_account", got)

    assert got.id == account.id
    assert got.region == "nl-ams"
    assert creds.nats_account_id == account.id
    assert creds.has_content
    assert [c.id for c in listed] == [creds.id]
    assert fetched.id == creds.id
    assert fake.accounts["nl-ams"] == {}
    assert fake.credentials["nl-ams"] == {}
    assert all("/regions/nl-ams/" in path for path in paths(fake))
    assert {q["nats_account_id"] for q in fake.list_calls("nats-credentials")} == {account.id}


async def test_an_explicit_region_beats_the_models(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = model_account(fake, "nl-ams")

    with pytest.raises(NotFoundError, match="not found"):
        await client.call("get_account", account, region="fr-par")

    assert paths(fake) == [f"/mnq/v1beta1/regions/fr-par/nats-accounts/{account.id}"]


async def test_a_model_without_a_known_region_uses_the_clients(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    data = fake.add_account()
    account = NatsAccount(data["id"], data["name"], "", data["project_id"], region="")

    got = await client.call("get_account", account)

    assert got.id == account.id
    assert paths(fake) == [f"/mnq/v1beta1/regions/fr-par/nats-accounts/{account.id}"]


async def test_credentials_model_for_delete(client: Flavoured, fake: InProcessScaleway) -> None:
    owner = fake.add_account(region="nl-ams")
    data = fake.add_credentials(owner["id"], region="nl-ams")
    creds = NatsCredentials(data["id"], data["name"], owner["id"], region="nl-ams")

    await client.call("delete_credentials", creds)

    assert fake.credentials["nl-ams"] == {}
