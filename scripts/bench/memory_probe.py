"""Peak RSS of one client iterating every credentials of an account, in a fresh interpreter.

Run by scripts/bench (scenario "memory"), one process per measurement so that peaks are
independent of each other and of the benchmark process:

    python scripts/bench/memory_probe.py '{"peer": "ours", "api_url": ..., ...}'

It imports only the client under test, so the baseline is that client's own footprint, and
prints one JSON line: items seen, peak RSS before iterating and after (KiB), seconds.

The peak compared is VmHWM (/proc/self/status): the high-water mark of this process's own
address space. ``getrusage(RUSAGE_SELF).ru_maxrss`` is reported too but cannot be compared:
Linux carries it across execve, so a probe started by a 75 MiB parent reads at least 75 MiB
whatever it does.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any


def peak_rss_kib() -> int:
    """Peak resident set size of this program so far, in KiB (VmHWM, reset by execve)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return ru_maxrss_kib()  # no procfs: the inherited figure is better than none


def ru_maxrss_kib() -> int:
    """getrusage's peak RSS (KiB on Linux), inherited from the parent across execve."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


Counter = Callable[[], int]


def prepare_ours(spec: dict[str, Any]) -> Counter:
    """NatsAPI iterates lazily: pages are dropped once their items are consumed."""
    from scaleway_nats import Config, NatsAPI

    config = Config(
        secret_key=spec["secret_key"],
        project_id=spec["project_id"],
        region="fr-par",
        api_url=spec["api_url"],
    )
    api = NatsAPI(config=config)

    def count() -> int:
        with api:
            pager = api.list_credentials(spec["account_id"], page_size=spec["page_size"])
            return sum(1 for _ in pager)

    return count


def prepare_sdk(spec: dict[str, Any]) -> Counter:
    """The SDK's only way to read every page: list_*_all builds the whole list."""
    from scaleway import Client
    from scaleway.mnq.v1beta1 import MnqV1Beta1NatsAPI

    client = Client(
        access_key=spec["access_key"],
        secret_key=spec["secret_key"],
        default_project_id=spec["project_id"],
        default_region="fr-par",
        api_url=spec["api_url"],
    )
    api = MnqV1Beta1NatsAPI(client)

    def count() -> int:
        items = api.list_nats_credentials_all(
            nats_account_id=spec["account_id"], page_size=spec["page_size"]
        )
        return len(items)

    return count


PEERS: dict[str, Callable[[dict[str, Any]], Counter]] = {"ours": prepare_ours, "sdk": prepare_sdk}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    count = PEERS[spec["peer"]](spec)  # imports and client creation count in the baseline
    before = peak_rss_kib()
    started = time.perf_counter()
    items = count()
    seconds = time.perf_counter() - started
    result = {
        "items": items,
        "before_kib": before,
        "peak_kib": peak_rss_kib(),
        "ru_maxrss_kib": ru_maxrss_kib(),
        "seconds": seconds,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
