"""Scenario "overhead": the client's CPU per call on an in-process MockTransport."""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs
import httpx

from scaleway_nats import NatsAPI

from ..emulator import BASE_PATH, REGION
from ..measuring import Result, measure
from ..peers import Bench, raw_json, repeat


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
