"""The production-like profile (issue 18): every realistic dimension of the emulator at once,
from Python (`LocalScaleway.production_like`) and from `scw-nats local serve --profile`."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scaleway_nats import NatsAPI, cli
from scaleway_nats.local import LocalScaleway, profiles
from tests.processes import reap

from .test_serve import SERVE_COMMANDS


def test_production_like_switches_every_dimension_on() -> None:
    env = LocalScaleway.production_like(seed=7)
    assert env.tls is True
    assert env.latency_ms > 0
    assert env.read_lag.window > 0  # the recorded lag, not the fixed delay
    assert env.propagation_delay == 0
    assert env.connection_max_requests == 1000
    assert env.fault_rate > 0
    assert env.fault_seed == 7
    assert env.cluster_size == 3


def test_production_like_takes_overrides() -> None:
    env = LocalScaleway.production_like(seed=7, cluster_size=1, fault_rate=0.0, max_accounts=50)
    assert (env.cluster_size, env.fault_rate, env.max_accounts) == (1, 0.0, 50)
    assert env.tls is True  # the rest of the profile stays


@pytest.mark.parametrize("seed", [-1, "7", True, 1.5])
def test_production_like_refuses_a_bad_seed(seed: Any) -> None:
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0, got"):
        LocalScaleway.production_like(seed=seed)


def test_serve_profile_keeps_the_options_given_explicitly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The CLI's merging only: the profile's settings, except where an option was given."""
    seen: dict[str, Any] = {}

    def fake_serve(state_dir: Path | None, **settings: Any) -> int:
        seen.update(settings)
        return 0

    monkeypatch.setattr("scaleway_nats.local.serve.serve", fake_serve)
    args = ["local", "serve", "--state-dir", str(tmp_path), "--profile", "production-like"]
    result = CliRunner().invoke(cli.cli, [*args, "--seed", "11", "--cluster", "1"])
    assert result.exit_code == 0, result.output
    expected = {**profiles.production_like(11), "cluster_size": 1}
    assert {k: seen[k] for k in expected} == expected


def test_serve_profile_production_like_serves_https_and_3_nodes(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*SERVE_COMMANDS["cli"], "--state-dir", str(tmp_path), "--profile", "production-like"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["api_url"].startswith("https://")
        assert info["cluster_size"] == 3
        assert all(len(nodes) == 3 for nodes in info["nodes"].values())
        settings = {k: info[k] for k in ("secret_key", "project_id", "api_url")}
        verify = ssl.create_default_context(cafile=info["ca_file"])
        with NatsAPI(**settings, verify=verify) as api:  # faults retried
            account = api.create_account()
            api.delete_account(account)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        reap(proc)
