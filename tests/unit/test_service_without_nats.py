"""`Service` with no cluster: writes commit and answer, nothing is pushed (service.py's
docstring). How the unit tests run the API in-process, without a nats-server."""

from __future__ import annotations

import uuid

from scaleway_nats.facts import DEFAULT_ORDER
from scaleway_nats.local.jwt import Identity
from scaleway_nats.local.service import Service, now
from scaleway_nats.local.store import Organization, Page, Store

EVERYTHING = Page(1, 100, DEFAULT_ORDER)


async def test_every_write_commits_with_no_nats_server() -> None:
    store = Store(None)  # in memory
    org = Organization(str(uuid.uuid4()), str(uuid.uuid4()), "SCWXXXXXXXXXXXXXXXXX", "key")
    store.add_organization(org, now())
    other_project = str(uuid.uuid4())
    store.add_project(org.organization_id, other_project)
    service = Service(store, Identity.generate("operator"), max_accounts=10)
    caller = service.caller("key")

    account = await service.create_account(caller, "nl-ams", other_project, "orders")
    creds, content = await service.create_credentials(caller, "nl-ams", account.id, "ci")
    await service.delete_credentials(caller, "nl-ams", creds.id)
    kept = await service.create_credentials(caller, "nl-ams", account.id, "kept")
    await service.delete_account(caller, "nl-ams", account.id)

    assert caller.project_ids == [org.project_id, other_project]
    assert service.endpoint("nl-ams") == "nats://nats.mnq.nl-ams.scaleway.com:4222"
    assert "BEGIN NATS USER JWT" in content
    assert service.list_accounts(caller, "nl-ams", None, EVERYTHING) == (0, [])
    assert store.get_credentials("nl-ams", kept[0].id, caller.project_ids) is None
    tombstone = store.accounts_in_region("nl-ams")[0]
    assert tombstone.deleted_at is not None and "*" in tombstone.revocations  # all revoked
    store.close()


async def test_a_backdated_account_lists_first() -> None:
    store = Store(None)
    org = Organization(str(uuid.uuid4()), str(uuid.uuid4()), "SCWXXXXXXXXXXXXXXXXX", "key")
    store.add_organization(org, now())
    service = Service(store, Identity.generate("operator"), max_accounts=10)
    caller = service.caller("key")
    first = await service.create_account(caller, "fr-par", None, "first")
    second = await service.create_account(caller, "fr-par", None, "second")

    store.set_created_at(second.id, "2020-01-01T00:00:00.000000Z")

    _, rows = service.list_accounts(caller, "fr-par", None, EVERYTHING)
    assert [(a.id, a.created_at) for a in rows] == [
        (second.id, "2020-01-01T00:00:00.000000Z"),
        (first.id, first.created_at[:26] + "Z"),
    ]
    store.close()
