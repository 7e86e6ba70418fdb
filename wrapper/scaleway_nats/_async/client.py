"""AsyncNatsAPI: accounts and credentials, with retries and reconciliation of creates.

Written once as async code; scripts/unasync.py generates `NatsAPI` in `_sync/client.py`.
Requests and answers are built by `operations.py` (flavour-free, on the generated client);
retries by `requester.py`; concurrency and attempt time limits by `_backend.py`.
"""

from __future__ import annotations

import copy
import datetime
import importlib.util
import os
import types
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TypeVar

import attrs
import httpx

from .. import operations as ops
from .. import rotation
from .._backend import AsyncBackend, AsyncHttpClients, Request
from .._http import build_generated_client, require_http2, shared_ssl_context
from .._page import Page
from ..config import Config, resolve_config
from ..credentials_file import CredentialsWriteError, write_target
from ..errors import AmbiguousCreateError, NotFoundError, ScalewayError
from ..facts import ACCOUNT_NAME_MAX, CREDENTIALS_NAME_MAX, PAGE_SIZE_MAX
from ..models import (
    REGIONS,
    NatsAccount,
    NatsCredentials,
    OrderBy,
    Region,
    write_secret_file,
)
from ..operations import AccountRef, CredentialsRef
from ..retry import Cleared, Clock, Created, Fresh, RetryPolicy, SystemClock, is_ambiguous
from .pagination import AsyncPager, collect_pages
from .requester import AsyncRequester

__all__ = ["PAGE_PREFETCH_WINDOW", "PAGE_PREFETCH_WINDOW_HTTP2", "AsyncNatsAPI"]

# Pages fetched concurrently after the first when iterating a list. Over HTTP/1.1 each needs
# its own connection (and TLS handshake on first use); over HTTP/2 they share one, so the
# window is wider. Both are our choice: Scaleway publishes no concurrency limit (an HTTP/2
# server advertises the streams it accepts at once, and httpx keeps under that).
PAGE_PREFETCH_WINDOW = 4
PAGE_PREFETCH_WINDOW_HTTP2 = 16

T = TypeVar("T")
Listed = TypeVar("Listed", NatsAccount, NatsCredentials)


class AsyncNatsAPI:
    """Scaleway NATS accounts and credentials. Use as a context manager.

    >>> async with AsyncNatsAPI() as api:                # settings from SCW_* / config.yaml
    ...     account = await api.create_account(name="orders")
    ...     creds = await api.create_credentials(account)
    ...     creds.write("orders.creds")

    `timeout` is the wall-clock time one attempt may take (connect to last byte), and
    `retry_policy.deadline` that of the whole call, retries included. `clock` (tests) is
    where retries read the time and sleep.

    `http2` (default: on, as `h2` is a dependency) offers HTTP/2 by ALPN on https:// URLs
    (Scaleway's API gateway speaks it; a server that does not gets HTTP/1.1, and plain
    http:// always does): requests then share one connection, so listing keeps
    `list_concurrency` pages in flight (default PAGE_PREFETCH_WINDOW_HTTP2, else
    PAGE_PREFETCH_WINDOW). Creates go over HTTP/1.1 all the same: a server recycling an
    HTTP/2 connection loses the answers in flight on it, which would make a create ambiguous
    (`_backend.CreatesApart`). The README's Performance section has the figures behind the
    default. It applies to the default transport; a `transport=` given decides for itself.
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
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | str = True,
        http2: bool | None = None,
        clock: Clock | None = None,
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
        if http2 is None:  # the default: on wherever it can be (README, Performance)
            http2 = importlib.util.find_spec("h2") is not None
        require_http2(http2)
        # HTTP/2 needs TLS here (httpx speaks cleartext HTTP/2 only when told the server does)
        # and our transport: a given one decides its protocol, so it gets the HTTP/1.1 window.
        multiplexed = http2 and transport is None and self.config.api_url.startswith("https:")
        if list_concurrency is None:
            list_concurrency = PAGE_PREFETCH_WINDOW_HTTP2 if multiplexed else PAGE_PREFETCH_WINDOW
        if list_concurrency < 1:
            raise ValueError(f"list_concurrency must be >= 1, got {list_concurrency}")
        policy = retry_policy or RetryPolicy(max_retries=max_retries)
        clock = clock or SystemClock()
        self._defaults = ops.Defaults(self.config.project_id, self.config.region)
        self._window = list_concurrency
        # what this client created lately: a 404/403 naming it may be Scaleway propagating it
        self._created = Created(policy.propagation_window, clock)
        backend = AsyncBackend(list_concurrency)
        verify_with = shared_ssl_context() if verify is True else verify
        config = self.config

        def make_client() -> httpx.AsyncClient:
            # A default transport per client: its connections belong to one event loop.
            chosen = transport or backend.default_transport(verify_with, http2)
            generated = build_generated_client(
                config, timeout=timeout, verify=verify_with, http2=http2, transport=chosen
            )
            return generated.get_async_httpx_client()

        http = AsyncHttpClients(make_client)
        self._requester = AsyncRequester(http, backend, policy, clock, timeout)

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> AsyncNatsAPI:
        """This client with other limits, sharing its connection pool and statistics.

        >>> patient = api.with_options(timeout=120, max_retries=10)

        Closing either closes the pool of both.
        """
        policy = retry_policy or self._requester.policy
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        changed = copy.copy(self)
        changed._requester = attrs.evolve(
            self._requester,
            policy=policy,
            timeout=self._requester.timeout if timeout is None else timeout,
        )
        return changed

    @property
    def region(self) -> str:
        return self.config.region

    @property
    def project_id(self) -> str | None:
        return self.config.project_id

    @property
    def stats(self) -> Mapping[str, int]:
        """Requests sent, retries and reconciliations so far."""
        return self._requester.stats.snapshot()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(api_url={self.config.api_url!r}, "
            f"region={self.config.region!r}, project_id={self.config.project_id!r})"
        )

    async def aclose(self) -> None:
        self._requester.backend.close()
        await self._requester.http.aclose()

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
        region = self._defaults.region_for(region)
        project = self._defaults.project(project_id)
        chosen = (
            ops.check_name(name, ACCOUNT_NAME_MAX)
            if name is not None
            else ops.generated_name("nats-account")
        )
        request = ops.create_account_request(region, chosen, project)
        since = _now() - ops.CLOCK_SKEW
        proven = name is None  # a generated name is unique: namesakes are ours

        async def attempt() -> NatsAccount:
            return await self._requester.fetch(request, NatsAccount.from_json)

        removed: set[str] = set()  # extras deleted: a list may show them a while longer

        async def reconcile(error: ScalewayError) -> NatsAccount | None:
            fetch = self._account_pages(project, "created_at_desc", None, region)
            recent = await collect_pages(fetch, lambda a: ops.created_since(a, since))
            recent = [a for a in recent if a.id not in removed]
            made = self._made_by_this_call(recent, chosen, proven, "create_account", error)
            if not made:
                return None  # nothing listed yet: the requester looks again, then resends
            for extra in made[1:]:  # several lost attempts all landed: ours, not needed
                await self._remove_lost(extra, self.delete_account, region)
                removed.add(extra.id)
            return made[0]  # the lost request did create it: adopt it

        account = await self._requester.retrying(attempt, idempotent=False, reconcile=reconcile)
        self._created.add(account.id, f"NATS account {account.id}", region=account.region)
        return account

    async def get_account(self, account: AccountRef, region: str | None = None) -> NatsAccount:
        region = self._defaults.region_for(region, account)
        request = ops.get_account_request(region, ops.account_id_of(account))
        return await self._idempotent(request, NatsAccount.from_json, self._fresh(region, account))

    async def update_account(
        self, account: AccountRef, name: str, region: str | None = None
    ) -> NatsAccount:
        """Rename a NATS account."""
        region = self._defaults.region_for(region, account)
        request = ops.update_account_request(
            region, ops.account_id_of(account), ops.check_name(name, ACCOUNT_NAME_MAX)
        )
        return await self._idempotent(request, NatsAccount.from_json, self._fresh(region, account))

    async def delete_account(self, account: AccountRef, region: str | None = None) -> None:
        """Delete an account with its credentials, streams and messages.

        A 404 on a retry, after an attempt that may have deleted it, counts as success.
        """
        region = self._defaults.region_for(region, account)
        request = ops.delete_account_request(region, ops.account_id_of(account))
        await self._delete(request, region, account)

    def list_accounts(
        self,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
        region: str | None = None,
    ) -> AsyncPager[NatsAccount]:
        """Every account (of `project_id`, or of the organization), fetched lazily."""
        fetch = self._account_pages(project_id, order_by, page_size, region)
        return AsyncPager(self._requester.backend, fetch, self._window)

    async def list_accounts_all_regions(
        self,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
    ) -> list[NatsAccount]:
        """Every account of every region (`REGIONS`, from the spec), region after region;
        each account's `region` says where it lives (scw's `region=all`)."""
        return await self._in_every_region(
            lambda region: self.list_accounts(project_id, order_by, page_size, region)
        )

    # credentials

    async def create_credentials(
        self,
        account: AccountRef,
        name: str | None = None,
        region: str | None = None,
        *,
        write_to: str | os.PathLike[str] | None = None,
    ) -> NatsCredentials:
        """Create credentials; the result alone carries the `.creds` content.

        `write_to` (a file, or a folder: NAME.creds inside) also writes that content, 0600,
        never replacing a file; when the write fails the credentials are deleted on the
        server (their secret would be lost) and `CredentialsWriteError` says so.
        """
        region = self._defaults.region_for(region, account)
        account_id = ops.account_id_of(account)
        chosen = (
            ops.check_name(name, CREDENTIALS_NAME_MAX)
            if name is not None
            else ops.generated_name("nats-credentials")
        )
        request = ops.create_credentials_request(region, account_id, chosen)
        since = _now() - ops.CLOCK_SKEW
        proven = name is None

        async def attempt() -> NatsCredentials:
            return await self._requester.fetch(request, NatsCredentials.from_json)

        removed: set[str] = set()  # deleted: a list may show them a while longer

        async def reconcile(error: ScalewayError) -> Cleared | None:
            # The .creds content is returned only once: credentials made by a lost request
            # are unusable, so delete them and let the create be sent again.
            fetch = self._credentials_pages(account_id, None, "created_at_desc", None, region)
            recent = await collect_pages(fetch, lambda c: ops.created_since(c, since))
            recent = [c for c in recent if c.id not in removed]
            made = self._made_by_this_call(recent, chosen, proven, "create_credentials", error)
            for credentials in made:
                await self._remove_lost(credentials, self.delete_credentials, region)
                removed.add(credentials.id)
            # Nothing listed yet: the requester looks again until the visibility window ends.
            return Cleared.CLEARED if made else None

        created = await self._requester.retrying(
            attempt,
            idempotent=False,
            reconcile=reconcile,
            fresh=self._fresh(region, account),  # a new account may not be known yet
        )
        self._created.add(
            created.id,
            f"NATS credentials {created.id}",
            parent=created.nats_account_id,
            region=created.region,
        )
        if write_to is not None:
            await self.write_creds_file(created, write_to)
        return created

    async def write_creds_file(
        self,
        created: NatsCredentials,
        write_to: str | os.PathLike[str],
        *,
        overwrite: bool = False,
    ) -> Path:
        """Write the `.creds` file of credentials just created (0600, atomically); returns
        its path. `write_to` is a file, or a folder: NAME.creds inside (NAME-ID.creds when
        taken). If the write fails, `created` is deleted on the server (Scaleway returns
        its secret only once) and CredentialsWriteError says whether that worked."""
        path = write_target(Path(write_to).expanduser(), created)
        try:
            return write_secret_file(path, created.content or "", overwrite=overwrite)
        except OSError as error:
            cleanup: ScalewayError | None = None
            try:
                await self.delete_credentials(created, created.region)
            except ScalewayError as failed:
                cleanup = failed
            raise CredentialsWriteError(path, created.id, error, cleanup) from error

    async def get_credentials(
        self, credentials: CredentialsRef, region: str | None = None
    ) -> NatsCredentials:
        region = self._defaults.region_for(region, credentials)
        request = ops.get_credentials_request(region, ops.id_of(credentials, "nats_credentials_id"))
        fresh = self._fresh(region, credentials)
        return await self._idempotent(request, NatsCredentials.from_json, fresh)

    async def delete_credentials(
        self, credentials: CredentialsRef, region: str | None = None
    ) -> None:
        """Revoke credentials: connections using them are closed.

        A 404 on a retry, after an attempt that may have deleted them, counts as success.
        """
        region = self._defaults.region_for(region, credentials)
        request = ops.delete_credentials_request(
            region, ops.id_of(credentials, "nats_credentials_id")
        )
        await self._delete(request, region, credentials)

    async def rotate_credentials(
        self,
        credentials: CredentialsRef,
        creds_file: str | os.PathLike[str],
        *,
        grace: float = rotation.DEFAULT_GRACE,
        name: str | None = None,
        region: str | None = None,
        progress: rotation.Progress = rotation.quiet,
    ) -> NatsCredentials:
        """Replace `credentials` by new ones in the same account, without downtime.

        Creates the new credentials (named `name`, default the old name), writes them
        atomically (0600) over `creds_file`, waits `grace` seconds, then deletes the old ones;
        apps connected with the file (`scaleway_nats.nats.connect`) reconnect with the new
        content. `progress` receives one line per step. Returns the new credentials. On any
        failure the file holds valid credentials and `RotationError` names what exists.
        """
        if grace < 0:
            raise ValueError(f"grace must be >= 0 seconds, got {grace}")
        path = Path(creds_file).expanduser()
        if path.is_dir():
            raise IsADirectoryError(f"creds_file {path} is a directory: give the .creds file")
        old = await self.get_credentials(credentials, region)
        region = old.region or region
        try:
            new = await self.create_credentials(old.nats_account_id, name or old.name, region)
        except ScalewayError as error:
            raise rotation.create_failed(old.id, str(path), error) from error
        progress(f"created credentials {new.id} in account {new.nats_account_id}")
        try:
            await self.write_creds_file(new, path, overwrite=True)
        except CredentialsWriteError as failed:
            raise rotation.write_failed(
                old.id, new.id, str(path), failed.error, failed.cleanup
            ) from failed.error
        progress(f"wrote {path} (mode 0600); waiting {grace:g} s before deleting {old.id}")
        await self._requester.clock.asleep(grace)
        try:
            await self.delete_credentials(old, region)
        except ScalewayError as error:
            raise rotation.delete_failed(old.id, new.id, str(path), error) from error
        progress(f"deleted old credentials {old.id}: connections using them reconnect")
        return new

    def list_credentials(
        self,
        account: AccountRef | None = None,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
        region: str | None = None,
    ) -> AsyncPager[NatsCredentials]:
        """Every credentials' metadata (of `account`, or `project_id`), fetched lazily."""
        fetch = self._credentials_pages(account, project_id, order_by, page_size, region)
        return AsyncPager(self._requester.backend, fetch, self._window)

    async def list_credentials_all_regions(
        self,
        project_id: str | None = None,
        order_by: OrderBy | None = None,
        page_size: int | None = None,
    ) -> list[NatsCredentials]:
        """Every credentials' metadata in every region (an account lives in one region, so
        this lists by project), region after region."""
        return await self._in_every_region(
            lambda region: self.list_credentials(None, project_id, order_by, page_size, region)
        )

    # helpers

    def _made_by_this_call(
        self, recent: list[ops.Made], name: str, proven: bool, operation: str, error: ScalewayError
    ) -> list[ops.Made]:
        """`ops.made_by_this_call`, remembering an ambiguous outcome's candidates as young:
        the caller reads them next, and Scaleway may not show them to a read yet."""
        try:
            return ops.made_by_this_call(recent, name, proven, operation, error)
        except AmbiguousCreateError as ambiguous:
            for candidate in ambiguous.candidates:
                if isinstance(candidate, (NatsAccount, NatsCredentials)):
                    self._remember(candidate)
            raise

    async def _in_every_region(self, listing: Callable[[str], AsyncPager[Listed]]) -> list[Listed]:
        """Every item `listing(region)` yields, for each of REGIONS in turn."""
        return [found for region in REGIONS for found in await listing(region).all()]

    async def _remove_lost(
        self,
        item: NatsAccount | NatsCredentials,
        delete: Callable[[str, str], Awaitable[None]],
        region: str,
    ) -> None:
        """Delete what a lost create made."""
        self._remember(item, region)
        await delete(item.id, region)

    def _remember(self, item: NatsAccount | NatsCredentials, region: str | None = None) -> None:
        """Take a 404 for `item` within the propagation window for Scaleway still propagating
        it: this client made it, or just saw it listed (a list may show what a read does not
        yet)."""
        parent = item.nats_account_id if isinstance(item, NatsCredentials) else None
        what = f"NATS {'credentials' if parent else 'account'} {item.id}"
        self._created.add(item.id, what, parent=parent, region=region or item.region)

    def _fresh(self, region: str, *refs: object) -> Fresh | None:
        """Whether the call names a resource this client created in `region` within the
        window (regions are separate: a 404 from another one is the truth)."""
        return self._created.fresh(*ops.ids_named(*refs), region=region)

    async def _idempotent(
        self, request: Request, parse: Callable[[object], T], fresh: Fresh | None = None
    ) -> T:
        async def attempt() -> T:
            return await self._requester.fetch(request, parse)

        return await self._requester.retrying(attempt, idempotent=True, fresh=fresh)

    async def _delete(self, request: Request, region: str, ref: object) -> None:
        maybe_done = False  # did an earlier attempt possibly delete it?

        async def attempt() -> None:
            nonlocal maybe_done
            try:
                await self._requester.send(request)
            except NotFoundError:
                if not maybe_done:
                    raise
                # Gone on a retry after an ambiguous failure: that attempt deleted it.
            except ScalewayError as error:
                maybe_done = maybe_done or is_ambiguous(error)
                raise

        await self._requester.retrying(attempt, idempotent=True, fresh=self._fresh(region, ref))
        for gone in ops.ids_named(ref):
            self._created.forget(gone)  # a 404 for it now is the truth

    def _account_pages(
        self,
        project_id: str | None,
        order_by: str | None,
        page_size: int | None,
        region: str | None,
    ) -> Callable[[int], Awaitable[Page[NatsAccount]]]:
        """Validate list arguments now; return a function fetching page n."""
        region = self._defaults.region_for(region)
        project = ops.check_id(project_id, "project_id") if project_id is not None else None
        order = ops.check_order_by(order_by)
        size = ops.check_page_size(page_size, PAGE_SIZE_MAX)

        async def fetch(number: int) -> Page[NatsAccount]:
            request = ops.list_accounts_request(
                region, project, order, ops.check_page(number), size
            )
            return await self._idempotent(
                request, lambda data: ops.account_page(data, number, size)
            )

        return fetch

    def _credentials_pages(
        self,
        account: AccountRef | None,
        project_id: str | None,
        order_by: str | None,
        page_size: int | None,
        region: str | None,
    ) -> Callable[[int], Awaitable[Page[NatsCredentials]]]:
        """Validate list arguments now; return a function fetching page n."""
        region = self._defaults.region_for(region, account)
        account_id = ops.account_id_of(account) if account is not None else None
        project = ops.check_id(project_id, "project_id") if project_id is not None else None
        order = ops.check_order_by(order_by)
        size = ops.check_page_size(page_size, PAGE_SIZE_MAX)

        async def fetch(number: int) -> Page[NatsCredentials]:
            request = ops.list_credentials_request(
                region, account_id, project, order, ops.check_page(number), size
            )
            return await self._idempotent(
                request,
                lambda data: ops.credentials_page(data, number, size),
                self._fresh(region, account),
            )

        return fetch


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
