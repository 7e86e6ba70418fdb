"""The quickstart's and the smoke script's steps are bounded: a step that never ends fails,
named, and the run goes on to its cleanup instead of hanging until something kills it."""

from __future__ import annotations

import asyncio

import pytest
from nats.errors import TimeoutError as NatsTimeoutError

from scaleway_nats.quickstart import StepFailed, StepResult, Steps


async def test_a_step_that_never_ends_fails_with_its_name() -> None:
    seen: list[StepResult] = []
    steps = Steps(seen.append, timeout=0.05)
    with pytest.raises(StepFailed):
        await steps.run("connect (a)", asyncio.Event().wait(), str)
    assert [(r.name, r.ok) for r in seen] == [("connect (a)", False)]
    assert seen[0].detail == "did not finish in 0.05 s"


async def test_a_step_within_its_bound_passes() -> None:
    steps = Steps(None, timeout=5)
    assert await steps.run("quick", asyncio.sleep(0, "done"), str) == "done"
    assert [(r.name, r.ok, r.detail) for r in steps.results] == [("quick", True, "done")]


def test_the_bound_is_a_positive_number_of_seconds() -> None:
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds, got 0"):
        Steps(None, timeout=0)


async def test_a_step_timing_out_on_its_own_says_so() -> None:
    async def request() -> None:
        raise NatsTimeoutError  # nats-py's timeout is an asyncio.TimeoutError too

    steps = Steps(None, timeout=60)
    with pytest.raises(StepFailed):
        await steps.run("pub/sub", request(), str)
    assert steps.results[0].detail == "TimeoutError: nats: timeout"
