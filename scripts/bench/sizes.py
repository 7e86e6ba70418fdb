"""How much work each scenario does: the full run and `--quick`."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much work each scenario does; `--quick` shrinks everything."""

    repeats: int
    get_calls: int
    in_flight: int
    list_items: int
    list_page_size: int
    paged_items: int  # listed one per page: > ~1,000 pages overflows the SDK's recursion
    create_delete: int
    named_creates: int  # named creates in an account of list_items credentials
    quickstart_repeats: int
    overhead_calls: int
    memory_items: int
    memory_small_items: int
    memory_repeats: int
    # The network axis (scenario "network"): the same work at these round-trip times.
    rtts_ms: tuple[int, ...]
    net_get_calls: int
    net_list_items: int  # listed at list_page_size
    net_creates: int
    net_named_creates: int
    net_quickstarts: int
    cold_repeats: int  # process starts per command (scenario "coldstart")
    startup_repeats: int  # emulator starts per cluster size (scenario "startup")


FULL = Sizes(
    repeats=5,
    get_calls=1_000,
    in_flight=20,
    list_items=5_000,
    list_page_size=100,
    paged_items=2_000,
    create_delete=200,
    named_creates=5,
    quickstart_repeats=5,
    overhead_calls=2_000,
    memory_items=50_000,
    memory_small_items=5_000,
    memory_repeats=1,
    rtts_ms=(0, 10, 40),
    net_get_calls=50,
    net_list_items=5_000,
    net_creates=20,
    net_named_creates=5,
    net_quickstarts=3,
    cold_repeats=10,
    startup_repeats=5,
)
QUICK = Sizes(
    repeats=2,
    get_calls=200,
    in_flight=20,
    list_items=1_000,
    list_page_size=100,
    paged_items=1_100,
    create_delete=20,
    named_creates=2,
    quickstart_repeats=2,
    overhead_calls=500,
    memory_items=10_000,
    memory_small_items=1_000,
    memory_repeats=1,
    rtts_ms=(0, 40),
    net_get_calls=10,
    net_list_items=1_000,
    net_creates=4,
    net_named_creates=2,
    net_quickstarts=1,
    cold_repeats=4,
    startup_repeats=2,
)
