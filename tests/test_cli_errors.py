"""Issue 20.5: the CLI turns only our own errors into one-line messages; a bug keeps its
traceback (it used to become a one-line message too, when it was a ValueError or
RuntimeError, hiding where it came from)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from scaleway_nats.cli import State, cli
from scaleway_nats.errors import ConfigurationError


@pytest.mark.parametrize("bug", [ValueError, RuntimeError, KeyError, TypeError])
def test_a_bug_is_not_turned_into_a_message(
    bug: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: State, **options: Any) -> Any:
        raise bug("a bug in the CLI")

    monkeypatch.setattr(State, "api", broken)
    done = CliRunner().invoke(cli, ["account", "get", "some-id"])
    assert isinstance(done.exception, bug)  # not SystemExit(1) after a one-line message
    assert "Error: a bug in the CLI" not in done.output


def test_our_errors_are_one_line_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(self: State, **options: Any) -> Any:
        raise ConfigurationError("missing SCW_SECRET_KEY")

    monkeypatch.setattr(State, "api", refused)
    done = CliRunner().invoke(cli, ["account", "get", "some-id"])
    assert done.exit_code == 1
    assert done.output == "Error: missing SCW_SECRET_KEY\n"
