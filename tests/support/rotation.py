"""The rotation drill's assertions (issue 21), shared by the 1-node test
(tests/integration/test_rotation.py) and the 3-node one (tests/cluster/test_rotation.py)."""

from __future__ import annotations

from pathlib import Path

from scaleway_nats.local import LocalScaleway
from scripts.bench.rotation_drill import run_drill

ROTATIONS = 3


async def assert_rotations_lose_nothing(
    env: LocalScaleway, folder: Path, *, replicas: int, label: str
) -> None:
    """Run the drill on `env` (a stream of `replicas`, ROTATIONS rotations), print its figures
    (`pytest -s`) and assert the app saw no error, lost no acknowledged message and
    reconnected after each deletion, with one credentials left."""
    report = await run_drill(env, folder, replicas=replicas, rotations=ROTATIONS)
    print(
        f"FIGURES rotation {label}: {len(report.acked)} acked at {report.rate:.0f}/s, "
        f"{report.reconnects} reconnects, longest stall {report.longest_stall * 1000:.0f} ms"
    )
    assert report.errors == []
    assert report.lost == []
    assert len(report.acked) > 0  # the pace (150/s) and its rate are figures, not asserts
    assert report.reconnects >= ROTATIONS  # each deletion closed the app's connection
    assert report.credentials_left == 1
