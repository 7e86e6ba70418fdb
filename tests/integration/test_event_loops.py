"""Issue 18.6(b): one AsyncNatsAPI used from several event loops.

A pooled connection belongs to the loop that opened it: a second `asyncio.run()` with the
same client raised a bare `RuntimeError: Event loop is closed`. Against the real emulator,
over plain HTTP/1.1 and over TLS with HTTP/2 (one multiplexed connection per loop).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from scaleway_nats import AsyncNatsAPI, NatsAccount
from scaleway_nats.local import LocalScaleway


@pytest.fixture(scope="module")
def tls_emulator() -> Iterator[LocalScaleway]:
    with LocalScaleway(tls=True) as env:
        yield env


@pytest.fixture(params=["http1", "https-http2"])
def emulator_by_protocol(request: pytest.FixtureRequest) -> LocalScaleway:
    fixture = "emulator" if request.param == "http1" else "tls_emulator"
    found: LocalScaleway = request.getfixturevalue(fixture)
    return found


def make_api(env: LocalScaleway) -> AsyncNatsAPI:
    verify = env.ca_file if env.api_url.startswith("https:") else True
    return AsyncNatsAPI(
        secret_key=env.secret_key, project_id=env.project_id, api_url=env.api_url, verify=verify
    )


def test_one_client_serves_successive_asyncio_runs(emulator_by_protocol: LocalScaleway) -> None:
    api = make_api(emulator_by_protocol)

    async def create(name: str) -> NatsAccount:
        return await api.create_account(name=name)

    made = [asyncio.run(create(f"loop-{n}")) for n in range(3)]  # a new loop each time

    async def listed_page_by_page() -> list[str]:  # pages gathered concurrently
        return [a.id for a in await api.list_accounts(page_size=1).all()]

    assert {a.id for a in made} <= set(asyncio.run(listed_page_by_page()))

    async def delete_all_then_close() -> None:
        for account in made:
            await api.delete_account(account)
        await api.aclose()

    asyncio.run(delete_all_then_close())
    assert api.stats["requests"] >= 7


def test_loops_in_two_threads_at_once(emulator_by_protocol: LocalScaleway) -> None:
    api = make_api(emulator_by_protocol)
    errors: list[BaseException] = []
    created: list[NatsAccount] = []

    def worker(name: str) -> None:
        async def work() -> None:
            account = await api.create_account(name=name)
            created.append(await api.get_account(account))
            await api.delete_account(account)

        try:
            asyncio.run(work())
        except BaseException as error:  # reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"thread-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(a.name for a in created) == ["thread-0", "thread-1"]
    asyncio.run(api.aclose())
