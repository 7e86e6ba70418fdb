"""The HTTP API (Starlette): parses requests, calls ``Service``, writes Scaleway's answers.

Nothing else happens here: reads, writes, visibility and ownership are ``Service``'s, and its
refusals (``domain.py``) become Scaleway's wire errors in one place, ``wire_error``. Check
order for every request, like the real gateway: authentication (401), region (400), path ids
(400), query/body (400, one detail per bad argument), ownership (403 / 404), quotas (403).
Resources of another organization answer exactly like missing ones (404).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..facts import (
    ACCOUNT_ID_LENGTH,
    ACCOUNT_ID_PATTERN,
    ACCOUNT_NAME_MAX,
    CREDENTIALS_NAME_MAX,
    DEFAULT_ORDER,
    ORDERS,
    PAGE_MAX,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    REGIONS,
)
from .domain import (
    Busy,
    Denied,
    Detail,
    DomainError,
    Invalid,
    NotFound,
    QuotaExceeded,
    TooLarge,
    Unauthenticated,
    Unavailable,
)
from .service import Caller, Service
from .store import Account, Credentials, Page

log = logging.getLogger("scaleway_nats.local")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BAD_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_INT = re.compile(r"^[+-]?[0-9]+$")
_INT_DIGITS = 12  # longer integers are out of every range: not parsed (no huge int() work)

# Our choices (Scaleway publishes none): bodies over 1 MiB get a 413 without being read whole,
# and a 400 lists at most MAX_DETAILS bad arguments, so no answer grows with the request.
BODY_LIMIT = 1024 * 1024
MAX_DETAILS = 20


def detail(argument: str, reason: str, help_message: str) -> Detail:
    return Detail(argument, reason, help_message)


def invalid(details: list[Detail]) -> Invalid:
    return Invalid(details)


# -- Scaleway's wire errors: every refusal becomes its answer here, and only here ------------


def wire_error(error: DomainError) -> tuple[int, dict[str, Any]]:
    """The status and JSON body Scaleway answers for ``error``.

    Bodies as recorded against the live API (scaleway/terraform-provider-scaleway
    internal/services/mnq/testdata/nats-*.cassette.yaml): 404 names the resource and its id
    ("namespace" for a NATS account); every DELETE answers 204.
    """
    if isinstance(error, Invalid):
        details = [
            {"argument_name": d.argument, "reason": d.reason, "help_message": d.help_message}
            for d in error.details[:MAX_DETAILS]
        ]
        return 400, {
            "type": "invalid_arguments",
            "message": "invalid argument(s)",
            "details": details,
        }
    if isinstance(error, Unauthenticated):
        denied = {"type": "denied_authentication", "message": "authentication is denied"}
        return 401, {**denied, "method": "api_key", "reason": "invalid_argument"}
    if isinstance(error, Denied):
        body: dict[str, Any] = {"type": "permissions_denied", "message": error.message}
        if error.action is not None:  # Scaleway's names the action; the admin routes' do not
            body["details"] = [{"resource": "nats_account", "action": error.action}]
        return 403, body
    if isinstance(error, QuotaExceeded):
        quota = {"resource": "nats_accounts", "quota": error.quota, "current": error.current}
        body = {"type": "quotas_exceeded", "message": "quota(s) exceeded for this resource"}
        return 403, {**body, "details": [quota]}
    if isinstance(error, NotFound):
        body = {"type": "not_found", "message": "resource is not found"}
        return 404, {**body, "resource": error.resource, "resource_id": error.resource_id}
    if isinstance(error, Busy):
        return 409, {"type": "conflict", "message": str(error)}
    if isinstance(error, TooLarge):
        return 413, {"type": "invalid_request_error", "message": str(error)}
    if isinstance(error, Unavailable):
        return 503, {"type": "service_unavailable", "message": error.answer}
    raise TypeError(f"no wire error for {type(error).__name__}")  # a new DomainError: map it


UNAVAILABLE = {"type": "service_unavailable", "message": "service is unavailable"}


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status, body = wire_error(exc)
    return JSONResponse(body, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods, in the same JSON style (405 keeps its Allow header)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = {"type": "not_found", "message": "resource is not found"}
    else:
        body = {"type": "invalid_request_error", "message": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def application(routes: list[Route]) -> Starlette:
    """An ASGI app serving ``routes`` with Scaleway's error answers."""
    handlers = {DomainError: _domain_error, HTTPException: _http_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.router.redirect_slashes = False  # a trailing slash is a JSON 404, not a 307
    return app


# -- argument parsing ------------------------------------------------------------------------


async def read_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes BODY_LIMIT: never held whole in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_LIMIT:
        raise TooLarge(BODY_LIMIT)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_LIMIT:
            raise TooLarge(BODY_LIMIT)
        chunks.append(chunk)
    return b"".join(chunks)


def check_uuid(value: str, argument: str, errors: list[Detail]) -> str:
    if not _UUID.match(value):
        errors.append(detail(argument, "constraint", "must be a valid UUID"))
    return value.lower()


def check_account_id(value: str, argument: str, errors: list[Detail]) -> str:
    """Wrong length: Scaleway's own words ("value length must be 56 runes"). Right length but
    not an account key: nothing is published, our choice is reason "format"."""
    if len(value) != ACCOUNT_ID_LENGTH:
        errors.append(
            detail(argument, "constraint", f"value length must be {ACCOUNT_ID_LENGTH} runes")
        )
    elif not ACCOUNT_ID_PATTERN.fullmatch(value):
        errors.append(
            detail(argument, "format", "value must be a NATS account public key (A + base32)")
        )
    return value


def check_name(value: Any, argument: str, errors: list[Detail], high: int) -> str | None:
    """A name: absent/null means "not given"; otherwise 1..high characters of printable text.

    Control characters and lone surrogates (which no UTF-8 store can hold) are refused; what
    Scaleway answers for them is not published: reason "format" is our choice.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(detail(argument, "format", "value must be a string"))
        return None
    if not 1 <= len(value) <= high:
        errors.append(detail(argument, "constraint", f"value length must be between 1 and {high}"))
    elif _BAD_TEXT.search(value):
        errors.append(
            detail(argument, "format", "value must not contain control characters or surrogates")
        )
    return value


def check_int(raw: str | None, argument: str, default: int, high: int, errors: list[Detail]) -> int:
    if raw is None:
        return default
    if not _INT.match(raw):
        errors.append(detail(argument, "format", "value must be an integer"))
        return default
    value = int(raw) if len(raw.lstrip("+-")) <= _INT_DIGITS else high + 1
    if not 1 <= value <= high:
        errors.append(detail(argument, "constraint", f"must be between 1 and {high}"))
    return value


def check_region(raw: str, errors: list[Detail]) -> str:
    if raw not in REGIONS:
        errors.append(detail("region", "constraint", f"must be one of {', '.join(REGIONS)}"))
    return raw


def path_id(request: Request, argument: str) -> str:
    errors: list[Detail] = []
    check = check_account_id if argument == "nats_account_id" else check_uuid
    value = check(request.path_params[argument], argument, errors)
    if errors:
        raise invalid(errors)
    return value


async def json_body(
    request: Request, allowed: tuple[str, ...], errors: list[Detail]
) -> dict[str, Any]:
    """The request body as an object (required by the spec); unknown fields are errors."""
    raw = await read_body(request)
    if not raw.strip():
        raise invalid([detail("body", "required", "a JSON object request body is required")])
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):  # nothing else can be checked: answer right away
        raise invalid([detail("body", "format", "request body must be a JSON object")])
    for key in body:
        if key not in allowed:
            errors.append(detail(str(key), "unknown", "unknown field"))
    return body


def body_text(
    body: dict[str, Any],
    argument: str,
    errors: list[Detail],
    check: Callable[[str, str, list[Detail]], str],
    *,
    required: bool = False,
) -> str | None:
    """A string field of the body as `check` returns it; None when it is absent or null (an
    error if `required`) or not a string (an error)."""
    value = body.get(argument)
    if value is None:
        if required:
            errors.append(detail(argument, "required", "field is required"))
        return None
    if not isinstance(value, str):
        errors.append(detail(argument, "format", "value must be a string"))
        return None
    return check(value, argument, errors)


def list_args(
    request: Request, errors: list[Detail], extra: tuple[str, ...] = ()
) -> tuple[str | None, Page]:
    query = request.query_params
    known = ("project_id", "page", "page_size", "order_by", *extra)
    for key in query:
        if key not in known:
            errors.append(detail(key, "unknown", "unknown query parameter"))
    project_id = query.get("project_id")
    if project_id is not None:
        project_id = check_uuid(project_id, "project_id", errors)
    page = check_int(query.get("page"), "page", 1, PAGE_MAX, errors)
    size = check_int(query.get("page_size"), "page_size", PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, errors)
    order_by = query.get("order_by", DEFAULT_ORDER)
    if order_by not in ORDERS:
        errors.append(detail("order_by", "constraint", f"must be one of {', '.join(ORDERS)}"))
        order_by = DEFAULT_ORDER
    return project_id, Page(page, size, order_by)


# -- the API ---------------------------------------------------------------------------------


class Api:
    """Scaleway's nine NATS operations over HTTP, each a parse, a ``Service`` call, an answer."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def caller(self, request: Request) -> Caller:
        return self.service.caller(request.headers.get("x-auth-token", ""))

    def start(self, request: Request) -> tuple[Caller, str]:
        """Who asks (401 first) and in which region (400)."""
        caller = self.caller(request)
        errors: list[Detail] = []
        region = check_region(str(request.path_params["region"]), errors)
        if errors:
            raise invalid(errors)
        return caller, region

    def account_json(self, account: Account) -> dict[str, Any]:
        return {
            "id": account.id,
            "name": account.name,
            "endpoint": self.service.endpoint(account.region),
            "project_id": account.project_id,
            "region": account.region,
            "created_at": account.created_at,
            "updated_at": account.updated_at,
        }

    @staticmethod
    def credentials_json(creds: Credentials, content: str | None = None) -> dict[str, Any]:
        """As recorded against the live API: Create returns the file, always named
        "user.creds"; Get and List answer ``"credentials": null`` (terraform-provider-scaleway
        internal/services/mnq/testdata/nats-credentials-basic.cassette.yaml)."""
        file = None if content is None else {"name": "user.creds", "content": content}
        return {
            "id": creds.id,
            "name": creds.name,
            "nats_account_id": creds.account_id,
            "region": creds.region,
            "created_at": creds.created_at,
            "updated_at": creds.updated_at,
            "credentials": file,
            "checksum": creds.checksum,
        }

    # -- accounts ----------------------------------------------------------------------------

    async def list_accounts(self, request: Request) -> Response:
        caller, region = self.start(request)
        errors: list[Detail] = []
        project_id, page = list_args(request, errors)
        if errors:
            raise invalid(errors)
        total, rows = self.service.list_accounts(caller, region, project_id, page)
        return JSONResponse(
            {"total_count": total, "nats_accounts": [self.account_json(a) for a in rows]}
        )

    async def create_account(self, request: Request) -> Response:
        caller, region = self.start(request)
        errors: list[Detail] = []
        body = await json_body(request, ("name", "project_id"), errors)
        name = check_name(body.get("name"), "name", errors, ACCOUNT_NAME_MAX)
        project_id = body_text(body, "project_id", errors, check_uuid)
        if errors:
            raise invalid(errors)
        account = await self.service.create_account(caller, region, project_id, name)
        return JSONResponse(self.account_json(account))

    async def get_account(self, request: Request) -> Response:
        caller, region = self.start(request)
        account_id = path_id(request, "nats_account_id")
        return JSONResponse(
            self.account_json(self.service.read_account(caller, region, account_id))
        )

    async def update_account(self, request: Request) -> Response:
        caller, region = self.start(request)
        account_id = path_id(request, "nats_account_id")
        errors: list[Detail] = []
        body = await json_body(request, ("name",), errors)
        name = check_name(body.get("name"), "name", errors, ACCOUNT_NAME_MAX)
        if errors:
            raise invalid(errors)
        account = self.service.rename_account(caller, region, account_id, name)
        return JSONResponse(self.account_json(account))

    async def delete_account(self, request: Request) -> Response:
        caller, region = self.start(request)
        await self.service.delete_account(caller, region, path_id(request, "nats_account_id"))
        return no_content()

    # -- credentials -------------------------------------------------------------------------

    async def list_credentials(self, request: Request) -> Response:
        caller, region = self.start(request)
        errors: list[Detail] = []
        project_id, page = list_args(request, errors, extra=("nats_account_id",))
        account_id = request.query_params.get("nats_account_id")
        if account_id is not None:
            account_id = check_account_id(account_id, "nats_account_id", errors)
        if errors:
            raise invalid(errors)
        total, rows = self.service.list_credentials(caller, region, project_id, account_id, page)
        return JSONResponse(
            {"total_count": total, "nats_credentials": [self.credentials_json(c) for c in rows]}
        )

    async def create_credentials(self, request: Request) -> Response:
        caller, region = self.start(request)
        errors: list[Detail] = []
        body = await json_body(request, ("nats_account_id", "name"), errors)
        name = check_name(body.get("name"), "name", errors, CREDENTIALS_NAME_MAX)
        account_id = body_text(body, "nats_account_id", errors, check_account_id, required=True)
        if errors:
            raise invalid(errors)
        creds, content = await self.service.create_credentials(
            caller, region, str(account_id), name
        )
        return JSONResponse(self.credentials_json(creds, content))

    async def get_credentials(self, request: Request) -> Response:
        caller, region = self.start(request)
        creds_id = path_id(request, "nats_credentials_id")
        return JSONResponse(
            self.credentials_json(self.service.read_credentials(caller, region, creds_id))
        )

    async def delete_credentials(self, request: Request) -> Response:
        caller, region = self.start(request)
        creds_id = path_id(request, "nats_credentials_id")
        await self.service.delete_credentials(caller, region, creds_id)
        return no_content()

    def routes(self) -> list[Route]:
        base = "/mnq/v1beta1/regions/{region}"
        accounts, credentials = f"{base}/nats-accounts", f"{base}/nats-credentials"
        return [
            by_method(accounts, GET=self.list_accounts, POST=self.create_account),
            by_method(
                accounts + "/{nats_account_id}",
                GET=self.get_account,
                PATCH=self.update_account,
                DELETE=self.delete_account,
            ),
            by_method(credentials, GET=self.list_credentials, POST=self.create_credentials),
            by_method(
                credentials + "/{nats_credentials_id}",
                GET=self.get_credentials,
                DELETE=self.delete_credentials,
            ),
        ]


def no_content() -> Response:
    """A 204 with ``Content-Type: application/json`` and no body, as every recorded DELETE."""
    return Response(status_code=204, headers={"Content-Type": "application/json"})


Handler = Callable[[Request], Awaitable[Response]]


def by_method(path: str, **handlers: Handler) -> Route:
    """One route per path, so a 405 lists every allowed method in its Allow header."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        try:
            return await handlers[method](request)
        except (sqlite3.Error, OSError) as exc:
            # A full disk or an I/O error: logged here once, a plain JSON 503 to the client.
            log.error("%s %s failed: %s: %s", method, request.url.path, type(exc).__name__, exc)
            return JSONResponse(UNAVAILABLE, status_code=503)

    return Route(path, dispatch, methods=list(handlers))
