"""Scenario "get": sequential get_account calls, then many in flight (async)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Awaitable, Callable

from scaleway_nats import AsyncNatsAPI

from ..emulator import BASE_PATH
from ..measuring import Result, measure_side_by_side
from ..peers import Bench, event_loop, in_flight, raw_async_client, raw_json, repeat, timed

SNIFFIO_MISSING = "sniffio absent: httpcore retries `import sniffio` on every request"


def scenario_get(bench: Bench) -> list[Result]:
    """1. get: sequential get_account calls (sync), then with many in flight (async)."""
    return get_sync(bench) + get_async(bench)


def get_sync(bench: Bench) -> list[Result]:
    account_id = bench.accounts.create()
    calls = bench.sizes.get_calls
    url = f"{BASE_PATH}/nats-accounts/{account_id}"
    runs: dict[str, Callable[[], object]] = {
        "ours": lambda: bench.ours.get_account(account_id),
        "sdk": lambda: bench.sdk.get_nats_account(nats_account_id=account_id),
        "raw": lambda: raw_json(bench.raw, url),
    }
    title = f"get: {calls:,} sequential calls"
    measured = measure_side_by_side(
        {peer: repeat(call, calls) for peer, call in runs.items()}, bench.sizes.repeats, warmup=1
    )
    return [Result("get", title, peer, "ms/call", 1000 / calls, measured[peer]) for peer in runs]


def get_async(bench: Bench) -> list[Result]:
    account_id = bench.accounts.create()
    calls, limit = bench.sizes.get_calls, bench.sizes.in_flight
    url = f"{BASE_PATH}/nats-accounts/{account_id}"
    title = f"get async: {calls:,} calls, {limit} in flight"
    ours, raw = AsyncNatsAPI(config=bench.emulator.config()), raw_async_client(bench.emulator)

    async def raw_get() -> object:
        return json.loads((await raw.get(url)).content)

    runs: dict[str, Callable[[], Awaitable[object]]] = {
        "ours": lambda: ours.get_account(account_id),
        "raw": raw_get,
    }
    notes: dict[str, str] = {}
    if importlib.util.find_spec("sniffio") is None:
        notes = {peer: f"{notes.get(peer, '')}; {SNIFFIO_MISSING}".strip("; ") for peer in runs}
    with event_loop() as loop:
        try:
            return [
                Result(
                    "get-async",
                    title,
                    peer,
                    "ms/call",
                    1000 / calls,
                    timed(bench, concurrent_run(loop, call, calls, limit)),
                    notes.get(peer, ""),
                )
                for peer, call in runs.items()
            ]
        finally:
            loop.run_until_complete(ours.aclose())
            loop.run_until_complete(raw.aclose())


def concurrent_run(
    loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[object]], times: int, limit: int
) -> Callable[[], None]:
    """A run making `times` calls on `loop`, `limit` in flight."""
    return lambda: loop.run_until_complete(in_flight(call, times, limit))
