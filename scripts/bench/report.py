"""The run's targets, its Markdown tables and its JSON report."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib.metadata
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from .measuring import STARTED, Result, ratio
from .sizes import Sizes


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
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
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
