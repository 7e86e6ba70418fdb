"""The plugin brings every stopped node back after each test (issue 18, item 6a): a test that
fails between `kill_node` and `start_node` must not leave the next test a cluster without a
JetStream majority."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import asyncio


def test_fails_with_two_nodes_down(scaleway_nats_local):
    scaleway_nats_local.kill_node("fr-par", 1)
    scaleway_nats_local.stop_node("fr-par", 2)
    raise AssertionError("the app's bug, before its start_node")


def test_jetstream_works_in_the_next_test(nats_api, nats_connection):
    account = nats_api.create_account(name="next")
    creds = nats_api.create_credentials(account, name="next")

    async def store() -> int:
        async with nats_connection(account, creds) as nc:
            js = nc.jetstream()
            await js.add_stream(name="NEXT", subjects=["next.>"], num_replicas=3)
            return (await js.publish("next.one", b"1", timeout=5)).seq

    assert asyncio.run(store()) == 1
"""


def test_a_test_failing_between_kill_and_start_leaves_every_node_running(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_app=TESTS)
    pytester.makeini("[pytest]\nscaleway_nats_cluster_size = 3\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", timeout=600)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_fails_with_two_nodes_down*"])
