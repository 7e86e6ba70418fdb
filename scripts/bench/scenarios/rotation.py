"""Scenario "rotation" (issue 21): the longest publish stall while credentials rotate."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from scaleway_nats.local import LocalScaleway

from ..measuring import Measurement, Result
from ..peers import Bench
from ..rotation_drill import DrillReport, run_drill
from .startup import STARTUP_SIZES


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
