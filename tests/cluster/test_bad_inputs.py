"""Bad cluster sizes and fault-control arguments: a ValueError naming the argument and the
allowed values, and nothing changed (issue 14)."""

from __future__ import annotations

import pytest

from scaleway_nats.local import LocalScaleway
from tests.support.cluster import SIZE


@pytest.mark.parametrize("size", [0, 6, -1, "3", True, 2.0, None])
def test_a_cluster_size_outside_1_to_5_is_refused(size: object) -> None:
    with pytest.raises(ValueError, match=r"cluster_size .*1 to 5.*got") as refused:
        LocalScaleway(cluster_size=size)  # type: ignore[arg-type]
    assert repr(size) in str(refused.value)


@pytest.mark.parametrize("control", ["stop_node", "kill_node", "start_node"])
@pytest.mark.parametrize("region", ["xx-yyy", "FR-PAR", "", None])
def test_an_unknown_region_is_refused(cluster: LocalScaleway, control: str, region: object) -> None:
    with pytest.raises(ValueError, match=r"region must be one of fr-par, nl-ams") as refused:
        getattr(cluster, control)(region, 0)
    assert repr(region) in str(refused.value)
    assert all_running(cluster)


@pytest.mark.parametrize("control", ["stop_node", "kill_node", "start_node"])
@pytest.mark.parametrize("index", [SIZE, -1, 99, "0", True, 1.0, None])
def test_a_node_index_out_of_range_is_refused(
    cluster: LocalScaleway, control: str, index: object
) -> None:
    with pytest.raises(ValueError, match=rf"node index must be from 0 to {SIZE - 1} in fr-par"):
        getattr(cluster, control)("fr-par", index)
    assert all_running(cluster)


def test_fault_controls_need_a_started_emulator() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        LocalScaleway(cluster_size=SIZE).stop_node("fr-par", 0)


def all_running(env: LocalScaleway) -> bool:
    return all(node.running for c in env.servers.values() for node in c.nodes)
