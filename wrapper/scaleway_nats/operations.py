"""The nine API operations as flows (see _runtime), on top of the generated client.

Requests are built by the generated modules' `_get_kwargs` (paths, query, bodies), so a
spec change reaches this layer through regeneration. Answers are parsed straight into
the wrapper's models: the generated models' dateutil parsing cost 45% of the client's
CPU when listing (scripts/bench.py). Added here: argument validation before sending,
retries, reconciliation of creates.
"""

from __future__ import annotations

import datetime
import re
import secrets
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from scaleway_nats_api.api.nats_accounts import (
    create_nats_account,
    delete_nats_account,
    get_nats_account,
    list_nats_accounts,
    update_nats_account,
)
from scaleway_nats_api.api.nats_credentials import (
    create_nats_credentials,
    delete_nats_credentials,
    get_nats_credentials,
    list_nats_credentials,
)
from scaleway_nats_api.models import (
    CreateNatsAccountBody,
    CreateNatsAccountRegion,
    CreateNatsCredentialsBody,
    CreateNatsCredentialsRegion,
    DeleteNatsAccountRegion,
    DeleteNatsCredentialsRegion,
    GetNatsAccountRegion,
    GetNatsCredentialsRegion,
    ListNatsAccountsOrderBy,
    ListNatsAccountsRegion,
    ListNatsCredentialsOrderBy,
    ListNatsCredentialsRegion,
    UpdateNatsAccountBody,
    UpdateNatsAccountRegion,
)
from scaleway_nats_api.types import UNSET

from ._runtime import Flow
from .errors import InvalidArgumentsError, NotFoundError, ScalewayError
from .models import ORDER_BY, REGIONS, NatsAccount, NatsCredentials
from .pagination import Page, collect_pages
from .retry import RetryPolicy, is_ambiguous, retrying, send

__all__ = ["MAX_PAGE_SIZE", "Operations"]

MAX_PAGE_SIZE = 100  # Scaleway's maximum page_size
MAX_NAME_LENGTH = 255
# How far the server's clock may trail ours when recognising our own lost create.
CLOCK_SKEW = datetime.timedelta(minutes=2)

T = TypeVar("T")
AccountRef = NatsAccount | str
CredentialsRef = NatsCredentials | str


# -- validation: every argument is checked before anything is sent -----------------------


def check_region(region: str, argument: str = "region") -> str:
    if region not in REGIONS:
        raise InvalidArgumentsError.single(
            argument, f"unknown region {region!r}; allowed: {', '.join(REGIONS)}"
        )
    return region


def check_id(value: object, argument: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentsError.single(
            argument, f"must be a UUID string or a model, got {type(value).__name__}"
        )
    try:
        uuid.UUID(value)
    except ValueError:
        raise InvalidArgumentsError.single(argument, f"{value!r} is not a UUID") from None
    return value


# A NATS account id is the account's NKEY public key: 56 characters of upper-case base32
# starting with "A" (e.g. ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3 in
# scaleway/terraform-provider-scaleway internal/services/mnq/testdata/
# nats-credentials-basic.cassette.yaml). Scaleway answers a wrong length with "value length
# must be 56 runes"; no further check (e.g. the NKEY CRC) is known to happen server-side.
ACCOUNT_ID_LENGTH = 56
_ACCOUNT_ID = re.compile(r"A[A-Z2-7]{55}")


def check_account_id(value: object, argument: str = "nats_account_id") -> str:
    if not isinstance(value, str):
        raise InvalidArgumentsError.single(
            argument, f"must be an account id string or a model, got {type(value).__name__}"
        )
    if len(value) != ACCOUNT_ID_LENGTH:
        raise InvalidArgumentsError.single(
            argument,
            f"must be a NATS account id of {ACCOUNT_ID_LENGTH} characters, got {len(value)}",
        )
    if not _ACCOUNT_ID.fullmatch(value):
        raise InvalidArgumentsError.single(
            argument,
            f"{value!r} is not a NATS account id (upper-case base32 starting with 'A')",
        )
    return value


def check_name(value: object, argument: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentsError.single(argument, "must be a non-empty string")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidArgumentsError.single(
            argument, f"must be at most {MAX_NAME_LENGTH} characters, got {len(value)}"
        )
    return value


def check_order_by(value: str | None) -> str:
    if value is None:
        return "created_at_asc"
    if value not in ORDER_BY:
        raise InvalidArgumentsError.single(
            "order_by", f"unknown order {value!r}; allowed: {', '.join(ORDER_BY)}"
        )
    return value


def check_page_size(value: int | None, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidArgumentsError.single(
            "page_size", f"must be an integer from 1 to {MAX_PAGE_SIZE}, got {value!r}"
        )
    return value


def check_page(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentsError.single("page", f"must be an integer >= 1, got {value!r}")
    return value


def generated_name(kind: str) -> str:
    """A unique default name: it lets a create that lost its answer find its result."""
    return f"{kind}-{secrets.token_hex(4)}"


# -- the operations -------------------------------------------------------------------------


@attrs.frozen
class Operations:
    """Flows for each API call, bound to a default project, region and retry policy."""

    project_id: str | None
    region: str
    policy: RetryPolicy
    list_page_size: int = MAX_PAGE_SIZE  # page size used when iterating a whole list

    # references and defaults

    def _region(self, region: str | None, ref: object = None) -> str:
        if region is not None:
            return check_region(region)
        if isinstance(ref, NatsAccount | NatsCredentials) and ref.region in REGIONS:
            return ref.region
        return self.region

    def _project(self, project_id: str | None) -> str:
        chosen = project_id or self.project_id
        if chosen is None:
            raise InvalidArgumentsError.single(
                "project_id", "no project: pass project_id= or set SCW_DEFAULT_PROJECT_ID"
            )
        return check_id(chosen, "project_id")

    @staticmethod
    def _account_id(ref: object) -> str:
        if isinstance(ref, NatsAccount):
            return ref.id
        return check_account_id(ref)

    @staticmethod
    def _id(ref: object, argument: str) -> str:
        if isinstance(ref, NatsAccount | NatsCredentials):
            return ref.id
        return check_id(ref, argument)

    def _idempotent(self, request: dict[str, Any], parse: Callable[[Any], T]) -> Flow[T]:
        def attempt() -> Flow[T]:
            response = yield from send(request)
            return parse(response.json() if response.content else None)

        return (yield from retrying(self.policy, attempt, idempotent=True))

    def _delete(self, request: dict[str, Any]) -> Flow[None]:
        maybe_done = False  # did an earlier attempt possibly delete it?

        def attempt() -> Flow[None]:
            nonlocal maybe_done
            try:
                yield from send(request)
            except NotFoundError:
                if not maybe_done:
                    raise
                # Gone on a retry after an ambiguous failure: that attempt deleted it.
            except ScalewayError as error:
                maybe_done = maybe_done or is_ambiguous(error)
                raise

        yield from retrying(self.policy, attempt, idempotent=True)

    # accounts

    def create_account(
        self, name: str | None, project_id: str | None, region: str | None
    ) -> Flow[NatsAccount]:
        region = self._region(region)
        project = self._project(project_id)
        chosen = check_name(name) if name is not None else generated_name("nats-account")
        request = create_nats_account._get_kwargs(
            CreateNatsAccountRegion(region),
            body=CreateNatsAccountBody(name=chosen, project_id=project),
        )
        started = datetime.datetime.now(datetime.timezone.utc)
        recent_accounts = self._recent(self._accounts_in(project, region), started)
        existing: set[str] = set()
        if name is not None:  # a user's name may already be taken: remember by whom
            existing = yield from self._ids_named(recent_accounts, chosen)

        def attempt() -> Flow[NatsAccount]:
            response = yield from send(request)
            return NatsAccount.from_json(response.json())

        def reconcile() -> Flow[NatsAccount | None]:
            for account in (yield from recent_accounts()):
                if _is_lost_create(account, chosen, existing, started):
                    return account  # the lost request did create it: adopt it
            return None

        return (yield from retrying(self.policy, attempt, idempotent=False, reconcile=reconcile))

    def get_account(self, account: AccountRef, region: str | None) -> Flow[NatsAccount]:
        request = get_nats_account._get_kwargs(
            GetNatsAccountRegion(self._region(region, account)),
            self._account_id(account),
        )
        return self._idempotent(request, NatsAccount.from_json)

    def update_account(
        self, account: AccountRef, name: str, region: str | None
    ) -> Flow[NatsAccount]:
        request = update_nats_account._get_kwargs(
            UpdateNatsAccountRegion(self._region(region, account)),
            self._account_id(account),
            body=UpdateNatsAccountBody(name=check_name(name)),
        )
        return self._idempotent(request, NatsAccount.from_json)

    def delete_account(self, account: AccountRef, region: str | None) -> Flow[None]:
        return self._delete(
            delete_nats_account._get_kwargs(
                DeleteNatsAccountRegion(self._region(region, account)),
                self._account_id(account),
            )
        )

    def account_page_fetcher(
        self,
        project_id: str | None,
        order_by: str | None,
        page_size: int | None,
        region: str | None,
    ) -> Callable[[int], Flow[Page[NatsAccount]]]:
        """Validate list arguments now; return a function fetching page n."""
        region = self._region(region)
        project = check_id(project_id, "project_id") if project_id is not None else UNSET
        order = ListNatsAccountsOrderBy(check_order_by(order_by))
        size = check_page_size(page_size, self.list_page_size)

        def fetch(number: int) -> Flow[Page[NatsAccount]]:
            request = list_nats_accounts._get_kwargs(
                ListNatsAccountsRegion(region),
                project_id=project,
                page=check_page(number),
                page_size=size,
                order_by=order,
            )

            def parse(data: Any) -> Page[NatsAccount]:
                items = tuple(NatsAccount.from_json(a) for a in data.get("nats_accounts") or ())
                return Page(items, number, size, _count(data.get("total_count")))

            return self._idempotent(request, parse)

        return fetch

    # credentials

    def create_credentials(
        self, account: AccountRef, name: str | None, region: str | None
    ) -> Flow[NatsCredentials]:
        region = self._region(region, account)
        account_id = self._account_id(account)
        chosen = check_name(name) if name is not None else generated_name("nats-credentials")
        request = create_nats_credentials._get_kwargs(
            CreateNatsCredentialsRegion(region),
            body=CreateNatsCredentialsBody(nats_account_id=account_id, name=chosen),
        )
        started = datetime.datetime.now(datetime.timezone.utc)
        recent_credentials = self._recent(self._credentials_of(account_id, region), started)
        existing: set[str] = set()
        if name is not None:
            existing = yield from self._ids_named(recent_credentials, chosen)

        def attempt() -> Flow[NatsCredentials]:
            response = yield from send(request)
            return NatsCredentials.from_json(response.json())

        def reconcile() -> Flow[NatsCredentials | None]:
            # The .creds content is returned only once: credentials made by a lost request
            # are unusable, so delete them and let the create be sent again.
            for credentials in (yield from recent_credentials()):
                if _is_lost_create(credentials, chosen, existing, started):
                    yield from self.delete_credentials(credentials, region)
            return None

        return (yield from retrying(self.policy, attempt, idempotent=False, reconcile=reconcile))

    def get_credentials(
        self, credentials: CredentialsRef, region: str | None
    ) -> Flow[NatsCredentials]:
        request = get_nats_credentials._get_kwargs(
            GetNatsCredentialsRegion(self._region(region, credentials)),
            self._id(credentials, "nats_credentials_id"),
        )
        return self._idempotent(
            request,
            NatsCredentials.from_json,
        )

    def delete_credentials(self, credentials: CredentialsRef, region: str | None) -> Flow[None]:
        return self._delete(
            delete_nats_credentials._get_kwargs(
                DeleteNatsCredentialsRegion(self._region(region, credentials)),
                self._id(credentials, "nats_credentials_id"),
            )
        )

    def credentials_page_fetcher(
        self,
        account: AccountRef | None,
        project_id: str | None,
        order_by: str | None,
        page_size: int | None,
        region: str | None,
    ) -> Callable[[int], Flow[Page[NatsCredentials]]]:
        """Validate list arguments now; return a function fetching page n."""
        region = self._region(region, account)
        account_id = self._account_id(account) if account is not None else UNSET
        project = check_id(project_id, "project_id") if project_id is not None else UNSET
        order = ListNatsCredentialsOrderBy(check_order_by(order_by))
        size = check_page_size(page_size, self.list_page_size)

        def fetch(number: int) -> Flow[Page[NatsCredentials]]:
            request = list_nats_credentials._get_kwargs(
                ListNatsCredentialsRegion(region),
                project_id=project,
                nats_account_id=account_id,
                page=check_page(number),
                page_size=size,
                order_by=order,
            )

            def parse(data: Any) -> Page[NatsCredentials]:
                rows = data.get("nats_credentials") or ()
                items = tuple(NatsCredentials.from_json(c) for c in rows)
                return Page(items, number, size, _count(data.get("total_count")))

            return self._idempotent(request, parse)

        return fetch

    # helpers for reconciliation

    def _accounts_in(self, project: str, region: str) -> Callable[[int], Flow[Page[NatsAccount]]]:
        return self.account_page_fetcher(project, "created_at_desc", None, region)

    def _credentials_of(
        self, account_id: str, region: str
    ) -> Callable[[int], Flow[Page[NatsCredentials]]]:
        return self.credentials_page_fetcher(account_id, None, "created_at_desc", None, region)

    @staticmethod
    def _recent(
        fetch_newest_first: Callable[[int], Flow[Page[T]]], started: datetime.datetime
    ) -> Callable[[], Flow[list[T]]]:
        """Items created since `started` less the clock skew: the only ones a lost create
        can have made, and the only same-named ones it could be mistaken for. Read newest
        first, so this is one page however large the account or project is."""
        since = started - CLOCK_SKEW

        def older(item: T) -> bool:
            created = getattr(item, "created_at", None)
            return created is not None and created < since

        return lambda: collect_pages(fetch_newest_first, until=older)

    @staticmethod
    def _ids_named(recent: Callable[[], Flow[list[Any]]], name: str) -> Flow[set[str]]:
        items = yield from recent()
        return {item.id for item in items if item.name == name}


def _is_lost_create(
    item: NatsAccount | NatsCredentials,
    name: str,
    existing: set[str],
    started: datetime.datetime,
) -> bool:
    created = item.created_at
    return (
        item.name == name
        and item.id not in existing
        and (created is None or created >= started - CLOCK_SKEW)
    )


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0
