"""The NATS side: connect with nats-py over TLS, and natscli contexts.

Scaleway's NATS endpoints require TLS. nats-py upgrades the connection when the
server asks for it; a CA file is only needed when the server's certificate is not
publicly trusted (the local emulator's is signed by its own CA). It comes from the
`ca_file` argument, else from the environment variable SCW_NATS_CA_FILE (which
`eval "$(scw-nats local env)"` sets): `resolve_ca_file()` is the one place that decides.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import ssl
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._files import write_atomic
from .models import NatsAccount, NatsCredentials
from .reconnect import publish_acked, reconnecting_client

if TYPE_CHECKING:
    from nats.aio.client import Client as NatsClient

# nats-py (~60 ms to import) and the errors module (httpx) are imported where a connection is
# made, so that the CLI and `import scaleway_nats` start without them (issue 13, cold start).

__all__ = [
    "CA_FILE_ENV",
    "connect",
    "context_ca",
    "context_path",
    "needs_private_ca",
    "publish_acked",
    "refuse_existing",
    "resolve_ca_file",
    "save_context",
    "tls_context",
]

log = logging.getLogger("scaleway_nats.nats")

CA_FILE_ENV = "SCW_NATS_CA_FILE"
# Right after a create, Scaleway may not have activated new credentials on its NATS servers
# yet: its API is eventually consistent (scaleway/terraform-provider-scaleway retries reads of
# just-created mnq resources for 30 s: internal/services/mnq/helpers_mnq_retry.go). Scaleway
# publishes no figure for NATS activation: retrying an "Authorization Violation" for 10 s by
# default is our choice.
AUTHORIZATION_WAIT = 10.0
# Seconds a rotation waits between writing the new .creds file and deleting the old
# credentials (rotation.py): the same bound, for the same reason (activation of new ones).
ROTATION_GRACE = AUTHORIZATION_WAIT
_CONTEXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class _DropSslEofWarning(logging.Filter):
    """asyncio logs "returning true from eof_received() has no effect when using ssl" on
    every TLS connection nats-py closes (its protocol returns True): noise, not a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "eof_received()" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_DropSslEofWarning())


def resolve_ca_file(
    ca_file: str | os.PathLike[str] | None = None,
) -> str | os.PathLike[str] | None:
    """The CA file to trust: the argument, else $SCW_NATS_CA_FILE, else None (system CAs)."""
    if ca_file:
        return ca_file
    return os.environ.get(CA_FILE_ENV) or None


def tls_context(ca_file: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """A verifying TLS context: only the CA of `resolve_ca_file(ca_file)`, else the system's."""
    chosen = resolve_ca_file(ca_file)
    if chosen is None:
        return ssl.create_default_context()
    path = Path(chosen).expanduser()
    if not path.is_file():
        source = "ca_file" if ca_file else CA_FILE_ENV
        raise FileNotFoundError(f"CA file {path} (from {source}) does not exist")
    return ssl.create_default_context(cafile=str(path))


def needs_private_ca(url: str, timeout: float = 5.0) -> bool | None:
    """Whether the NATS server at `url` presents a certificate the system's CAs refuse.

    True: a client needs a CA file to connect; False: it does not; None: the server could
    not be reached or does not ask for TLS, so nothing can be said. NATS sends its INFO line
    in clear, then the client upgrades the same socket to TLS: this does exactly that.
    """
    parsed = urllib.parse.urlsplit(url if "://" in url else f"nats://{url}")
    host, port = parsed.hostname or "", parsed.port or 4222
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            raw.settimeout(timeout)
            info = raw.makefile("rb").readline(64 * 1024)
            if not info.startswith(b"INFO ") or b'"tls_required":true' not in info:
                return None
            with ssl.create_default_context().wrap_socket(raw, server_hostname=host):
                return False
    except ssl.SSLCertVerificationError:
        return True
    except OSError:
        return None


def _endpoint(account: NatsAccount | str) -> str:
    url = account.endpoint if isinstance(account, NatsAccount) else account
    if not url:
        from .errors import ConfigurationError  # not at the top: errors loads httpx

        raise ConfigurationError("account has no NATS endpoint")
    return url


def _user_credentials(credentials: NatsCredentials | str | os.PathLike[str]) -> Any:
    if isinstance(credentials, NatsCredentials):
        if credentials.content is None:
            from .errors import ConfigurationError

            raise ConfigurationError(
                f"credentials {credentials.id} carry no .creds content (only create_credentials() "
                "returns it): pass the path of the .creds file instead"
            )
        from nats.aio.client import RawCredentials

        return RawCredentials(credentials.content)  # in memory: no file needed
    return os.fspath(credentials)


async def connect(
    account: NatsAccount | str,
    credentials: NatsCredentials | str | os.PathLike[str],
    ca_file: str | os.PathLike[str] | None = None,
    *,
    authorization_wait: float = AUTHORIZATION_WAIT,
    **options: Any,
) -> NatsClient:
    """A connected nats-py client for `account` (or an endpoint URL), over TLS.

    `credentials` is a `NatsCredentials` fresh from create (its content is used in
    memory) or the path of a `.creds` file; the CA comes from `resolve_ca_file(ca_file)`.
    An "Authorization Violation" is retried for up to `authorization_wait` seconds
    (just-created credentials may not be active yet; 0 fails at once, e.g. to prove a
    revocation). Other keyword arguments go to `nats.connect` (defaults here: 5 s connect
    timeout, 3 reconnect attempts). Raises NatsConnectError, naming the cause and the
    attempts made, when no connection is made.
    """
    import asyncio

    from .errors import NatsConnectError, Outcome

    started = time.monotonic()
    attempts = 0
    delay = 0.1
    while True:
        attempts += 1
        try:
            return await _connect_once(account, credentials, ca_file, dict(options))
        except NatsConnectError as error:
            elapsed = time.monotonic() - started
            if not _is_authorization(error.__cause__) or elapsed + delay > authorization_wait:
                error.gave_up(Outcome(attempts, elapsed))
                raise
            log.debug("authorization refused, retrying in %.1f s (attempt %d)", delay, attempts)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


def _is_authorization(error: BaseException | None) -> bool:
    return error is not None and "authorization violation" in str(error).lower()


async def _connect_once(
    account: NatsAccount | str,
    credentials: NatsCredentials | str | os.PathLike[str],
    ca_file: str | os.PathLike[str] | None,
    options: dict[str, Any],
) -> NatsClient:
    import asyncio

    import nats.aio.client
    import nats.errors

    from .errors import NatsConnectError

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
    # A creds file can hold new credentials after a revocation (a rotation): reconnect then.
    rotating = isinstance(credentials, str | os.PathLike)
    client = reconnecting_client(options) if rotating else nats.aio.client.Client()

    creds, tls = _user_credentials(credentials), tls_context(ca_file)  # bad input: raised now

    async def connected() -> NatsClient:
        await client.connect(url, user_credentials=creds, tls=tls, **options)
        return client

    attempt = asyncio.ensure_future(connected())
    try:
        waiters: set[asyncio.Future[Any]] = {attempt, hopeless}
        await asyncio.wait(waiters, timeout=limit, return_when="FIRST_COMPLETED")
        if attempt.done():
            return attempt.result()
        failure: BaseException = _telling(errors) or TimeoutError(f"no answer in {limit}s")
    except (nats.errors.Error, OSError) as error:
        failure = _telling(errors) or error
    finally:
        if not attempt.done():
            attempt.cancel()
            with contextlib.suppress(BaseException):
                await attempt
    hint = (
        " (the server's certificate is not signed by a CA this system trusts: pass the CA file"
        f" as ca_file= in Python or --ca-file in the CLI, or set {CA_FILE_ENV}; for the local"
        ' emulator: eval "$(scw-nats local env)")'
    )
    raise NatsConnectError(
        f"cannot connect to {url}: {type(failure).__name__}: {failure}"
        + (hint if isinstance(failure, ssl.SSLCertVerificationError) else "")
    ) from failure


def _telling(errors: list[Exception]) -> Exception | None:
    """The error that explains a failed connect: a permanent one (the server's refusal comes
    before the broken pipe of the connection it closed), else the last."""
    return next((e for e in errors if _is_permanent(e)), errors[-1] if errors else None)


def _is_permanent(error: Exception) -> bool:
    """Errors that another connection attempt would meet again."""
    return isinstance(error, ssl.SSLCertVerificationError) or _is_authorization(error)


def context_path(name: str, directory: str | os.PathLike[str] | None = None) -> Path:
    """Where natscli keeps context `name` ($XDG_CONFIG_HOME/nats/context/NAME.json)."""
    if not _CONTEXT_NAME.match(name):
        from .errors import ConfigurationError

        raise ConfigurationError(
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
    force: bool = False,
) -> Path:
    """Write a natscli context so that `nats --context NAME ...` reaches this account.

    The CA is `resolve_ca_file(ca_file)`. Without one, the endpoint is probed first: when
    its certificate needs a CA this system does not trust, nothing is written and
    ValueError says why (natscli could not connect with that context). An existing context
    of that name is replaced only with `force=True` (else FileExistsError naming it).
    """
    path = context_path(name, directory)
    if not force:
        refuse_existing(path, f"natscli context {name!r}")
    creds = Path(creds_file).expanduser().resolve()
    if not creds.is_file():
        raise FileNotFoundError(f"creds file {creds} does not exist")
    url = _endpoint(account)
    label = account.name if isinstance(account, NatsAccount) else url
    context = {
        "description": description or f"Scaleway NATS account {label}",
        "url": url,
        "creds": str(creds),
        "ca": context_ca(name, url, ca_file),
    }
    # The context holds a path to the secret, not the secret: 0600 all the same.
    try:
        write_atomic(path, json.dumps(context, indent=2) + "\n", private=True, overwrite=force)
    except FileExistsError:  # it appeared since the check: still never replaced
        refuse_existing(path, f"natscli context {name!r}")
        raise
    return path


def context_ca(name: str, url: str, ca_file: str | os.PathLike[str] | None) -> str:
    """The absolute CA path a natscli context for `url` needs ("" for the system's CAs).

    Without a CA (`resolve_ca_file`), the endpoint is probed: ValueError when natscli could
    not verify its certificate with the system's CAs. Checked before anything is written.
    """
    chosen_ca = resolve_ca_file(ca_file)
    if chosen_ca is not None and not Path(chosen_ca).expanduser().is_file():
        raise FileNotFoundError(f"CA file {chosen_ca} does not exist")
    if chosen_ca is None and needs_private_ca(url):
        from .errors import ConfigurationError

        raise ConfigurationError(
            f"not saving context {name!r} without a CA: the certificate of {url} is not signed"
            " by a CA this system trusts, so natscli could not connect with it; pass --ca-file"
            f" (ca_file= in Python) or set {CA_FILE_ENV}"
        )
    return str(Path(chosen_ca).expanduser().resolve()) if chosen_ca else ""


def refuse_existing(path: Path, what: str) -> None:
    """FileExistsError naming `path` (not a temporary file) when it exists."""
    if path.exists() or path.is_symlink():
        raise FileExistsError(
            f"{what} exists at {path}: not replaced; pass force=True (--force in the CLI) "
            "to replace it"
        )
