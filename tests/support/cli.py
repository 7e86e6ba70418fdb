"""The scw-nats CLI run in-process (click's runner), as the CLI tests drive it."""

from __future__ import annotations

from click.testing import CliRunner, Result

from scaleway_nats.cli import cli


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """`scw-nats ARGS...` in this process; `env` adds to (or, None values, removes from) the
    environment for the call only."""
    return CliRunner().invoke(cli, list(args), env=env)
