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
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import attrs
import httpx

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
    """Send one HTTP request; the result is the httpx.Response or the httpx.TransportError."""

    request: dict[str, Any]  # keyword arguments of httpx.Client.request


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


class _Runner:
    """What both runners share: statistics and the step function of a flow."""

    def __init__(self) -> None:
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()  # the sync runner counts from pool threads

    def _count(self, name: str) -> None:
        with self._stats_lock:
            self.stats[name] += 1

    def _log_outcome(self, request: dict[str, Any], outcome: object, started: float) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        if isinstance(outcome, httpx.Response):
            log.debug("%s -> %d (%.1f ms)", _describe(request), outcome.status_code, elapsed_ms)
        else:
            log.debug("%s -> %s (%.1f ms)", _describe(request), type(outcome).__name__, elapsed_ms)


class SyncRunner(_Runner):
    """Runs flows with a blocking httpx.Client; `Concurrently` uses a thread pool."""

    def __init__(self, client: httpx.Client, max_workers: int = 4) -> None:
        super().__init__()
        self._client = client
        self._max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            self._count("requests")
            started = time.perf_counter()
            try:
                outcome: object = self._client.request(**effect.request)
            except httpx.TransportError as error:
                outcome = error
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

    def __init__(self, client: httpx.AsyncClient) -> None:
        super().__init__()
        self._client = client

    async def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            self._count("requests")
            started = time.perf_counter()
            try:
                outcome: object = await self._client.request(**effect.request)
            except httpx.TransportError as error:
                outcome = error
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
