"""Credentials rotation without downtime on a 3-node cluster (issue 21): the app publishes to
an R3 stream through `connect()` with a .creds file while its credentials are rotated."""

from __future__ import annotations

from pathlib import Path

from scaleway_nats.local import LocalScaleway
from scripts.bench.rotation_drill import run_drill


async def test_an_app_publishing_to_r3_through_three_rotations_loses_nothing(
    cluster: LocalScaleway, tmp_path: Path
) -> None:
    report = await run_drill(cluster, tmp_path, replicas=3, rotations=3)
    print(
        f"FIGURES rotation 3-node R3: {len(report.acked)} acked at {report.rate:.0f}/s, "
        f"{report.reconnects} reconnects, longest stall {report.longest_stall * 1000:.0f} ms"
    )
    assert report.errors == []
    assert report.lost == []
    assert len(report.acked) > 0  # the pace (150/s) and its rate are figures, not asserts
    assert report.reconnects >= 3
    assert report.credentials_left == 1
