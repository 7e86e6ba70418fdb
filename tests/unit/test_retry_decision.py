"""decide(): what the retry loop does after a failed attempt, case by case (issue 20.7).

A pure function of the error, the loop's state and the policy; the requester only carries
the decision out (tests/unit/test_retry.py and test_reconcile.py test the loop end to end).
Times are arbitrary clock.monotonic() values: the call started at 100.
"""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest

from scaleway_nats import RetryPolicy
from scaleway_nats.errors import (
    ArgumentDetail,
    InvalidArgumentsError,
    NotFoundError,
    RateLimitedError,
    ScalewayError,
    ServerError,
    TransportError,
)
from scaleway_nats.retry import Decision, Fresh, Pause, Raise, Reconcile, RetryState, decide

POLICY = RetryPolicy(
    max_retries=3, backoff_base=0.0, backoff_max=0.0, deadline=60.0, visibility_window=10.0
)
START = RetryState(now=100.0, started=100.0, deadline=160.0, idempotent=True, can_reconcile=False)
CREATE = attrs.evolve(START, idempotent=False, can_reconcile=True, lost_at=100.0)
FRESH = Fresh("NATS account A1", created=99.0, until=129.0)


def server_error() -> ScalewayError:
    return ServerError("503 service_unavailable")


def read_error() -> ScalewayError:
    return TransportError("ReadError", cause=httpx.ReadError("reset"))


def connect_error() -> ScalewayError:
    return TransportError("ConnectError", cause=httpx.ConnectError("refused"))


def goaway(sent: bool) -> ScalewayError:
    cause = httpx.RemoteProtocolError("<ConnectionTerminated error_code:0, last_stream_id:7>")
    return TransportError("RemoteProtocolError", cause=cause, sent=sent, recycled=True)


CASES: dict[str, tuple[Any, RetryState, Decision]] = {
    # reads, renames, deletes: retried while the budget lasts
    "503 idempotent: backoff and resend": (server_error, START, Pause(0.0)),
    "503 idempotent, retries spent": (server_error, attrs.evolve(START, retries=3), Raise()),
    "503 idempotent, past the deadline": (server_error, attrs.evolve(START, now=161.0), Raise()),
    "429 honours Retry-After": (
        lambda: RateLimitedError("429", retry_after=2.0),
        START,
        Pause(2.0),
    ),
    "400 is never retried": (
        lambda: InvalidArgumentsError([ArgumentDetail("name", "constraint", "too long")]),
        START,
        Raise(),
    ),
    "404 of an unknown resource is the truth": (lambda: NotFoundError("404"), START, Raise()),
    # propagation: a resource this client made lately
    "404 of a fresh resource: wait and resend": (
        lambda: NotFoundError("404"),
        attrs.evolve(START, fresh=FRESH),
        Pause(0.1, "propagation_retries"),
    ),
    "404 of a fresh resource, backing off": (
        lambda: NotFoundError("404"),
        attrs.evolve(START, fresh=FRESH, settling=5),
        Pause(1.0, "propagation_retries"),
    ),
    # creates: never resent blindly
    "create, connect failed: surely not sent, resend": (connect_error, CREATE, Pause(0.0)),
    "create without reconciliation: raise": (
        server_error,
        attrs.evolve(CREATE, can_reconcile=False),
        Raise(),
    ),
    "create lost: look after the backoff": (
        read_error,
        CREATE,
        Reconcile(0.0, resend=True, counter="retries"),
    ),
    "create lost, retries spent: look, never resend": (
        server_error,
        attrs.evolve(CREATE, retries=3),
        Reconcile(0.0, resend=False),
    ),
    "nothing listed yet, within the window: look again": (
        server_error,
        attrs.evolve(CREATE, now=101.0, looks=1),
        Reconcile(0.25, resend=True, counter="visibility_waits"),
    ),
    "nothing listed, later looks every 2 s": (
        server_error,
        attrs.evolve(CREATE, now=103.0, looks=6),
        Reconcile(2.0, resend=True, counter="visibility_waits"),
    ),
    "the last look is made when the window ends": (
        server_error,
        attrs.evolve(CREATE, now=109.5, looks=6),
        Reconcile(0.5, resend=True, counter="visibility_waits"),
    ),
    "window over, nothing found: resend": (
        server_error,
        attrs.evolve(CREATE, now=110.0, looks=7),
        Pause(0.0, None),
    ),
    "window over, nothing found, retries spent: raise": (
        server_error,
        attrs.evolve(CREATE, now=110.0, looks=7, resend=False),
        Raise(),
    ),
    "found and removed (credentials): resend at once": (
        server_error,
        attrs.evolve(CREATE, now=101.0, looks=1, cleared=True),
        Pause(0.0, None),
    ),
    "the window is counted from when the lost attempt was sent": (
        server_error,
        attrs.evolve(CREATE, now=112.0, looks=3, lost_at=105.0),
        Reconcile(1.0, resend=True, counter="visibility_waits"),
    ),
    # connection recycling (HTTP/2 GOAWAY, NO_ERROR)
    "GOAWAY, stream not processed: a create is resent at once": (
        lambda: goaway(sent=False),
        CREATE,
        Pause(0.0),
    ),
    "GOAWAY, stream processed: a create is reconciled at once": (
        lambda: goaway(sent=True),
        CREATE,
        Reconcile(0.0, resend=True, counter="retries"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_decision(case: str) -> None:
    make_error, state, expected = CASES[case]
    policy = attrs.evolve(POLICY, backoff_base=1.0) if "429" in case else POLICY
    decision = decide(make_error(), state, policy)
    if isinstance(expected, Pause) and "429" in case:
        assert isinstance(decision, Pause)
        assert expected.seconds <= decision.seconds <= expected.seconds + 1.0  # plus jitter
        return
    assert decision == expected


def test_a_fresh_resource_still_missing_at_its_window_says_so() -> None:
    late = attrs.evolve(START, now=129.0, fresh=FRESH)
    decision = decide(NotFoundError("404"), late, POLICY)
    assert isinstance(decision, Raise)
    assert "NATS account A1 was created by this client 30.0 s ago" in decision.note


def test_the_deadline_ends_the_looking_with_a_note() -> None:
    # The call's deadline comes before the visibility window ends: give up, and say that
    # the create may have taken effect.
    state = attrs.evolve(CREATE, now=104.0, deadline=104.1, looks=2)
    decision = decide(server_error(), state, POLICY)
    assert isinstance(decision, Raise)
    assert "may have taken effect" in decision.note
    assert "visibility_window=10 s" in decision.note


@pytest.mark.parametrize("window", [-1.0, float("inf"), float("nan")])
def test_a_visibility_window_must_be_finite_seconds(window: float) -> None:
    with pytest.raises(ValueError, match="visibility_window must be a number of seconds >= 0"):
        RetryPolicy(visibility_window=window)
