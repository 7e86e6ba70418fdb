"""The NATS side: connect with nats-py over TLS, and natscli contexts.

Scaleway's NATS endpoints require TLS. nats-py upgrades the connection when the
server asks for it; `ca_file` is only needed when the server's certificate is not
publicly trusted (the local emulator's is signed by its own CA).
"""

from __future__ import annotations

import json
import logging
import os
import re
import ssl
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.client import RawCredentials

from .models import NatsAccount, NatsCredentials, write_secret_file

__all__ = ["connect", "context_path", "save_context", "tls_context"]

log = logging.getLogger("scaleway_nats.nats")

_CONTEXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def tls_context(ca_file: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """A verifying TLS context: the system's CAs, or only `ca_file` when given."""
    if ca_file is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=os.fspath(ca_file))


async def _log_error(error: Exception) -> None:
    # nats-py's default callback prints a traceback for every disconnect; callers see
    # failures through exceptions and `is_connected`, so keep these for -v debugging.
    log.debug("NATS connection error: %s", error)


def _endpoint(account: NatsAccount | str) -> str:
    url = account.endpoint if isinstance(account, NatsAccount) else account
    if not url:
        raise ValueError("account has no NATS endpoint")
    return url


def _user_credentials(credentials: NatsCredentials | str | os.PathLike[str]) -> Any:
    if isinstance(credentials, NatsCredentials):
        if credentials.content is None:
            raise ValueError(
                f"credentials {credentials.id} carry no .creds content (only create_credentials() "
                "returns it): pass the path of the .creds file instead"
            )
        return RawCredentials(credentials.content)  # in memory: no file needed
    return os.fspath(credentials)


async def connect(
    account: NatsAccount | str,
    credentials: NatsCredentials | str | os.PathLike[str],
    ca_file: str | os.PathLike[str] | None = None,
    **options: Any,
) -> NatsClient:
    """A connected nats-py client for `account` (or an endpoint URL), over TLS.

    `credentials` is a `NatsCredentials` fresh from create (its content is used in
    memory) or the path of a `.creds` file. Other keyword arguments go to
    `nats.connect` (defaults here: 5 s connect timeout, 3 reconnect attempts).
    """
    options.setdefault("connect_timeout", 5)
    options.setdefault("max_reconnect_attempts", 3)
    options.setdefault("name", "scaleway-nats")
    options.setdefault("error_cb", _log_error)
    return await nats.connect(
        _endpoint(account),
        user_credentials=_user_credentials(credentials),
        tls=tls_context(ca_file),
        **options,
    )


def context_path(name: str, directory: str | os.PathLike[str] | None = None) -> Path:
    """Where natscli keeps context `name` ($XDG_CONFIG_HOME/nats/context/NAME.json)."""
    if not _CONTEXT_NAME.match(name):
        raise ValueError(
            f"invalid context name {name!r}: use letters, digits, '.', '_' or '-' (max 128)"
        )
    if directory is None:
        config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        directory = Path(config_home) / "nats" / "context"
    return Path(directory) / f"{name}.json"


def save_context(
    name: str,
    account: NatsAccount | str,
    creds_file: str | os.PathLike[str],
    ca_file: str | os.PathLike[str] | None = None,
    *,
    description: str | None = None,
    directory: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a natscli context so that `nats --context NAME ...` reaches this account."""
    path = context_path(name, directory)
    creds = Path(creds_file).expanduser().resolve()
    if not creds.is_file():
        raise FileNotFoundError(f"creds file {creds} does not exist")
    label = account.name if isinstance(account, NatsAccount) else _endpoint(account)
    context = {
        "description": description or f"Scaleway NATS account {label}",
        "url": _endpoint(account),
        "creds": str(creds),
        "ca": str(Path(ca_file).expanduser().resolve()) if ca_file else "",
    }
    # The context holds a path to the secret, not the secret: 0600 all the same.
    return write_secret_file(path, json.dumps(context, indent=2) + "\n")
