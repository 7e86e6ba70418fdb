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
import unicodedata
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
from .errors import AmbiguousCreateError, InvalidArgumentsError, NotFoundError, ScalewayError
from .models import ORDER_BY, REGIONS, NatsAccount, NatsCredentials
from .pagination import Page, collect_pages
from .retry import Created, Fresh, RetryPolicy, is_ambiguous, retrying, send, send_parsed

__all__ = ["MAX_PAGE_SIZE", "Operations"]

MAX_PAGE_SIZE = 100  # Scaleway's maximum page_size
# Scaleway's own limits: scaleway/scaleway-sdk-js, packages/clients/src/api/mnq/v1beta1/
# validation-rules.gen.ts (NatsApiCreateNatsAccountRequest / UpdateNatsAccountRequest:
# name 1-64; NatsApiCreateNatsCredentialsRequest: name 1-500), counted in characters (runes).
MAX_ACCOUNT_NAME = 64
MAX_CREDENTIALS_NAME = 500
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


def check_name(value: object, max_length: int, argument: str = "name") -> str:
    """A name of 1 to `max_length` characters, none a control character or a lone surrogate.

    Lengths are Scaleway's (see MAX_ACCOUNT_NAME). Refusing control characters (Unicode Cc:
    C0, DEL, C1) and lone surrogates (Cs, not encodable as UTF-8) is issue 9's rule, not a
    published one: they garble tables and logs, and a surrogate cannot reach the server
    intact. Blank names are refused too (a choice: a name nobody can see).
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentsError.single(argument, "must be a non-empty string")
    if len(value) > max_length:
        raise InvalidArgumentsError.single(
            argument, f"must have 1 to {max_length} characters, got {len(value)}"
        )
    for position, character in enumerate(value):
        if unicodedata.category(character) in ("Cc", "Cs"):
            kind = "lone surrogate" if 0xD800 <= ord(character) <= 0xDFFF else "character"
            raise InvalidArgumentsError.single(
                argument,
                f"must not contain a control character or lone surrogate: "
                f"U+{ord(character):04X} ({kind}) at position {position}",
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
    """A unique default name (64 random bits): it proves which lost create made what."""
    return f"{kind}-{secrets.token_hex(8)}"


# -- the operations -------------------------------------------------------------------------


@attrs.frozen
class Operations:
    """Flows for each API call, bound to a default project, region and retry policy."""

    project_id: str | None
    region: str
    policy: RetryPolicy
    list_page_size: int = MAX_PAGE_SIZE  # page size used when iterating a whole list
    # what this client created lately: a 404/403 naming it may be Scaleway propagating it
    created: Created = attrs.field(
        default=attrs.Factory(
            lambda self: Created(self.policy.propagation_window), takes_self=True
        ),
        eq=False,
    )

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

    def _fresh(self, *refs: object) -> Fresh | None:
        """Whether the call names a resource this client created within the window."""
        ids = [r.id if isinstance(r, NatsAccount | NatsCredentials) else r for r in refs]
        return self.created.fresh(*(i for i in ids if isinstance(i, str)))

    def _idempotent(
        self, request: dict[str, Any], parse: Callable[[Any], T], fresh: Fresh | None = None
    ) -> Flow[T]:
        return (
            yield from retrying(
                self.policy, lambda: send_parsed(request, parse), idempotent=True, fresh=fresh
            )
        )

    def _delete(self, request: dict[str, Any], ref: object) -> Flow[None]:
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

        yield from retrying(self.policy, attempt, idempotent=True, fresh=self._fresh(ref))
        gone = ref.id if isinstance(ref, NatsAccount | NatsCredentials) else ref
        if isinstance(gone, str):
            self.created.forget(gone)  # a 404 for it now is the truth

    # accounts

    def create_account(
        self, name: str | None, project_id: str | None, region: str | None
    ) -> Flow[NatsAccount]:
        region = self._region(region)
        project = self._project(project_id)
        chosen = (
            check_name(name, MAX_ACCOUNT_NAME)
            if name is not None
            else generated_name("nats-account")
        )
        request = create_nats_account._get_kwargs(
            CreateNatsAccountRegion(region),
            body=CreateNatsAccountBody(name=chosen, project_id=project),
        )
        recent_accounts = self._recent(self._accounts_in(project, region))
        proven = name is None  # a generated name is unique: namesakes are ours

        def attempt() -> Flow[NatsAccount]:
            return send_parsed(request, NatsAccount.from_json)

        def reconcile(error: ScalewayError) -> Flow[NatsAccount | None]:
            made = yield from _made_by_this_call(
                recent_accounts, chosen, proven, "create_account", error
            )
            if not made:
                return None
            for extra in made[1:]:  # several lost attempts all landed: ours, not needed
                yield from self.delete_account(extra, region)
            return made[0]  # the lost request did create it: adopt it

        account = yield from retrying(self.policy, attempt, idempotent=False, reconcile=reconcile)
        self.created.add(account.id, f"NATS account {account.id}")
        return account

    def get_account(self, account: AccountRef, region: str | None) -> Flow[NatsAccount]:
        request = get_nats_account._get_kwargs(
            GetNatsAccountRegion(self._region(region, account)),
            self._account_id(account),
        )
        return self._idempotent(request, NatsAccount.from_json, self._fresh(account))

    def update_account(
        self, account: AccountRef, name: str, region: str | None
    ) -> Flow[NatsAccount]:
        request = update_nats_account._get_kwargs(
            UpdateNatsAccountRegion(self._region(region, account)),
            self._account_id(account),
            body=UpdateNatsAccountBody(name=check_name(name, MAX_ACCOUNT_NAME)),
        )
        return self._idempotent(request, NatsAccount.from_json, self._fresh(account))

    def delete_account(self, account: AccountRef, region: str | None) -> Flow[None]:
        return self._delete(
            delete_nats_account._get_kwargs(
                DeleteNatsAccountRegion(self._region(region, account)),
                self._account_id(account),
            ),
            account,
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
                items = tuple(NatsAccount.from_json(a) for a in _rows(data, "nats_accounts"))
                return Page(items, number, size, _count(data.get("total_count")))

            return self._idempotent(request, parse)

        return fetch

    # credentials

    def create_credentials(
        self, account: AccountRef, name: str | None, region: str | None
    ) -> Flow[NatsCredentials]:
        region = self._region(region, account)
        account_id = self._account_id(account)
        chosen = (
            check_name(name, MAX_CREDENTIALS_NAME)
            if name is not None
            else generated_name("nats-credentials")
        )
        request = create_nats_credentials._get_kwargs(
            CreateNatsCredentialsRegion(region),
            body=CreateNatsCredentialsBody(nats_account_id=account_id, name=chosen),
        )
        recent_credentials = self._recent(self._credentials_of(account_id, region))
        proven = name is None

        def attempt() -> Flow[NatsCredentials]:
            return send_parsed(request, NatsCredentials.from_json)

        def reconcile(error: ScalewayError) -> Flow[NatsCredentials | None]:
            # The .creds content is returned only once: credentials made by a lost request
            # are unusable, so delete them and let the create be sent again.
            made = yield from _made_by_this_call(
                recent_credentials, chosen, proven, "create_credentials", error
            )
            for credentials in made:
                yield from self.delete_credentials(credentials, region)
            return None

        created = yield from retrying(
            self.policy,
            attempt,
            idempotent=False,
            reconcile=reconcile,
            fresh=self._fresh(account),  # a new account may not be known yet
        )
        self.created.add(created.id, f"NATS credentials {created.id}")
        return created

    def get_credentials(
        self, credentials: CredentialsRef, region: str | None
    ) -> Flow[NatsCredentials]:
        request = get_nats_credentials._get_kwargs(
            GetNatsCredentialsRegion(self._region(region, credentials)),
            self._id(credentials, "nats_credentials_id"),
        )
        return self._idempotent(request, NatsCredentials.from_json, self._fresh(credentials))

    def delete_credentials(self, credentials: CredentialsRef, region: str | None) -> Flow[None]:
        return self._delete(
            delete_nats_credentials._get_kwargs(
                DeleteNatsCredentialsRegion(self._region(region, credentials)),
                self._id(credentials, "nats_credentials_id"),
            ),
            credentials,
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
                rows = _rows(data, "nats_credentials")
                items = tuple(NatsCredentials.from_json(c) for c in rows)
                return Page(items, number, size, _count(data.get("total_count")))

            return self._idempotent(request, parse, self._fresh(account))

        return fetch

    # helpers for reconciliation

    def _accounts_in(self, project: str, region: str) -> Callable[[int], Flow[Page[NatsAccount]]]:
        return self.account_page_fetcher(project, "created_at_desc", None, region)

    def _credentials_of(
        self, account_id: str, region: str
    ) -> Callable[[int], Flow[Page[NatsCredentials]]]:
        return self.credentials_page_fetcher(account_id, None, "created_at_desc", None, region)

    @staticmethod
    def _recent(fetch_newest_first: Callable[[int], Flow[Page[T]]]) -> Callable[[], Flow[list[T]]]:
        """Items created since now (the create call starts), less the clock skew: the
        only ones a lost create can have made. Read newest first, so this is one page
        however large the account or project is."""
        since = datetime.datetime.now(datetime.timezone.utc) - CLOCK_SKEW

        def older(item: T) -> bool:
            created = getattr(item, "created_at", None)
            return created is not None and created < since

        return lambda: collect_pages(fetch_newest_first, until=older)


Made = TypeVar("Made", NatsAccount, NatsCredentials)


def _made_by_this_call(
    recent: Callable[[], Flow[list[Made]]],
    name: str,
    proven: bool,
    operation: str,
    error: ScalewayError,
) -> Flow[list[Made]]:
    """What the lost attempts of this call created, oldest first, when that can be proven.

    A generated name is random (64 bits), so every namesake is ours. A name the caller chose
    proves nothing: another client may have created a namesake in the same seconds, and
    ours may not exist at all (a 503 can come before or after the commit). Then any
    namesake makes the outcome ambiguous: raise, adopting and deleting nothing.
    """
    namesakes = [item for item in (yield from recent()) if item.name == name]
    namesakes.sort(key=lambda item: item.created_at or _EPOCH)
    if namesakes and not proven:
        raise AmbiguousCreateError(operation, name, namesakes, error) from error
    return namesakes


_EPOCH = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def _rows(data: Any, key: str) -> list[Any]:
    """The list under `key` of a list answer; TypeError when the answer has none."""
    rows = data.get(key)
    if not isinstance(rows, list):
        raise TypeError(f"a list answer without a {key!r} list")
    return rows


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0
