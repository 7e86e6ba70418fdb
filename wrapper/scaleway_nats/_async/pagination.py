"""Pagers over a list call: lazy, ordered, `window` pages in flight after the first.

Written once as async code; scripts/unasync.py generates the sync twin in `_sync/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from .._backend import AsyncBackend
from .._page import Page

__all__ = ["AsyncPager", "collect_pages"]

T = TypeVar("T")


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
        """Every item of every page, in order, `window` pages in flight after the first."""
        first = await self._fetch_page(1)
        for item in first.items:
            yield item
        last_page = first.page_count
        number = 2
        while number <= last_page:
            batch = range(number, min(number + self._window, last_page + 1))
            pages = await self._backend.gather(self._fetch_page, batch)
            for page in pages:
                for item in page.items:
                    yield item
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


async def collect_pages(
    fetch_page: Callable[[int], Awaitable[Page[T]]], keep: Callable[[T], bool]
) -> list[T]:
    """Items page after page, up to the first one `keep` refuses (one page at a time)."""
    items: list[T] = []
    number = 1
    while True:
        page = await fetch_page(number)
        for item in page.items:
            if not keep(item):
                return items
            items.append(item)
        if not page.has_next or len(page) < page.page_size:
            return items
        number += 1
