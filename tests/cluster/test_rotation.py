"""Credentials rotation without downtime on a 3-node cluster (issue 21): the app publishes to
an R3 stream through `connect()` with a .creds file while its credentials are rotated."""

from __future__ import annotations

from pathlib import Path

from scaleway_nats.local import LocalScaleway
from tests.support.rotation import assert_rotations_lose_nothing


async def test_an_app_publishing_to_r3_through_three_rotations_loses_nothing(
    cluster: LocalScaleway, tmp_path: Path
) -> None:
    await assert_rotations_lose_nothing(cluster, tmp_path, replicas=3, label="3-node R3")
