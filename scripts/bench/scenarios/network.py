"""Scenario "network" (issue 13): get, list, create and quickstart at each round-trip time,
through a latency proxy process in front of an HTTPS emulator of its own."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import httpx
from scaleway.mnq.v1beta1 import MnqV1Beta1NatsAPI

from scaleway_nats import NatsAPI
from scaleway_nats.api import PAGE_PREFETCH_WINDOW, PAGE_PREFETCH_WINDOW_HTTP2

from ..emulator import (
    BASE_PATH,
    Accounts,
    Emulator,
    read_line,
    running_emulator,
    stop_process,
    verify,
)
from ..measuring import Result, log, measure, measure_side_by_side
from ..peers import (
    Bench,
    bind,
    creators,
    event_loop,
    expect,
    list_ours,
    raw_client,
    raw_json,
    raw_list,
    repeat,
    sdk_client,
)
from .quickstart import QuickstartRun, quickstart_once, step_shares

LATENCY_START_TIMEOUT = 30.0  # seconds for a latency proxy process to listen


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
    for peer in peers.ours:
        notes[peer] = f"{window(peer, peers)} pages in flight{protocol(peer, peers)}"
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


def window(peer: str, peers: NetPeers) -> int:
    """Pages our client keeps in flight: its default, larger on one HTTP/2 connection."""
    http2 = peer == "ours" and peers.api_url.startswith("https:")
    return PAGE_PREFETCH_WINDOW_HTTP2 if http2 else PAGE_PREFETCH_WINDOW


def protocol(peer: str, peers: NetPeers) -> str:
    """ ", HTTP/2 on one connection" for our default client over HTTPS (ours-h1: http2=False)."""
    return (
        ", HTTP/2 on one connection"
        if peer == "ours" and peers.api_url.startswith("https:")
        else ""
    )


def net_create(bench: Bench, peers: NetPeers, *, named: bool) -> list[Result]:
    """Create then delete credentials: unnamed in a fresh account per run, or named in the
    account of net_list_items credentials (where a reconciling create could read pages)."""
    count = bench.sizes.net_named_creates if named else bench.sizes.net_creates
    runs_needed = bench.sizes.repeats + 1  # the warm-up round too
    names: list[str | None] = [f"bench-{index}" if named else None for index in range(count)]
    runs: dict[str, Callable[[], object]] = {}
    for peer, creator in creators(peers.ours, peers.sdk, peers.raw).items():
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
