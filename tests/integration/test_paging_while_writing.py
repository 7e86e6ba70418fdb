"""Issue 18.6(c): iterating a list while others write, against the real emulator.

Scaleway pages by offset, so a write during an iteration shifts the items behind it: a
create sorted before the read position pushed items onto the next page (150 repeats in the
issue), a delete pulled them back onto a page already read (124 never-deleted credentials
skipped). The writes here are made between items, as the iteration runs, one page fetched
at a time (`list_concurrency=1`): deterministic, the same shifts concurrent writers cause.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from scaleway_nats import NatsAccount, Pager
from scaleway_nats.local import LocalScaleway
from tests.flavoured import Flavoured
from tests.support.clients import api_on_emulator

PAGE_SIZE = 5
WRITES = 12  # ids written during one iteration, two at the end of a page


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, emulator: LocalScaleway) -> AsyncIterator[Any]:
    flavoured = Flavoured(api_on_emulator(request.param, emulator, list_concurrency=1))
    try:
        yield flavoured
    finally:
        await flavoured.close()


@pytest.fixture
async def account(client: Flavoured) -> AsyncIterator[NatsAccount]:
    created = await client.call("create_account")
    try:
        yield created
    finally:
        await client.call("delete_account", created)


async def iterate_writing(
    pager: Any, write_two: Callable[[list[str], list[str]], Awaitable[list[str]]]
) -> tuple[list[str], list[str]]:
    """Every id the pager yields, in order, and the ids written meanwhile: at the end of each
    page, until WRITES ids are written, `write_two(read so far, written so far)` writes two
    and returns their ids."""
    got: list[str] = []
    written: list[str] = []

    async def read(item_id: str) -> None:
        got.append(item_id)
        if len(got) % PAGE_SIZE == 0 and len(written) < WRITES:
            written.extend(await write_two(got, written))

    if isinstance(pager, Pager):
        for item in pager:
            await read(item.id)
    else:
        async for item in pager:
            await read(item.id)
    return got, written


async def create_many(client: Flavoured, account: NatsAccount, count: int) -> list[str]:
    return [(await client.call("create_credentials", account)).id for _ in range(count)]


async def test_deletes_while_iterating_skip_no_item_that_stays(
    client: Flavoured, account: NatsAccount
) -> None:
    ids = await create_many(client, account, 40)

    async def delete_two_already_read(got: list[str], deleted: list[str]) -> list[str]:
        # Each delete pulls every later item one place back, onto a page already read.
        doomed = [i for i in got if i not in deleted][:2]
        for item_id in doomed:
            await client.call("delete_credentials", item_id)
        return doomed

    pager = client.api.list_credentials(account, page_size=PAGE_SIZE)
    got, deleted = await iterate_writing(pager, delete_two_already_read)

    assert len(got) == len(set(got))  # no repeats
    stayed = [i for i in ids if i not in deleted]
    assert [i for i in stayed if i not in got] == []  # none of those that stayed is skipped
    assert len(deleted) == WRITES


async def test_creates_sorted_first_while_iterating_repeat_nothing(
    client: Flavoured, account: NatsAccount
) -> None:
    ids = await create_many(client, account, 30)

    async def create_two_sorted_first(got: list[str], made: list[str]) -> list[str]:
        # Newest first: each create pushes every item one place on, onto the next page.
        return await create_many(client, account, 2)

    pager = client.api.list_credentials(account, order_by="created_at_desc", page_size=PAGE_SIZE)
    got, made = await iterate_writing(pager, create_two_sorted_first)

    assert len(got) == len(set(got))  # no repeats
    assert [i for i in ids if i not in got] == []  # every item there throughout
    assert len(made) == WRITES
