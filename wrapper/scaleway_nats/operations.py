"""The nine API operations' requests and answers, flavour-free (no I/O).

Arguments are validated here, before anything is sent; requests are built by the generated
client's endpoint modules (paths, query, bodies), so a spec change reaches this layer through
regeneration. Answers are parsed straight into the wrapper's models: the generated models'
dateutil parsing cost 45% of the client's CPU when listing (scripts/bench.py). The clients
that send them, with retries and reconciliation, are `_async/client.py` and its sync twin.
"""

from __future__ import annotations

import datetime
import secrets
import unicodedata
import uuid
from collections.abc import Mapping
from typing import TypeVar

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

from ._backend import Request
from ._page import Page
from .errors import AmbiguousCreateError, ArgumentValidationError, ScalewayError
from .facts import (
    ACCOUNT_ID_LENGTH,
    ACCOUNT_ID_PATTERN,
    DEFAULT_ORDER,
    ORDERS,
    PAGE_MAX,
    PAGE_SIZE_MAX,
    REGIONS,
)
from .models import NatsAccount, NatsCredentials

__all__ = ["Defaults"]

# How far the server's clock may trail ours when recognising our own lost create.
CLOCK_SKEW = datetime.timedelta(minutes=2)

AccountRef = NatsAccount | str
CredentialsRef = NatsCredentials | str


# -- validation: every argument is checked before anything is sent -----------------------


def check_region(region: str, argument: str = "region") -> str:
    if region not in REGIONS:
        raise ArgumentValidationError(
            argument, f"unknown region {region!r}; allowed: {', '.join(REGIONS)}"
        )
    return region


def check_id(value: object, argument: str) -> str:
    if not isinstance(value, str):
        raise ArgumentValidationError(
            argument, f"must be a UUID string or a model, got {type(value).__name__}"
        )
    try:
        uuid.UUID(value)
    except ValueError:
        raise ArgumentValidationError(argument, f"{value!r} is not a UUID") from None
    return value


def check_account_id(value: object, argument: str = "nats_account_id") -> str:
    if not isinstance(value, str):
        raise ArgumentValidationError(
            argument, f"must be an account id string or a model, got {type(value).__name__}"
        )
    if len(value) != ACCOUNT_ID_LENGTH:
        raise ArgumentValidationError(
            argument,
            f"must be a NATS account id of {ACCOUNT_ID_LENGTH} characters, got {len(value)}",
        )
    if not ACCOUNT_ID_PATTERN.fullmatch(value):
        raise ArgumentValidationError(
            argument,
            f"{value!r} is not a NATS account id (upper-case base32 starting with 'A')",
        )
    return value


def check_name(value: object, max_length: int, argument: str = "name") -> str:
    """A name of 1 to `max_length` characters, none a control character or a lone surrogate.

    Lengths are Scaleway's (facts.py). Refusing control characters (Unicode Cc:
    C0, DEL, C1) and lone surrogates (Cs, not encodable as UTF-8) is issue 9's rule, not a
    published one: they garble tables and logs, and a surrogate cannot reach the server
    intact. Blank names, only whitespace (`str.isspace`), are refused too (a choice: a name
    nobody can see); invisible format characters (U+200B...) are not, as Scaleway's published
    rules have a length and nothing else.
    """
    if not isinstance(value, str):
        raise ArgumentValidationError(argument, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ArgumentValidationError(
            argument, "must not be blank: give at least one character that is not whitespace"
        )
    if len(value) > max_length:
        raise ArgumentValidationError(
            argument, f"must have 1 to {max_length} characters, got {len(value)}"
        )
    for position, character in enumerate(value):
        if unicodedata.category(character) in ("Cc", "Cs"):
            kind = "lone surrogate" if 0xD800 <= ord(character) <= 0xDFFF else "character"
            raise ArgumentValidationError(
                argument,
                f"must not contain a control character or lone surrogate: "
                f"U+{ord(character):04X} ({kind}) at position {position}",
            )
    return value


def check_order_by(value: str | None) -> str:
    if value is None:
        return DEFAULT_ORDER
    if value not in ORDERS:
        raise ArgumentValidationError(
            "order_by", f"unknown order {value!r}; allowed: {', '.join(ORDERS)}"
        )
    return value


def check_page_size(value: int | None, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= PAGE_SIZE_MAX:
        raise ArgumentValidationError(
            "page_size", f"must be an integer from 1 to {PAGE_SIZE_MAX}, got {value!r}"
        )
    return value


def check_page(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= PAGE_MAX:
        raise ArgumentValidationError(
            "page", f"must be an integer from 1 to {PAGE_MAX}, got {value!r}"
        )
    return value


def generated_name(kind: str) -> str:
    """A unique default name (64 random bits): it proves which lost create made what."""
    return f"{kind}-{secrets.token_hex(8)}"


# -- references and defaults ------------------------------------------------------------------


@attrs.frozen
class Defaults:
    """The project and region a client falls back on, and how references become ids."""

    project_id: str | None
    region: str

    def region_for(self, region: str | None, ref: object = None) -> str:
        if region is not None:
            return check_region(region)
        if isinstance(ref, NatsAccount | NatsCredentials) and ref.region in REGIONS:
            return ref.region
        return self.region

    def project(self, project_id: str | None) -> str:
        chosen = project_id or self.project_id
        if chosen is None:
            raise ArgumentValidationError(
                "project_id", "no project: pass project_id= or set SCW_DEFAULT_PROJECT_ID"
            )
        return check_id(chosen, "project_id")


def account_id_of(ref: object) -> str:
    if isinstance(ref, NatsAccount):
        return ref.id
    return check_account_id(ref)


def id_of(ref: object, argument: str) -> str:
    if isinstance(ref, NatsAccount | NatsCredentials):
        return ref.id
    return check_id(ref, argument)


def ids_named(*refs: object) -> list[str]:
    """The ids that references (models or strings) name."""
    ids = [r.id if isinstance(r, NatsAccount | NatsCredentials) else r for r in refs]
    return [i for i in ids if isinstance(i, str)]


# -- requests, built by the generated client ---------------------------------------------------


def create_account_request(region: str, name: str, project: str) -> Request:
    return create_nats_account.request_kwargs(
        CreateNatsAccountRegion(region), body=CreateNatsAccountBody(name=name, project_id=project)
    )


def get_account_request(region: str, account_id: str) -> Request:
    return get_nats_account.request_kwargs(GetNatsAccountRegion(region), account_id)


def update_account_request(region: str, account_id: str, name: str) -> Request:
    return update_nats_account.request_kwargs(
        UpdateNatsAccountRegion(region), account_id, body=UpdateNatsAccountBody(name=name)
    )


def delete_account_request(region: str, account_id: str) -> Request:
    return delete_nats_account.request_kwargs(DeleteNatsAccountRegion(region), account_id)


def list_accounts_request(
    region: str, project: str | None, order_by: str, page: int, page_size: int
) -> Request:
    return list_nats_accounts.request_kwargs(
        ListNatsAccountsRegion(region),
        project_id=UNSET if project is None else project,
        page=page,
        page_size=page_size,
        order_by=ListNatsAccountsOrderBy(order_by),
    )


def create_credentials_request(region: str, account_id: str, name: str) -> Request:
    return create_nats_credentials.request_kwargs(
        CreateNatsCredentialsRegion(region),
        body=CreateNatsCredentialsBody(nats_account_id=account_id, name=name),
    )


def get_credentials_request(region: str, credentials_id: str) -> Request:
    return get_nats_credentials.request_kwargs(GetNatsCredentialsRegion(region), credentials_id)


def delete_credentials_request(region: str, credentials_id: str) -> Request:
    return delete_nats_credentials.request_kwargs(
        DeleteNatsCredentialsRegion(region), credentials_id
    )


def list_credentials_request(
    region: str,
    account_id: str | None,
    project: str | None,
    order_by: str,
    page: int,
    page_size: int,
) -> Request:
    return list_nats_credentials.request_kwargs(
        ListNatsCredentialsRegion(region),
        project_id=UNSET if project is None else project,
        nats_account_id=UNSET if account_id is None else account_id,
        page=page,
        page_size=page_size,
        order_by=ListNatsCredentialsOrderBy(order_by),
    )


# -- answers ------------------------------------------------------------------------------------


def account_page(data: object, number: int, size: int) -> Page[NatsAccount]:
    rows, total = _rows(data, "nats_accounts")
    return Page(tuple(NatsAccount.from_json(a) for a in rows), number, size, total)


def credentials_page(data: object, number: int, size: int) -> Page[NatsCredentials]:
    rows, total = _rows(data, "nats_credentials")
    return Page(tuple(NatsCredentials.from_json(c) for c in rows), number, size, total)


Made = TypeVar("Made", NatsAccount, NatsCredentials)


def made_by_this_call(
    recent: list[Made], name: str, proven: bool, operation: str, error: ScalewayError
) -> list[Made]:
    """What the lost attempts of this call created, oldest first, when that can be proven.

    `recent`: what was created since the call started. A generated name is random (64 bits),
    so every namesake is ours. A name the caller chose proves nothing: another client may
    have created a namesake in the same seconds, and ours may not exist at all (a 503 can
    come before or after the commit). Then any namesake makes the outcome ambiguous: raise,
    adopting and deleting nothing.
    """
    namesakes = [item for item in recent if item.name == name]
    namesakes.sort(key=lambda item: item.created_at or _EPOCH)
    if namesakes and not proven:
        raise AmbiguousCreateError(operation, name, namesakes, error) from error
    return namesakes


def created_since(item: object, since: datetime.datetime) -> bool:
    """False once reading newest first reaches an item older than `since`."""
    created = getattr(item, "created_at", None)
    return created is None or created >= since


_EPOCH = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _rows(data: object, key: str) -> tuple[list[object], int]:
    """The list under `key` of a list answer, and its total_count; TypeError when it has none."""
    rows = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(rows, list):
        raise TypeError(f"a list answer without a {key!r} list")
    total = data.get("total_count") if isinstance(data, Mapping) else None
    return rows, total if isinstance(total, int) else 0
