"""NatsAPI's HTTP/2 (issue 13, on by default): negotiated by ALPN over real TLS on loopback,
and listing that keeps a wider window of pages in flight on the one multiplexed connection.

The server is Hypercorn (scaleway_nats.local.https) serving a small ASGI app that answers the
list route and records, per request, the HTTP version, the client's port (one port: one
connection) and how many requests were in flight at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scaleway_nats import AsyncNatsAPI, NatsAPI
from scaleway_nats.api import PAGE_PREFETCH_WINDOW, PAGE_PREFETCH_WINDOW_HTTP2
from scaleway_nats.local.tls import TlsFiles, ensure_tls
from tests.support.https import https_serving

PAGES = 20
GATHER = 4  # a page request waits (at most GATHER_SECONDS) until this many are in flight
GATHER_SECONDS = 5.0
PROJECT_ID = str(uuid.uuid4())


class ListServer:
    """The accounts list route, one account per page; records what the requests were."""

    def __init__(self) -> None:
        self.versions: list[str] = []
        self.ports: set[int] = set()
        self.in_flight = 0
        self.most_in_flight = 0
        self._changed: asyncio.Condition | None = None

    def account(self, number: int) -> dict[str, str]:
        return {
            "id": str(uuid.UUID(int=number)),
            "name": f"account-{number}",
            "endpoint": "nats://127.0.0.1:4222",
            "project_id": PROJECT_ID,
            "region": "fr-par",
            "created_at": "2024-05-06T07:08:09Z",
            "updated_at": "2024-05-06T07:08:09Z",
        }

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if self._changed is None:
            self._changed = asyncio.Condition()
        self.versions.append(scope["http_version"])
        self.ports.add(scope["client"][1])
        query = dict(part.split("=", 1) for part in scope["query_string"].decode().split("&"))
        page = int(query.get("page", "1"))
        async with self._changed:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._changed.notify_all()
            # Pages after the first wait for company (the last few excepted: a window's last
            # batch may be smaller); bounded, so a one-page-at-a-time client just waits it out.
            if 1 < page <= PAGES - GATHER + 1:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: self.in_flight >= GATHER), GATHER_SECONDS
                    )
        body = json.dumps({"nats_accounts": [self.account(page)], "total_count": PAGES})
        async with self._changed:
            self.in_flight -= 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return ensure_tls(tmp_path / "tls")


@pytest.fixture
def served(tls: TlsFiles) -> Iterator[tuple[str, ListServer]]:
    app = ListServer()
    with https_serving(app, tls) as url:
        yield url, app


def settings(url: str, tls: TlsFiles) -> dict[str, Any]:
    return {
        "secret_key": str(uuid.uuid4()),
        "project_id": PROJECT_ID,
        "api_url": url,
        "verify": ssl.create_default_context(cafile=str(tls.ca_file)),
    }


def test_sync_client_lists_over_one_http2_connection(
    served: tuple[str, ListServer], tls: TlsFiles
) -> None:
    url, app = served
    with NatsAPI(**settings(url, tls)) as api:  # HTTP/2 by default
        names = [account.name for account in api.list_accounts(page_size=1)]
        stats = dict(api.stats)
    assert names == [f"account-{n}" for n in range(1, PAGES + 1)]
    assert set(app.versions) == {"2"}
    # Every page multiplexed on one connection. Under heavy load httpcore's sync HTTP/2 can
    # still lose it: it feeds h2's state machine from a reading thread and a sending one
    # under two different locks (pydantic/httpx2#1153; seen once, in a full run sharing 2
    # cores with a chaos run). The client then resends on a new connection and the pages
    # stay right; a second connection without such a retry still fails here.
    assert len(app.ports) == 1 or stats.get("retries", 0) >= len(app.ports) - 1, (app.ports, stats)
    assert app.most_in_flight >= GATHER  # pages overlapped on it


async def test_async_client_lists_over_one_http2_connection(
    served: tuple[str, ListServer], tls: TlsFiles
) -> None:
    url, app = served
    async with AsyncNatsAPI(**settings(url, tls)) as api:
        names = [account.name async for account in api.list_accounts(page_size=1)]
    assert names == [f"account-{n}" for n in range(1, PAGES + 1)]
    assert set(app.versions) == {"2"}
    assert len(app.ports) == 1
    assert app.most_in_flight >= GATHER


def test_http1_when_asked_with_one_connection_per_page_in_flight(
    served: tuple[str, ListServer], tls: TlsFiles
) -> None:
    url, app = served
    with NatsAPI(**settings(url, tls), http2=False) as api:
        assert len(list(api.list_accounts(page_size=1))) == PAGES
    assert set(app.versions) == {"1.1"}
    assert len(app.ports) > 1


def test_window_defaults_follow_the_protocol(tls: TlsFiles) -> None:
    url = "https://127.0.0.1:1"
    with NatsAPI(**settings(url, tls)) as api:
        assert api._window == PAGE_PREFETCH_WINDOW_HTTP2
    with NatsAPI(**settings(url, tls), http2=False) as api:
        assert api._window == PAGE_PREFETCH_WINDOW
    with NatsAPI(**settings("http://127.0.0.1:1", tls)) as api:
        assert api._window == PAGE_PREFETCH_WINDOW  # no HTTP/2 without TLS
    with NatsAPI(**settings(url, tls), list_concurrency=2) as api:
        assert api._window == 2
    assert PAGE_PREFETCH_WINDOW_HTTP2 > PAGE_PREFETCH_WINDOW
