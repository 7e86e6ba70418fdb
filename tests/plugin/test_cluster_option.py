"""The plugin's `cluster_size` option: ini and command line reach `scaleway_nats_local`, and a
bad value stops the session with a usage error naming the option and 1..5."""

from __future__ import annotations

import pytest

from tests.test_readme import run_by_block

pytest_plugins = ["pytester"]

SIZE_TEST = """
def test_the_session_emulator_has_the_asked_size(scaleway_nats_local):
    assert scaleway_nats_local.cluster_size == 1
    assert [len(c.nodes) for c in scaleway_nats_local.servers.values()] == [1, 1]
"""


def _readme_failover_test() -> tuple[str, str]:
    """The README's failover test and the pytest.ini just above it."""
    block = run_by_block("tests/plugin/test_cluster_option.py")
    text = block.path.read_text(encoding="utf-8")
    ini = text[: text.index(block.code)].rsplit("```ini\n", 1)[1].split("```", 1)[0]
    return block.code, ini


def test_the_readme_failover_test_runs_with_the_ini_option(pytester: pytest.Pytester) -> None:
    """ini `scaleway_nats_cluster_size = 3` reaches the session's emulator: the README's test
    kills nodes 0, 1 and 2 of fr-par (a single-node emulator has no node 1)."""
    code, ini = _readme_failover_test()
    assert "scaleway_nats_cluster_size = 3" in ini
    pytester.makepyfile(test_failover=code)
    pytester.makeini(ini)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "-s")
    result.assert_outcomes(passed=1)
    print("FIGURES", *[line for line in result.outlines if "delivered in" in line], sep="\n")


def test_the_command_line_wins_over_the_ini(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=SIZE_TEST)
    pytester.makeini("[pytest]\nscaleway_nats_cluster_size = 3\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-q", "--scaleway-nats-cluster-size", "1"
    )
    result.assert_outcomes(passed=1)


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
