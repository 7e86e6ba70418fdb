"""The NATS side: connect with nats-py over TLS, and natscli contexts.

Scaleway's NATS endpoints require TLS. nats-py upgrades the connection when the
server asks for it; `ca_file` is only needed when the server's certificate is not
publicly trusted (the local emulator's is signed by its own CA).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import ssl
from pathlib import Path
from typing import Any

import nats
import nats.errors
from nats.aio.client import Client as NatsClient
from nats.aio.client import RawCredentials

from .errors import NatsConnectError
from .models import NatsAccount, NatsCredentials, write_secret_file

__all__ = ["connect", "context_path", "save_context", "tls_context"]

log = logging.getLogger("scaleway_nats.nats")

_CONTEXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def tls_context(ca_file: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """A verifying TLS context: the system's CAs, or only `ca_file` when given."""
    if ca_file is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=os.fspath(ca_file))


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
    Raises NatsConnectError, naming the cause, when no connection is made.
    """
    options.setdefault("connect_timeout", 5)
    options.setdefault("max_reconnect_attempts", 3)
    options.setdefault("name", "scaleway-nats")
    url = _endpoint(account)
    errors: list[Exception] = []
    hopeless: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def remember(error: Exception) -> None:
        # Replaces nats-py's default callback, which prints a traceback per error.
        errors.append(error)
        log.debug("NATS connection error on %s: %s", url, error)
        if _is_permanent(error) and not hopeless.done():
            hopeless.set_result(None)

    options.setdefault("error_cb", remember)
    # nats-py retries a failing first connect (a TLS verification error, for one) without
    # end: stop at the first error that retrying cannot cure, or after a bounded time.
    limit = float(options["connect_timeout"]) * 2 + 5
    attempt = asyncio.ensure_future(
        nats.connect(
            url,
            user_credentials=_user_credentials(credentials),
            tls=tls_context(ca_file),
            **options,
        )
    )
    try:
        waiters: set[asyncio.Future[Any]] = {attempt, hopeless}
        await asyncio.wait(waiters, timeout=limit, return_when="FIRST_COMPLETED")
        if attempt.done():
            return attempt.result()
        failure: BaseException = errors[-1] if errors else TimeoutError(f"no answer in {limit}s")
    except (nats.errors.Error, OSError) as error:
        failure = errors[-1] if errors else error
    finally:
        if not attempt.done():
            attempt.cancel()
            with contextlib.suppress(BaseException):
                await attempt
    hint = " (pass the CA that signed the server's certificate as ca_file)"
    raise NatsConnectError(
        f"cannot connect to {url}: {type(failure).__name__}: {failure}"
        + (hint if isinstance(failure, ssl.SSLCertVerificationError) else "")
    ) from failure


def _is_permanent(error: Exception) -> bool:
    """Errors that another connection attempt would meet again."""
    return isinstance(error, ssl.SSLCertVerificationError) or "Authorization Violation" in str(
        error
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
