"""Benchmark of scaleway-nats against the official Scaleway SDK and raw httpx.

Run it::

    nox -s bench                        # full run, about 7 minutes on 2 cores
    nox -s bench -- --quick             # smaller sizes, 2 repeats: about 45 s
    python scripts/bench.py [--quick] [--repeats N] [--only SCENARIO ...] [--output PATH]

What it does: starts one local emulator (``python -m scaleway_nats.local``, i.e. one
``LocalScaleway`` with two nats-servers, in its own process so that its CPU work does not share
this interpreter's GIL with the clients being timed), creates accounts through the API, seeds
the large credentials lists straight into the emulator's SQLite store (one transaction), then
times every scenario for three peers against that same emulator:

- ``ours``: ``NatsAPI`` / ``AsyncNatsAPI`` (this project);
- ``sdk``: the official ``scaleway`` SDK (``MnqV1Beta1NatsAPI``, on ``requests``);
- ``raw``: one keep-alive ``httpx`` client and ``json.loads``, nothing else: the floor.

Scenarios: ``get`` (1,000 sequential calls; async with 20 in flight), ``list`` (5,000 items at
page_size 100; 2,000 at page_size 1), ``create`` (200 credentials created then deleted, in a
fresh account per run), ``quickstart`` (nothing to first NATS message over TLS), ``overhead``
(CPU per call on an in-process ``httpx.MockTransport``: what the wrapper adds) and ``memory``
(peak RSS iterating 50,000 items, each in a fresh subprocess; ours also at 5,000; the peak
is the probe's VmHWM, as ``ru_maxrss`` is inherited across execve: see memory_probe.py).

``network`` (issue 13) runs get, list all, create (unnamed, and named in a crowded account) and
the quickstart again at each round-trip time of ``rtts_ms`` (0, 10, 40 ms; quick: 0, 40): a
``scaleway_nats.local.latency`` proxy process in front of the API adds half the round trip
each way, per chunk, so connection set-up and TLS handshakes pay it like on a real network and
concurrent requests overlap (the NATS connection of the quickstart is not delayed). Peers:
``ours`` (the default client: HTTP/2 over HTTPS), ``ours-h1`` (``http2=False``), ``sdk`` and
``raw`` (HTTP/1.1, one keep-alive connection).
``coldstart`` times whole processes, start to exit, taking turns: ``python -c pass`` (the
floor), ``import scaleway_nats``, ``import scaleway.mnq.v1beta1`` (the SDK), ``from
scaleway_nats import NatsAPI`` (what a program using the client pays) and ``scw-nats --help``.
``startup`` (issue 14) times ``LocalScaleway.start()`` in this process, taking turns: both
regions with one nats-server each, then with a 3-node cluster each (routed, JetStream
current); the 3-node row's note gives the ratio to the 1-node start-up.

Read it: stdout gets one Markdown row per scenario and peer with the median and p95 over the
repeated runs, per operation (see the unit column); ``sdk / ours`` > 1 means ours is faster,
``ours / raw`` is what the wrapper costs over the floor (< 1 where ours fetches pages
concurrently and raw reads them one by one). A failed cell (the SDK's recursive pagination at
page_size 1) shows the exception instead of numbers. Then each target, met or not. stderr gets
one progress line per scenario; the JSON file (``--output``) gets every sample, the quickstart
step timings, the memory probes' details and machine information.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import datetime
import functools
import importlib.metadata
import importlib.util
import inspect
import itertools
import json
import os
import platform
import select
import shutil
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
from bench_support.rotation_drill import DrillReport, run_drill
from scaleway import Client as SdkClient
from scaleway.mnq.v1beta1 import MnqV1Beta1NatsAPI

from scaleway_nats import AsyncNatsAPI, Config, NatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.store import Credentials
from scaleway_nats.quickstart import StepResult, quickstart_async

REGION = "fr-par"
BASE_PATH = f"/mnq/v1beta1/regions/{REGION}"
PROBE = Path(__file__).with_name("bench_support") / "memory_probe.py"
EMULATOR_START_TIMEOUT = 60.0  # seconds
PROBE_TIMEOUT = 300.0  # seconds for one memory probe subprocess
MEASURE_BUDGET = 150.0  # seconds: a measurement stops repeating once it has used this much
FIRST_MESSAGE_STEP = "publish and receive"  # the quickstart step that receives the message
SNIFFIO_MISSING = "sniffio absent: httpcore retries `import sniffio` on every request"


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


STARTED = time.perf_counter()


def log(message: str) -> None:
    """One progress line on stderr, stamped with the time since the benchmark started."""
    print(f"[bench {time.perf_counter() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


# -- measuring ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Measurement:
    """Samples of repeated runs (seconds unless the run measured itself), or the failure."""

    samples: list[float]
    error: str | None = None
    seconds_to_error: float | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        if len(self.samples) < 2:
            return self.median
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]


def measure(
    run: Callable[[], object],
    repeats: int,
    *,
    clock: Callable[[], float] | None = time.perf_counter,
    warmup: int = 0,
    budget: float = MEASURE_BUDGET,
) -> Measurement:
    """Call `run` `warmup` times untimed, then `repeats` times, and collect one sample per call.

    The sample is the `clock` time the call took (wall time by default, `time.process_time`
    for CPU), or with `clock=None` the float `run` returns (runs that measure themselves). A
    failing call ends the measurement with the error recorded; so does exhausting `budget`.
    """
    samples: list[float] = []
    deadline = time.monotonic() + budget
    for index in range(warmup + repeats):
        if samples and time.monotonic() > deadline:
            log(f"  time budget spent: {len(samples)} of {repeats} runs kept")
            break
        started = time.perf_counter()
        try:
            value = sample(run, clock)
        except Exception as error:
            return Measurement(samples, describe_error(error), time.perf_counter() - started)
        if index >= warmup:
            samples.append(value)
    return Measurement(samples)


def measure_side_by_side(
    runs: dict[str, Callable[[], object]], repeats: int, *, warmup: int = 0
) -> dict[str, Measurement]:
    """`measure` for several peers taking turns, one run each per round.

    Timing peer after peer in blocks let a drift of the machine (the other core busy, CPU
    frequency) fall on one peer: sequential get read 0.78x and 1.25x of raw in two runs.
    """
    results = {peer: Measurement([]) for peer in runs}
    deadline = time.monotonic() + MEASURE_BUDGET * len(runs)
    for index in range(warmup + repeats):
        if index > warmup and time.monotonic() > deadline:
            log(f"  time budget spent: {index - warmup} of {repeats} rounds kept")
            break
        for peer, run in runs.items():
            if results[peer].error is not None:
                continue
            started = time.perf_counter()
            try:
                value = sample(run, time.perf_counter)
            except Exception as error:
                results[peer].error = describe_error(error)
                results[peer].seconds_to_error = time.perf_counter() - started
                continue
            if index >= warmup:
                results[peer].samples.append(value)
    return results


def sample(run: Callable[[], object], clock: Callable[[], float] | None) -> float:
    """One sample: what `run` took on `clock`, or what it returned when `clock` is None."""
    if clock is None:
        return float(run())  # type: ignore[arg-type]
    started = clock()
    run()
    return clock() - started


def describe_error(error: BaseException) -> str:
    """Type and message, plus the most repeated function of the traceback (recursion depth)."""
    frames = [frame.f_code.co_name for frame, _ in traceback.walk_tb(error.__traceback__)]
    text = f"{type(error).__name__}: {str(error)[:160]}"
    if frames:
        name, count = collections.Counter(frames).most_common(1)[0]
        if count > 1:
            text += f" ({name} {count} frames deep)"
    return text


@dataclasses.dataclass
class Result:
    """One table row: a scenario's measurement for one peer, shown in `unit`."""

    scenario: str  # key shared by the peers compared with each other
    title: str
    peer: str
    unit: str
    scale: float  # multiplies a raw sample into `unit` (e.g. 1000 / calls for ms per call)
    measurement: Measurement
    note: str = ""
    details: object = None  # JSON-ready extras (quickstart steps, memory probe outputs)

    def shown(self, value: float | None) -> str:
        return "—" if value is None else number(value * self.scale)


def number(value: float) -> str:
    """Three significant digits without scientific notation: 0.123, 1.23, 12.3, 1,234."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{2 if abs(value) < 10 else 1}f}"


def ratio(numerator: Result | None, denominator: Result | None) -> float | None:
    """Median over median, when both exist."""
    if numerator is None or denominator is None:
        return None
    top, bottom = numerator.measurement.median, denominator.measurement.median
    return top / bottom if top is not None and bottom else None


# -- the emulator -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Emulator:
    """What clients need to reach the emulator, and where its state lives."""

    api_url: str
    secret_key: str
    access_key: str
    project_id: str
    organization_id: str
    ca_file: str
    state_dir: Path

    @property
    def database(self) -> Path:
        return self.state_dir / "emulator.sqlite3"

    def config(self, api_url: str | None = None) -> Config:
        """Client settings for the emulator, reached at `api_url` (a latency proxy) if given."""
        return Config(
            secret_key=self.secret_key,
            project_id=self.project_id,
            region=REGION,
            api_url=api_url or self.api_url,
        )

    def client_spec(self) -> dict[str, str]:
        return {
            "api_url": self.api_url,
            "secret_key": self.secret_key,
            "access_key": self.access_key,
            "project_id": self.project_id,
        }


@contextlib.contextmanager
def running_emulator(max_accounts: int, *, tls: bool = False) -> Iterator[Emulator]:
    """A LocalScaleway in a child process (`python -m scaleway_nats.local`), stopped on exit;
    its API over HTTPS (HTTP/2 and HTTP/1.1) with `tls`."""
    state_dir = Path(tempfile.mkdtemp(prefix="scaleway-nats-bench-"))
    command = [sys.executable, "-m", "scaleway_nats.local"]
    command += ["--state-dir", str(state_dir), "--max-accounts", str(max_accounts)]
    command += ["--tls"] if tls else []
    with (state_dir.parent / f"{state_dir.name}.log").open("w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            info = json.loads(read_line(process, EMULATOR_START_TIMEOUT))
            yield Emulator(
                api_url=info["api_url"],
                secret_key=info["secret_key"],
                access_key=info["access_key"],
                project_id=info["project_id"],
                organization_id=info["organization_id"],
                ca_file=info["ca_file"],
                state_dir=state_dir,
            )
        finally:
            stop_process(process)
            shutil.rmtree(state_dir, ignore_errors=True)
    Path(stderr.name).unlink(missing_ok=True)


def read_line(process: subprocess.Popen[str], timeout: float, what: str = "the emulator") -> str:
    """The child's first stdout line, or an error if it does not come within `timeout`."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if ready else ""
    if not line:
        raise RuntimeError(f"{what} did not start within {timeout:.0f} s")
    return line


def stop_process(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class Accounts:
    """Accounts made through the API; seeded ones are cached by their number of credentials."""

    def __init__(self, emulator: Emulator, raw: httpx.Client) -> None:
        self._emulator = emulator
        self._raw = raw
        self._seeded: dict[int, str] = {}
        self.seeding_seconds: dict[int, float] = {}

    def create(self) -> str:
        response = self._raw.post(f"{BASE_PATH}/nats-accounts", json={})
        response.raise_for_status()
        return str(response.json()["id"])

    def with_credentials(self, count: int) -> str:
        """An account holding `count` credentials (seeded once, reused by every scenario)."""
        if count not in self._seeded:
            account_id = self.create()
            started = time.perf_counter()
            seed_credentials(self._emulator.database, account_id, count)
            self.seeding_seconds[count] = time.perf_counter() - started
            self._seeded[count] = account_id
        return self._seeded[count]


def seed_credentials(database: Path, account_id: str, count: int) -> None:
    """Insert `count` credentials rows in one transaction, as the emulator's Store would.

    Rows are built from the store's own `Credentials` model (same columns, RFC 3339 times one
    microsecond apart so the default created_at order is total). Only metadata is stored: the
    emulator never keeps contents, and listings never return them.
    """
    columns = [field.name for field in dataclasses.fields(Credentials)]
    statement = (
        f"INSERT INTO credentials ({', '.join(columns)}) "  # noqa: S608 (column names from the model)
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=count)
    rows = (
        dataclasses.astuple(seeded_credentials(account_id, index, start)) for index in range(count)
    )
    connection = sqlite3.connect(database, timeout=30)
    try:
        with connection:  # one transaction, committed on exit
            connection.executemany(statement, rows)
    finally:
        connection.close()


def seeded_credentials(account_id: str, index: int, start: datetime.datetime) -> Credentials:
    stamp = (start + datetime.timedelta(microseconds=index)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return Credentials(
        id=str(uuid.uuid4()),
        region=REGION,
        account_id=account_id,
        name=f"seeded-{index}",
        user_public_key="U" + f"{index:055d}",
        checksum=f"{index:064x}",
        created_at=stamp,
        updated_at=stamp,
    )


# -- the peers ----------------------------------------------------------------------------------


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


# -- scenarios ----------------------------------------------------------------------------------


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


def timed(bench: Bench, run: Callable[[], object], warmup: int = 1) -> Measurement:
    """Wall time of `run` over the configured repeats (after `warmup` untimed runs)."""
    return measure(run, bench.sizes.repeats, warmup=warmup)


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


def scenario_create(bench: Bench) -> list[Result]:
    """3. create + delete: in a fresh account per run; then named, in a large account."""
    crowded = bench.accounts.with_credentials(bench.sizes.list_items)
    return create_delete(bench, bench.sizes.create_delete) + create_delete(
        bench, bench.sizes.named_creates, crowded
    )


CreateDelete = Callable[[str, list[str | None]], None]


def create_delete(bench: Bench, count: int, crowded: str | None = None) -> list[Result]:
    """Each peer creates `count` credentials, then deletes them.

    Without `crowded`, unnamed, in a new account per run (created untimed beforehand); with it,
    named, in that account (which holds `list_items` credentials).
    """
    peers: dict[str, CreateDelete] = {
        "ours": functools.partial(create_delete_ours, bench.ours),
        "sdk": functools.partial(create_delete_sdk, bench.sdk),
        "raw": functools.partial(create_delete_raw, bench.raw),
    }
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


@dataclasses.dataclass
class QuickstartRun:
    """One quickstart: seconds from nothing to the first message, and every step's timing."""

    first_message: float | None = None
    steps: dict[str, float] = dataclasses.field(default_factory=dict)


def scenario_quickstart(bench: Bench) -> list[Result]:
    """4. quickstart: from no client and no account to the first NATS message received."""
    runs: list[QuickstartRun] = []
    with event_loop() as loop:

        def run() -> float:
            record = QuickstartRun()
            runs.append(record)
            return loop.run_until_complete(quickstart_once(bench.emulator, record))

        measurement = measure(run, bench.sizes.quickstart_repeats, clock=None)
    title = "quickstart: nothing → first message (TLS)"
    details = [dataclasses.asdict(record) for record in runs]
    return [
        Result("quickstart", title, "ours", "ms", 1000, measurement, step_shares(runs), details)
    ]


async def quickstart_once(
    emulator: Emulator, record: QuickstartRun, api_url: str | None = None
) -> float:
    """Run quickstart_async (JetStream check and cleanup included) and return the first
    message's time, measured from before the client exists."""
    started = time.perf_counter()

    def on_step(step: StepResult) -> None:
        record.steps[step.name] = step.seconds
        if step.name == FIRST_MESSAGE_STEP and step.ok:
            record.first_message = time.perf_counter() - started

    async with AsyncNatsAPI(config=emulator.config(api_url), verify=verify(emulator)) as api:
        result = await quickstart_async(api, ca_file=emulator.ca_file, on_step=on_step)
    if not result.ok or record.first_message is None:
        failed = result.failed_step
        raise RuntimeError(f"quickstart failed: {failed.name if failed else '?'}: {failed}")
    return record.first_message


def step_shares(runs: list[QuickstartRun]) -> str:
    """Median share of each step in the time to the first message; later steps in ms.

    What no step covers (creating the client, between steps) is shown as "outside steps".
    """
    done = [run for run in runs if run.first_message is not None]
    if not done:
        return ""
    names = list(done[0].steps)
    first = names.index(FIRST_MESSAGE_STEP) + 1 if FIRST_MESSAGE_STEP in names else len(names)
    shares = {
        name: statistics.median(run.steps[name] / run.first_message for run in done)  # type: ignore[operator]
        for name in names[:first]
    }
    shares["outside steps"] = max(0.0, 1.0 - sum(shares.values()))
    parts = [f"{name} {share:.0%}" for name, share in shares.items()]
    parts += [
        f"then {name} {statistics.median(run.steps[name] for run in done) * 1000:.0f} ms"
        for name in names[first:]
    ]
    return "; ".join(parts)


def scenario_overhead(bench: Bench) -> list[Result]:
    """5. client overhead: CPU per get on an in-process MockTransport (no network, no server)."""
    calls = bench.sizes.overhead_calls
    account = canned_account(bench.emulator.project_id)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=account))
    config = attrs.evolve(bench.emulator.config(), api_url="https://mock.invalid")
    url = f"{BASE_PATH}/nats-accounts/{account['id']}"
    with (
        NatsAPI(config=config, transport=transport) as ours,
        httpx.Client(
            base_url=config.api_url,
            headers={"X-Auth-Token": bench.emulator.secret_key},
            transport=transport,
        ) as raw,
    ):
        runs: dict[str, Callable[[], object]] = {
            "ours": lambda: ours.get_account(account["id"]),
            "raw": lambda: raw_json(raw, url),
        }
        title = f"client CPU per get: MockTransport, {calls:,} calls"
        return [
            Result(
                "overhead",
                title,
                peer,
                "µs CPU/call",
                1e6 / calls,
                measure(
                    repeat(call, calls), bench.sizes.repeats, clock=time.process_time, warmup=1
                ),
                "sdk: n/a (requests, no httpx transport)" if peer == "raw" else "",
            )
            for peer, call in runs.items()
        ]


# A real-format NATS account id (an NKEY public key, not a UUID): the one recorded in
# scaleway/terraform-provider-scaleway internal/services/mnq/testdata/
# nats-credentials-basic.cassette.yaml (see tests/ids.py).
CANNED_ACCOUNT_ID = "ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3"


def canned_account(project_id: str) -> dict[str, str]:
    """A get_account answer as the API sends it (the id: an NKEY account public key)."""
    stamp = "2024-05-06T07:08:09.123456Z"
    return {
        "id": CANNED_ACCOUNT_ID,
        "name": "bench-account",
        "endpoint": "nats://nats.mnq.fr-par.scaleway.com:4222",
        "project_id": project_id,
        "region": REGION,
        "created_at": stamp,
        "updated_at": stamp,
    }


def scenario_memory(bench: Bench) -> list[Result]:
    """6. memory: peak RSS iterating every item, each peer in a fresh subprocess."""
    sizes = bench.sizes
    cases = [
        ("ours", sizes.memory_items),
        ("sdk", sizes.memory_items),
        ("ours", sizes.memory_small_items),
    ]
    return [memory_case(bench, peer, items) for peer, items in cases]


def memory_case(bench: Bench, peer: str, items: int) -> Result:
    account_id = bench.accounts.with_credentials(items)
    spec = {**bench.emulator.client_spec(), "peer": peer, "account_id": account_id}
    spec["page_size"] = bench.sizes.list_page_size
    probes: list[dict[str, Any]] = []

    def run() -> float:
        probe = run_probe(spec)
        expect(probe["items"], items)
        probes.append(probe)
        return float(probe["peak_kib"]) / 1024

    measurement = measure(run, bench.sizes.memory_repeats, clock=None)
    note = "; ".join(
        f"{probe['before_kib'] / 1024:.0f} MiB before iterating, {probe['seconds']:.0f} s "
        f"(ru_maxrss {probe['ru_maxrss_kib'] / 1024:.0f} MiB, inherited)"
        for probe in probes
    )
    title = f"memory: peak RSS iterating {items:,} items"
    return Result(f"memory-{items}", title, peer, "MiB", 1.0, measurement, note, probes)


def run_probe(spec: dict[str, Any]) -> dict[str, Any]:
    """Run scripts/bench_support/memory_probe.py in a fresh interpreter; its JSON answer."""
    done = subprocess.run(
        [sys.executable, str(PROBE), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        last_line = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"memory probe exited with {done.returncode}: {last_line}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


# -- the network axis ---------------------------------------------------------------------------

LATENCY_START_TIMEOUT = 30.0  # seconds for a latency proxy process to listen


@functools.cache
def _ssl_context(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


def verify(emulator: Emulator) -> bool | ssl.SSLContext:
    """What httpx clients verify the emulator's API with: its CA when it serves HTTPS."""
    return _ssl_context(emulator.ca_file) if emulator.api_url.startswith("https:") else True


@contextlib.contextmanager
def network(emulator: Emulator, rtt_ms: int) -> Iterator[str]:
    """The API URL at `rtt_ms`: the emulator's own at 0, else a delaying proxy's in front of
    it (`python -m scaleway_nats.local.latency`, its own process so that its CPU work shares
    no GIL with the clients timed here; half the round trip each way, per chunk)."""
    if rtt_ms == 0:
        yield emulator.api_url
        return
    url = httpx.URL(emulator.api_url)
    command = [sys.executable, "-m", "scaleway_nats.local.latency", "--latency-ms"]
    command += [str(rtt_ms / 2), "--target", f"{url.host}:{url.port}", "--host", url.host]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(read_line(process, LATENCY_START_TIMEOUT, "the latency proxy"))
        yield str(url.copy_with(port=int(info["port"])))
    finally:
        stop_process(process)


@dataclasses.dataclass
class NetPeers:
    """One client per peer, all reaching the API through the same network (`api_url`)."""

    rtt_ms: int
    api_url: str
    ours: dict[str, NatsAPI]  # "ours" (the default client) and, over HTTPS, "ours-h1"
    sdk: MnqV1Beta1NatsAPI
    raw: httpx.Client


@contextlib.contextmanager
def net_peers(bench: Bench, rtt_ms: int, api_url: str) -> Iterator[NetPeers]:
    emulator = bench.emulator
    checked = verify(emulator)
    ours = {"ours": NatsAPI(config=emulator.config(api_url), verify=checked)}
    if api_url.startswith("https:"):  # "ours" speaks HTTP/2 there (the default): both shown
        ours["ours-h1"] = NatsAPI(config=emulator.config(api_url), verify=checked, http2=False)
    raw = httpx.Client(
        base_url=api_url, headers={"X-Auth-Token": emulator.secret_key}, verify=checked
    )
    sdk = sdk_client(dataclasses.replace(emulator, api_url=api_url))
    try:
        yield NetPeers(rtt_ms, api_url, ours, sdk, raw)
    finally:
        for client in ours.values():
            client.close()
        raw.close()


def net_title(what: str, peers: NetPeers) -> str:
    scheme = "HTTPS" if peers.api_url.startswith("https:") else "HTTP"
    where = "loopback" if peers.rtt_ms == 0 else f"RTT {peers.rtt_ms} ms"
    return f"{where} {scheme}: {what}"


def emulator_has_tls() -> bool:
    """Whether this emulator serves HTTPS (LocalScaleway(tls=...)); if not, say so."""
    from scaleway_nats.local import LocalScaleway

    if "tls" in inspect.signature(LocalScaleway).parameters:
        return True
    log("this emulator has no tls option: the network scenario runs over plain HTTP")
    return False


@contextlib.contextmanager
def network_bench(bench: Bench) -> Iterator[Bench]:
    """`bench` with an emulator of its own serving HTTPS (unless --plain-http): users reach
    Scaleway over TLS, and HTTP/2 needs it. The SDK (requests) trusts its CA by
    REQUESTS_CA_BUNDLE, the httpx clients by `verify`."""
    if not bench.network_tls:
        yield bench
        return
    with running_emulator(max_accounts=1000, tls=True) as emulator, raw_client(emulator) as raw:
        previous = os.environ.get("REQUESTS_CA_BUNDLE")
        os.environ["REQUESTS_CA_BUNDLE"] = emulator.ca_file
        try:
            yield dataclasses.replace(bench, emulator=emulator, accounts=Accounts(emulator, raw))
        finally:
            if previous is None:
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
            else:
                os.environ["REQUESTS_CA_BUNDLE"] = previous


def scenario_network(bench: Bench) -> list[Result]:
    """7. network: get, list, create and quickstart at each round-trip time, peers side by side."""
    with network_bench(bench) as tls_bench:
        return network_rows(tls_bench)


def network_rows(bench: Bench) -> list[Result]:
    rows: list[Result] = []
    for rtt_ms in bench.sizes.rtts_ms:
        log(f"  round trip {rtt_ms} ms")
        with network(bench.emulator, rtt_ms) as api_url, net_peers(bench, rtt_ms, api_url) as peers:
            rows += net_get(bench, peers)
            rows += net_list(bench, peers)
            rows += net_create(bench, peers, named=False)
            rows += net_create(bench, peers, named=True)
            if rtt_ms:
                rows += net_quickstart(bench, peers)
    return rows


def net_get(bench: Bench, peers: NetPeers) -> list[Result]:
    account_id = bench.accounts.create()
    calls = bench.sizes.net_get_calls
    url = f"{BASE_PATH}/nats-accounts/{account_id}"
    runs: dict[str, Callable[[], object]] = {
        **{
            peer: functools.partial(client.get_account, account_id)
            for peer, client in peers.ours.items()
        },
        "sdk": lambda: peers.sdk.get_nats_account(nats_account_id=account_id),
        "raw": lambda: raw_json(peers.raw, url),
    }
    measured = measure_side_by_side(
        {peer: repeat(call, calls) for peer, call in runs.items()}, bench.sizes.repeats, warmup=1
    )
    title = net_title(f"get, {calls} sequential", peers)
    key = f"get@{peers.rtt_ms}"
    handshake = " and TLS handshake" if peers.api_url.startswith("https:") else ""
    notes = {"sdk": f"new connection{handshake} per call"}
    return [
        Result(key, title, peer, "ms/call", 1000 / calls, measured[peer], notes.get(peer, ""))
        for peer in runs
    ]


def net_list(bench: Bench, peers: NetPeers) -> list[Result]:
    items, page_size = bench.sizes.net_list_items, bench.sizes.list_page_size
    account_id = bench.accounts.with_credentials(items)
    runs: dict[str, Callable[[], object]] = {
        peer: functools.partial(list_ours, client, account_id, page_size, items)
        for peer, client in peers.ours.items()
    }
    runs["sdk"] = lambda: expect(
        len(peers.sdk.list_nats_credentials_all(nats_account_id=account_id, page_size=page_size)),
        items,
    )
    runs["raw"] = lambda: expect(raw_list(peers.raw, account_id, page_size), items)
    measured = measure_side_by_side(runs, bench.sizes.repeats, warmup=1)
    title = net_title(f"list all {items:,}, page_size {page_size}", peers)
    notes = {"raw": "one page after the other"}
    for peer, client in peers.ours.items():
        notes[peer] = f"{client._window} pages in flight{protocol(peer, peers)}"
    return [
        Result(
            f"list@{peers.rtt_ms}",
            title,
            peer,
            "ms/list",
            1000,
            measured[peer],
            notes.get(peer, ""),
        )
        for peer in runs
    ]


def protocol(peer: str, peers: NetPeers) -> str:
    """ ", HTTP/2 on one connection" for our default client over HTTPS (ours-h1: http2=False)."""
    return (
        ", HTTP/2 on one connection"
        if peer == "ours" and peers.api_url.startswith("https:")
        else ""
    )


def list_ours(api: NatsAPI, account_id: str, page_size: int, items: int) -> None:
    expect(sum(1 for _ in api.list_credentials(account_id, page_size=page_size)), items)


def net_create(bench: Bench, peers: NetPeers, *, named: bool) -> list[Result]:
    """Create then delete credentials: unnamed in a fresh account per run, or named in the
    account of net_list_items credentials (where a reconciling create could read pages)."""
    count = bench.sizes.net_named_creates if named else bench.sizes.net_creates
    runs_needed = bench.sizes.repeats + 1  # the warm-up round too
    creators: dict[str, CreateDelete] = {
        **{
            peer: functools.partial(create_delete_ours, client)
            for peer, client in peers.ours.items()
        },
        "sdk": functools.partial(create_delete_sdk, peers.sdk),
        "raw": functools.partial(create_delete_raw, peers.raw),
    }
    names: list[str | None] = [f"bench-{index}" if named else None for index in range(count)]
    runs: dict[str, Callable[[], object]] = {}
    for peer, creator in creators.items():
        if named:
            crowded = bench.accounts.with_credentials(bench.sizes.net_list_items)
            accounts: Iterator[str] = itertools.repeat(crowded)
        else:
            accounts = iter([bench.accounts.create() for _ in range(runs_needed)])
        runs[peer] = bind(creator, accounts, names)
    measured = measure_side_by_side(runs, bench.sizes.repeats, warmup=1)
    what = (
        f"create + delete {count} named, account of {bench.sizes.net_list_items:,}"
        if named
        else f"create + delete {count}"
    )
    key = f"{'create-named' if named else 'create'}@{peers.rtt_ms}"
    return [
        Result(key, net_title(what, peers), peer, "ms/create+delete", 1000 / count, measured[peer])
        for peer in runs
    ]


def net_quickstart(bench: Bench, peers: NetPeers) -> list[Result]:
    """The quickstart through the delayed API (the NATS connection itself is not delayed)."""
    runs: list[QuickstartRun] = []
    with event_loop() as loop:

        def run() -> float:
            record = QuickstartRun()
            runs.append(record)
            return loop.run_until_complete(quickstart_once(bench.emulator, record, peers.api_url))

        measurement = measure(run, bench.sizes.net_quickstarts, clock=None)
    title = net_title("quickstart, nothing → first message", peers)
    note = f"API delayed, NATS not; {step_shares(runs)}"
    details = [dataclasses.asdict(record) for record in runs]
    return [
        Result(f"quickstart@{peers.rtt_ms}", title, "ours", "ms", 1000, measurement, note, details)
    ]


# -- cold start ---------------------------------------------------------------------------------


def cold_commands() -> dict[str, tuple[str, str, list[str]]]:
    """scenario key -> (peer, title, command): what starting a process costs, to its exit."""
    python = sys.executable
    scw_nats = shutil.which("scw-nats") or str(Path(python).with_name("scw-nats"))
    return {
        "floor": ("python", "cold start: python -c pass", [python, "-c", "pass"]),
        "import": (
            "ours",
            "cold start: import scaleway_nats",
            [python, "-c", "import scaleway_nats"],
        ),
        "import-sdk": (
            "sdk",
            "cold start: import scaleway.mnq.v1beta1",
            [python, "-c", "import scaleway.mnq.v1beta1"],
        ),
        "client": (
            "ours",
            "cold start: from scaleway_nats import NatsAPI; NatsAPI",
            [python, "-c", "from scaleway_nats import NatsAPI; NatsAPI"],
        ),
        "help": ("ours", "cold start: scw-nats --help", [scw_nats, "--help"]),
    }


def scenario_coldstart(bench: Bench) -> list[Result]:
    """8. cold start: process start to exit, each command in turn, repeated."""
    commands = cold_commands()

    def start(command: list[str]) -> Callable[[], object]:
        return lambda: subprocess.run(
            command, check=True, stdout=subprocess.DEVNULL, timeout=PROBE_TIMEOUT
        )

    measured = measure_side_by_side(
        {key: start(command) for key, (_, _, command) in commands.items()},
        bench.sizes.cold_repeats,
        warmup=1,
    )
    # The SDK's import row shares the key of ours so that the table shows sdk / ours.
    return [
        Result(
            "cold:import" if key == "import-sdk" else f"cold:{key}",
            title,
            peer,
            "ms",
            1000,
            measured[key],
        )
        for key, (peer, title, _) in commands.items()
    ]


# -- emulator start-up (issue 14) ----------------------------------------------------------------

STARTUP_SIZES = {"1-node": 1, "3-node": 3}  # peer -> nats-servers per region


def scenario_startup(bench: Bench) -> list[Result]:
    """9. emulator start-up, both regions: 1 nats-server each, then a 3-node cluster each."""
    samples: dict[str, list[float]] = {peer: [] for peer in STARTUP_SIZES}
    for _ in range(bench.sizes.startup_repeats):  # taking turns, like measure_side_by_side
        for peer, size in STARTUP_SIZES.items():
            env = LocalScaleway(cluster_size=size)  # its own temporary state dir
            started = time.perf_counter()
            try:
                env.start()  # returns once every node is routed and its JetStream current
                samples[peer].append(time.perf_counter() - started)
            finally:
                env.stop()  # not timed
    rows = [
        Result(
            "startup",
            f"emulator start-up, 2 regions x {size} node{'s' if size > 1 else ''}",
            peer,
            "ms",
            1000,
            Measurement(samples[peer]),
        )
        for peer, size in STARTUP_SIZES.items()
    ]
    times = ratio(rows[1], rows[0])
    if times is not None:
        rows[1].note = f"{times:.2f}x the 1-node start-up"
    return rows


# -- credentials rotation (issue 21) ---------------------------------------------------------


def scenario_rotation(bench: Bench) -> list[Result]:
    """10. rotation: longest publish stall of an app acking 150 msg/s through 3 rotations."""
    samples: dict[str, list[float]] = {peer: [] for peer in STARTUP_SIZES}
    reports: dict[str, list[DrillReport]] = {peer: [] for peer in STARTUP_SIZES}
    for peer, size in STARTUP_SIZES.items():
        with LocalScaleway(cluster_size=size) as env, tempfile.TemporaryDirectory() as folder:
            for _ in range(bench.sizes.startup_repeats):
                report = asyncio.run(run_drill(env, Path(folder), replicas=size, rotations=3))
                samples[peer].append(report.longest_stall)
                reports[peer].append(report)
    return [
        Result(
            "rotation",
            f"longest publish stall, 3 rotations, R{size} on {size} node{'s' if size > 1 else ''}",
            peer,
            "ms",
            1000,
            Measurement(samples[peer]),
            note=drill_note(reports[peer]),
            details=[drill_details(report) for report in reports[peer]],
        )
        for peer, size in STARTUP_SIZES.items()
    ]


def drill_note(reports: list[DrillReport]) -> str:
    """Every run's outcome in one line: the worst of each figure."""
    lowest = min(report.rate for report in reports)
    lost = sum(len(report.lost) for report in reports)
    errors = sum(len(report.errors) for report in reports)
    left = sorted({report.credentials_left for report in reports})
    return (
        f"{len(reports)} runs: >= {lowest:.0f} acked msg/s, {lost} lost, {errors} errors"
        f" reaching the app, credentials left {left}"
    )


def drill_details(report: DrillReport) -> dict[str, Any]:
    return {
        "acked": len(report.acked),
        "rate": round(report.rate, 1),
        "lost": report.lost,
        "errors": report.errors,
        "reconnects": report.reconnects,
        "credentials_left": report.credentials_left,
        "longest_stall_ms": round(report.longest_stall * 1000, 1),
    }


SCENARIOS: dict[str, Callable[[Bench], list[Result]]] = {
    "get": scenario_get,
    "list": scenario_list,
    "create": scenario_create,
    "quickstart": scenario_quickstart,
    "overhead": scenario_overhead,
    "network": scenario_network,
    "coldstart": scenario_coldstart,
    "startup": scenario_startup,
    "rotation": scenario_rotation,
    # Last: its 50,000 seeded rows slow every later listing of the emulator (~4x per page).
    "memory": scenario_memory,
}


# -- targets and report -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run


class Results:
    """The rows of a run, looked up by scenario and peer."""

    def __init__(self, rows: list[Result]) -> None:
        self.rows = rows
        self._by_key = {(row.scenario, row.peer): row for row in rows}

    def get(self, scenario: str, peer: str) -> Result | None:
        return self._by_key.get((scenario, peer))

    def ratio(self, scenario: str, top: str, bottom: str) -> float | None:
        return ratio(self.get(scenario, top), self.get(scenario, bottom))


def targets(results: Results, sizes: Sizes) -> list[Target]:
    return [
        *(
            ratio_target(results, scenario, "ours", "raw", 1.15, at_most=True)
            for scenario in ("get", "get-async")
        ),
        ratio_target(results, f"list-{sizes.list_page_size}", "sdk", "ours", 2.0, at_most=False),
        quickstart_target(results),
        memory_target(results, sizes),
        *network_targets(results, max(sizes.rtts_ms)),
        bound_target(results, "cold:import", "ours", 0.150),
        bound_target(results, "cold:help", "ours", 0.200),
        bound_target(results, "startup", "3-node", 3.0, "issue 14"),
    ]


def network_targets(results: Results, rtt: int) -> list[Target]:
    """Issue 13's targets, at the largest round trip of the run, for each of our clients."""
    goals: list[Target] = []
    for ours in ("ours", "ours-h1"):
        if results.get(f"get@{rtt}", ours) is None and ours != "ours":
            continue
        goals += [
            ratio_target(results, f"get@{rtt}", "sdk", ours, 2.5, at_most=False),
            ratio_target(results, f"get@{rtt}", ours, "raw", 1.1, at_most=True),
            ratio_target(results, f"list@{rtt}", "sdk", ours, 8.0, at_most=False),
            ratio_target(results, f"create@{rtt}", ours, "raw", 1.1, at_most=True),
            ratio_target(results, f"create-named@{rtt}", ours, "raw", 1.1, at_most=True),
        ]
    if rtt:
        goals.append(bound_target(results, f"quickstart@{rtt}", "ours", 12 * rtt / 1000, "12 RTT"))
    return goals


def bound_target(
    results: Results, scenario: str, peer: str, seconds: float, label: str = ""
) -> Target:
    """The median under `seconds`."""
    row = results.get(scenario, peer)
    goal = f"{scenario}: {peer} median ≤ {seconds * 1000:.0f} ms" + (f" ({label})" if label else "")
    if row is None or row.measurement.median is None:
        return Target(goal, "not measured", None)
    median, p95 = row.measurement.median, row.measurement.p95 or 0.0
    return Target(goal, f"{median * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)", median <= seconds)


def ratio_target(
    results: Results, scenario: str, top: str, bottom: str, bound: float, *, at_most: bool
) -> Target:
    value = results.ratio(scenario, top, bottom)
    goal = f"{scenario}: {top} / {bottom} {'≤' if at_most else '≥'} {bound}"
    if value is None:
        return Target(goal, "not measured", None)
    return Target(goal, f"{value:.2f}", value <= bound if at_most else value >= bound)


def quickstart_target(results: Results) -> Target:
    row = results.get("quickstart", "ours")
    goal = "quickstart: first message < 1 s (median)"
    if row is None or row.measurement.median is None:
        return Target(goal, "not measured", None)
    median, p95 = row.measurement.median, row.measurement.p95 or 0.0
    return Target(goal, f"{median * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)", median < 1.0)


def memory_target(results: Results, sizes: Sizes) -> Target:
    """Flat: the peak at the large size is within 10% (or 5 MiB) of the peak at the small one."""
    large = results.get(f"memory-{sizes.memory_items}", "ours")
    small = results.get(f"memory-{sizes.memory_small_items}", "ours")
    goal = f"memory: ours flat from {sizes.memory_small_items:,} to {sizes.memory_items:,} items"
    big = large.measurement.median if large else None
    little = small.measurement.median if small else None
    if big is None or little is None:
        return Target(goal, "not measured", None)
    growth = big - little
    measured = f"{little:.1f} → {big:.1f} MiB ({growth:+.1f} MiB)"
    return Target(goal, measured, growth <= max(5.0, 0.10 * little))


def markdown(results: Results, goals: list[Target], *, quick: bool) -> str:
    lines = [
        "| scenario | peer | median | p95 | unit | sdk / ours | ours / raw | notes |",
        "|---|---|---:|---:|---|---:|---:|---|",
    ]
    for row in results.rows:
        lines.append(markdown_row(results, row))
    if quick:
        lines += ["", "Quick run: sizes and repeats too small for the targets; indicative only."]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    marks = {True: "yes", False: "**NO**", None: "not run"}
    lines += [f"| {goal.goal} | {goal.measured} | {marks[goal.met]} |" for goal in goals]
    return "\n".join(lines)


def markdown_header(report: dict[str, Any], command: str) -> str:
    """Where the tables come from: one run of this script, so the docs never mix runs."""
    box = report["machine"]
    packages = ", ".join(f"{name} {v}" for name, v in box["packages"].items() if v)
    return (
        f"<!-- written by `{command}`: do not edit by hand, run it again -->\n"
        f"Measured by `{command}` on {report['created_at'][:16].replace('T', ' ')} UTC, "
        f"in {report['seconds']:.0f} s: {box['cpu_count']} cores ({box['cpu_model']}), "
        f"{box['platform']}, Python {box['python']}; {packages}.\n\n"
    )


def markdown_row(results: Results, row: Result) -> str:
    measurement = row.measurement
    median, p95 = row.shown(measurement.median), row.shown(measurement.p95)
    note = row.note
    if measurement.error is not None:
        median = p95 = "FAILED"
        elapsed = measurement.seconds_to_error or 0.0
        note = f"{measurement.error}, after {elapsed:.1f} s; {note}".strip("; ")
    cells = ["", ""]
    if row.peer.startswith("ours"):  # "ours" and "ours-h1", each against the others
        cells = [
            format_ratio(results.ratio(row.scenario, "sdk", row.peer)),
            format_ratio(results.ratio(row.scenario, row.peer, "raw")),
        ]
    return (
        f"| {row.title} | {row.peer} | {median} | {p95} | {row.unit} | "
        f"{cells[0]} | {cells[1]} | {' '.join(note.replace('|', '/').split())} |"
    )


def format_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "packages": {name: version(name) for name in PACKAGES},
    }


PACKAGES = (
    "scaleway-nats",
    "scaleway",
    "httpx",
    "h2",
    "requests",
    "nats-py",
    "uvicorn",
    "hypercorn",
    "starlette",
)


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def report_json(
    results: Results, goals: list[Target], sizes: Sizes, seeding: dict[int, float]
) -> dict[str, Any]:
    return {
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "seconds": time.perf_counter() - STARTED,
        "machine": machine(),
        "sizes": dataclasses.asdict(sizes),
        "seeding_seconds": {str(items): seconds for items, seconds in seeding.items()},
        "results": [row_json(results, row) for row in results.rows],
        "targets": [dataclasses.asdict(goal) for goal in goals],
    }


def row_json(results: Results, row: Result) -> dict[str, Any]:
    return {
        "scenario": row.scenario,
        "title": row.title,
        "peer": row.peer,
        "unit": row.unit,
        "scale": row.scale,
        "samples": row.measurement.samples,
        "median": row.measurement.median,
        "p95": row.measurement.p95,
        "error": row.measurement.error,
        "seconds_to_error": row.measurement.seconds_to_error,
        "sdk_over_ours": results.ratio(row.scenario, "sdk", "ours"),
        "ours_over_raw": results.ratio(row.scenario, "ours", "raw"),
        "note": row.note,
        "details": row.details,
    }


# -- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and 2 repeats")
    parser.add_argument("--repeats", type=int, help="timed runs per measurement")
    parser.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), help="run these scenarios only"
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument(
        "--markdown",
        type=Path,
        help="also write the tables, headed by the command, date and machine, to this file "
        "(docs/figures/bench.md is what the documentation's Performance page includes)",
    )
    parser.add_argument(
        "--plain-http", action="store_true", help="network scenario over HTTP, not HTTPS"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeats:
        sizes = dataclasses.replace(sizes, repeats=args.repeats)
    chosen = args.only or list(SCENARIOS)
    log(f"starting the emulator ({'quick' if args.quick else 'full'} run)")
    with running_emulator(max_accounts=1000) as emulator, bench_context(sizes, emulator) as bench:
        bench.network_tls = not args.plain_http and emulator_has_tls()
        rows: list[Result] = []
        for number, name in enumerate(chosen, 1):
            log(f"{number}/{len(chosen)} {name}: {SCENARIOS[name].__doc__.splitlines()[0]}")
            rows += SCENARIOS[name](bench)
        seeding = bench.accounts.seeding_seconds
    results = Results(rows)
    goals = targets(results, sizes)
    tables = markdown(results, goals, quick=args.quick)
    print(tables)
    report = report_json(results, goals, sizes, seeding)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown:
        given = argv if argv is not None else sys.argv[1:]
        command = " ".join(["python scripts/bench.py", *given])
        args.markdown.write_text(markdown_header(report, command) + tables + "\n")
    log(f"done; raw numbers in {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
