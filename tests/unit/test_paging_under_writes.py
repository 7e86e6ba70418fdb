"""Issue 18.6(c): what a pager promises while others write, over generated schedules.

Creates and deletes are made between items, as the iteration runs (deterministic, the shifts
concurrent writers cause), against the emulator's API in-process (Scaleway's offset paging).
The promises (README, "Lists while others write"): no id twice, ever; and every item that exists
throughout is yielded when the writes are creates only, or deletes only and the iteration
ended on a pass that saw none (fewer than MAX_PASSES passes).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scaleway_nats.pagination import MAX_PASSES
from tests.support.in_process import InProcessScaleway, api_on

KINDS = ("create", "delete_read", "delete_unread")
# After the k-th item yielded: create or delete `count` items (read ones, or ones ahead).
events = st.lists(
    st.tuples(st.integers(1, 30), st.sampled_from(KINDS), st.integers(1, 3)), max_size=6
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    initial=st.integers(0, 30),
    page_size=st.integers(1, 7),
    window=st.integers(1, 4),
    order=st.sampled_from(["created_at_asc", "created_at_desc"]),
    schedule=events,
)
def test_pagers_under_interleaved_writes(
    initial: int, page_size: int, window: int, order: str, schedule: list[tuple[int, str, int]]
) -> None:
    with InProcessScaleway() as fake:
        check_pagers_under_writes(fake, initial, page_size, window, order, schedule)


def check_pagers_under_writes(
    fake: InProcessScaleway,
    initial: int,
    page_size: int,
    window: int,
    order: str,
    schedule: list[tuple[int, str, int]],
) -> None:
    ids = fake.fill(initial)
    created: list[str] = []
    deleted: set[str] = set()
    got: list[str] = []

    def write(kind: str, count: int) -> None:
        if kind == "create":
            created.extend(fake.add_account()["id"] for _ in range(count))
            return
        ahead = [i for i in fake.account_ids() if i not in got]
        pool = [i for i in got if i not in deleted] if kind == "delete_read" else ahead
        for doomed in pool[:count]:
            fake.delete_account(doomed)
            deleted.add(doomed)

    with api_on(fake, "sync", list_concurrency=window) as api:
        for item in api.list_accounts(order_by=order, page_size=page_size):  # type: ignore[arg-type]
            got.append(item.id)
            for after, kind, count in schedule:
                if after == len(got):
                    write(kind, count)

    assert len(got) == len(set(got))  # no id twice
    assert set(got) <= set(ids) | set(created)
    kinds = {kind for _, kind, _ in schedule}
    passes = sum(1 for query in fake.list_calls() if query.get("page", "1") == "1")
    stayed = set(ids) - deleted
    if kinds <= {"create"} or ("create" not in kinds and passes < MAX_PASSES):
        assert stayed <= set(got), f"skipped {len(stayed - set(got))} of {len(stayed)}"
