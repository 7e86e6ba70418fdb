"""Sending a request with retries: exponential backoff, full jitter, Retry-After, a deadline.

What may be retried depends on whether a failed request may have taken effect:
- 429 and connection failures before sending took no effect: always retried;
- 5xx and connections dropped after sending are *ambiguous*: retried only for
  idempotent calls (GET, PATCH of a name, DELETE); for creates the caller passes
  a `reconcile` flow that looks for what the lost request may have created first.

Hand-written rather than taken from tenacity or stamina because reconciliation must
run between attempts and the same policy must drive both the sync and async clients
through one flow (see _runtime); the policy itself is a dozen lines.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import httpx

from ._runtime import Flow, Record, Send, Sleep
from .errors import (
    AmbiguousCreateError,
    NotFoundError,
    PermissionsDeniedError,
    RateLimitedError,
    ScalewayError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    error_from_response,
)

__all__ = [
    "Created",
    "Fresh",
    "RetryPolicy",
    "is_ambiguous",
    "retrying",
    "send",
    "send_parsed",
]

log = logging.getLogger("scaleway_nats")

T = TypeVar("T")


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry one call."""

    max_retries: int = 5
    backoff_base: float = 0.2  # seconds before the first retry, at most
    backoff_max: float = 8.0  # cap of one pause
    deadline: float = 60.0  # seconds for the whole call, attempts in flight included
    # How long after this client created a resource a 404/403 naming it is taken for
    # Scaleway still propagating it, and retried: terraform-provider-scaleway retries
    # those reads for 30 s (internal/services/mnq/helpers_mnq_retry.go).
    propagation_window: float = 30.0
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")

    def pause(self, retry: int, error: ScalewayError) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            # Honour the server, plus a little jitter so clients do not return in step.
            return error.retry_after + self.rng.uniform(0, min(1.0, self.backoff_base))
        ceiling = min(self.backoff_max, self.backoff_base * (2**retry))
        return self.rng.uniform(0, ceiling)  # "full jitter"


def is_ambiguous(error: ScalewayError) -> bool:
    """True when the failed request may nevertheless have been carried out."""
    if isinstance(error, TransportError):
        return error.request_was_sent
    return isinstance(error, ServerError)


def is_propagating(error: ScalewayError) -> bool:
    """A 404 or 403 (not a quota) that Scaleway gives for a resource created a moment ago."""
    return isinstance(error, NotFoundError | PermissionsDeniedError)


def is_retryable(error: ScalewayError) -> bool:
    return isinstance(error, RateLimitedError | ServerError | TransportError)


def send(request: dict[str, Any]) -> Flow[httpx.Response]:
    """Send once; return a 2xx response, raise the matching ScalewayError otherwise."""
    outcome = yield Send(request)
    if isinstance(outcome, httpx.TransportError):
        error = TransportError(f"{type(outcome).__name__}: {outcome}", cause=outcome)
        try:
            error.method, error.url = outcome.request.method, str(outcome.request.url)
        except RuntimeError:  # raised without its request: the path is what we know
            error.method = str(request.get("method", "")).upper()
            error.url = str(request.get("url", ""))
        raise error
    if outcome.is_success:
        return outcome  # type: ignore[no-any-return]
    raise error_from_response(outcome)


def send_parsed(request: dict[str, Any], parse: Callable[[Any], T]) -> Flow[T]:
    """Send once and parse the 2xx answer's JSON; an unreadable one is a ScalewayError too."""
    response = yield from send(request)
    try:
        return parse(response.json())
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        reason = (
            "not JSON" if isinstance(error, json.JSONDecodeError) else "JSON of the wrong shape"
        )
        # `from None`: a JSON error quotes the document, which may hold a secret.
        raise UnexpectedResponseError(response, f"{reason}: {error}") from None


def within(flow: Flow[T], deadline: float) -> Flow[T]:
    """Run `flow` with every request bounded by `deadline` and every pause cut at it.

    Flows nested inside (a reconciliation's list calls) keep their own deadline when it is
    earlier, so the outermost call's deadline bounds everything it runs.
    """
    value: Any = None
    while True:
        try:
            effect = flow.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if isinstance(effect, Send) and (effect.deadline is None or effect.deadline > deadline):
            effect = attrs.evolve(effect, deadline=deadline)
        elif isinstance(effect, Sleep):
            effect = Sleep(max(0.0, min(effect.seconds, deadline - time.monotonic())))
        value = yield effect


def retrying(
    policy: RetryPolicy,
    attempt: Callable[[], Flow[T]],
    *,
    idempotent: bool,
    reconcile: Callable[[ScalewayError], Flow[T | None]] | None = None,
    fresh: Fresh | None = None,
) -> Flow[T]:
    """Run `attempt` until it succeeds, retrying what `policy` and idempotency allow.

    After an ambiguous failure of a non-idempotent call, `reconcile(error)` runs before the
    next attempt: if it finds the result of the lost request it is returned, else
    the call is sent again (it raises when it cannot tell). Without `reconcile` such a
    failure is raised, not resent. With `fresh` (the call names a resource this client
    just created), a 404/403 is retried until that resource is `propagation_window` old.
    """
    started = time.monotonic()
    deadline = started + policy.deadline
    retry = settling = 0
    while True:
        try:
            return (yield from within(attempt(), deadline))
        except ScalewayError as error:
            if fresh is not None and is_propagating(error):
                # Not yet visible: a 404/403 took no effect, so resending is always safe.
                pause = min(1.0, 0.1 * 2**settling)
                if time.monotonic() + pause < min(fresh.until, deadline):
                    yield Record("propagation_retries")
                    yield Sleep(pause)
                    settling += 1
                    continue
                _note_attempts(error, retry + settling + 1, time.monotonic() - started)
                error.message += (
                    f" ({fresh.what} was created by this client {fresh.age():.1f} s ago and "
                    f"is still not visible: Scaleway can take a moment to show a new resource)"
                )
                raise
            ambiguous = is_ambiguous(error)
            must_reconcile = ambiguous and not idempotent
            if not is_retryable(error) or (must_reconcile and reconcile is None):
                _note_attempts(error, retry + 1, time.monotonic() - started)
                raise
            pause = policy.pause(retry, error)
            out_of_budget = (
                retry >= policy.max_retries or time.monotonic() - started + pause > policy.deadline
            )
            if out_of_budget and not must_reconcile:
                _note_attempts(error, retry + 1, time.monotonic() - started)
                raise
            if not out_of_budget:
                log.info("retrying after %s (pause %.2fs, retry %d)", error, pause, retry + 1)
                yield Record("retries")
                yield Sleep(pause)
                retry += 1
            if must_reconcile and reconcile is not None:
                yield Record("reconciliations")
                try:
                    found = yield from within(reconcile(error), deadline)
                except AmbiguousCreateError:
                    raise
                except ScalewayError as failure:
                    # Not knowing what the lost request did, the call must not be resent:
                    # report the create's own failure, not the look-up's.
                    _note_attempts(error, retry + 1, time.monotonic() - started)
                    error.message += (
                        f"; it may have taken effect, and looking for its result failed: {failure}"
                    )
                    raise error from failure
                if found is not None:
                    return found
            if out_of_budget:
                # Reconciled once more so that nothing made by the last attempt is orphaned.
                _note_attempts(error, retry + 1, time.monotonic() - started)
                raise


@attrs.frozen
class Fresh:
    """A resource the call names that this client created recently, and until when a
    404/403 for it is taken for propagation (a time.monotonic() value)."""

    what: str  # e.g. "NATS account A..."
    created: float
    until: float

    def age(self) -> float:
        return time.monotonic() - self.created


class Created:
    """Ids this client created, with when (thread-safe; entries expire after `window`)."""

    def __init__(self, window: float) -> None:
        self._window = window
        self._when: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def add(self, resource_id: str, what: str) -> None:
        now = time.monotonic()
        with self._lock:
            # Drop expired entries: memory stays bounded by what a window can hold.
            expired = [k for k, (_, t) in self._when.items() if now - t >= self._window]
            for key in expired:
                del self._when[key]
            self._when[resource_id] = (what, now)

    def forget(self, resource_id: str) -> None:
        with self._lock:
            self._when.pop(resource_id, None)

    def fresh(self, *resource_ids: str | None) -> Fresh | None:
        """The youngest of `resource_ids` this client created within the window, if any."""
        now = time.monotonic()
        with self._lock:
            found = [self._when[i] for i in resource_ids if i is not None and i in self._when]
        young = [(what, t) for what, t in found if now - t < self._window]
        if not young:
            return None
        what, created = max(young, key=lambda item: item[1])
        return Fresh(what, created, created + self._window)


def _note_attempts(error: ScalewayError, attempts: int, elapsed: float) -> None:
    """Record on the error how hard this call tried (shown in its message)."""
    if error.attempts is None:  # a nested call's error keeps its own count
        error.attempts, error.elapsed = attempts, elapsed
