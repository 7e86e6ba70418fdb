"""Issue 18.2: a server that recycles connections gracefully never yields an error.

HTTP/2 servers end a connection after N requests (nginx's `keepalive_requests` and Hypercorn's
`keep_alive_max_requests` default to 1,000) with a GOAWAY frame; HTTP/1.1 ones answer the Nth
request with `Connection: close`. The emulator's HTTPS mode does the same by default
(`connection_max_requests=1000`). A client that has made ~990 requests on its connection
then runs a burst: every call must succeed, with no AmbiguousCreateError and no duplicate,
over HTTP/2 and HTTP/1.1; and the emulator (run as `python -m scaleway_nats.local --tls`,
as users run it) must print no traceback meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import selectors
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from scaleway_nats import AsyncNatsAPI, NatsAccount, NatsCredentials
from tests.support.reliability import figures

WARM_UP = 990  # requests on the connection before the burst (the server recycles at 1,000)
START_TIMEOUT = 60.0


@attrs.frozen
class Served:
    proc: subprocess.Popen[str]
    info: dict[str, Any]
    stderr: Path

    def stderr_text(self) -> str:
        return self.stderr.read_text(errors="replace")


@contextlib.contextmanager
def serving(folder: Path, *options: str) -> Iterator[Served]:
    """`python -m scaleway_nats.local --tls [options]`, stderr kept in a file; stopped after."""
    stderr = folder / "stderr.log"
    command = [sys.executable, "-m", "scaleway_nats.local", "--tls", "--max-accounts", "100"]
    with stderr.open("w") as sink:
        proc = subprocess.Popen(
            [*command, "--state-dir", str(folder / "state"), *options],
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
        )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            ready = selector.select(START_TIMEOUT)  # bounded: the JSON line, or nothing
        assert ready, f"the emulator did not start: {stderr.read_text()[-2000:]}"
        info = json.loads(proc.stdout.readline())
        yield Served(proc, info, stderr)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The emulator as users run it, with its defaults (a recycle every 1,000 requests)."""
    with serving(tmp_path_factory.mktemp("recycling")) as running:
        yield running


def client(served: Served, http2: bool) -> AsyncNatsAPI:
    info = served.info
    return AsyncNatsAPI(
        secret_key=info["secret_key"],
        project_id=info["project_id"],
        api_url=info["api_url"],
        verify=info["ca_file"],
        http2=http2,
    )


async def warm_up(api: AsyncNatsAPI, account: NatsAccount) -> None:
    """Gets until this client has sent WARM_UP requests."""
    while api.stats["requests"] < WARM_UP:
        await api.get_account(account)


def assert_quiet(served: Served) -> None:
    text = served.stderr_text()
    assert "Traceback" not in text, text[-4000:]
    assert "Error" not in text, text[-4000:]


@pytest.mark.parametrize("http2", [True, False], ids=["http2", "http1.1"])
async def test_concurrent_named_creates_across_a_recycle(served: Served, http2: bool) -> None:
    async with client(served, http2) as api:
        account = await api.create_account()
        await warm_up(api, account)
        tag = "h2" if http2 else "h1"
        names = [f"{tag}-burst-{i}" for i in range(40)]
        outcomes = await asyncio.gather(
            *(api.create_credentials(account, name) for name in names), return_exceptions=True
        )
        errors = [repr(o) for o in outcomes if isinstance(o, BaseException)]
        listed = Counter(c.name for c in [c async for c in api.list_credentials(account)])
        figures("recycle_creates", http2=http2, stats=api.stats, errors=errors[:3])
        assert errors == []
        assert {n: listed[n] for n in names} == dict.fromkeys(names, 1)  # no duplicate
        await api.delete_account(account)
    assert_quiet(served)


@pytest.mark.parametrize("http2", [True, False], ids=["http2", "http1.1"])
async def test_mixed_load_across_a_recycle(served: Served, http2: bool) -> None:
    """200 coroutines: named creates, gets, lists, renames and deletes, after ~990 requests."""
    tag = "h2m" if http2 else "h1m"
    async with client(served, http2) as api:
        account = await api.create_account()
        renamed = await api.create_account()
        doomed = [await api.create_credentials(account) for _ in range(40)]
        await warm_up(api, account)

        async def one(i: int) -> object:
            kind = i % 5
            if kind == 0:
                return await api.create_credentials(account, f"{tag}-{i}")
            if kind == 1:
                return await api.get_account(account)
            if kind == 2:
                return [c.id async for c in api.list_credentials(account)]
            if kind == 3:
                return await api.update_account(renamed, f"{tag}-renamed-{i}")
            return await api.delete_credentials(doomed[i // 5])

        outcomes = await asyncio.gather(*(one(i) for i in range(200)), return_exceptions=True)
        errors = [repr(o) for o in outcomes if isinstance(o, BaseException)]
        left: list[NatsCredentials] = [c async for c in api.list_credentials(account)]
        figures("recycle_mixed", http2=http2, stats=api.stats, errors=errors[:3])
        assert errors == []
        created = {f"{tag}-{i}" for i in range(0, 200, 5)}
        assert Counter(c.name for c in left if c.name in created) == dict.fromkeys(created, 1)
        assert {c.id for c in left} & {c.id for c in doomed} == set()  # deleted, all of them
        assert len(left) == len(created)
        await api.delete_account(account)
        await api.delete_account(renamed)
    assert_quiet(served)


@pytest.mark.parametrize("http2", [True, False], ids=["http2", "http1.1"])
async def test_the_emulator_recycles_connections_without_a_traceback(
    tmp_path: Path, http2: bool
) -> None:
    """A recycle every 20 requests, under bursts of concurrent calls: about 30 recycles, each
    with requests in flight. asyncio printed Hypercorn's cancelled streams and
    `SSL: APPLICATION_DATA_AFTER_CLOSE_NOTIFY` as tracebacks for some of them."""
    with serving(tmp_path, "--connection-max-requests", "20") as busy:
        async with client(busy, http2) as api:
            account = await api.create_account()
            for _ in range(12):
                calls = [api.get_account(account) for _ in range(40)]
                calls += [api.create_credentials(account) for _ in range(5)]
                outcomes = await asyncio.gather(*calls, return_exceptions=True)
                errors = [repr(o) for o in outcomes if isinstance(o, BaseException)]
                assert errors == []
            figures("recycle_quiet", http2=http2, stats=api.stats)
            await api.delete_account(account)
    assert_quiet(busy)
