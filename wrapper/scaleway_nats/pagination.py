"""Lazy iteration over every page of a list, and single-page access.

`list_accounts()` / `list_credentials()` return a pager: iterating it fetches
pages as they are consumed (memory bounded by one window of pages, however many
pages there are, and no recursion). Once the first page tells `total_count`, the
following pages are fetched `window` at a time concurrently, and still yielded in
order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Generic, TypeVar

import attrs

from ._runtime import AsyncRunner, Concurrently, Emit, Flow, SyncRunner

__all__ = ["AsyncPager", "Page", "Pager", "collect_pages", "iterate_pages"]

T = TypeVar("T")

FetchPage = Callable[[int], Flow["Page[T]"]]


@attrs.frozen
class Page(Generic[T]):
    """One page of results."""

    items: tuple[T, ...]
    number: int  # 1-based
    page_size: int
    total_count: int  # across all pages, as the server counted when answering

    @property
    def has_next(self) -> bool:
        return self.number * self.page_size < self.total_count

    @property
    def page_count(self) -> int:
        return -(-self.total_count // self.page_size) if self.page_size else 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def iterate_pages(fetch_page: FetchPage[T], window: int) -> Flow[None]:
    """Emit every item of every page, in order, `window` pages in flight after the first."""
    first = yield from fetch_page(1)
    yield Emit(first.items)
    last_page = first.page_count
    number = 2
    while number <= last_page:
        batch = range(number, min(number + window, last_page + 1))
        pages: list[Page[T]] = yield Concurrently([fetch_page(n) for n in batch])
        for page in pages:
            yield Emit(page.items)
        if any(len(page) < page.page_size for page in pages):
            return  # the collection shrank while we read it: nothing lies beyond
        # It may have grown: read on to the end the newest count announces.
        last_page = max([last_page, *(page.page_count for page in pages)])
        number += len(batch)


def collect_pages(
    fetch_page: FetchPage[T], until: Callable[[T], bool] | None = None
) -> Flow[list[T]]:
    """Items page after page (inside other flows), up to the first one `until` accepts."""
    items: list[T] = []
    number = 1
    while True:
        page = yield from fetch_page(number)
        for item in page.items:
            if until is not None and until(item):
                return items
            items.append(item)
        if not page.has_next or len(page) < page.page_size:
            return items
        number += 1


class Pager(Generic[T]):
    """All results of a list call, fetched lazily page by page (sync)."""

    def __init__(self, runner: SyncRunner, fetch_page: FetchPage[T], window: int) -> None:
        self._runner = runner
        self._fetch_page = fetch_page
        self._window = window

    def __iter__(self) -> Iterator[T]:
        return self._runner.iterate(iterate_pages(self._fetch_page, self._window))

    def page(self, number: int = 1) -> Page[T]:
        """Fetch one page (1-based) and nothing else."""
        return self._runner.run(self._fetch_page(number))

    def all(self) -> list[T]:
        """Every item in a list (hcloud's `get_all`)."""
        return list(self)

    def first(self) -> T | None:
        """The first item, from the first page only."""
        items = self.page(1).items
        return items[0] if items else None


class AsyncPager(Generic[T]):
    """All results of a list call, fetched lazily page by page (async)."""

    def __init__(self, runner: AsyncRunner, fetch_page: FetchPage[T], window: int) -> None:
        self._runner = runner
        self._fetch_page = fetch_page
        self._window = window

    def __aiter__(self) -> AsyncIterator[T]:
        return self._runner.iterate(iterate_pages(self._fetch_page, self._window))

    async def page(self, number: int = 1) -> Page[T]:
        """Fetch one page (1-based) and nothing else."""
        return await self._runner.run(self._fetch_page(number))

    async def all(self) -> list[T]:
        """Every item in a list."""
        return [item async for item in self]

    async def first(self) -> T | None:
        """The first item, from the first page only."""
        items = (await self.page(1)).items
        return items[0] if items else None
