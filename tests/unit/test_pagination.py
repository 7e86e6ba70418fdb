"""Pagination: lazy, ordered, windowed, and the same for the sync and async clients."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from scaleway_nats import ArgumentValidationError, NatsAccount, Page

InProcessScaleway = Flavoured = Any  # the fixtures' types (see conftest.py)


def page_of(request: httpx.Request) -> int:
    return int(request.url.params.get("page", "1"))


async def test_iterating_the_first_item_fetches_only_the_first_page(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    ids = fake.fill(50)  # 10 pages of 5

    first = await client.take(client.api.list_accounts(page_size=5), 1)

    assert [a.id for a in first] == ids[:1]
    assert fake.count("GET", "nats-accounts") == 1


async def test_reading_into_page_two_fetches_one_window_more(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    ids = fake.fill(50)  # 10 pages of 5; the default window is 4 pages

    items = await client.take(client.api.list_accounts(page_size=5), 6)

    assert [a.id for a in items] == ids[:6]
    pages = sorted(int(q["page"]) for q in fake.list_calls())
    assert pages == [1, 2, 3, 4, 5]


async def test_two_thousand_pages_iterate_fully_in_order(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    ids = fake.fill(2000)

    items = await client.collect(client.api.list_accounts(page_size=1))

    assert [a.id for a in items] == ids
    assert all(isinstance(a, NatsAccount) for a in items)
    assert fake.count("GET", "nats-accounts") == 2000


@pytest.mark.parametrize("window", [2, 4])
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_later_pages_are_fetched_a_window_at_a_time_and_yielded_in_order(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str, window: int
) -> None:
    ids = fake.fill(45)  # 9 pages of 5: page 1, then 8 pages = whole windows
    gate = threading.Barrier(window, timeout=5)

    def sync_hook(request: httpx.Request) -> None:
        if page_of(request) >= 2:
            gate.wait()  # breaks (and fails the test) unless `window` pages are in flight
            time.sleep(0.002 * (10 - page_of(request)))  # later pages answer first

    if flavour == "sync":
        fake.on_request = sync_hook
    else:
        fake.async_delay = lambda request: 0.002 * (10 - page_of(request))
    client = flavoured_factory(flavour, list_concurrency=window)

    items = await client.collect(client.api.list_accounts(page_size=5))

    assert [a.id for a in items] == ids
    assert sorted(int(q["page"]) for q in fake.list_calls()) == list(range(1, 10))
    if flavour == "async":
        assert fake.max_in_flight == window


async def test_page_fetches_that_page_only(client: Flavoured, fake: InProcessScaleway) -> None:
    ids = fake.fill(12)

    page = await client.pager_call(client.api.list_accounts(page_size=5), "page", 2)

    assert isinstance(page, Page)
    assert [a.id for a in page] == ids[5:10]
    assert (page.number, page.page_size, page.total_count) == (2, 5, 12)
    assert page.has_next
    assert page.page_count == 3
    assert len(page) == 5
    # one request; no project_id given: the organization's accounts are listed
    assert fake.list_calls() == [{"page": "2", "page_size": "5", "order_by": "created_at_asc"}]


async def test_last_page_has_no_next(client: Flavoured, fake: InProcessScaleway) -> None:
    ids = fake.fill(12)

    page = await client.pager_call(client.api.list_accounts(page_size=5), "page", 3)

    assert [a.id for a in page] == ids[10:]
    assert not page.has_next


async def test_page_zero_is_refused_before_sending(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    with pytest.raises(ArgumentValidationError, match="page"):
        await client.pager_call(client.api.list_accounts(), "page", 0)
    assert fake.total == 0


async def test_first_reads_one_page(client: Flavoured, fake: InProcessScaleway) -> None:
    ids = fake.fill(30)

    first = await client.pager_call(client.api.list_accounts(page_size=5), "first")

    assert first.id == ids[0]
    assert fake.count("GET", "nats-accounts") == 1


async def test_all_returns_every_item(client: Flavoured, fake: InProcessScaleway) -> None:
    ids = fake.fill(23)

    items = await client.pager_call(client.api.list_accounts(page_size=5), "all")

    assert [a.id for a in items] == ids


async def test_empty_list(client: Flavoured, fake: InProcessScaleway) -> None:
    pager = client.api.list_accounts()

    assert await client.collect(pager) == []
    assert await client.pager_call(pager, "first") is None
    assert await client.pager_call(pager, "all") == []
    assert fake.count("GET", "nats-accounts") == 3


async def test_default_page_size_is_the_maximum(client: Flavoured, fake: InProcessScaleway) -> None:
    fake.fill(3)

    await client.collect(client.api.list_accounts())

    assert fake.list_calls()[0]["page_size"] == "100"


async def test_list_sends_project_and_order(client: Flavoured, fake: InProcessScaleway) -> None:
    OTHER_PROJECT_ID = fake.other_project_id
    fake.add_account(name="b", project_id=OTHER_PROJECT_ID)
    fake.add_account(name="a", project_id=OTHER_PROJECT_ID)
    fake.add_account(name="c")  # the default project

    items = await client.collect(
        client.api.list_accounts(project_id=OTHER_PROJECT_ID, order_by="name_asc")
    )

    assert [a.name for a in items] == ["a", "b"]
    query = fake.list_calls()[0]
    assert query["project_id"] == OTHER_PROJECT_ID
    assert query["order_by"] == "name_asc"


async def test_a_list_that_shrinks_mid_iteration_stops_cleanly(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    ids = fake.fill(10)  # 5 pages of 2
    lock = threading.Lock()
    deleted: list[str] = []

    def shrink(request: httpx.Request) -> None:
        with lock:
            if page_of(request) >= 2 and not deleted:
                for account_id in ids[2:7]:
                    fake.delete_account(account_id)
                    deleted.append(account_id)

    fake.on_request = shrink

    items = await client.collect(client.api.list_accounts(page_size=2))

    got = [a.id for a in items]
    assert got == ids[:2] + ids[7:]  # what remains, each once, in order
    assert len(set(got)) == len(got)
    pages = [int(q["page"]) for q in fake.list_calls()]
    assert pages.count(1) == 2  # the count fell: a second pass, which saw no delete
    assert sorted(set(pages)) == [1, 2, 3, 4, 5]


async def test_a_list_that_grows_mid_iteration_is_read_to_its_new_end(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    ids = fake.fill(10)  # 2 pages of 5
    added: list[str] = []

    def grow(request: httpx.Request) -> None:
        if page_of(request) == 2 and not added:
            added.extend(fake.add_account()["id"] for _ in range(5))  # before page 2 is served

    fake.on_request = grow

    items = await client.collect(client.api.list_accounts(page_size=5))

    assert [a.id for a in items] == ids + added


async def test_credentials_of_one_account(client: Flavoured, fake: InProcessScaleway) -> None:
    mine = fake.add_account()
    other = fake.add_account()
    wanted = [fake.add_credentials(mine["id"])["id"] for _ in range(7)]
    fake.add_credentials(other["id"])

    items = await client.collect(client.api.list_credentials(mine["id"], page_size=3))

    assert [c.id for c in items] == wanted
    assert all(c.content is None for c in items)
    assert {q["nats_account_id"] for q in fake.list_calls("nats-credentials")} == {mine["id"]}


@pytest.mark.parametrize("bad", [0, 101, -1, "x", True, 1.5])
async def test_page_size_is_validated_before_sending(
    client: Flavoured, fake: InProcessScaleway, bad: Any
) -> None:
    with pytest.raises(ArgumentValidationError, match="page_size") as caught:
        client.api.list_accounts(page_size=bad)
    with pytest.raises(ArgumentValidationError, match="page_size"):
        client.api.list_credentials(page_size=bad)
    assert caught.value.status_code is None  # refused locally
    assert fake.total == 0


@pytest.mark.parametrize("size", [1, 100])
async def test_page_size_bounds_are_accepted(
    client: Flavoured, fake: InProcessScaleway, size: int
) -> None:
    fake.fill(2)

    items = await client.collect(client.api.list_accounts(page_size=size))

    assert len(items) == 2
    assert fake.list_calls()[0]["page_size"] == str(size)


def test_reconciliation_reads_an_item_pushed_onto_the_next_page_once() -> None:
    # Issue 18.6(c) in the reconciliation of a lost create: listing newest first, another
    # create between two pages pushes our item from page 1 onto page 2. Read twice, it was
    # counted as two lost attempts, and the "extra" one deleted: the adopted item itself.
    from scaleway_nats._sync.pagination import collect_pages

    def account(name: str) -> NatsAccount:
        return NatsAccount(id=name, name=name, endpoint="", project_id="", region="fr-par")

    ours = account("ours")
    pages = {  # between the two reads, a newer item came first and pushed `ours` on
        1: Page((account("a"), ours), number=1, page_size=2, total_count=3),
        2: Page((ours, account("older")), number=2, page_size=2, total_count=4),
    }

    collected = collect_pages(pages.__getitem__, lambda item: True)

    assert [item.id for item in collected] == ["a", "ours", "older"]
