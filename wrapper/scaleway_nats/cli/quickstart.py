"""`scw-nats quickstart`: the first hour in one command, against the emulator or Scaleway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import click

from ._options import ca_file_option
from ._state import State, pass_state

if TYPE_CHECKING:
    from ..quickstart import QuickstartResult, StepResult

__all__ = ["quickstart_command"]


def _quickstart_json(result: QuickstartResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "target": result.target,
        "where": result.where,
        "region": result.region,
        "message": result.message,
        "seconds": round(result.seconds, 4),
        "account_id": result.account.id if result.account else None,
        "credentials_file": str(result.credentials_file) if result.credentials_file else None,
        "steps": [attrs.asdict(step) for step in result.steps],
    }


@click.command("quickstart")
@click.option("--local/--scaleway", "local", default=None, help="Force the emulator or Scaleway.")
@click.option("--keep", is_flag=True, help="Keep the account, credentials and .creds file.")
@ca_file_option
@pass_state
def quickstart_command(state: State, local: bool | None, keep: bool, ca_file: str | None) -> None:
    """Create an account and credentials, connect over TLS, pub/sub, JetStream, clean up."""
    from ..quickstart import format_step, quickstart

    def print_step(step: StepResult) -> None:  # with -o json, progress goes to stderr
        click.secho(format_step(step), fg=None if step.ok else "red", err=state.structured)

    result = quickstart(
        local=local,
        keep=keep,
        region=state.region,
        profile=state.profile,
        ca_file=ca_file,
        on_step=print_step,
    )
    if state.structured:
        click.echo(state.dump(_quickstart_json(result)))
    if not result.ok:
        failed = result.failed_step
        raise click.ClickException(
            f"quickstart failed at '{failed.name if failed else '?'}' against {result.where}"
        )
    if not state.structured:
        kept = f"kept account {result.account.id if result.account else '?'}"
        if result.credentials_file:
            kept += f" and {result.credentials_file}"
        click.echo(
            f"Received {result.message!r} via {result.where} ({result.region}) "
            f"in {result.seconds * 1000:.0f} ms; "
            + (kept if keep else "everything created was deleted")
        )
