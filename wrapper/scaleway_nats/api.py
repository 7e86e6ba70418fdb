"""NatsAPI and AsyncNatsAPI: the clients people use.

AsyncNatsAPI is written in `_async/client.py`; NatsAPI is its twin, generated into
`_sync/client.py` by scripts/unasync.py.
"""

from ._async.client import PAGE_PREFETCH_WINDOW, PAGE_PREFETCH_WINDOW_HTTP2, AsyncNatsAPI
from ._http import USER_AGENT
from ._sync.client import NatsAPI

__all__ = [
    "PAGE_PREFETCH_WINDOW",
    "PAGE_PREFETCH_WINDOW_HTTP2",
    "USER_AGENT",
    "AsyncNatsAPI",
    "NatsAPI",
]
