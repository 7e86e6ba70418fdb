"""The three peers compared (ours, the official SDK, raw httpx) and what their runs share."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
from scaleway import Client as SdkClient
from scaleway.mnq.v1beta1 import MnqV1Beta1NatsAPI

from scaleway_nats import NatsAPI

from .emulator import BASE_PATH, REGION, Accounts, Emulator, verify
from .measuring import Measurement, measure
from .sizes import Sizes


@dataclasses.dataclass
@dataclasses.dataclass
class Bench:
    """Everything a scenario needs: sizes, the emulator and one warm client per peer."""

    sizes: Sizes
    emulator: Emulator
    ours: NatsAPI
    sdk: MnqV1Beta1NatsAPI
    raw: httpx.Client
    accounts: Accounts
    network_tls: bool = True  # the network scenario's API over HTTPS (--plain-http: not)


def raw_client(emulator: Emulator) -> httpx.Client:
    return httpx.Client(
        base_url=emulator.api_url,
        headers={"X-Auth-Token": emulator.secret_key},
        verify=verify(emulator),
    )


def raw_async_client(emulator: Emulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=emulator.api_url, headers={"X-Auth-Token": emulator.secret_key}
    )


def sdk_client(emulator: Emulator) -> MnqV1Beta1NatsAPI:
    client = SdkClient(
        access_key=emulator.access_key,
        secret_key=emulator.secret_key,
        default_project_id=emulator.project_id,
        default_region=REGION,
        api_url=emulator.api_url,
    )
    return MnqV1Beta1NatsAPI(client)


@contextlib.contextmanager
def bench_context(sizes: Sizes, emulator: Emulator) -> Iterator[Bench]:
    with NatsAPI(config=emulator.config()) as ours, raw_client(emulator) as raw:
        yield Bench(sizes, emulator, ours, sdk_client(emulator), raw, Accounts(emulator, raw))


@contextlib.contextmanager
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


def repeat(call: Callable[[], object], times: int) -> Callable[[], None]:
    """A run that makes `times` sequential calls."""

    def run() -> None:
        for _ in range(times):
            call()

    return run


async def in_flight(call: Callable[[], Awaitable[object]], times: int, limit: int) -> None:
    """`times` calls with at most `limit` of them in flight."""
    semaphore = asyncio.Semaphore(limit)

    async def one() -> None:
        async with semaphore:
            await call()

    await asyncio.gather(*(one() for _ in range(times)))


def raw_json(client: httpx.Client, url: str, params: dict[str, Any] | None = None) -> Any:
    return json.loads(client.get(url, params=params).content)


def raw_list(client: httpx.Client, account_id: str, page_size: int) -> int:
    """Every item, one page after the other, the page count taken from the first total_count."""
    params: dict[str, Any] = {"nats_account_id": account_id, "page_size": page_size, "page": 1}
    first = raw_json(client, f"{BASE_PATH}/nats-credentials", params)
    count = len(first["nats_credentials"])
    pages = -(-int(first["total_count"]) // page_size)
    for page in range(2, pages + 1):
        params["page"] = page
        count += len(raw_json(client, f"{BASE_PATH}/nats-credentials", params)["nats_credentials"])
    return count


def expect(count: int, wanted: int) -> None:
    if count != wanted:
        raise RuntimeError(f"listed {count} items, expected {wanted}")


def timed(bench: Bench, run: Callable[[], object], warmup: int = 1) -> Measurement:
    """Wall time of `run` over the configured repeats (after `warmup` untimed runs)."""
    return measure(run, bench.sizes.repeats, warmup=warmup)


CreateDelete = Callable[[str, list[str | None]], None]


def bind(run: CreateDelete, accounts: Iterator[str], names: list[str | None]) -> Callable[[], None]:
    """A run of `run` in the next account."""
    return lambda: run(next(accounts), names)


def create_delete_ours(api: NatsAPI, account_id: str, names: list[str | None]) -> None:
    created = [api.create_credentials(account_id, name=name) for name in names]
    for credentials in created:
        api.delete_credentials(credentials)


def create_delete_sdk(api: MnqV1Beta1NatsAPI, account_id: str, names: list[str | None]) -> None:
    created = [api.create_nats_credentials(nats_account_id=account_id, name=name) for name in names]
    for credentials in created:
        api.delete_nats_credentials(nats_credentials_id=credentials.id)


def create_delete_raw(client: httpx.Client, account_id: str, names: list[str | None]) -> None:
    url = f"{BASE_PATH}/nats-credentials"
    bodies = [{"nats_account_id": account_id, **({"name": name} if name else {})} for name in names]
    created = [json.loads(client.post(url, json=body).content) for body in bodies]
    for credentials in created:
        client.delete(f"{url}/{credentials['id']}")


def list_ours(api: NatsAPI, account_id: str, page_size: int, items: int) -> None:
    expect(sum(1 for _ in api.list_credentials(account_id, page_size=page_size)), items)


def creators(
    ours: dict[str, NatsAPI], sdk: MnqV1Beta1NatsAPI, raw: httpx.Client
) -> dict[str, CreateDelete]:
    """The create-then-delete run of each peer: ours (each given client), sdk, raw."""
    return {
        **{peer: functools.partial(create_delete_ours, client) for peer, client in ours.items()},
        "sdk": functools.partial(create_delete_sdk, sdk),
        "raw": functools.partial(create_delete_raw, raw),
    }
