"""Scenario "coldstart": whole processes, start to exit, each command in turn."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ..measuring import Result, measure_side_by_side
from ..peers import Bench

COLD_TIMEOUT = 300.0  # seconds for one process to start and exit


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
            command, check=True, stdout=subprocess.DEVNULL, timeout=COLD_TIMEOUT
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
