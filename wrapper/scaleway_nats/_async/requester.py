"""Sending a request with retries, a per-attempt time limit and a deadline for the call.

Written once as async code; scripts/unasync.py generates the sync twin in `_sync/`.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs
import httpx

from .._backend import AsyncBackend, AsyncHttpClients, Limit, Request
from ..errors import (
    AmbiguousCreateError,
    ScalewayError,
    TransportError,
    UnexpectedResponseError,
    error_from_response,
)
from ..retry import (
    CALL_DEADLINE,
    Clock,
    Fresh,
    RetryPolicy,
    Stats,
    is_ambiguous,
    is_propagating,
    is_retryable,
    note_attempts,
)

__all__ = ["AsyncRequester"]

log = logging.getLogger("scaleway_nats")

T = TypeVar("T")


@attrs.frozen
class AsyncRequester:
    """Sends requests through one httpx client, retrying as `policy` allows.

    `timeout` is the wall-clock time one attempt may take (connect to last byte), and
    `policy.deadline` that of the whole call, retries included.
    """

    http: AsyncHttpClients  # one httpx client per event loop
    backend: AsyncBackend
    policy: RetryPolicy
    clock: Clock
    timeout: float | None
    stats: Stats = attrs.field(factory=Stats)

    async def send(self, request: Request) -> httpx.Response:
        """Send once; return a 2xx response, raise the matching ScalewayError otherwise."""
        self.stats.count("requests")
        started = time.perf_counter()
        try:
            response = await self.backend.send(self.http.current(), request, self._limit())
        except httpx.TransportError as failure:
            _log(request, type(failure).__name__, started)
            raise self._transport_error(failure, request) from failure
        _log(request, str(response.status_code), started)
        if response.is_success:
            return response
        raise error_from_response(response)

    async def fetch(self, request: Request, parse: Callable[[object], T]) -> T:
        """Send once and parse the 2xx answer's JSON; an unreadable one is a ScalewayError too."""
        response = await self.send(request)
        try:
            return parse(response.json())
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            reason = (
                "not JSON" if isinstance(error, json.JSONDecodeError) else "JSON of the wrong shape"
            )
            # `from None`: a JSON error quotes the document, which may hold a secret.
            raise UnexpectedResponseError(response, f"{reason}: {error}") from None

    async def retrying(
        self,
        attempt: Callable[[], Awaitable[T]],
        *,
        idempotent: bool,
        reconcile: Callable[[ScalewayError], Awaitable[T | None]] | None = None,
        fresh: Fresh | None = None,
    ) -> T:
        """Run `attempt` until it succeeds, retrying what the policy and idempotency allow.

        After an ambiguous failure of a non-idempotent call, `reconcile(error)` runs before the
        next attempt: if it finds the result of the lost request it is returned, else
        the call is sent again (it raises when it cannot tell). Without `reconcile` such a
        failure is raised, not resent. With `fresh` (the call names a resource this client
        just created), a 404/403 is retried until that resource is `propagation_window` old.
        Calls made inside (a reconciliation's look-ups) end by this call's deadline too.
        """
        started = self.clock.monotonic()
        deadline = started + self.policy.deadline
        outer = CALL_DEADLINE.get()
        if outer is not None:
            deadline = min(deadline, outer)
        token = CALL_DEADLINE.set(deadline)
        try:
            return await self._retry(attempt, idempotent, reconcile, fresh, started, deadline)
        finally:
            CALL_DEADLINE.reset(token)

    async def _retry(
        self,
        attempt: Callable[[], Awaitable[T]],
        idempotent: bool,
        reconcile: Callable[[ScalewayError], Awaitable[T | None]] | None,
        fresh: Fresh | None,
        started: float,
        deadline: float,
    ) -> T:
        policy, clock = self.policy, self.clock
        retry = settling = 0
        while True:
            try:
                return await attempt()
            except ScalewayError as error:
                if fresh is not None and is_propagating(error) and fresh.still_known():
                    # Not yet visible: a 404/403 took no effect, so resending is always safe.
                    pause = min(1.0, 0.1 * 2**settling)
                    if clock.monotonic() + pause < min(fresh.until, deadline):
                        self.stats.count("propagation_retries")
                        await self._pause(pause, deadline)
                        settling += 1
                        continue
                    note_attempts(error, retry + settling + 1, clock.monotonic() - started)
                    error.message += (
                        f" ({fresh.what} was created by this client {fresh.age():.1f} s ago and "
                        f"is still not visible: Scaleway can take a moment to show a new resource)"
                    )
                    raise
                ambiguous = is_ambiguous(error)
                must_reconcile = ambiguous and not idempotent
                if not is_retryable(error) or (must_reconcile and reconcile is None):
                    note_attempts(error, retry + 1, clock.monotonic() - started)
                    raise
                pause = policy.pause(retry, error)
                out_of_budget = (
                    retry >= policy.max_retries
                    or clock.monotonic() - started + pause > policy.deadline
                )
                if out_of_budget and not must_reconcile:
                    note_attempts(error, retry + 1, clock.monotonic() - started)
                    raise
                if not out_of_budget:
                    log.info("retrying after %s (pause %.2fs, retry %d)", error, pause, retry + 1)
                    self.stats.count("retries")
                    await self._pause(pause, deadline)
                    retry += 1
                if must_reconcile and reconcile is not None:
                    self.stats.count("reconciliations")
                    try:
                        found = await reconcile(error)
                    except AmbiguousCreateError:
                        raise
                    except ScalewayError as failure:
                        # Not knowing what the lost request did, the call must not be resent:
                        # report the create's own failure, not the look-up's.
                        note_attempts(error, retry + 1, clock.monotonic() - started)
                        error.message += (
                            f"; it may have taken effect, and looking for its result failed: "
                            f"{failure}"
                        )
                        raise error from failure
                    if found is not None:
                        return found
                if out_of_budget:
                    # Reconciled once more so that nothing made by the last attempt is orphaned.
                    note_attempts(error, retry + 1, clock.monotonic() - started)
                    raise

    async def _pause(self, seconds: float, deadline: float) -> None:
        """Sleep `seconds`, cut at `deadline`."""
        await self.clock.asleep(max(0.0, min(seconds, deadline - self.clock.monotonic())))

    def _limit(self) -> Limit:
        """When this attempt must end: its own time limit or the call's deadline."""
        limit = Limit(math.inf, "", self.clock)
        if self.timeout is not None:
            limit = Limit(
                self.clock.monotonic() + self.timeout,
                f"the attempt's time limit (timeout={self.timeout:g} s)",
                self.clock,
            )
        deadline = CALL_DEADLINE.get()
        if deadline is not None and deadline < limit.at:
            limit = Limit(deadline, "the call's deadline (RetryPolicy.deadline)", self.clock)
        return limit

    def _transport_error(self, failure: httpx.TransportError, request: Request) -> TransportError:
        """The wrapper's error for `failure`, naming the request (method and URL)."""
        error = TransportError(f"{type(failure).__name__}: {failure}", cause=failure)
        try:
            sent = failure.request
        except RuntimeError:  # raised without its request: build it to name the host
            sent = self.http.current().build_request(**request)
            failure.request = sent
        error.method, error.url = sent.method, str(sent.url)
        return error


def _log(request: Request, outcome: str, started: float) -> None:
    if log.isEnabledFor(logging.DEBUG):
        elapsed_ms = (time.perf_counter() - started) * 1000
        method = str(request.get("method", "?")).upper()
        log.debug("%s %s -> %s (%.1f ms)", method, request.get("url", "?"), outcome, elapsed_ms)
