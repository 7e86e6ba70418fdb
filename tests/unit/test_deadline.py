"""The per-call deadline bounds every attempt, including one in flight (issue 10 item 6).

A real loopback server that trickles its answer a byte at a time never trips httpx's
per-read timeout; only a wall-clock bound on the attempt stops it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scaleway_nats import AsyncNatsAPI, NatsAPI, RetryPolicy, TransportError
from tests.support.in_process import PROJECT_ID, SECRET_KEY

ACCOUNT_ID = "ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3"  # a real-format id
BODY = (
    b'{"id":"' + ACCOUNT_ID.encode() + b'","name":"slow","endpoint":"nats://x:4222",'
    b'"project_id":"' + PROJECT_ID.encode() + b'","region":"fr-par"}'
)
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)
BYTE_EVERY = 0.05  # seconds: the whole answer would take ANSWER bytes x this (~10 s)


class Trickler:
    """Answers every request one byte every BYTE_EVERY seconds; counts what it completed."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections = 0
        self.completed = 0  # answers sent to the last byte
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by close()
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)  # the request (small, one read)
                for index in range(len(ANSWER)):  # bounded: one pass over the answer
                    if self.stopping.wait(BYTE_EVERY):
                        return
                    conn.sendall(ANSWER[index : index + 1])
                self.completed += 1
            except OSError:
                return  # the client gave up and closed: what we want

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    server = Trickler()
    yield server
    server.close()


def settings(api_url: str, **kwargs: Any) -> dict[str, Any]:
    return {
        "secret_key": SECRET_KEY,
        "project_id": PROJECT_ID,
        "api_url": api_url,
        "retry_policy": RetryPolicy(max_retries=5, backoff_base=0.0, deadline=1.0),
        "timeout": 30.0,  # per read: never trips, a byte comes every 50 ms
        **kwargs,
    }


def test_sync_get_ends_at_the_deadline_while_a_byte_trickles_in(trickler: Trickler) -> None:
    started = time.monotonic()
    with NatsAPI(**settings(trickler.url)) as api, pytest.raises(TransportError) as caught:
        api.get_account(ACCOUNT_ID)
    elapsed = time.monotonic() - started

    assert trickler.completed == 0  # cut in flight, not after the server finished
    assert "deadline" in str(caught.value)
    print(f"\nsync: deadline 1.0 s, call ended after {elapsed:.2f} s: {caught.value}")


async def test_async_get_ends_at_the_deadline_while_a_byte_trickles_in(
    trickler: Trickler,
) -> None:
    started = time.monotonic()
    async with AsyncNatsAPI(**settings(trickler.url)) as api:
        with pytest.raises(TransportError) as caught:
            await api.get_account(ACCOUNT_ID)
    elapsed = time.monotonic() - started

    assert trickler.completed == 0
    assert "deadline" in str(caught.value)
    print(f"\nasync: deadline 1.0 s, call ended after {elapsed:.2f} s: {caught.value}")


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_timeout_bounds_one_attempt_and_the_call_retries(
    trickler: Trickler, flavour: str
) -> None:
    # `timeout` bounds one attempt's wall-clock time; the GET is retried within the deadline.
    policy = RetryPolicy(max_retries=2, backoff_base=0.0, deadline=30.0)
    kwargs = settings(trickler.url, timeout=0.3, retry_policy=policy)
    started = time.monotonic()
    if flavour == "sync":
        with NatsAPI(**kwargs) as api, pytest.raises(TransportError):
            api.get_account(ACCOUNT_ID)
    else:
        async with AsyncNatsAPI(**kwargs) as aapi:
            with pytest.raises(TransportError):
                await aapi.get_account(ACCOUNT_ID)
    elapsed = time.monotonic() - started

    assert trickler.completed == 0
    assert trickler.connections == 3  # three attempts, each cut by `timeout`
    print(f"\n{flavour}: timeout 0.3 s x 3 attempts, call ended after {elapsed:.2f} s")


def test_a_body_streamed_slowly_by_any_transport_is_cut_at_the_deadline() -> None:
    """The bound holds for a transport that is not a socket (here a MockTransport)."""
    produced: list[int] = []

    class Slow(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for index in range(len(BODY)):  # bounded
                time.sleep(BYTE_EVERY)
                produced.append(index)
                yield BODY[index : index + 1]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Slow())

    kwargs = settings("https://scaleway.test")
    with (
        NatsAPI(transport=httpx.MockTransport(handler), **kwargs) as api,
        pytest.raises(TransportError),
    ):
        api.get_account(ACCOUNT_ID)

    assert len(produced) < len(BODY)
    print(f"\nmock stream: {len(produced)} of {len(BODY)} bytes read before the deadline")


def test_a_create_cut_at_the_deadline_says_it_may_have_taken_effect(trickler: Trickler) -> None:
    with NatsAPI(**settings(trickler.url)) as api, pytest.raises(TransportError) as caught:
        api.create_account()

    message = str(caught.value)
    assert message.startswith("POST ") and "may have taken effect" in message
    assert trickler.completed == 0
    print(f"\ncreate: {message}")
