"""The HTTP API (Starlette): routes, authentication, validation, Scaleway-style errors, paging.

Check order for every request, like the real gateway: authentication (401), region (400),
path ids (400), query/body (400, one detail per bad argument), ownership (403 / 404), quotas
(403). Resources of another organization answer exactly like missing ones (404).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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
from .service import BackendUnavailable, QuotaExceeded, Service
from .store import Account, Credentials, Page, Store

log = logging.getLogger("scaleway_nats.local")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BAD_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_INT = re.compile(r"^[+-]?[0-9]+$")
_INT_DIGITS = 12  # longer integers are out of every range: not parsed (no huge int() work)

Detail = dict[str, str]
# Our choices (Scaleway publishes none): bodies over 1 MiB get a 413 without being read whole,
# and a 400 lists at most MAX_DETAILS bad arguments, so no answer grows with the request.
BODY_LIMIT = 1024 * 1024
MAX_DETAILS = 20


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body
        self.headers = headers


def detail(argument: str, reason: str, help_message: str) -> Detail:
    return {"argument_name": argument, "reason": reason, "help_message": help_message}


def invalid(details: list[Detail]) -> ApiError:
    body = {
        "type": "invalid_arguments",
        "message": "invalid argument(s)",
        "details": details[:MAX_DETAILS],
    }
    return ApiError(400, body)


TOO_LARGE = ApiError(
    413,
    {
        "type": "invalid_request_error",
        "message": f"request body is larger than {BODY_LIMIT} bytes",
    },
)


async def read_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes BODY_LIMIT: never held whole in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_LIMIT:
        raise TOO_LARGE
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_LIMIT:
            raise TOO_LARGE
        chunks.append(chunk)
    return b"".join(chunks)


def not_found(resource: str, resource_id: str) -> ApiError:
    """Scaleway's 404 body; ``resource`` is "namespace" for a NATS account and "credentials"
    for credentials, as recorded against the live API (scaleway/terraform-provider-scaleway
    internal/services/mnq/testdata/nats-*.cassette.yaml)."""
    body = {
        "type": "not_found",
        "message": "resource is not found",
        "resource": resource,
        "resource_id": resource_id,
    }
    return ApiError(404, body)


def denied(action: str) -> ApiError:
    body = {
        "type": "permissions_denied",
        "message": "insufficient permissions",
        "details": [{"resource": "nats_account", "action": action}],
    }
    return ApiError(403, body)


UNAUTHENTICATED = ApiError(
    401,
    {
        "type": "denied_authentication",
        "message": "authentication is denied",
        "method": "api_key",
        "reason": "invalid_argument",
    },
)


# -- argument parsing ------------------------------------------------------------------------


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


# -- the application -------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """The authenticated organization and the projects it owns."""

    organization_id: str
    project_ids: list[str]

    def scope(self, project_id: str | None, action: str) -> list[str]:
        """Projects a request may touch: one of ours, or 403 for a foreign project."""
        if project_id is None:
            return self.project_ids
        if project_id not in self.project_ids:
            raise denied(action)
        return [project_id]


class Api:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.store: Store = service.store

    # -- common steps ------------------------------------------------------------------------

    def caller(self, request: Request) -> Caller:
        token = request.headers.get("x-auth-token", "")
        org = self.store.organization_by_secret(token) if token else None
        if org is None:
            raise UNAUTHENTICATED
        return Caller(org, self.store.project_ids(org))

    @staticmethod
    def region(request: Request) -> str:
        region = str(request.path_params["region"])
        if region not in REGIONS:
            raise invalid([detail("region", "constraint", f"must be one of {', '.join(REGIONS)}")])
        return region

    @staticmethod
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
        size = check_int(
            query.get("page_size"), "page_size", PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, errors
        )
        order_by = query.get("order_by", DEFAULT_ORDER)
        if order_by not in ORDERS:
            errors.append(detail("order_by", "constraint", f"must be one of {', '.join(ORDERS)}"))
            order_by = DEFAULT_ORDER
        return project_id, Page(page, size, order_by)

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

    def find_account(self, caller: Caller, region: str, account_id: str) -> Account:
        account = self.store.get_account(region, account_id, caller.project_ids)
        if account is None or not self.service.visible(account.created_at):
            raise not_found("namespace", account_id)  # sic: Scaleway's word for an account
        return account

    # -- accounts ----------------------------------------------------------------------------

    async def list_accounts(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        errors: list[Detail] = []
        project_id, page = self.list_args(request, errors)
        if errors:
            raise invalid(errors)
        total, rows = self.store.list_accounts(
            region, caller.scope(project_id, "read"), page, self.service.visible_until()
        )
        return JSONResponse(
            {"total_count": total, "nats_accounts": [self.account_json(a) for a in rows]}
        )

    async def create_account(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        errors: list[Detail] = []
        body = await json_body(request, ("name", "project_id"), errors)
        name = check_name(body.get("name"), "name", errors, ACCOUNT_NAME_MAX)
        project_id = body.get("project_id")
        if project_id is not None:
            if isinstance(project_id, str):
                project_id = check_uuid(project_id, "project_id", errors)
            else:
                errors.append(detail("project_id", "format", "value must be a string"))
        if errors:
            raise invalid(errors)
        project = caller.scope(project_id, "write")[0]  # default: the organization's first project
        account = await self.service.create_account(region, project, name, caller.project_ids)
        return JSONResponse(self.account_json(account))

    async def get_account(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        account = self.find_account(caller, region, path_id(request, "nats_account_id"))
        if self.service.lagging(account.created_at):
            raise not_found("namespace", account.id)
        return JSONResponse(self.account_json(account))

    async def update_account(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        account_id = path_id(request, "nats_account_id")
        errors: list[Detail] = []
        body = await json_body(request, ("name",), errors)
        name = check_name(body.get("name"), "name", errors, ACCOUNT_NAME_MAX)
        if errors:
            raise invalid(errors)
        account = self.find_account(caller, region, account_id)
        if name is not None:
            account = self.service.rename_account(account, name)
        return JSONResponse(self.account_json(account))

    async def delete_account(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        account = self.find_account(caller, region, path_id(request, "nats_account_id"))
        await self.service.delete_account(account)
        return no_content()

    # -- credentials -------------------------------------------------------------------------

    async def list_credentials(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        errors: list[Detail] = []
        project_id, page = self.list_args(request, errors, extra=("nats_account_id",))
        account_id = request.query_params.get("nats_account_id")
        if account_id is not None:
            account_id = check_account_id(account_id, "nats_account_id", errors)
        if errors:
            raise invalid(errors)
        projects = caller.scope(project_id, "read")
        total, rows = self.store.list_credentials(
            region, projects, account_id, page, self.service.visible_until()
        )
        return JSONResponse(
            {"total_count": total, "nats_credentials": [self.credentials_json(c) for c in rows]}
        )

    async def create_credentials(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        errors: list[Detail] = []
        body = await json_body(request, ("nats_account_id", "name"), errors)
        name = check_name(body.get("name"), "name", errors, CREDENTIALS_NAME_MAX)
        account_id = body.get("nats_account_id")
        if account_id is None:
            errors.append(detail("nats_account_id", "required", "field is required"))
        elif not isinstance(account_id, str):
            errors.append(detail("nats_account_id", "format", "value must be a string"))
        else:
            account_id = check_account_id(account_id, "nats_account_id", errors)
        if errors:
            raise invalid(errors)
        account = self.find_account(caller, region, str(account_id))
        creds, content = await self.service.create_credentials(account, name)
        return JSONResponse(self.credentials_json(creds, content))

    async def get_credentials(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        creds_id = path_id(request, "nats_credentials_id")
        creds = self.store.get_credentials(region, creds_id, caller.project_ids)
        if creds is None or not self.service.visible(creds.created_at):
            raise not_found("credentials", creds_id)
        if self.service.lagging(creds.created_at):
            # sic: the live API's lagging credentials GET names the account (lag.py)
            raise not_found("namespace", creds.account_id)
        return JSONResponse(self.credentials_json(creds))

    async def delete_credentials(self, request: Request) -> Response:
        caller, region = self.caller(request), self.region(request)
        creds_id = path_id(request, "nats_credentials_id")
        creds = self.store.get_credentials(region, creds_id, caller.project_ids)
        if creds is None or not self.service.visible(creds.created_at):
            raise not_found("credentials", creds_id)
        account = self.find_account(caller, region, creds.account_id)
        await self.service.delete_credentials(creds, account)
        return no_content()

    # -- wiring ------------------------------------------------------------------------------

    def asgi(self) -> Starlette:
        base = "/mnq/v1beta1/regions/{region}"
        accounts, credentials = f"{base}/nats-accounts", f"{base}/nats-credentials"
        routes = [
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
        # The emulator's own controls (node stop/start/kill), outside Scaleway's paths; imported
        # here as admin.py builds on this module.
        from .admin import Admin

        routes += Admin(self).routes()
        app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)
        app.router.redirect_slashes = False  # a trailing slash is a JSON 404, not a 307
        return app


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


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods, in the same JSON style (405 keeps its Allow header)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = {"type": "not_found", "message": "resource is not found"}
    else:
        body = {"type": "invalid_request_error", "message": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _quota(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QuotaExceeded)
    body = {
        "type": "quotas_exceeded",
        "message": "quota(s) exceeded for this resource",
        "details": [{"resource": "nats_accounts", "quota": exc.quota, "current": exc.current}],
    }
    return JSONResponse(body, status_code=403)


UNAVAILABLE = {"type": "service_unavailable", "message": "service is unavailable"}


async def _unavailable(request: Request, exc: Exception) -> Response:
    return JSONResponse(UNAVAILABLE, status_code=503)


EXCEPTION_HANDLERS = {
    ApiError: _api_error,
    HTTPException: _http_error,
    QuotaExceeded: _quota,
    BackendUnavailable: _unavailable,
}
