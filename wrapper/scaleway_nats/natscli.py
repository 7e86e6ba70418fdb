"""natscli in one step: credentials, their `.creds` file and a natscli context, at once.

Better than scw's `mnq nats create-context` (scaleway-cli custom_nats.go) on each point
issue 21 lists: no prompt (one account is taken without asking; several are listed in the
error), the context name is used, the context names the CA when the server needs one (the
emulator's), nothing existing is replaced without `force`, and the new credentials are deleted
when anything after their creation fails, so no valid secret is left behind unknown.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ._files import write_atomic
from .errors import ConfigurationError, ScalewayError
from .models import NatsAccount, NatsCredentials
from .nats import context_ca, context_path, refuse_existing, save_context

if TYPE_CHECKING:
    from .api import NatsAPI

__all__ = [
    "ContextCreateError",
    "NatsContext",
    "create_context",
    "select_context",
    "selected_context_file",
]


class ContextCreateError(ScalewayError):
    """A step after creating the credentials failed; the message says what was undone."""


@attrs.frozen
class NatsContext:
    """What `create_context` wrote: the context file, the `.creds` file and the credentials
    (their secret hidden from repr)."""

    name: str
    path: Path
    creds_file: Path
    credentials: NatsCredentials
    account: NatsAccount
    selected: bool


def selected_context_file(directory: str | os.PathLike[str] | None = None) -> Path:
    """natscli's record of the current context: nats/context.txt beside nats/context/."""
    return context_path("x", directory).parent.parent / "context.txt"


def select_context(name: str, directory: str | os.PathLike[str] | None = None) -> Path:
    """Make context `name` natscli's current one (`nats context select NAME`)."""
    context_path(name, directory)  # validates the name
    path = selected_context_file(directory)
    write_atomic(path, name)
    return path


def _only_account(api: NatsAPI) -> NatsAccount:
    accounts = api.list_accounts().all()
    if len(accounts) == 1:
        return accounts[0]
    if not accounts:
        raise ConfigurationError("no NATS account in this project: create one, or pass ACCOUNT_ID")
    listed = ", ".join(f"{a.id} ({a.name})" for a in accounts[:10])
    raise ConfigurationError(f"{len(accounts)} NATS accounts: pass ACCOUNT_ID, one of {listed}")


def create_context(
    api: NatsAPI,
    account: NatsAccount | str | None = None,
    name: str | None = None,
    *,
    creds_file: str | os.PathLike[str] | None = None,
    ca_file: str | os.PathLike[str] | None = None,
    credentials_name: str | None = None,
    select: bool = False,
    force: bool = False,
    directory: str | os.PathLike[str] | None = None,
) -> NatsContext:
    """Create credentials in `account` and a natscli context `name` that uses them.

    `account`: an account or its id; None takes the project's only account (ValueError
    listing them when there are several). `name`: the context's, default the account's.
    The `.creds` file (0600) goes to `creds_file`, default NAME.creds beside the context;
    the CA follows `save_context`'s rule. Existing files are replaced only with `force`;
    everything is checked before the credentials are created, and they are deleted (with
    the files written) if a later step fails. `select`: make it natscli's current context.
    """
    chosen = (
        _only_account(api)
        if account is None
        else account
        if isinstance(account, NatsAccount)
        else api.get_account(account)
    )
    name = name or chosen.name
    path = context_path(name, directory)  # ValueError on a name natscli cannot take
    creds = Path(creds_file).expanduser() if creds_file else path.with_suffix(".creds")
    if creds.is_dir():
        raise IsADirectoryError(f"creds_file {creds} is a directory: give a file path")
    if not force:
        refuse_existing(path, f"natscli context {name!r}")
        refuse_existing(creds, "creds file")
    context_ca(name, chosen.endpoint, ca_file)  # fails now, before anything is created
    created = api.create_credentials(chosen, credentials_name)
    written: list[Path] = []
    try:
        write_atomic(creds, created.content or "", private=True, overwrite=force)
        written.append(creds)
        save_context(name, chosen, creds, ca_file, directory=directory, force=force)
        written.append(path)
        if select:
            select_context(name, directory)
    except Exception as error:
        note = _undo(api, created, written)
        raise ContextCreateError(f"{error}; {note}") from error
    except BaseException:  # Ctrl-C: undo all the same
        _undo(api, created, written)
        raise
    return NatsContext(name, path, creds.resolve(), created, chosen, select)


def _undo(api: NatsAPI, created: NatsCredentials, written: list[Path]) -> str:
    """Delete what create_context made; return a sentence saying what was undone."""
    for path in written:
        with contextlib.suppress(OSError):
            path.unlink()
    try:
        api.delete_credentials(created)
    except ScalewayError as cleanup:
        return (
            f"deleting credentials {created.id} failed too ({cleanup}): their secret is lost,"
            f" delete them with `scw-nats credentials delete {created.id}`"
        )
    return f"credentials {created.id} were deleted again; nothing was kept"
