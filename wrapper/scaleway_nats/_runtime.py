"""One implementation of the client logic, two ways to run it (sync and async).

Every operation is written once as a *flow*: a generator that yields effects
(`Send` a request, `Sleep`, run flows `Concurrently`, `Emit` list items, `Record`
a statistic) and receives their results. Retries, reconciliation and pagination
live in flows; the two runners below are the only code that touches I/O, so the
sync and async clients cannot drift apart.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import attrs
import httpx

from ._deadline import BoundedStream, bounded

__all__ = [
    "AsyncRunner",
    "Concurrently",
    "Effect",
    "Emit",
    "Flow",
    "Record",
    "Send",
    "Sleep",
    "SyncRunner",
]

log = logging.getLogger("scaleway_nats")

T = TypeVar("T")


@attrs.frozen
class Send:
    """Send one HTTP request; the result is the httpx.Response or the httpx.TransportError.

    The attempt ends, answered or not, at `deadline` (a time.monotonic() value) or after the
    runner's `attempt_timeout`, whichever comes first: in flight too, however slowly the
    server sends.
    """

    request: dict[str, Any]  # keyword arguments of httpx.Client.request
    deadline: float | None = None


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Concurrently:
    """Run sub-flows at the same time; the result is the list of their results, in order."""

    flows: Sequence[Generator[Any, Any, Any]]


@attrs.frozen
class Emit:
    """Hand items to the caller of an iterating flow."""

    items: Sequence[Any]


@attrs.frozen
class Record:
    """Count an event in the runner's `stats` (retries, reconciliations, ...)."""

    name: str


Effect = Send | Sleep | Concurrently | Emit | Record
Flow = Generator[Effect, Any, T]


def _describe(request: dict[str, Any]) -> str:
    return f"{str(request.get('method', '?')).upper()} {request.get('url', '?')}"


@attrs.frozen
class _Limit:
    """When one attempt must end, and what set that time (for the error message)."""

    at: float  # time.monotonic() value; math.inf when unbounded
    reason: str

    @property
    def left(self) -> float:
        return self.at - time.monotonic()

    def expired(self, error: type[httpx.TimeoutException], when: str) -> httpx.TimeoutException:
        return error(f"{when} {self.reason}")


class _Runner:
    """What both runners share: statistics and the step function of a flow."""

    def __init__(self, attempt_timeout: float | None = None) -> None:
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()  # the sync runner counts from pool threads
        self._attempt_timeout = attempt_timeout

    def _limit(self, effect: Send) -> _Limit:
        limit = _Limit(math.inf, "")
        if self._attempt_timeout is not None:
            limit = _Limit(
                time.monotonic() + self._attempt_timeout,
                f"the attempt's time limit (timeout={self._attempt_timeout:g} s)",
            )
        if effect.deadline is not None and effect.deadline < limit.at:
            limit = _Limit(effect.deadline, "the call's deadline (RetryPolicy.deadline)")
        return limit

    def _count(self, name: str) -> None:
        with self._stats_lock:
            self.stats[name] += 1

    @staticmethod
    def _named(
        error: httpx.TransportError, client: httpx.Client | httpx.AsyncClient, effect: Send
    ) -> httpx.TransportError:
        """The error with its request set, so that its message can name the host."""
        try:
            error.request  # noqa: B018 (raises when unset)
        except RuntimeError:
            error.request = client.build_request(**effect.request)
        return error

    def _log_outcome(self, request: dict[str, Any], outcome: object, started: float) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        if isinstance(outcome, httpx.Response):
            log.debug("%s -> %d (%.1f ms)", _describe(request), outcome.status_code, elapsed_ms)
        else:
            log.debug("%s -> %s (%.1f ms)", _describe(request), type(outcome).__name__, elapsed_ms)


class SyncRunner(_Runner):
    """Runs flows with a blocking httpx.Client; `Concurrently` uses a thread pool."""

    def __init__(
        self, client: httpx.Client, max_workers: int = 4, attempt_timeout: float | None = None
    ) -> None:
        super().__init__(attempt_timeout)
        self._client = client
        self._max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _send(self, effect: Send) -> httpx.Response | httpx.TransportError:
        limit = self._limit(effect)
        if limit.at == math.inf:
            return self._client.request(**effect.request)
        left = limit.left
        if left <= 0:
            return limit.expired(httpx.ConnectTimeout, "not sent: past")
        try:
            with bounded(limit.at):
                request = self._client.build_request(**effect.request, timeout=left)
                response = self._client.send(request, stream=True)
                try:
                    assert isinstance(response.stream, httpx.SyncByteStream)
                    response.stream = BoundedStream(response.stream, limit.at)
                    response.read()
                finally:
                    response.close()
            return response
        except httpx.TimeoutException as error:
            if limit.left > 0:
                raise
            return limit.expired(type(error), "cut at")

    def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            self._count("requests")
            started = time.perf_counter()
            try:
                outcome: object = self._send(effect)
            except httpx.TransportError as error:
                outcome = error
            if isinstance(outcome, httpx.TransportError):
                outcome = self._named(outcome, self._client, effect)
            self._log_outcome(effect.request, outcome, started)
            return outcome
        if isinstance(effect, Sleep):
            time.sleep(effect.seconds)
            return None
        if isinstance(effect, Concurrently):
            if len(effect.flows) <= 1:
                return [self.run(flow) for flow in effect.flows]
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._max_workers, "scaleway-nats")
            return list(self._pool.map(self.run, effect.flows))
        if isinstance(effect, Record):
            self._count(effect.name)
            return None
        raise TypeError(f"effect {effect!r} cannot be performed here")

    def _drive(self, flow: Flow[T]) -> Generator[Any, None, T]:
        value: Any = None
        while True:
            try:
                effect = flow.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(effect, Emit):
                yield from effect.items
                value = None
            else:
                value = self._perform(effect)

    def run(self, flow: Flow[T]) -> T:
        """Run a flow to its result."""
        driver = self._drive(flow)
        while True:
            try:
                next(driver)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]

    def iterate(self, flow: Flow[Any]) -> Iterator[Any]:
        """Run a flow lazily, yielding what it emits."""
        yield from self._drive(flow)


class AsyncRunner(_Runner):
    """Runs flows with an httpx.AsyncClient; `Concurrently` uses asyncio.gather."""

    def __init__(self, client: httpx.AsyncClient, attempt_timeout: float | None = None) -> None:
        super().__init__(attempt_timeout)
        self._client = client

    async def _send(self, effect: Send) -> httpx.Response | httpx.TransportError:
        limit = self._limit(effect)
        if limit.at == math.inf:
            return await self._client.request(**effect.request)
        left = limit.left
        if left <= 0:
            return limit.expired(httpx.ConnectTimeout, "not sent: past")
        try:
            if sys.version_info >= (3, 11):  # no task per request, unlike wait_for (-30 µs)
                async with asyncio.timeout(left):
                    return await self._client.request(**effect.request)
            return await asyncio.wait_for(self._client.request(**effect.request), left)
        except asyncio.TimeoutError:
            # Cancelled wherever it was, connecting or reading: it may have been sent.
            return limit.expired(httpx.ReadTimeout, "cut at")

    async def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            self._count("requests")
            started = time.perf_counter()
            try:
                outcome: object = await self._send(effect)
            except httpx.TransportError as error:
                outcome = error
            if isinstance(outcome, httpx.TransportError):
                outcome = self._named(outcome, self._client, effect)
            self._log_outcome(effect.request, outcome, started)
            return outcome
        if isinstance(effect, Sleep):
            await asyncio.sleep(effect.seconds)
            return None
        if isinstance(effect, Concurrently):
            return list(await asyncio.gather(*(self.run(flow) for flow in effect.flows)))
        if isinstance(effect, Record):
            self._count(effect.name)
            return None
        raise TypeError(f"effect {effect!r} cannot be performed here")

    async def run(self, flow: Flow[T]) -> T:
        """Run a flow to its result."""
        value: Any = None
        while True:
            try:
                effect = flow.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(effect, Emit):
                raise TypeError("an iterating flow must be run with iterate()")
            value = await self._perform(effect)

    async def iterate(self, flow: Flow[Any]) -> AsyncIterator[Any]:
        """Run a flow lazily, yielding what it emits."""
        value: Any = None
        while True:
            try:
                effect = flow.send(value)
            except StopIteration:
                return
            if isinstance(effect, Emit):
                for item in effect.items:
                    yield item
                value = None
            else:
                value = await self._perform(effect)
