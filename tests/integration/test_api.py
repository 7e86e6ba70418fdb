"""Every method of NatsAPI and AsyncNatsAPI against the emulator, over real HTTP and NATS."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest

from scaleway_nats import (
    ArgumentValidationError,
    NatsAccount,
    NatsCredentials,
    NotFoundError,
    PermissionsDeniedError,
    UnauthorizedError,
)
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect
from tests.flavoured import Flavoured
from tests.support.clients import api_on_emulator


async def test_account_lifecycle(client: Flavoured, emulator: LocalScaleway) -> None:
    created = await client("create_account", name=f"orders-{client.flavour}")
    assert isinstance(created, NatsAccount)
    assert created.name == f"orders-{client.flavour}"
    assert created.project_id == emulator.project_id
    assert created.region == "fr-par"
    assert created.endpoint == emulator.regions["fr-par"]
    assert created.created_at is not None and created.created_at.tzinfo is not None

    fetched = await client("get_account", created.id)
    assert fetched == created

    renamed = await client("update_account", created, name="renamed")
    assert renamed.name == "renamed"
    assert renamed.updated_at is not None and renamed.updated_at > created.updated_at

    listed = await client.all("list_accounts", project_id=emulator.project_id)
    assert renamed.id in [a.id for a in listed]

    await client("delete_account", created)
    with pytest.raises(NotFoundError) as caught:
        await client("get_account", created.id)
    assert created.id in str(caught.value)


async def test_default_name_is_generated(client: Flavoured) -> None:
    created = await client("create_account")
    try:
        assert created.name.startswith("nats-account-")
    finally:
        await client("delete_account", created)


async def test_credentials_lifecycle_and_nats_connection(
    client: Flavoured, emulator: LocalScaleway, tmp_path: Path
) -> None:
    account = await client("create_account")
    try:
        created = await client("create_credentials", account, name="worker")
        assert isinstance(created, NatsCredentials)
        assert created.content is not None and "BEGIN NATS USER JWT" in created.content
        assert created.content not in repr(created)
        assert created.checksum

        path = created.write(tmp_path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

        fetched = await client("get_credentials", created.id)
        assert fetched.content is None
        assert (fetched.id, fetched.name, fetched.checksum) == (
            created.id,
            "worker",
            created.checksum,
        )

        listed = await client.all("list_credentials", account)
        assert [c.id for c in listed] == [created.id]

        nc = await connect(account, path, emulator.ca_file)
        try:
            sub = await nc.subscribe("greetings")
            await nc.flush()
            await nc.publish("greetings", b"Hi there!")
            message = await sub.next_msg(timeout=5)
            assert message.data == b"Hi there!"
        finally:
            await nc.close()

        await client("delete_credentials", created)
        with pytest.raises(NotFoundError):
            await client("get_credentials", created.id)
    finally:
        await client("delete_account", account)


async def test_regions_are_separate(client: Flavoured, emulator: LocalScaleway) -> None:
    account = await client("create_account", region="nl-ams")
    try:
        assert account.region == "nl-ams"
        assert account.endpoint == emulator.regions["nl-ams"]
        with pytest.raises(NotFoundError):
            await client("get_account", account.id, region="fr-par")
        # A model carries its region: no region= needed.
        assert (await client("get_account", account)).id == account.id
    finally:
        await client("delete_account", account)


async def test_list_orders_and_pages(client: Flavoured) -> None:
    names = ["b-acct", "a-acct", "c-acct"]
    created = [await client("create_account", name=n) for n in names]
    try:
        ids = {a.id for a in created}
        by_name = [a for a in await client.all("list_accounts", order_by="name_asc") if a.id in ids]
        assert [a.name for a in by_name] == sorted(names)
        newest_first = await client.all("list_accounts", order_by="created_at_desc", page_size=1)
        ours = [a.id for a in newest_first if a.id in ids]
        assert ours == [a.id for a in reversed(created)]
        first_page = client.api.list_accounts(page_size=2, order_by="created_at_desc").page(1)
        if client.flavour == "async":
            first_page = await first_page
        assert len(first_page) == 2 and first_page.total_count >= 3 and first_page.has_next
    finally:
        for account in created:
            await client("delete_account", account)


async def test_errors_name_the_argument_before_sending(client: Flavoured) -> None:
    before = dict(client.api.stats)
    with pytest.raises(ArgumentValidationError, match="nats_account_id"):
        await client("get_account", "not-a-uuid")
    with pytest.raises(ArgumentValidationError, match="fr-par, nl-ams"):
        await client("get_account", str(uuid.uuid4()), region="mars-1")
    with pytest.raises(ArgumentValidationError, match="name_asc"):
        client.api.list_accounts(order_by="size")  # type: ignore[arg-type]
    with pytest.raises(ArgumentValidationError, match="page_size"):
        client.api.list_accounts(page_size=0)
    assert dict(client.api.stats) == before  # nothing was sent


async def test_unknown_token_and_foreign_project(emulator: LocalScaleway) -> None:
    intruder = api_on_emulator("sync", emulator, secret_key=str(uuid.uuid4()))
    with intruder, pytest.raises(UnauthorizedError):
        intruder.list_accounts().first()
    other = emulator.create_organization()
    with api_on_emulator("sync", emulator) as api, pytest.raises(PermissionsDeniedError):
        api.create_account(project_id=other.project_id)


def test_list_2000_credentials_one_per_page(emulator: LocalScaleway) -> None:
    with api_on_emulator("sync", emulator) as api:
        account = api.create_account(name="many-credentials")
        try:
            created = {api.create_credentials(account).id for _ in range(2000)}
            listed = [c.id for c in api.list_credentials(account, page_size=1)]
            assert len(listed) == 2000
            assert set(listed) == created
            assert len(set(listed)) == 2000  # no page read twice
        finally:
            api.delete_account(account)
