"""`scw-nats`: the command line. Exit codes: 0 ok, 1 API or runtime error, 2 usage error."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

from ._version import __version__
from .api import NatsAPI
from .errors import ScalewayError
from .models import ORDER_BY, REGIONS, NatsAccount, NatsCredentials
from .nats import connect, save_context
from .quickstart import StepResult, format_step, quickstart

F = TypeVar("F", bound=Callable[..., Any])

ACCOUNT_COLUMNS = ("id", "name", "region", "project_id", "endpoint", "created_at")
CREDENTIALS_COLUMNS = ("id", "name", "region", "nats_account_id", "checksum", "created_at")


@attrs.define
class State:
    """Global options, and the client built from them on first use."""

    region: str | None
    profile: str | None
    output: str
    _api: NatsAPI | None = None

    def api(self) -> NatsAPI:
        if self._api is None:
            self._api = NatsAPI(region=self.region, profile=self.profile)
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()


class _Group(click.Group):
    """Turns API errors into a one-line message and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ScalewayError, OSError, ValueError) as error:
            raise click.ClickException(str(error)) from None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _record(item: NatsAccount | NatsCredentials, show_secret: bool = False) -> dict[str, Any]:
    data = {key: _plain(value) for key, value in attrs.asdict(item).items()}
    if isinstance(item, NatsCredentials) and not show_secret:
        data.pop("content", None)
    return data


def _render(
    state: State,
    items: Iterable[NatsAccount | NatsCredentials],
    columns: Sequence[str],
    *,
    show_secret: bool = False,
) -> None:
    records = [_record(item, show_secret) for item in items]
    if state.output == "json":
        click.echo(json.dumps(records if len(records) != 1 else records[0], indent=2))
        return
    rows = [[str(record.get(column) or "") for column in columns] for record in records]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _render_list(
    state: State, items: Iterable[NatsAccount | NatsCredentials], columns: Sequence[str]
) -> None:
    if state.output == "json":
        click.echo(json.dumps([_record(item) for item in items], indent=2))
    else:
        _render(state, items, columns)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--region", type=click.Choice(REGIONS), help="Region (default: from config, else fr-par)."
)
@click.option("--profile", help="Profile of ~/.config/scw/config.yaml to use.")
@click.option(
    "-o", "--output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("-v", "--verbose", count=True, help="Log requests to stderr (-vv for debug).")
@click.version_option(__version__, prog_name="scw-nats")
@click.pass_context
def cli(
    ctx: click.Context, region: str | None, profile: str | None, output: str, verbose: int
) -> None:
    """Scaleway NATS accounts and credentials, and a local emulator of the service."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.WARNING - 10 * min(verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    state = State(region, profile, output)
    ctx.obj = state
    ctx.call_on_close(state.close)


pass_state = click.make_pass_decorator(State)


# -- accounts --------------------------------------------------------------------------------


@cli.group()
def account() -> None:
    """NATS accounts: scopes for streams, messages and credentials."""


@account.command("create")
@click.option("--name", help="Account name (generated when omitted).")
@click.option("--project-id", help="Project (default: SCW_DEFAULT_PROJECT_ID).")
@pass_state
def account_create(state: State, name: str | None, project_id: str | None) -> None:
    """Create a NATS account."""
    _render(state, [state.api().create_account(name, project_id, state.region)], ACCOUNT_COLUMNS)


@account.command("list")
@click.option("--project-id", help="Only this project's accounts.")
@click.option("--order-by", type=click.Choice(ORDER_BY), default=None)
@click.option("--page-size", type=click.IntRange(1, 100), default=None)
@pass_state
def account_list(
    state: State, project_id: str | None, order_by: Any, page_size: int | None
) -> None:
    """List every NATS account (all pages)."""
    pager = state.api().list_accounts(project_id, order_by, page_size, state.region)
    _render_list(state, pager, ACCOUNT_COLUMNS)


@account.command("get")
@click.argument("account_id")
@pass_state
def account_get(state: State, account_id: str) -> None:
    """Show one NATS account."""
    _render(state, [state.api().get_account(account_id, state.region)], ACCOUNT_COLUMNS)


@account.command("update")
@click.argument("account_id")
@click.option("--name", required=True, help="New name.")
@pass_state
def account_update(state: State, account_id: str, name: str) -> None:
    """Rename a NATS account."""
    _render(state, [state.api().update_account(account_id, name, state.region)], ACCOUNT_COLUMNS)


@account.command("delete")
@click.argument("account_id")
@pass_state
def account_delete(state: State, account_id: str) -> None:
    """Delete a NATS account with its credentials, streams and messages."""
    state.api().delete_account(account_id, state.region)
    click.echo(f"deleted NATS account {account_id}", err=True)


# -- credentials -----------------------------------------------------------------------------


@cli.group()
def credentials() -> None:
    """NATS credentials: .creds files that any NATS client connects with."""


@credentials.command("create")
@click.argument("account_id")
@click.option("--name", help="Credentials name (generated when omitted).")
@click.option(
    "--creds-file",
    type=click.Path(dir_okay=True, path_type=Path),
    help="Where to write the .creds file (default: ./NAME.creds), mode 0600.",
)
@click.option("--show-secret", is_flag=True, help="Also print the .creds content.")
@pass_state
def credentials_create(
    state: State, account_id: str, name: str | None, creds_file: Path | None, show_secret: bool
) -> None:
    """Create credentials and write their .creds file."""
    created = state.api().create_credentials(account_id, name, state.region)
    path = created.write(creds_file or Path.cwd())
    click.echo(f"wrote {path} (mode 0600)", err=True)
    _render(state, [created], CREDENTIALS_COLUMNS, show_secret=show_secret)
    if show_secret and state.output == "table" and created.content:
        click.echo(created.content)


@credentials.command("list")
@click.option("--account-id", help="Only this account's credentials.")
@click.option("--project-id", help="Only this project's credentials.")
@click.option("--order-by", type=click.Choice(ORDER_BY), default=None)
@click.option("--page-size", type=click.IntRange(1, 100), default=None)
@pass_state
def credentials_list(
    state: State,
    account_id: str | None,
    project_id: str | None,
    order_by: Any,
    page_size: int | None,
) -> None:
    """List credentials metadata (never their content)."""
    pager = state.api().list_credentials(account_id, project_id, order_by, page_size, state.region)
    _render_list(state, pager, CREDENTIALS_COLUMNS)


@credentials.command("get")
@click.argument("credentials_id")
@pass_state
def credentials_get(state: State, credentials_id: str) -> None:
    """Show credentials metadata."""
    found = state.api().get_credentials(credentials_id, state.region)
    _render(state, [found], CREDENTIALS_COLUMNS)


@credentials.command("delete")
@click.argument("credentials_id")
@pass_state
def credentials_delete(state: State, credentials_id: str) -> None:
    """Revoke credentials: their connections are closed."""
    state.api().delete_credentials(credentials_id, state.region)
    click.echo(f"deleted NATS credentials {credentials_id}", err=True)


# -- quickstart, contexts, pub/sub -----------------------------------------------------------


def _print_step(step: StepResult) -> None:
    click.secho(format_step(step), fg=None if step.ok else "red")


@cli.command("quickstart")
@click.option("--local/--scaleway", "local", default=None, help="Force the emulator or Scaleway.")
@click.option("--keep", is_flag=True, help="Keep the account, credentials and .creds file.")
@pass_state
def quickstart_command(state: State, local: bool | None, keep: bool) -> None:
    """Create an account and credentials, connect over TLS, pub/sub, JetStream, clean up."""
    result = quickstart(
        local=local, keep=keep, region=state.region, profile=state.profile, on_step=_print_step
    )
    where = "local emulator" if result.target == "local" else "Scaleway"
    if not result.ok:
        failed = result.failed_step
        raise click.ClickException(
            f"quickstart failed at '{failed.name if failed else '?'}' against {where}"
        )
    click.echo(
        f"Received {result.message!r} via {where} ({result.region}) "
        f"in {result.seconds * 1000:.0f} ms; "
        + ("resources kept" if keep else "everything created was deleted")
    )


@cli.group()
def context() -> None:
    """natscli contexts."""


@context.command("save")
@click.argument("name")
@click.option("--account-id", required=True)
@click.option("--creds", "creds_file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False))
@pass_state
def context_save(
    state: State, name: str, account_id: str, creds_file: str, ca_file: str | None
) -> None:
    """Write a natscli context so `nats --context NAME` reaches the account."""
    found = state.api().get_account(account_id, state.region)
    click.echo(str(save_context(name, found, creds_file, ca_file)))


def _connection_options(function: F) -> F:
    function = click.option("--ca-file", type=click.Path(exists=True, dir_okay=False))(function)
    function = click.option(
        "--creds", "creds_file", required=True, type=click.Path(exists=True, dir_okay=False)
    )(function)
    return click.option("-s", "--server", required=True, help="NATS URL (the account endpoint).")(
        function
    )


@cli.command("pub")
@_connection_options
@click.argument("subject")
@click.argument("message")
def pub(server: str, creds_file: str, ca_file: str | None, subject: str, message: str) -> None:
    """Publish MESSAGE on SUBJECT."""

    async def run() -> None:
        client = await connect(server, creds_file, ca_file)
        try:
            await client.publish(subject, message.encode())
            await client.flush()
        finally:
            await client.close()

    asyncio.run(run())
    click.echo(f'Published {len(message.encode())} bytes to "{subject}"', err=True)


@cli.command("sub")
@_connection_options
@click.argument("subject")
@click.option(
    "--count", type=click.IntRange(0), default=0, help="Stop after N messages (0: never)."
)
@click.option(
    "--timeout", type=click.FloatRange(0), default=0, help="Stop after S seconds (0: never)."
)
def sub(
    server: str, creds_file: str, ca_file: str | None, subject: str, count: int, timeout: float
) -> None:
    """Print messages received on SUBJECT until --count or --timeout (or Ctrl-C)."""

    async def run() -> int:
        client = await connect(server, creds_file, ca_file)
        received = 0
        try:
            subscription = await client.subscribe(subject)
            await client.flush()
            click.echo(f'Subscribing on "{subject}"', err=True)
            deadline = asyncio.get_running_loop().time() + timeout if timeout else None
            while not count or received < count:
                left = deadline - asyncio.get_running_loop().time() if deadline else 3600.0
                if left <= 0:
                    break
                try:
                    message = await subscription.next_msg(timeout=left)
                except asyncio.TimeoutError:
                    continue
                received += 1
                click.echo(f'[#{received}] Received on "{message.subject}"')
                click.echo(message.data.decode(errors="replace"))
        finally:
            await client.close()
        return received

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


# -- the local emulator ----------------------------------------------------------------------


@cli.group()
def local() -> None:
    """The local emulator of Scaleway NATS (needs the `local` extra)."""


@local.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--api-port", type=click.IntRange(0, 65535), default=0, help="0: any free port.")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--max-accounts", type=click.IntRange(1), default=10, show_default=True)
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True)
def local_serve(
    host: str, api_port: int, state_dir: Path | None, max_accounts: int, fault_rate: float
) -> None:
    """Serve the API and NATS in the foreground; print one JSON line when ready."""
    try:
        from .local.serve import serve
    except ImportError as error:
        raise click.ClickException(
            f"the emulator needs the `local` extra: pip install 'scaleway-nats[local]' ({error})"
        ) from None
    sys.exit(
        serve(
            host=host,
            api_port=api_port,
            state_dir=state_dir,
            max_accounts=max_accounts,
            fault_rate=fault_rate,
        )
    )


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="scw-nats")
