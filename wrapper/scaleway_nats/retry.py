"""What a retry policy decides: which failures are retried, how long to pause, the clock.

What may be retried depends on whether a failed request may have taken effect:
- 429 and connection failures before sending took no effect: always retried;
- 5xx and connections dropped after sending are *ambiguous*: retried only for
  idempotent calls (GET, PATCH of a name, DELETE); for creates the client first
  looks for what the lost request may have created (reconciliation).

What to do after a failed attempt is decided by `decide()`, a pure function of the error,
the loop's `RetryState` and the policy: pause and resend, look for what a lost create made
(reconcile), or raise. The loop that carries the decisions out is `_async/requester.py` (and
its generated sync twin). Hand-written rather than taken from tenacity or stamina because
reconciliation must run between attempts.

Scaleway is eventually consistent: a resource made by a create whose answer was lost may not
show in a list for a while. So reconciliation keeps looking, with backoff, until
`RetryPolicy.visibility_window` has passed since the lost attempt was sent, and only then
resends (README, "Retries and creates").
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol

import attrs

from .errors import (
    APIConnectionError,
    NotFoundError,
    PermissionsDeniedError,
    RateLimitedError,
    ScalewayError,
    ServerError,
)

__all__ = [
    "CALL_DEADLINE",
    "VISIBILITY_WINDOW",
    "Cleared",
    "Clock",
    "Created",
    "Decision",
    "Fresh",
    "Pause",
    "Raise",
    "Reconcile",
    "RetryPolicy",
    "RetryState",
    "Stats",
    "SystemClock",
    "decide",
    "is_ambiguous",
    "is_propagating",
    "is_retryable",
]

log = logging.getLogger("scaleway_nats")

# When the outermost call in progress must end (a clock.monotonic() value): the calls it makes
# (a reconciliation's list calls) end by it too. A ContextVar follows asyncio tasks; the sync
# backend's threads are given a copy of the context.
CALL_DEADLINE: ContextVar[float | None] = ContextVar("scaleway_nats_call_deadline", default=None)

# How long Scaleway may take to show a new resource, in reads and in lists (seconds). Its
# recordings show a new credentials' GET going 200 -> 404 -> 200 over ~3 s, and
# terraform-provider-scaleway retries reads of a new MNQ resource for 30 s
# (internal/services/mnq/helpers_mnq_retry.go, mnqNamespaceReadRetryTimeout): we take the
# provider's bound, the longest lag anyone publishes a remedy for.
VISIBILITY_WINDOW = 30.0


class Clock(Protocol):
    """Where the retry loop reads the time and waits: injectable, so tests wait for nothing."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: time.monotonic, time.sleep and asyncio.sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry one call."""

    max_retries: int = 5
    backoff_base: float = 0.2  # seconds before the first retry, at most
    backoff_max: float = 8.0  # cap of one pause
    deadline: float = 60.0  # seconds for the whole call, attempts in flight included
    # How long after this client created a resource a 404/403 naming it is taken for
    # Scaleway still propagating it, and retried (VISIBILITY_WINDOW has the source).
    propagation_window: float = VISIBILITY_WINDOW
    # After a create lost its answer: how long, from when that attempt was sent, what it
    # made may still be missing from lists. Reconciliation looks until then before resending.
    visibility_window: float = VISIBILITY_WINDOW
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        for name in ("propagation_window", "visibility_window"):
            value = getattr(self, name)
            if not 0 <= value < float("inf"):
                raise ValueError(f"{name} must be a number of seconds >= 0, got {value}")

    def pause(self, retry: int, error: ScalewayError) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            # Honour the server, plus a little jitter so clients do not return in step.
            return error.retry_after + self.rng.uniform(0, min(1.0, self.backoff_base))
        ceiling = min(self.backoff_max, self.backoff_base * (2**retry))
        return self.rng.uniform(0, ceiling)  # "full jitter"


def is_ambiguous(error: ScalewayError) -> bool:
    """True when the failed request may nevertheless have been carried out."""
    if isinstance(error, APIConnectionError):
        return error.request_was_sent
    return isinstance(error, ServerError)


def is_propagating(error: ScalewayError) -> bool:
    """A 404 or 403 (not a quota) that Scaleway gives for a resource created a moment ago."""
    return isinstance(error, NotFoundError | PermissionsDeniedError)


def is_retryable(error: ScalewayError) -> bool:
    return isinstance(error, RateLimitedError | ServerError | APIConnectionError)


@attrs.frozen
class Fresh:
    """A resource the call names that this client created recently, and until when a
    404/403 for it is taken for propagation (a time.monotonic() value)."""

    what: str  # e.g. "NATS account A..."
    created: float
    until: float
    clock: Clock = attrs.field(factory=SystemClock, eq=False, repr=False)
    # Asked again at each 404/403: a concurrent delete (of it, or of its account) may have
    # made the answer the truth since the call started.
    still_known: Callable[[], bool] = attrs.field(default=lambda: True, eq=False, repr=False)

    def age(self) -> float:
        return self.clock.monotonic() - self.created


class Created:
    """Ids this client created, with when (thread-safe; entries expire after `window`).

    Credentials remember their account: deleting the account forgets them too, so that a
    404 for credentials that went with their account is the truth, not propagation. Each id
    remembers its region too: regions are separate, so a 404 from another one is the truth.
    """

    def __init__(self, window: float, clock: Clock | None = None) -> None:
        self._window = window
        self._clock = clock or SystemClock()
        self._when: dict[str, tuple[str, float, str | None, str | None]] = {}
        self._lock = threading.Lock()

    def add(
        self, resource_id: str, what: str, parent: str | None = None, region: str | None = None
    ) -> None:
        now = self._clock.monotonic()
        with self._lock:
            # Drop expired entries: memory stays bounded by what a window can hold.
            expired = [k for k, (_, t, _, _) in self._when.items() if now - t >= self._window]
            for key in expired:
                del self._when[key]
            self._when[resource_id] = (what, now, parent, region)

    def forget(self, resource_id: str) -> None:
        """Forget `resource_id` and what was created inside it."""
        with self._lock:
            self._when.pop(resource_id, None)
            inside = [k for k, (_, _, parent, _) in self._when.items() if parent == resource_id]
            for key in inside:
                del self._when[key]

    def fresh(self, *resource_ids: str | None, region: str | None = None) -> Fresh | None:
        """The youngest of `resource_ids` this client created within the window (in `region`,
        when given), if any."""
        now = self._clock.monotonic()
        with self._lock:
            entries = [self._when[i] for i in resource_ids if i is not None and i in self._when]
            found = [e[:2] for e in entries if region is None or e[3] in (None, region)]
        young = [(what, t) for what, t in found if now - t < self._window]
        if not young:
            return None
        what, created = max(young, key=lambda item: item[1])
        known = [i for i in resource_ids if i is not None]

        def still_known() -> bool:
            with self._lock:
                return any(i in self._when for i in known)

        return Fresh(what, created, created + self._window, self._clock, still_known)


def is_recycled(error: ScalewayError) -> bool:
    """The server ended the connection gracefully (HTTP/2 GOAWAY with NO_ERROR): not a fault
    of the service, so resent without a backoff pause."""
    return isinstance(error, APIConnectionError) and error.recycled


# -- the decision after a failed attempt -------------------------------------------------------


@attrs.frozen
class Pause:
    """Wait `seconds`, then send the call again; `counter` is the Stats entry to count."""

    seconds: float
    counter: str | None = "retries"


@attrs.frozen
class Reconcile:
    """Wait `seconds`, then look for what the lost attempt made.

    `resend`: whether the call may be sent again should the look-ups find nothing (False once
    the retry budget is spent: they then only keep what it made from being orphaned).
    `counter` is the Stats entry to count for the pause, if any.
    """

    seconds: float
    resend: bool = True
    counter: str | None = None


@attrs.frozen
class Raise:
    """Give up: raise the error; `note` (why it may have taken effect, or why a resource
    is still missing) goes into its message, built once when raised."""

    note: str = ""


Decision = Pause | Reconcile | Raise


@attrs.frozen
class RetryState:
    """What the retry loop knows when it asks `decide()` (times are clock.monotonic() values)."""

    now: float
    started: float
    deadline: float  # the call's, an enclosing call's included
    idempotent: bool
    can_reconcile: bool
    retries: int = 0  # backoff pauses taken
    settling: int = 0  # propagation pauses taken
    fresh: Fresh | None = None  # the resource the call names, if this client made it lately
    lost_at: float | None = None  # when the attempt being reconciled was sent
    looks: int = 0  # look-ups done for it
    cleared: bool = False  # the last look-up found what it made and removed it
    resend: bool = True  # the first Reconcile's `resend`


class Cleared(enum.Enum):
    """What a reconciliation returns when it found what the lost attempt made and removed it
    (credentials: their secret was lost with the answer), so the call is sent again now."""

    CLEARED = "cleared"


def decide(error: ScalewayError, state: RetryState, policy: RetryPolicy) -> Decision:
    """What to do after `error`: resend after a pause, look for a lost create's result, or
    raise. Pure but for `policy.rng` (the jitter), so that a table of cases can test it."""
    fresh = state.fresh
    if fresh is not None and is_propagating(error):
        # Not yet visible: a 404/403 took no effect, so resending is always safe.
        pause = min(1.0, 0.1 * 2**state.settling)
        if state.now + pause < min(fresh.until, state.deadline):
            return Pause(pause, "propagation_retries")
        return Raise(
            f" ({fresh.what} was created by this client {state.now - fresh.created:.1f} s ago "
            f"and is still not visible: Scaleway can take a moment to show a new resource)"
        )
    if not is_retryable(error):
        return Raise()
    must_reconcile = is_ambiguous(error) and not state.idempotent
    if must_reconcile and not state.can_reconcile:
        return Raise()
    if must_reconcile and state.looks > 0:
        return _after_looking(state, policy)
    pause = 0.0 if is_recycled(error) else policy.pause(state.retries, error)
    out_of_budget = (
        state.retries >= policy.max_retries or state.now - state.started + pause > policy.deadline
    )
    if not must_reconcile:
        return Raise() if out_of_budget else Pause(pause)
    if out_of_budget:  # look once more so that nothing the last attempt made is orphaned
        return Reconcile(0.0, resend=False)
    return Reconcile(pause, counter="retries")


def _after_looking(state: RetryState, policy: RetryPolicy) -> Decision:
    """The look-ups found nothing: look again until the visibility window has passed since
    the lost attempt was sent (what it made may not be listed yet), then resend. Once what it
    made was found and removed, resend at once."""
    lost_at = state.started if state.lost_at is None else state.lost_at
    window_end = lost_at + policy.visibility_window
    if state.cleared or state.now >= window_end:
        # Looked after the window: the lost attempt made nothing (within the documented lag).
        return Pause(0.0, None) if state.resend else Raise()
    # 0.25, 0.5, 1, then every 2 s: our cadence (a list costs the API little; the window's
    # end is what matters, and the last look is made right after it).
    pause = min(window_end - state.now, 0.25 * 2 ** min(state.looks - 1, 3))
    if state.now + pause >= state.deadline:
        return Raise(
            f"; it may have taken effect: what it made was not listed "
            f"{state.now - lost_at:.1f} s after it was sent, and the call's deadline came "
            f"before the visibility window (RetryPolicy.visibility_window="
            f"{policy.visibility_window:g} s) ended"
        )
    return Reconcile(pause, resend=state.resend, counter="visibility_waits")


class Stats:
    """Requests sent, retries, reconciliations... (thread-safe: the sync pager uses threads)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
