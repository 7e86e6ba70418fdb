"""Scenario "create": create then delete credentials, unnamed and named in a crowded account."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ..measuring import Result
from ..peers import Bench, bind, creators, timed


def scenario_create(bench: Bench) -> list[Result]:
    """3. create + delete: in a fresh account per run; then named, in a large account."""
    crowded = bench.accounts.with_credentials(bench.sizes.list_items)
    return create_delete(bench, bench.sizes.create_delete) + create_delete(
        bench, bench.sizes.named_creates, crowded
    )


def create_delete(bench: Bench, count: int, crowded: str | None = None) -> list[Result]:
    """Each peer creates `count` credentials, then deletes them.

    Without `crowded`, unnamed, in a new account per run (created untimed beforehand); with it,
    named, in that account (which holds `list_items` credentials).
    """
    peers = creators({"ours": bench.ours}, bench.sdk, bench.raw)
    names: list[str | None] = [f"bench-{index}" if crowded else None for index in range(count)]
    scenario, title = "create", f"create + delete: {count:,} credentials"
    notes = {}
    if crowded:
        scenario = "create-named"
        title = f"create + delete: {count} named, account of {bench.sizes.list_items:,}"
    results = []
    for peer, run in peers.items():
        accounts = itertools.repeat(crowded) if crowded else fresh_accounts(bench)
        measurement = timed(bench, bind(run, accounts, names), warmup=0)
        unit_scale = 1000 / count
        note = notes.get(peer, "")
        results.append(
            Result(scenario, title, peer, "ms/create+delete", unit_scale, measurement, note)
        )
    return results


def fresh_accounts(bench: Bench) -> Iterator[str]:
    """One new account per timed run, all created before timing starts."""
    return iter([bench.accounts.create() for _ in range(bench.sizes.repeats)])
