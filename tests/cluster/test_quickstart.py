"""quickstart() and scripts/smoke.py pass against a 3-node emulator (issue 14): the account's
one endpoint hands each connection to a live node, as Scaleway's does."""

from __future__ import annotations

from scaleway_nats.local import LocalScaleway
from tests.integration.test_propagation_e2e import (
    assert_quickstart_passes,
    assert_smoke_script_passes,
)


def test_quickstart_passes_against_a_cluster(cluster: LocalScaleway) -> None:
    assert_quickstart_passes(cluster)


def test_smoke_script_passes_against_a_cluster(cluster: LocalScaleway) -> None:
    assert_smoke_script_passes(cluster)
