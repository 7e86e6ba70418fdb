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

from .._backend import CREATE_METHOD, AsyncBackend, AsyncHttpClients, Limit, Request
from .._http import StreamTrace, as_transport_error, graceful_goaway
from ..errors import (
    AmbiguousCreateError,
    APIConnectionError,
    APITimeoutError,
    Outcome,
    ScalewayError,
    UnexpectedResponseError,
    error_from_response,
)
from ..retry import (
    CALL_DEADLINE,
    Cleared,
    Clock,
    Fresh,
    Pause,
    Raise,
    RetryPolicy,
    RetryState,
    Stats,
    decide,
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
        # A create's HTTP/2 stream, should a GOAWAY end it: whether it was processed decides
        # between resending and reconciling. Other calls are resent either way: creates only.
        stream = StreamTrace() if str(request.get("method")).upper() == CREATE_METHOD else None
        if stream is not None:
            request = {**request, "extensions": {"trace": stream.atrace}}
        try:
            response = await self.backend.send(self.http.current(), request, self._limit())
        except Exception as caught:
            failure = as_transport_error(caught)
            if failure is None:
                raise
            _log(request, type(failure).__name__, started)
            raise self._transport_error(failure, request, stream) from caught
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
        reconcile: Callable[[ScalewayError], Awaitable[T | Cleared | None]] | None = None,
        fresh: Fresh | None = None,
    ) -> T:
        """Run `attempt` until it succeeds, retrying what the policy and idempotency allow.

        After an ambiguous failure of a non-idempotent call, `reconcile(error)` runs before the
        next attempt: if it finds the result of the lost request it is returned; if it
        removed it (Cleared.CLEARED) the call is sent again; if it finds nothing it runs again
        until `policy.visibility_window` has passed since the lost attempt was sent, then the
        call is sent again (it raises when it cannot tell). Without `reconcile` such a
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
        reconcile: Callable[[ScalewayError], Awaitable[T | Cleared | None]] | None,
        fresh: Fresh | None,
        started: float,
        deadline: float,
    ) -> T:
        """Carry out `decide()`'s decisions until an attempt or a reconciliation succeeds."""
        clock = self.clock
        state = RetryState(started, started, deadline, idempotent, reconcile is not None)
        while True:
            sent_at = clock.monotonic()
            try:
                return await attempt()
            except ScalewayError as error:
                known = fresh if fresh is not None and fresh.still_known() else None
                state = attrs.evolve(state, fresh=known, lost_at=sent_at, looks=0, cleared=False)
                while True:
                    now = clock.monotonic()
                    decision = decide(error, attrs.evolve(state, now=now), self.policy)
                    if isinstance(decision, Raise):
                        attempts = state.retries + state.settling + 1
                        error.gave_up(Outcome(attempts, now - started, decision.note))
                        raise
                    if decision.counter is not None:
                        self.stats.count(decision.counter)
                    if decision.counter == "retries":
                        log.info("retrying after %s (pause %.2fs)", error, decision.seconds)
                    await self._pause(decision.seconds, deadline)
                    state = attrs.evolve(
                        state,
                        retries=state.retries + (decision.counter == "retries"),
                        settling=state.settling + (decision.counter == "propagation_retries"),
                    )
                    if isinstance(decision, Pause):
                        break  # send again
                    assert reconcile is not None  # decide() reconciles only when it can
                    found = await self._reconcile(reconcile, error, state)
                    if found is not None and not isinstance(found, Cleared):
                        return found
                    state = attrs.evolve(
                        state,
                        looks=state.looks + 1,
                        cleared=found is Cleared.CLEARED,
                        resend=decision.resend,
                    )

    async def _reconcile(
        self,
        reconcile: Callable[[ScalewayError], Awaitable[T | Cleared | None]],
        error: ScalewayError,
        state: RetryState,
    ) -> T | Cleared | None:
        """Look for what the attempt that failed with `error` made; raise `error` when the
        look-up fails (not knowing what it did, the call must not be resent)."""
        if state.looks == 0:
            self.stats.count("reconciliations")
        try:
            return await reconcile(error)
        except AmbiguousCreateError:
            raise
        except ScalewayError as failure:
            # Report the create's own failure, not the look-up's.
            note = f"; it may have taken effect, and looking for its result failed: {failure}"
            elapsed = self.clock.monotonic() - state.started
            error.gave_up(Outcome(state.retries + 1, elapsed, note))
            raise error from failure

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

    def _transport_error(
        self, failure: httpx.TransportError, request: Request, stream: StreamTrace | None
    ) -> APIConnectionError:
        """The wrapper's error for `failure`, naming the request (method and URL): an
        APITimeoutError when a time limit cut it.

        A graceful GOAWAY is classified (RFC 9113 section 6.8): a request whose stream is above
        its `last_stream_id`, or that never got a stream, was not processed, so even a create
        is resent as is; one at or below it may have been (httpcore and h2 drop the answers
        still due on a connection once its GOAWAY is read: encode/httpcore #1041, #1054).
        """
        last_stream_id = graceful_goaway(failure)
        processed: bool | None = None  # unknown unless traced: sent, unless connect failed
        if last_stream_id is not None and stream is not None:
            processed = stream.stream_id is not None and stream.stream_id <= last_stream_id
        timed_out = isinstance(failure, httpx.TimeoutException)
        error = (APITimeoutError if timed_out else APIConnectionError)(
            f"{type(failure).__name__}: {failure}",
            cause=failure,
            sent=processed,
            recycled=last_stream_id is not None,
        )
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
