"""Lazy iteration over every page of a list, and single-page access.

`list_accounts()` / `list_credentials()` return a pager: iterating it fetches
pages as they are consumed (memory bounded by one window of pages, however many
pages there are, and no recursion). Once the first page tells `total_count`, the
following pages are fetched `window` at a time concurrently, and still yielded in
order. Each id is yielded once per iteration, and pages are read again after a delete shifted
them (MAX_PASSES; README, "Lists while others write"). Written once in `_async/pagination.py`;
`_sync/pagination.py` is its generated twin.
"""

from ._async.pagination import MAX_PASSES, AsyncPager
from ._page import Page
from ._sync.pagination import Pager

__all__ = ["MAX_PASSES", "AsyncPager", "Page", "Pager"]
