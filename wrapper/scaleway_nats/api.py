"""NatsAPI and AsyncNatsAPI: the clients people use.

Both are thin: each method validates nothing itself, but runs the flow that
`operations.Operations` builds for it, with a sync or async runner (see _runtime).
"""

from __future__ import annotations

import functools
import ssl
import types
from collections.abc import Mapping
from typing import Any

import certifi
import httpx

from scaleway_nats_api.client import AuthenticatedClient

from ._deadline import deadline_transport
from ._runtime import AsyncRunner, SyncRunner
from ._version import __version__
from .config import Config, resolve_config
from .models import NatsAccount, NatsCredentials, OrderBy, Region
from .operations import AccountRef, CredentialsRef, Operations
from .pagination import AsyncPager, Pager
from .retry import RetryPolicy

__all__ = ["AsyncNatsAPI", "NatsAPI"]

# Pages fetched at once when iterating a list. Over HTTP/1.1 each needs its own connection (and
# TLS handshake on first use); over HTTP/2 they share one, so the window can be wider. Both are
# our choice: Scaleway publishes no concurrency limit (its HTTP/2 gateway advertises the
# number of streams it accepts, and httpx keeps under it).
LIST_CONCURRENCY_HTTP1 = 4
LIST_CONCURRENCY_HTTP2 = 16

USER_AGENT = f"scaleway-nats/{__version__} (+python; httpx/{httpx.__version__})"


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    """One verifying context per process: httpx builds one per client otherwise (~30 ms each,
    loading the certifi bundle), which dominated short-lived clients such as the CLI's."""
    return ssl.create_default_context(cafile=certifi.where())


class _Client(AuthenticatedClient):
    """The generated client, with a repr that keeps the secret key out.

    The generated attrs repr prints `token` and the headers (X-Auth-Token included, once the
    httpx client exists): the secret key would show in any traceback, debugger or log that
    formats the object (found by tests/reliability/test_secrets.py).
    """

    def __repr__(self) -> str:
        return f"AuthenticatedClient(base_url={self._base_url!r})"


class _Base:
    """Configuration, retry policy and the generated client both flavours share.

    `timeout` is the wall-clock time one attempt may take (connect to last byte), and
    `retry_policy.deadline` that of the whole call, retries included.

    `http2` (default True) offers HTTP/2 by ALPN on https:// URLs (Scaleway's API gateway
    speaks it; a server that does not gets HTTP/1.1, and plain http:// always does): requests
    then share one connection, so listing fetches `list_concurrency` pages at once (default 16
    on HTTP/2, 4 otherwise: each then needs its own connection). The README's Performance
    section has the figures behind the default. It applies to the default transport; a
    `transport=` given decides for itself.
    """

    def __init__(
        self,
        secret_key: str | None = None,
        project_id: str | None = None,
        region: Region | str | None = None,
        api_url: str | None = None,
        profile: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        *,
        config: Config | None = None,
        retry_policy: RetryPolicy | None = None,
        list_concurrency: int | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        verify: bool | str | ssl.SSLContext = True,
        http2: bool = True,
    ) -> None:
        if config is None:
            config = resolve_config(
                secret_key=secret_key,
                project_id=project_id,
                region=region,
                api_url=api_url,
                profile=profile,
            )
        self.config = config.require_credentials()
        # HTTP/2 needs TLS here (httpx speaks cleartext HTTP/2 only when told the server does),
        # and our transport: a given one decides its protocol, so it gets the HTTP/1.1 window.
        multiplexed = http2 and transport is None and self.config.api_url.startswith("https:")
        if list_concurrency is None:
            list_concurrency = LIST_CONCURRENCY_HTTP2 if multiplexed else LIST_CONCURRENCY_HTTP1
        if list_concurrency < 1:
            raise ValueError(f"list_concurrency must be >= 1, got {list_concurrency}")
        self._window = list_concurrency
        self.http2 = http2
        policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self._operations = Operations(
            project_id=self.config.project_id, region=self.config.region, policy=policy
        )
        self._timeout = timeout
        verify_with = _shared_ssl_context() if verify is True else verify
        httpx_args: dict[str, Any] = {"http2": http2}
        transport = transport or self._default_transport(verify_with, http2)
        if transport is not None:
            httpx_args["transport"] = transport
        self._client = _Client(
            base_url=self.config.api_url,
            token=self.config.secret_key or "",
            prefix="",
            auth_header_name="X-Auth-Token",
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(timeout),
            verify_ssl=verify_with,
            httpx_args=httpx_args,
        )

    def _default_transport(
        self, verify: ssl.SSLContext | str | bool, http2: bool
    ) -> httpx.BaseTransport | httpx.AsyncBaseTransport | None:
        """The transport when none is given (None: httpx's default, given `http2`)."""
        return None

    @property
    def region(self) -> str:
        return self.config.region

    @property
    def project_id(self) -> str | None:
        return self.config.project_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(api_url={self.config.api_url!r}, "
            f"region={self.config.region!r}, project_id={self.config.project_id!r})"
        )


class NatsAPI(_Base):
    """Scaleway NATS accounts and credentials (sync). Use as a context manager.

    >>> with NatsAPI() as api:                          # settings from SCW_* / config.yaml
    ...     account = api.create_account(name="orders")
    ...     creds = api.create_credentials(account)
    ...     creds.write("orders.creds")
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runner = SyncRunner(
            self._client.get_httpx_client(),
            max_workers=self._window,
            attempt_timeout=self._timeout,
        )

    def _default_transport(
        self, verify: ssl.SSLContext | str | bool, http2: bool
    ) -> httpx.BaseTransport:
        # Sockets bounded by each attempt's time limit: threads cannot be cancelled.
        return deadline_transport(verify, http2=http2)

    @property
    def stats(self) -> Mapping[str, int]:
        """Requests sent, retries and reconciliations so far."""
        return dict(self._runner.stats)

    def close(self) -> None:
        self._runner.close()
        self._client.get_httpx_client().close()

    def __enter__(self) -> NatsAPI:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        self.close()

    # accounts

    def create_account(
        self, name: str | None = None, project_id: str | None = None, region: str | None = None
    ) -> NatsAccount:
        """Create a NATS account (a name is generated when none is given)."""
        return self._runner.run(self._operations.create_account(name, project_id, region))

    def get_account(self, account: AccountRef, region: str | None = None) -> NatsAccount:
        return self._runner.run(self._operations.get_account(account, region))

    def update_account(
        self, account: AccountRef, name: str, region: str | None = None
    ) -> NatsAccount:
        """Rename a NATS account."""
        return self._runner.run(self._operations.update_account(account, name, region))

    def delete_account(self, account: AccountRef, region: str | None = None) -> None:
        """Delete an account with its credentials, streams and messages.

        A 404 on a retry, after an attempt that may have deleted it, counts as success.
        """
        self._runner.run(self._operations.delete_account(account, region))

    def list_accounts(
        self,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
        region: str | None = None,
    ) -> Pager[NatsAccount]:
        """Every account (of `project_id`, or of the organization), fetched lazily."""
        fetch = self._operations.account_page_fetcher(project_id, order_by, page_size, region)
        return Pager(self._runner, fetch, self._window)

    # credentials

    def create_credentials(
        self, account: AccountRef, name: str | None = None, region: str | None = None
    ) -> NatsCredentials:
        """Create credentials; the result alone carries the `.creds` content."""
        return self._runner.run(self._operations.create_credentials(account, name, region))

    def get_credentials(
        self, credentials: CredentialsRef, region: str | None = None
    ) -> NatsCredentials:
        return self._runner.run(self._operations.get_credentials(credentials, region))

    def delete_credentials(self, credentials: CredentialsRef, region: str | None = None) -> None:
        """Revoke credentials: connections using them are closed.

        A 404 on a retry, after an attempt that may have deleted them, counts as success.
        """
        self._runner.run(self._operations.delete_credentials(credentials, region))

    def list_credentials(
        self,
        account: AccountRef | None = None,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
        region: str | None = None,
    ) -> Pager[NatsCredentials]:
        """Every credentials' metadata (of `account`, or `project_id`), fetched lazily."""
        fetch = self._operations.credentials_page_fetcher(
            account, project_id, order_by, page_size, region
        )
        return Pager(self._runner, fetch, self._window)


class AsyncNatsAPI(_Base):
    """Scaleway NATS accounts and credentials (asyncio). Use as an async context manager."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runner = AsyncRunner(
            self._client.get_async_httpx_client(), attempt_timeout=self._timeout
        )

    @property
    def stats(self) -> Mapping[str, int]:
        """Requests sent, retries and reconciliations so far."""
        return dict(self._runner.stats)

    async def aclose(self) -> None:
        await self._client.get_async_httpx_client().aclose()

    async def __aenter__(self) -> AsyncNatsAPI:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        await self.aclose()

    # accounts

    async def create_account(
        self, name: str | None = None, project_id: str | None = None, region: str | None = None
    ) -> NatsAccount:
        """Create a NATS account (a name is generated when none is given)."""
        return await self._runner.run(self._operations.create_account(name, project_id, region))

    async def get_account(self, account: AccountRef, region: str | None = None) -> NatsAccount:
        return await self._runner.run(self._operations.get_account(account, region))

    async def update_account(
        self, account: AccountRef, name: str, region: str | None = None
    ) -> NatsAccount:
        """Rename a NATS account."""
        return await self._runner.run(self._operations.update_account(account, name, region))

    async def delete_account(self, account: AccountRef, region: str | None = None) -> None:
        """Delete an account with its credentials, streams and messages.

        A 404 on a retry, after an attempt that may have deleted it, counts as success.
        """
        await self._runner.run(self._operations.delete_account(account, region))

    def list_accounts(
        self,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
        region: str | None = None,
    ) -> AsyncPager[NatsAccount]:
        """Every account (of `project_id`, or of the organization), fetched lazily."""
        fetch = self._operations.account_page_fetcher(project_id, order_by, page_size, region)
        return AsyncPager(self._runner, fetch, self._window)

    # credentials

    async def create_credentials(
        self, account: AccountRef, name: str | None = None, region: str | None = None
    ) -> NatsCredentials:
        """Create credentials; the result alone carries the `.creds` content."""
        return await self._runner.run(self._operations.create_credentials(account, name, region))

    async def get_credentials(
        self, credentials: CredentialsRef, region: str | None = None
    ) -> NatsCredentials:
        return await self._runner.run(self._operations.get_credentials(credentials, region))

    async def delete_credentials(
        self, credentials: CredentialsRef, region: str | None = None
    ) -> None:
        """Revoke credentials: connections using them are closed.

        A 404 on a retry, after an attempt that may have deleted them, counts as success.
        """
        await self._runner.run(self._operations.delete_credentials(credentials, region))

    def list_credentials(
        self,
        account: AccountRef | None = None,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
        region: str | None = None,
    ) -> AsyncPager[NatsCredentials]:
        """Every credentials' metadata (of `account`, or `project_id`), fetched lazily."""
        fetch = self._operations.credentials_page_fetcher(
            account, project_id, order_by, page_size, region
        )
        return AsyncPager(self._runner, fetch, self._window)
