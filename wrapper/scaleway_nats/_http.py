"""What both clients build their HTTP layer from: the generated client, TLS, User-Agent.

Flavour-free (no I/O); `_backend.py` sends, `_async/` and `_sync/` hold the clients.
"""

from __future__ import annotations

import functools
import importlib.util
import ssl
from typing import Any

import certifi
import httpx

from scaleway_nats_api.client import AuthenticatedClient

from ._version import __version__
from .config import Config
from .errors import ConfigurationError

__all__ = ["USER_AGENT", "GeneratedClient", "build_generated_client", "shared_ssl_context"]

USER_AGENT = f"scaleway-nats/{__version__} (+python; httpx/{httpx.__version__})"


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying context per process: httpx builds one per client otherwise (~30 ms each,
    loading the certifi bundle), which dominated short-lived clients such as the CLI's."""
    return ssl.create_default_context(cafile=certifi.where())


class GeneratedClient(AuthenticatedClient):
    """The generated client, with a repr that keeps the secret key out.

    The generated attrs repr prints `token` and the headers (X-Auth-Token included, once the
    httpx client exists): the secret key would show in any traceback, debugger or log that
    formats the object (found by tests/reliability/test_secrets.py).
    """

    def __repr__(self) -> str:
        return f"AuthenticatedClient(base_url={self._base_url!r})"


def require_http2(http2: bool) -> None:
    """HTTP/2 needs the `h2` package (httpx's `http2` extra): say so before anything is built."""
    if http2 and importlib.util.find_spec("h2") is None:
        raise ConfigurationError("http2=True needs the 'h2' package: pip install 'httpx[http2]'")


def build_generated_client(
    config: Config,
    *,
    timeout: float,
    verify: ssl.SSLContext | str | bool,
    http2: bool,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
) -> GeneratedClient:
    """The generated client, authenticated with the secret key, over `transport`."""
    httpx_args: dict[str, Any] = {"http2": http2}
    if transport is not None:
        httpx_args["transport"] = transport
    return GeneratedClient(
        base_url=config.api_url,
        token=config.secret_key or "",
        prefix="",
        auth_header_name="X-Auth-Token",
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(timeout),
        verify_ssl=verify,
        httpx_args=httpx_args,
    )
