"""Scenario "memory": peak RSS iterating every item, each peer in a fresh subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..measuring import Result, measure
from ..peers import Bench, expect

PROBE = Path(__file__).parent.parent / "memory_probe.py"
PROBE_TIMEOUT = 300.0  # seconds for one memory probe subprocess


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
    """Run scripts/bench/memory_probe.py in a fresh interpreter; its JSON answer."""
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
