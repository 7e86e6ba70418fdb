"""A graceful connection recycle (HTTP/2 GOAWAY, NO_ERROR) is classified, not guessed (18.2).

RFC 9113 section 6.8: streams above the GOAWAY's last_stream_id were not processed, so even a
create is resent as is; one at or below it may have been, so a create is reconciled. The
stream a request went on comes from httpcore's public `trace` extension; the GOAWAY from the
h2 event httpcore raises. The end-to-end proof against a recycling server is
tests/reliability/test_recycling.py.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from typing import Any

import h2.errors
import h2.events
import httpcore
import httpx
import pytest

from scaleway_nats import RetryPolicy
from scaleway_nats._backend import AsyncBackend, AsyncCreatesApart, CreatesApart, SyncBackend
from scaleway_nats._http import graceful_goaway
from tests.unit.test_retry import Clock

InProcessScaleway = Flavoured = Any  # the fixtures' types (see conftest.py)


def goaway(last_stream_id: int, code: h2.errors.ErrorCodes = h2.errors.ErrorCodes.NO_ERROR) -> Any:
    """A factory of the error httpx raises for a stream ended by this GOAWAY."""

    def make(message: str, request: httpx.Request) -> httpx.RemoteProtocolError:
        event = h2.events.ConnectionTerminated()
        event.error_code, event.last_stream_id = code, last_stream_id
        outer = httpx.RemoteProtocolError(str(event), request=request)
        outer.__cause__ = httpcore.RemoteProtocolError(event)  # as httpx maps it: `from`
        return outer

    return make


def on_stream(stream_id: int) -> Callable[[httpx.Request], None]:
    """An on_request hook telling the client's trace callback which stream it went on."""

    def hook(request: httpx.Request) -> None:
        trace = request.extensions.get("trace")  # creates only: see requester.py
        if trace is None:
            return
        result = trace(
            "http2.send_request_headers.started", {"request": None, "stream_id": stream_id}
        )
        if inspect.iscoroutine(result):  # the async client's callback: nothing to wait for
            with contextlib.suppress(StopIteration):
                result.send(None)

    return hook


async def test_a_delete_ended_by_a_goaway_counts_as_possibly_done(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    # Not traced (not a create): the GOAWAY does not say whether it was processed, so a 404
    # on the retry is the earlier attempt's doing, as after any lost answer.
    account = fake.add_account()
    fake.fail_next(1, method="DELETE", exception=goaway(7), after=True)

    await client.call("delete_account", account["id"])

    assert fake.accounts["fr-par"] == {}
    assert fake.count("DELETE") == 2


def test_a_graceful_goaway_is_recognised_in_the_error_chain() -> None:
    request = httpx.Request("GET", "https://api.example/")
    assert graceful_goaway(goaway(7)("x", request)) == 7
    assert graceful_goaway(goaway(7, h2.errors.ErrorCodes.PROTOCOL_ERROR)("x", request)) is None
    assert graceful_goaway(httpx.ReadError("reset", request=request)) is None


async def test_a_create_the_goaway_did_not_process_is_resent_without_looking(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    fake.on_request = on_stream(9)
    fake.fail_next(1, method="POST", exception=goaway(7))

    account = await client.call("create_account", name="orders")  # a chosen name, even

    assert [a["id"] for a in fake.accounts["fr-par"].values()] == [account.id]
    assert fake.count("POST") == 2
    assert fake.count("GET") == 0  # not processed: nothing to reconcile
    assert client.stats.get("reconciliations", 0) == 0


async def test_a_create_the_goaway_may_have_processed_is_reconciled(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    fake.on_request = on_stream(5)
    fake.fail_next(1, method="POST", exception=goaway(7), after=True)

    account = await client.call("create_account")

    assert [a["id"] for a in fake.accounts["fr-par"].values()] == [account.id]  # adopted
    assert fake.count("POST") == 1
    assert client.stats["reconciliations"] == 1


async def test_a_recycled_connection_is_resent_without_a_backoff_pause(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    clock = Clock()
    client = flavoured_factory(flavour, retry_policy=RetryPolicy(backoff_base=5.0), clock=clock)
    account = fake.add_account()
    fake.on_request = on_stream(5)
    fake.fail_next(1, method="GET", exception=goaway(3))

    got = await client.call("get_account", account["id"])

    assert got.id == account["id"]
    assert clock.sleeps == [0.0]  # a recycle is no fault of the service: no backoff
    assert client.stats["retries"] == 1


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_creates_go_over_their_own_transport() -> None:
    seen: list[tuple[str, str]] = []

    def recorder(name: str) -> httpx.MockTransport:
        return httpx.MockTransport(lambda r: seen.append((name, r.method)) or httpx.Response(200))

    transport = CreatesApart(recorder("multiplexed"), recorder("serial"))
    with httpx.Client(transport=transport) as http:
        for method in ("GET", "POST", "PATCH", "DELETE"):
            http.request(method, "https://api.example/")
    assert seen == [
        ("multiplexed", "GET"),
        ("serial", "POST"),
        ("multiplexed", "PATCH"),
        ("multiplexed", "DELETE"),
    ]


def test_http2_clients_send_creates_over_http11() -> None:
    assert isinstance(AsyncBackend.default_transport(True, http2=True), AsyncCreatesApart)
    assert AsyncBackend.default_transport(True, http2=False) is None
    assert isinstance(SyncBackend.default_transport(True, http2=True), CreatesApart)
    assert not isinstance(SyncBackend.default_transport(True, http2=False), CreatesApart)
