"""One page of a list answer (flavour-free); the pagers are in `_async/` and `_sync/`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

import attrs

__all__ = ["Page"]

T = TypeVar("T")


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
