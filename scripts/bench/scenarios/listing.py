"""Scenario "list": every item of a seeded account, at the largest page size and at 1."""

from __future__ import annotations

from ..measuring import Result, measure_side_by_side
from ..peers import Bench, expect, raw_list


def scenario_list(bench: Bench) -> list[Result]:
    """2. list all: every item of an account, at the maximum page size and at page_size 1."""
    sizes = bench.sizes
    return list_all(bench, sizes.list_items, sizes.list_page_size) + list_all(
        bench, sizes.paged_items, 1
    )


def list_all(bench: Bench, items: int, page_size: int) -> list[Result]:
    account_id = bench.accounts.with_credentials(items)

    def ours() -> None:
        expect(sum(1 for _ in bench.ours.list_credentials(account_id, page_size=page_size)), items)

    def sdk() -> None:
        found = bench.sdk.list_nats_credentials_all(nats_account_id=account_id, page_size=page_size)
        expect(len(found), items)

    def raw() -> None:
        expect(raw_list(bench.raw, account_id, page_size), items)

    scenario = f"list-{page_size}"
    title = f"list all: {items:,} items, page_size {page_size}"
    notes = {"ours": "4 pages in flight", "sdk": "recursive, one connection per page"}
    measured = measure_side_by_side({"ours": ours, "sdk": sdk, "raw": raw}, bench.sizes.repeats)
    return [
        Result(scenario, title, peer, "ms/list", 1000, measured[peer], notes.get(peer, ""))
        for peer in measured
    ]
