"""Issue 20.3: one emulator command line, every `LocalScaleway` setting reachable from it.

`scw-nats local serve` and `python -m scaleway_nats.local` are the same click command
(scaleway_nats/local/cli.py); each of its options passes the setting of the same name, only
when given.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from scaleway_nats.cli import cli
from scaleway_nats.local import LocalScaleway
from scaleway_nats.local import cli as local_cli
from scaleway_nats.local.serve import ServeInfo

# LocalScaleway settings deliberately without an option, each with its reason.
WITHOUT_OPTION = {
    "self": "not a setting",
}


def _settings() -> list[str]:
    return [
        name
        for name in inspect.signature(LocalScaleway.__init__).parameters
        if name not in WITHOUT_OPTION
    ]


def test_every_local_scaleway_setting_has_a_serve_option() -> None:
    options = {param.name for param in local_cli.serve_command.params}
    assert [name for name in _settings() if name not in options] == []


def test_both_command_lines_are_the_same_command() -> None:
    """`scw-nats local serve` mounts the command `python -m scaleway_nats.local` runs."""
    ctx = click.Context(cli)
    group = cli.get_command(ctx, "local")
    assert isinstance(group, click.Group)
    mounted = group.get_command(ctx, "serve")
    assert mounted is not None and mounted.callback is local_cli.serve_command.callback
    module_names = {param.name for param in local_cli.serve_command.params}
    assert module_names <= {param.name for param in mounted.params}


@pytest.mark.parametrize(
    ("args", "given"),
    [
        ([], {}),
        (["--tls", "--cluster", "3"], {"tls": True, "cluster_size": 3}),
        (
            ["--propagation-delay", "0.5", "--max-streams", "2"],
            {"propagation_delay": 0.5, "max_streams": 2},
        ),
        (["--fault-rate", "0", "--read-lag-seed", "7"], {"fault_rate": 0.0, "read_lag_seed": 7}),
    ],
)
def test_only_given_settings_reach_the_emulator(
    args: list[str], given: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An option not given passes nothing: LocalScaleway's own default applies."""
    seen: dict[str, Any] = {}

    def fake_serve(state_dir: Path | None, **settings: Any) -> int:
        seen.update(settings, state_dir=state_dir)
        return 0

    monkeypatch.setattr("scaleway_nats.local.serve.serve", fake_serve)
    done = CliRunner().invoke(local_cli.serve_command, [*args, "--state-dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert seen == {**given, "state_dir": tmp_path}


def test_serve_info_round_trips_and_keeps_the_secret_out_of_its_repr() -> None:
    info = ServeInfo(
        api_url="http://127.0.0.1:1",
        secret_key="0b1c2d3e-secret",
        access_key="SCWXXXXXXXXXXXXXXXXX",
        organization_id="o",
        project_id="p",
        ca_file="/ca.pem",
        regions={"fr-par": "nats://127.0.0.1:2"},
        cluster_size=1,
        nodes={"fr-par": ["nats://127.0.0.1:2"]},
    )
    assert "pid" not in json.loads(info.to_json())  # the printed line has no pid
    assert ServeInfo.from_json(info.to_json()) == info
    assert "0b1c2d3e-secret" not in repr(info)
    with pytest.raises(ValueError, match="serve info"):
        ServeInfo.from_json(json.dumps({"api_url": "x"}))


def test_python_dash_m_shows_the_same_options() -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "scaleway_nats.local", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for param in local_cli.serve_command.params:
        assert isinstance(param, click.Option)
        assert param.opts[-1] in done.stdout
