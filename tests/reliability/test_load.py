"""Issue 6: 50 concurrent AsyncNatsAPI clients on one emulator: no error, consistent state.

Each client loops create / get / list (one page) / delete of its own accounts, bounded by a
wall-clock budget AND a maximum number of operations; the throughput is reported, not asserted.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from scaleway_nats import AsyncNatsAPI, NatsAccount
from scaleway_nats.facts import REGIONS
from scaleway_nats.local import LocalScaleway
from tests.support.reliability import figures, live_state

CLIENTS = 50
MAX_OPS = 24  # per client
BUDGET = 10.0  # seconds of wall clock for the whole hammering phase


@pytest.fixture(scope="module")
def roomy() -> Iterator[LocalScaleway]:
    with LocalScaleway(max_accounts=CLIENTS * MAX_OPS) as env:
        yield env


async def test_fifty_concurrent_clients(roomy: LocalScaleway) -> None:
    env = roomy
    settings = {"secret_key": env.secret_key, "project_id": env.project_id, "api_url": env.api_url}
    ops: Counter[str] = Counter()
    created: dict[str, NatsAccount] = {}
    deleted: set[str] = set()
    stop_at = time.monotonic() + BUDGET

    async def worker(number: int) -> int:
        mine: list[NatsAccount] = []
        region = REGIONS[number % 2]
        async with AsyncNatsAPI(**settings) as api:
            for op in range(MAX_OPS):
                if time.monotonic() >= stop_at:
                    break
                step = op % 4
                if step == 0 or not mine:
                    account = await api.create_account(region=region)
                    created[account.id] = account
                    mine.append(account)
                    ops["create"] += 1
                elif step == 1:
                    got = await api.get_account(mine[-1])
                    assert got.id == mine[-1].id
                    ops["get"] += 1
                elif step == 2:
                    # this worker's region: it holds an account there (another region may
                    # momentarily have none)
                    page = await api.list_accounts(page_size=20, region=region).page(1)
                    assert page.total_count >= 1
                    ops["list"] += 1
                else:
                    victim = mine.pop(0)
                    await api.delete_account(victim)
                    deleted.add(victim.id)
                    ops["delete"] += 1
            return api.stats.get("requests", 0)

    started = time.monotonic()
    results = await asyncio.gather(*(worker(n) for n in range(CLIENTS)), return_exceptions=True)
    elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == [], failures[:3]
    requests = sum(r for r in results if isinstance(r, int))

    # Consistency, seen through a fresh client and through the database.
    expected = set(created) - deleted
    async with AsyncNatsAPI(**settings) as api:
        listed = [a async for a in api.list_accounts()]
        listed += [a async for a in api.list_accounts(region="nl-ams")]
        totals = [
            (await api.list_accounts(region=r, page_size=1).page(1)).total_count for r in REGIONS
        ]
    ids = [a.id for a in listed]
    assert len(ids) == len(set(ids)), "an account is listed twice"
    assert set(ids) == expected
    assert sum(totals) == len(expected)
    assert set(live_state(env, env.organization)["accounts"]) == expected
    assert ops["create"] == len(created) and ops["delete"] == len(deleted)
    figures(
        "load",
        clients=CLIENTS,
        operations=dict(ops),
        requests=requests,
        seconds=round(elapsed, 2),
        requests_per_second=round(requests / elapsed, 1),
        accounts_left=len(expected),
    )
