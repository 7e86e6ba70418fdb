"""Issue 1: under injected faults (30 %), the wrapper still ends in exactly the expected state.

The emulator's fault injector answers 30 % of requests with 503, 429 + Retry-After: 1, a dropped
connection, or (writes only) a commit followed by a 503 / dropped connection: the ambiguous case.
Both clients run the same scenario per account: create, two credentials, rename, list, delete
the credentials, delete the account. The database (no HTTP, so no faults) is the referee.
Creates use generated names: only those let a lost create be proven ours and recovered
automatically (a chosen name gives AmbiguousCreateError, see tests/unit/test_reconcile.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from scaleway_nats import AsyncNatsAPI, NatsAPI, RetryPolicy
from scaleway_nats.local import LocalScaleway, Organization
from tests.support.reliability import client_settings, figures, live_state

ACCOUNTS = 8
FAULT_RATE = 0.3
FAULT_SEED = 20240611
# visibility_window: this emulator has no propagation delay, so a lost create's result is
# listed at once; the default (30 s, for the real API) would only make the test slow.
POLICY = RetryPolicy(
    max_retries=8, backoff_base=0.05, backoff_max=0.5, deadline=60.0, visibility_window=1.0
)


@pytest.fixture(scope="module")
def faulty() -> Iterator[LocalScaleway]:
    with LocalScaleway(max_accounts=100, fault_rate=FAULT_RATE, fault_seed=FAULT_SEED) as env:
        yield env


def settings(env: LocalScaleway, org: Organization) -> dict[str, Any]:
    return client_settings(env, org, POLICY)


def check_built(env: LocalScaleway, org: Organization, flavour: str, made: dict[str, Any]) -> None:
    """After phase 1: exactly the accounts and credentials made, renamed, never duplicated."""
    state = live_state(env, org)
    assert state["accounts"] == {
        made[f"account{i}"].id: f"{flavour}-renamed-{i}" for i in range(ACCOUNTS)
    }
    assert state["accounts_ever"] == ACCOUNTS  # no duplicate made by a lost create, even deleted
    expected = {}
    for i in range(ACCOUNTS):
        for n in (1, 2):
            creds = made[f"creds{i}.{n}"]
            assert creds.content and creds.content.startswith("-----BEGIN NATS USER JWT-----")
            expected[creds.id] = (made[f"account{i}"].id, creds.name)
    assert state["credentials"] == expected  # exactly 2 per account, the ones we hold


def check_empty(env: LocalScaleway, org: Organization) -> None:
    state = live_state(env, org)
    assert state["accounts"] == {}
    assert state["credentials"] == {}


def test_sync_client_under_faults(faulty: LocalScaleway) -> None:
    org = faulty.create_organization()
    before, started = faulty.stats, time.monotonic()
    made: dict[str, Any] = {}
    with NatsAPI(**settings(faulty, org)) as api:
        for i in range(ACCOUNTS):
            account = api.create_account()
            made[f"account{i}"] = account
            made[f"creds{i}.1"] = api.create_credentials(account)
            made[f"creds{i}.2"] = api.create_credentials(account)
            renamed = api.update_account(account, name=f"sync-renamed-{i}")
            assert renamed.id == account.id
            listed = [a for a in api.list_accounts(page_size=3) if a.id == account.id]
            assert [a.name for a in listed] == [f"sync-renamed-{i}"]
        check_built(faulty, org, "sync", made)
        for i in range(ACCOUNTS):
            api.delete_credentials(made[f"creds{i}.1"])
            api.delete_credentials(made[f"creds{i}.2"])
            api.delete_account(made[f"account{i}"])
        stats = api.stats
    check_empty(faulty, org)
    report("sync", faulty, before, stats, time.monotonic() - started)


async def test_async_client_under_faults(faulty: LocalScaleway) -> None:
    org = faulty.create_organization()
    before, started = faulty.stats, time.monotonic()
    made: dict[str, Any] = {}
    async with AsyncNatsAPI(**settings(faulty, org)) as api:

        async def build(i: int) -> None:
            account = await api.create_account()
            made[f"account{i}"] = account
            made[f"creds{i}.1"] = await api.create_credentials(account)
            made[f"creds{i}.2"] = await api.create_credentials(account)
            await api.update_account(account.id, name=f"async-renamed-{i}")
            listed = [a async for a in api.list_accounts(page_size=3) if a.id == account.id]
            assert len(listed) == 1

        async def tear_down(i: int) -> None:
            await api.delete_credentials(made[f"creds{i}.1"])
            await api.delete_credentials(made[f"creds{i}.2"].id)
            await api.delete_account(made[f"account{i}"])

        await asyncio.gather(*(build(i) for i in range(ACCOUNTS)))
        check_built(faulty, org, "async", made)
        await asyncio.gather(*(tear_down(i) for i in range(ACCOUNTS)))
        stats = api.stats
    check_empty(faulty, org)
    report("async", faulty, before, stats, time.monotonic() - started)


def report(
    flavour: str,
    env: LocalScaleway,
    before: dict[str, Any],
    stats: Any,
    seconds: float,
) -> None:
    after = env.stats
    by_kind = {
        kind: after["faults_by_kind"][kind] - before["faults_by_kind"][kind]
        for kind in after["faults_by_kind"]
    }
    seen = after["requests"] - before["requests"]
    figures(
        f"faults[{flavour}]",
        client_requests=stats.get("requests", 0),
        server_requests=seen,
        retries=stats.get("retries", 0),
        reconciliations=stats.get("reconciliations", 0),
        faults=sum(by_kind.values()),
        faults_by_kind=by_kind,
        seconds=round(seconds, 1),
    )
    # Every request the client sent reached the emulator (nothing else talks to it).
    assert stats["requests"] == seen
    assert sum(by_kind.values()) > 0
    # Every injected fault was absorbed by exactly one retry (none leaked, none ran out).
    assert stats["retries"] == sum(by_kind.values())
    # The ambiguous faults on creates were reconciled (counted once per ambiguous create).
    assert stats.get("reconciliations", 0) <= stats["retries"]
