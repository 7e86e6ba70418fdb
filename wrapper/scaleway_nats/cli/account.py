"""`scw-nats account ...`: create, list, get, update, delete, and usage (read over NATS)."""

from __future__ import annotations

from typing import Any

import click

from .._output import REGION_ALL
from ._options import ca_file_option, list_options
from ._state import ACCOUNT_COLUMNS, State, emit, pass_state, render, render_list, table

__all__ = ["account"]


@click.group()
def account() -> None:
    """NATS accounts: scopes for streams, messages and credentials."""


@account.command("create")
@click.option("--name", help="Account name (generated when omitted).")
@click.option("--project-id", help="Project (default: SCW_DEFAULT_PROJECT_ID).")
@pass_state
def account_create(state: State, name: str | None, project_id: str | None) -> None:
    """Create a NATS account."""
    render(state, [state.api().create_account(name, project_id, state.region)], ACCOUNT_COLUMNS)


@account.command("list")
@click.option("--project-id", help="Only this project's accounts.")
@list_options
@pass_state
def account_list(
    state: State, project_id: str | None, order_by: Any, page_size: int | None
) -> None:
    """List every NATS account (all pages; --region all: of every region)."""
    if state.region == REGION_ALL:
        found = state.api(any_region=True).list_accounts_all_regions(
            project_id, order_by, page_size
        )
        return render_list(state, found, ACCOUNT_COLUMNS)
    pager = state.api().list_accounts(project_id, order_by, page_size, state.region)
    render_list(state, pager, ACCOUNT_COLUMNS)


@account.command("get")
@click.argument("account_id")
@pass_state
def account_get(state: State, account_id: str) -> None:
    """Show one NATS account."""
    render(state, [state.api().get_account(account_id, state.region)], ACCOUNT_COLUMNS)


@account.command("update")
@click.argument("account_id")
@click.option("--name", required=True, help="New name.")
@pass_state
def account_update(state: State, account_id: str, name: str) -> None:
    """Rename a NATS account."""
    render(state, [state.api().update_account(account_id, name, state.region)], ACCOUNT_COLUMNS)


@account.command("delete")
@click.argument("account_id")
@pass_state
def account_delete(state: State, account_id: str) -> None:
    """Delete a NATS account with its credentials, streams and messages."""
    state.api().delete_account(account_id, state.region)
    emit(state, {"deleted": "nats_account", "id": account_id}, f"deleted NATS account {account_id}")


def _size(value: int | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit != "bytes":
        return str(value)
    return f"{value / (1024 * 1024):.1f} MiB" if value >= 1024 * 1024 else f"{value} B"


@account.command("usage")
@click.argument("account_id", required=False)
@click.option(
    "--creds-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Connect with this .creds file (default: short-lived credentials, deleted after).",
)
@ca_file_option
@pass_state
def account_usage(
    state: State, account_id: str | None, creds_file: str | None, ca_file: str | None
) -> None:
    """How much of Scaleway's quotas ACCOUNT_ID uses (every account when none is given).

    Read over NATS ($JS.API.INFO, as `nats account info`). -o json/yaml: sizes in bytes.
    """
    from ..usage import usage_of

    api = state.api()
    if account_id is None and creds_file is not None:
        raise click.UsageError("--creds-file belongs to one account: give ACCOUNT_ID too")
    accounts = (
        [api.get_account(account_id, state.region)]
        if account_id
        else api.list_accounts(region=state.region).all()
    )
    found = [
        usage_of(api, account, creds_file, ca_file, say=lambda line: click.echo(line, err=True))
        for account in accounts
    ]
    if state.structured:
        records: Any = [usage.as_json() for usage in found]
        click.echo(state.dump(records[0] if account_id else records))
        return
    rows = [
        [
            usage.account_id,
            quota.name,
            _size(quota.used, quota.unit),
            _size(quota.limit, quota.unit),
            "-" if quota.percent is None else f"{quota.percent:.1f}%",
        ]
        for usage in found
        for quota in usage.quotas
    ]
    table(("account", "quota", "used", "limit", "percent"), rows)
