"""`scw-nats credentials ...`: create (with its .creds file), list, get, delete, rotate."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._output import REGION_ALL
from ..models import MAX_FILE_NAME_BYTES, creds_file_name
from ..nats import ROTATION_GRACE
from ._options import list_options
from ._state import CREDENTIALS_COLUMNS, State, emit, pass_state, render, render_list

if TYPE_CHECKING:
    from ..credentials_file import CredentialsWriteError

__all__ = ["credentials"]


@click.group()
def credentials() -> None:
    """NATS credentials: .creds files that any NATS client connects with."""


def _writable_folder(folder: Path) -> None:
    """Fail now (before anything is created) unless a file can be written in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".scw-nats-check-"):
        pass


def _creds_target(creds_file: Path | None, name: str | None) -> Path:
    """Where the .creds file goes, checked before the create: a file path, or a folder when
    the file name is only known once the server has named the credentials."""
    chosen = creds_file if creds_file is not None else Path.cwd()
    if chosen.is_dir():
        _writable_folder(chosen)
        if name is None:
            return chosen
        chosen = chosen / creds_file_name(name)
    if len(chosen.name.encode()) > MAX_FILE_NAME_BYTES:
        raise click.BadParameter(
            f"file name longer than {MAX_FILE_NAME_BYTES} bytes", param_hint="'--creds-file'"
        )
    if chosen.exists():
        raise click.BadParameter(
            f"{chosen} exists: choose another path or remove it (it may hold another secret)",
            param_hint="'--creds-file'",
        )
    _writable_folder(chosen.parent)
    return chosen


@credentials.command("create")
@click.argument("account_id")
@click.option("--name", help="Credentials name (generated when omitted).")
@click.option(
    "--creds-file",
    type=click.Path(dir_okay=True, path_type=Path),
    help="Where to write the .creds file (a file, or a folder: default ./NAME.creds), mode 0600.",
)
@click.option("--show-secret", is_flag=True, help="Also print the .creds content.")
@pass_state
def credentials_create(
    state: State, account_id: str, name: str | None, creds_file: Path | None, show_secret: bool
) -> None:
    """Create credentials and write their .creds file (the path is checked first)."""
    from ..credentials_file import CredentialsWriteError  # with the client: not for --help

    target = _creds_target(creds_file, name)
    api = state.api()
    created = api.create_credentials(account_id, name, state.region)
    # The SDK deletes the credentials again when the file cannot be written (their secret
    # would be lost) and never replaces a file that appeared since the check above.
    try:
        path = api.write_creds_file(created, target)
    except CredentialsWriteError as failed:
        raise click.ClickException(_write_failed(failed)) from None
    click.echo(f"wrote {path} (mode 0600)", err=True)
    render(state, [created], CREDENTIALS_COLUMNS, show_secret=show_secret)
    if show_secret and not state.structured and created.content:
        click.echo(created.content)


def _write_failed(failed: CredentialsWriteError) -> str:
    """The SDK's outcome in the CLI's words: which option to change, which command to run."""
    reason = failed.error.strerror or failed.error
    if failed.cleanup is not None:
        return (
            f"cannot write {failed.path} ({reason}); deleting credentials "
            f"{failed.resource_id} on the server failed too ({failed.cleanup}): their secret "
            f"is lost, delete them with `scw-nats credentials delete {failed.resource_id}`"
        )
    return (
        f"cannot write {failed.path} ({reason}): credentials {failed.resource_id} deleted on "
        "the server, nothing created; retry with another --creds-file or once fixed"
    )


@credentials.command("list")
@click.argument("account_id", required=False)
@click.option("--account-id", "account_option", help="Same as ACCOUNT_ID.")
@click.option("--project-id", help="Only this project's credentials.")
@list_options
@pass_state
def credentials_list(
    state: State,
    account_id: str | None,
    account_option: str | None,
    project_id: str | None,
    order_by: Any,
    page_size: int | None,
) -> None:
    """List credentials metadata (never their content), of ACCOUNT_ID when given."""
    if account_id and account_option and account_id != account_option:
        raise click.UsageError("ACCOUNT_ID and --account-id differ: give one of them")
    chosen = account_id or account_option
    if state.region == REGION_ALL:
        if chosen:
            raise click.UsageError(
                "--region all lists every region's credentials by project: drop ACCOUNT_ID, "
                "or give the account's region"
            )
        # By project, as an account lives in one region.
        found = state.api(any_region=True).list_credentials_all_regions(project_id, order_by)
        return render_list(state, found, CREDENTIALS_COLUMNS)
    pager = state.api().list_credentials(chosen, project_id, order_by, page_size, state.region)
    render_list(state, pager, CREDENTIALS_COLUMNS)


@credentials.command("get")
@click.argument("credentials_id")
@pass_state
def credentials_get(state: State, credentials_id: str) -> None:
    """Show credentials metadata."""
    found = state.api().get_credentials(credentials_id, state.region)
    render(state, [found], CREDENTIALS_COLUMNS)


@credentials.command("delete")
@click.argument("credentials_id")
@pass_state
def credentials_delete(state: State, credentials_id: str) -> None:
    """Revoke credentials: their connections are closed."""
    state.api().delete_credentials(credentials_id, state.region)
    emit(
        state,
        {"deleted": "nats_credentials", "id": credentials_id},
        f"deleted NATS credentials {credentials_id}",
    )


@credentials.command("rotate")
@click.argument("credentials_id")
@click.option(
    "--creds-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .creds file apps connect with: replaced atomically (0600) by the new one.",
)
@click.option(
    "--grace",
    type=click.FloatRange(0, 3600),
    default=ROTATION_GRACE,
    show_default=True,
    help="Seconds between writing the new file and deleting the old credentials.",
)
@click.option("--name", help="Name of the new credentials (default: the old ones').")
@pass_state
def credentials_rotate(
    state: State, credentials_id: str, creds_file: Path, grace: float, name: str | None
) -> None:
    """Replace credentials by new ones in the same account, without downtime.

    Progress goes to stderr; with -o json/yaml the new credentials' id goes to stdout.
    """
    new = state.api().rotate_credentials(
        credentials_id,
        creds_file,
        grace=grace,
        name=name,
        region=state.region,
        progress=lambda line: click.echo(line, err=True),
    )
    data = {"id": new.id, "replaced": credentials_id, "creds_file": str(creds_file)}
    emit(state, data, f"rotated {credentials_id} -> {new.id} ({creds_file})", err=False)
