"""Issue 18.1: lost create answers while Scaleway is still propagating leave no orphan or duplicate.

The emulator hides new resources for `propagation_delay` seconds (lists and reads, as the real
API does for a moment) and answers 30 % of requests with a fault, half of the write faults
after committing. A create whose answer is lost must look for what it made until the client's
visibility window has passed since it was sent, then adopt it (accounts), delete it and resend
(credentials), or, with a chosen name, raise AmbiguousCreateError naming it. Before the fix the
look-up saw nothing yet and the create was sent again: orphans and duplicates.

The referee is the emulator's database (no HTTP, so no faults), read once the delay is over.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from scaleway_nats import AmbiguousCreateError, AsyncNatsAPI, NatsAPI, RetryPolicy
from scaleway_nats.local import LocalScaleway, Organization
from tests.support.reliability import client_settings, figures, live_state

DELAY = 2.0  # the emulator's propagation delay (seconds)
CALLS = 20  # accounts, then credentials in one of them
FAULT_RATE = 0.3
# The visibility window covers the emulator's lag with a margin; the deadline covers a few
# windows (a call may lose several answers in a row at this fault rate).
POLICY = RetryPolicy(
    max_retries=8, backoff_base=0.05, backoff_max=0.5, deadline=120.0, visibility_window=2 * DELAY
)

Outcome = Any  # a model, or the AmbiguousCreateError a named create may raise


def settings(env: LocalScaleway, org: Organization) -> dict[str, Any]:
    return client_settings(env, org, POLICY)


def accounted(outcomes: list[Outcome], named: bool) -> set[str]:
    """Ids the caller was told of: returned, or named by an AmbiguousCreateError."""
    ids: set[str] = set()
    for outcome in outcomes:
        if isinstance(outcome, AmbiguousCreateError):
            assert named, f"an unnamed create is always recovered: {outcome}"
            ids.update(candidate.id for candidate in outcome.candidates)
        else:
            ids.add(outcome.id)
    return ids


def check(
    env: LocalScaleway, org: Organization, made: dict[str, list[Outcome]], named: bool
) -> None:
    time.sleep(DELAY + 0.5)  # anything a lost request made is visible by now
    state = live_state(env, org)
    accounts, credentials = state["accounts"], state["credentials"]
    orphans = {
        "accounts": sorted(set(accounts) - accounted(made["accounts"], named)),
        "credentials": sorted(set(credentials) - accounted(made["credentials"], named)),
    }
    duplicates = {
        "accounts": [n for n, k in Counter(accounts.values()).items() if k > 1],
        "credentials": [n for n, k in Counter(n for _, n in credentials.values()).items() if k > 1],
    }
    ambiguous = sum(
        isinstance(o, AmbiguousCreateError) for o in made["accounts"] + made["credentials"]
    )
    figures(
        "lost_creates",
        named=named,
        seed=env.fault_seed,
        faults=env.stats["faults_by_kind"],
        ambiguous_errors=ambiguous,
        orphans=orphans,
        duplicates=duplicates,
    )
    assert orphans == {"accounts": [], "credentials": []}
    assert duplicates == {"accounts": [], "credentials": []}
    assert state["accounts_ever"] == len(accounts)  # no duplicate made and deleted either
    assert len(accounts) <= CALLS + 1 and len(credentials) <= CALLS


def faulty(seed: int) -> LocalScaleway:
    return LocalScaleway(
        max_accounts=100, fault_rate=FAULT_RATE, fault_seed=seed, propagation_delay=DELAY
    )


def name(kind: str, i: int, named: bool) -> str | None:
    return f"{kind}-{i}" if named else None


async def run_async(env: LocalScaleway, org: Organization, named: bool) -> dict[str, list[Any]]:
    async with AsyncNatsAPI(**settings(env, org)) as api:

        async def guarded(make: Callable[[], Any]) -> Outcome:
            try:
                return await make()
            except AmbiguousCreateError as error:
                return error

        accounts = await asyncio.gather(
            *(guarded(lambda i=i: api.create_account(name("a", i, named))) for i in range(CALLS))
        )
        home = await api.create_account()  # generated name: always recovered
        credentials = await asyncio.gather(
            *(
                guarded(lambda i=i: api.create_credentials(home, name("c", i, named)))
                for i in range(CALLS)
            )
        )
    return {"accounts": [*accounts, home], "credentials": list(credentials)}


def run_sync(env: LocalScaleway, org: Organization, named: bool) -> dict[str, list[Any]]:
    with NatsAPI(**settings(env, org)) as api, ThreadPoolExecutor(8) as pool:

        def guarded(make: Callable[[], Any]) -> Outcome:
            try:
                return make()
            except AmbiguousCreateError as error:
                return error

        accounts = list(
            pool.map(
                lambda i: guarded(lambda: api.create_account(name("a", i, named))), range(CALLS)
            )
        )
        home = api.create_account()  # generated name: always recovered
        credentials = list(
            pool.map(
                lambda i: guarded(lambda: api.create_credentials(home, name("c", i, named))),
                range(CALLS),
            )
        )
    return {"accounts": [*accounts, home], "credentials": credentials}


@pytest.mark.parametrize("named", [False, True], ids=["generated-names", "chosen-names"])
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_async_lost_creates_under_propagation_leave_nothing_behind(
    seed: int, named: bool
) -> None:
    with faulty(seed) as env:
        org = env.create_organization()
        made = await run_async(env, org, named)
        check(env, org, made, named)


@pytest.mark.parametrize("named", [False, True], ids=["generated-names", "chosen-names"])
@pytest.mark.parametrize("seed", [4])
def test_sync_lost_creates_under_propagation_leave_nothing_behind(seed: int, named: bool) -> None:
    with faulty(seed) as env:
        org = env.create_organization()
        made = run_sync(env, org, named)
        check(env, org, made, named)
