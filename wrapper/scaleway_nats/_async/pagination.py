"""Pagers over a list call: lazy, ordered, `window` pages in flight after the first.

Scaleway pages by offset (`page`, `page_size`): a write during an iteration shifts the items
behind it. A create sorted before the read position pushes items onto the next page (read
twice); a delete pulls them back onto a page already read (skipped). So one iteration yields
each id once, and a pass that saw the total count fall (a delete) is followed by another pass,
up to MAX_PASSES, yielding only what the earlier ones missed (README, "Lists while others
write").

Written once as async code; scripts/unasync.py generates the sync twin in `_sync/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from .._backend import AsyncBackend
from .._page import Page

__all__ = ["MAX_PASSES", "AsyncPager", "collect_pages"]

# Passes over the pages in one iteration at most: the first, and re-reads after deletes.
# Our choice: under continuous deletes the iteration still ends, at 3x the requests.
MAX_PASSES = 3


class Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=Identified)


class AsyncPager(Generic[T]):
    """All results of a list call, fetched lazily page by page.

    `async for item in pager` fetches pages as they are consumed; `page(n)` fetches one.
    """

    def __init__(
        self,
        backend: AsyncBackend,
        fetch_page: Callable[[int], Awaitable[Page[T]]],
        window: int,
    ) -> None:
        self._backend = backend
        self._fetch_page = fetch_page
        self._window = window

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        """Every item once, in order, `window` pages in flight after the first; another
        pass (at most MAX_PASSES in all) while a pass saw the total count fall."""
        seen: set[str] = set()
        for _ in range(MAX_PASSES):
            totals: list[int] = []
            async for pages in self._pass(totals):
                for item in (item for page in pages for item in page.items):
                    if item.id not in seen:
                        seen.add(item.id)
                        yield item
            if not _fell(totals):
                return

    async def _pass(self, totals: list[int]) -> AsyncIterator[list[Page[T]]]:
        """The pages of one pass, in order, as fetched together; appends their total counts
        to `totals`."""
        first = await self._fetch_page(1)
        totals.append(first.total_count)
        yield [first]
        last_page = first.page_count
        number = 2
        while number <= last_page:
            batch = range(number, min(number + self._window, last_page + 1))
            pages = await self._backend.gather(self._fetch_page, batch)
            totals.extend(page.total_count for page in pages)
            yield pages
            if any(len(page) < page.page_size for page in pages):
                return  # the collection shrank while we read it: nothing lies beyond
            # It may have grown: read on to the end the newest count announces.
            last_page = max([last_page, *(page.page_count for page in pages)])
            number += len(batch)

    async def page(self, number: int = 1) -> Page[T]:
        """Fetch one page (1-based) and nothing else."""
        return await self._fetch_page(number)

    async def all(self) -> list[T]:
        """Every item in a list (hcloud's `get_all`)."""
        return [item async for item in self]

    async def first(self) -> T | None:
        """The first item, from the first page only."""
        items = (await self.page(1)).items
        return items[0] if items else None


def _fell(totals: list[int]) -> bool:
    """Whether a total count fell below an earlier one: something was deleted meanwhile
    (a create and a delete together may leave it unchanged, and go unseen)."""
    highest = 0
    for total in totals:
        if total < highest:
            return True
        highest = max(highest, total)
    return False


async def collect_pages(
    fetch_page: Callable[[int], Awaitable[Page[T]]], keep: Callable[[T], bool]
) -> list[T]:
    """Items page after page, up to the first one `keep` refuses (one page at a time)."""
    items: list[T] = []
    seen: set[str] = set()  # an item pushed onto the next page by a create is read twice
    number = 1
    while True:
        page = await fetch_page(number)
        for item in page.items:
            if not keep(item):
                return items
            if item.id not in seen:
                seen.add(item.id)
                items.append(item)
        if not page.has_next or len(page) < page.page_size:
            return items
        number += 1
