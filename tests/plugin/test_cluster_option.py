"""The plugin's `cluster_size` option: ini and command line reach `scaleway_nats_local`, and a
bad value stops the session with a usage error naming the option and 1..5."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

APP_TESTS = """
import os


def test_the_session_emulator_has_the_asked_size(scaleway_nats_local):
    size = int(os.environ["EXPECTED_SIZE"])
    assert scaleway_nats_local.cluster_size == size
    assert {r: len(c.nodes) for r, c in scaleway_nats_local.servers.items()} == {
        "fr-par": size,
        "nl-ams": size,
    }
"""


def test_ini_sets_the_cluster_size_and_the_command_line_wins(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_app=APP_TESTS)
    pytester.makeini("[pytest]\nscaleway_nats_cluster_size = 2\n")
    monkeypatch.setenv("EXPECTED_SIZE", "2")
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q").assert_outcomes(passed=1)
    monkeypatch.setenv("EXPECTED_SIZE", "1")
    overridden = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-q", "--scaleway-nats-cluster-size", "1"
    )
    overridden.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("ini", "args", "message"),
    [
        (
            "",
            ["--scaleway-nats-cluster-size", "6"],
            "--scaleway-nats-cluster-size must be an integer from 1 to 5, got '6'",
        ),
        (
            "",
            ["--scaleway-nats-cluster-size=0"],
            "--scaleway-nats-cluster-size must be an integer from 1 to 5, got '0'",
        ),
        (
            "three",
            [],
            "ini option scaleway_nats_cluster_size must be an integer from 1 to 5, got 'three'",
        ),
    ],
)
def test_a_bad_cluster_size_is_a_usage_error(
    pytester: pytest.Pytester, ini: str, args: list[str], message: str
) -> None:
    pytester.makepyfile(
        test_app="def test_never_runs(scaleway_nats_local):\n    raise AssertionError\n"
    )
    if ini:
        pytester.makeini(f"[pytest]\nscaleway_nats_cluster_size = {ini}\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"ERROR: {message}" in result.stderr.lines
