"""Every exception scaleway_nats raises, built from Scaleway's error bodies.

    ScalewayError
    ├── ConfigurationError          (also ValueError) no secret key / project id / bad profile
    ├── ArgumentValidationError     (also ValueError) an argument refused before sending
    ├── APIStatusError              the server answered, not with 2xx: .response,
    │   │                           .status_code, .request_id (X-Request-Id), .body
    │   ├── InvalidArgumentsError   (also ValueError) 400 invalid_arguments, .details
    │   ├── UnauthorizedError       401
    │   ├── PermissionsDeniedError  403 permissions_denied
    │   ├── QuotaExceededError      403 quotas_exceeded
    │   ├── NotFoundError           404
    │   ├── RateLimitedError        429, .retry_after
    │   └── ServerError             5xx
    ├── UnexpectedResponseError     a 2xx answer that is not the JSON object expected
    ├── APIConnectionError          no answer came: refused, dropped, TLS (alias TransportError)
    │   └── APITimeoutError         (also TimeoutError) an attempt's time limit or the
    │                               call's deadline passed
    ├── AmbiguousCreateError        a create lost its answer and a namesake may be another's
    ├── NatsConnectError            (also ConnectionError) no NATS connection could be made
    └── RotationError               (rotation.py) a rotation stopped: says which credentials exist

`ArgumentDetail` (one bad argument in `.details`) is a record, not an exception.

A call that gave up says how hard it tried: `.outcome` (attempts, seconds, and why it may
have taken effect), set once by the retry loop when it raises, and part of `str(error)`.
`.message` stays what the server (or the check) said.

Messages never contain the secret key or credentials content: bodies are Scaleway's
JSON error objects, and request headers are never included.
"""

from __future__ import annotations

import datetime
import json
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs
import httpx

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousCreateError",
    "ArgumentValidationError",
    "ConfigurationError",
    "InvalidArgumentsError",
    "NatsConnectError",
    "NotFoundError",
    "PermissionsDeniedError",
    "QuotaExceededError",
    "RateLimitedError",
    "ScalewayError",
    "ServerError",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "error_from_response",
]


@attrs.frozen
class Outcome:
    """How hard a call tried before it gave up: attempts, seconds, and `note`, what it
    learned on the way (e.g. why the request may have taken effect)."""

    attempts: int
    elapsed: float
    note: str = ""


@attrs.frozen
class ArgumentDetail:
    """One bad argument, as Scaleway's `invalid_arguments` details describe it."""

    argument_name: str
    reason: str
    help_message: str

    def __str__(self) -> str:
        return f"{self.argument_name}: {self.help_message or self.reason}"


class ScalewayError(Exception):
    """Base of every error of this package. `status_code` is None when no answer came.

    Errors of a request name it (`method`, `url`); a call that gave up after retries says
    how many `attempts` it made over how many seconds (`elapsed`), in `outcome`.
    """

    status_code: int | None = None
    method: str | None = None
    url: str | None = None
    outcome: Outcome | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        type: str | None = None,
        resource: str | None = None,
        resource_id: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.type = type
        self.resource = resource
        self.resource_id = resource_id
        self.body: Mapping[str, Any] = body or {}

    @property
    def attempts(self) -> int | None:
        """Attempts the call made before it gave up (None: it did not retry, or not yet)."""
        return self.outcome.attempts if self.outcome else None

    @property
    def elapsed(self) -> float | None:
        """Seconds from the call's start to when it gave up."""
        return self.outcome.elapsed if self.outcome else None

    def gave_up(self, outcome: Outcome) -> None:
        """Record, once, how hard the call tried (a nested call's error keeps its own)."""
        if self.outcome is None:
            self.outcome = outcome
            self.args = (str(self),)

    def __str__(self) -> str:
        prefix = f"{self.status_code} " if self.status_code else ""
        kind = f"{self.type}: " if self.type else ""
        return f"{prefix}{kind}{self.message}{self._note()}{self._context()}"

    def _note(self) -> str:
        return self.outcome.note if self.outcome else ""

    def _context(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        if self.attempts and self.attempts > 1 and self.elapsed is not None:
            where += f" after {self.attempts} attempts over {self.elapsed:.1f} s"
        return where

    def _name_request(self, request: httpx.Request | None) -> None:
        if request is not None:
            self.method, self.url = request.method, str(request.url)


class ConfigurationError(ScalewayError, ValueError):
    """The client cannot be built: a setting is missing or malformed."""


class ArgumentValidationError(ScalewayError, ValueError):
    """An argument refused before any request was sent (`status_code` is None)."""

    def __init__(self, argument_name: str, help_message: str) -> None:
        self.details = [ArgumentDetail(argument_name, "constraint", help_message)]
        super().__init__(f"invalid argument(s): {self.details[0]}", type="invalid_arguments")

    def __str__(self) -> str:
        return self.message


class APIStatusError(ScalewayError):
    """The server answered, with a status that is not 2xx.

    `response` is the answer (None for an error built by hand), `request_id` its
    `X-Request-Id` (quote it to Scaleway's support), `body` its JSON error object.
    """

    response: httpx.Response | None = None
    request_id: str | None = None


class InvalidArgumentsError(APIStatusError, ValueError):
    """400 invalid_arguments: the server refused an argument; `details` names each one."""

    status_code: int | None = 400

    def __init__(self, details: Sequence[ArgumentDetail], **kwargs: Any) -> None:
        self.details = list(details)
        kwargs.setdefault("type", "invalid_arguments")
        summary = "; ".join(str(d) for d in self.details) or "invalid argument(s)"
        super().__init__(f"invalid argument(s): {summary}", **kwargs)


class UnauthorizedError(APIStatusError):
    """401: the secret key is missing, unknown or revoked."""

    status_code = 401


class PermissionsDeniedError(APIStatusError):
    """403 permissions_denied: the key may not act on this project or resource."""

    status_code = 403


class QuotaExceededError(APIStatusError):
    """403 quotas_exceeded: the organization's quota for a resource is used up."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404: no such resource in this region for this organization."""

    status_code = 404


class RateLimitedError(APIStatusError):
    """429: too many requests; `retry_after` is the server's hint in seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: Scaleway failed; the request may or may not have taken effect."""


class APIConnectionError(ScalewayError):
    """No complete answer came: connection refused or dropped, TLS failure, timeout.

    The message names the host (the URL), what failed, and the attempts made; `cause` is
    httpx's error. Also importable as `TransportError`, its name before 0.2.
    """

    def __init__(
        self,
        message: str,
        *,
        cause: httpx.TransportError | None = None,
        sent: bool | None = None,
        recycled: bool = False,
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self._sent = sent
        # The server ended the connection gracefully (HTTP/2 GOAWAY, NO_ERROR): no fault.
        self.recycled = recycled

    def __str__(self) -> str:
        where = f"{self.method} {self.url}: " if self.method and self.url else ""
        tried = ""
        if self.attempts is not None and self.elapsed is not None:
            plural = "s" if self.attempts > 1 else ""
            tried = f" (after {self.attempts} attempt{plural} over {self.elapsed:.1f} s)"
        return f"{where}{self.message}{self._note()}{tried}"

    @property
    def request_was_sent(self) -> bool:
        """False only when the request surely never left (connect failed), or never reached
        the application (a stream the server's GOAWAY says it did not process)."""
        if self._sent is not None:
            return self._sent
        return not isinstance(self.cause, httpx.ConnectError | httpx.ConnectTimeout)


class APITimeoutError(APIConnectionError, TimeoutError):
    """No answer came in time: the attempt's `timeout=` or the call's deadline
    (`RetryPolicy.deadline`) passed, the request in flight included."""


TransportError = APIConnectionError  # the name before 0.2: `except TransportError` still works


class Candidate(Protocol):
    """What an AmbiguousCreateError tells of each candidate (an account or credentials)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def created_at(self) -> datetime.datetime | None: ...


class AmbiguousCreateError(ScalewayError):
    """A create lost its answer, and what it made cannot be told from another client's.

    Raised instead of adopting or deleting: with a name the caller chose, another client
    may have created a namesake in the same seconds. `candidates` are the namesakes that
    appeared since the call started (models, oldest first); nothing was adopted or deleted.
    """

    def __init__(
        self, operation: str, name: str, candidates: Sequence[Candidate], cause: ScalewayError
    ) -> None:
        self.operation = operation
        self.name = name
        self.candidates = tuple(candidates)
        listed = "; ".join(
            f"{c.id} (name {c.name!r}, created_at "
            f"{c.created_at.isoformat() if c.created_at else 'unknown'})"
            for c in self.candidates
        )
        super().__init__(
            f"{operation} {name!r} lost its answer ({cause}); {len(self.candidates)} "
            f"namesake(s) appeared since it started, which this call or another client may "
            f"have created: {listed}. Nothing was adopted or deleted: check them and delete "
            f"what is not in use, or create without a name (a generated name is unique, "
            f"so recovery is automatic)"
        )


class UnexpectedResponseError(ScalewayError):
    """A 2xx answer this client cannot read: not JSON, or JSON of the wrong shape.

    Seen behind captive portals and misconfigured proxies (an HTML page with 200). The body
    is not quoted: a create's answer holds a secret.
    """

    def __init__(self, response: httpx.Response, reason: str) -> None:
        kind = response.headers.get("Content-Type", "no Content-Type")
        super().__init__(
            f"unexpected answer: {reason} ({kind}, {len(response.content)} bytes)",
            status_code=response.status_code,
        )
        self._name_request(_request_of(response))
        self.response = response
        self.request_id = response.headers.get("X-Request-Id")


class NatsConnectError(ScalewayError, ConnectionError):
    """No NATS connection: TLS verification, refused credentials, unreachable endpoint."""


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds, when it is a number."""
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a Response built by hand (tests)
        return None


# Scaleway's internal words for resources, as its users know them; `.resource` and `.body`
# keep the raw word. "namespace" is what mnq calls a NATS account (its 404 bodies).
_RESOURCE_WORDS = {"namespace": "NATS account", "credentials": "NATS credentials"}


def error_from_response(response: httpx.Response) -> ScalewayError:
    """The exception that a non-2xx Scaleway answer stands for, naming its request."""
    error = _error_from_response(response)
    error._name_request(_request_of(response))
    error.response = response
    error.request_id = response.headers.get("X-Request-Id")
    return error


def _error_from_response(response: httpx.Response) -> APIStatusError:
    try:
        parsed = json.loads(response.content) if response.content else {}
    except ValueError:
        parsed = {}
    body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    status = response.status_code
    type_ = body.get("type")
    resource = body.get("resource")
    resource_id = body.get("resource_id")
    message = str(body.get("message") or response.reason_phrase or "error")
    if resource or resource_id:
        what = _RESOURCE_WORDS.get(str(resource), resource) or "resource"
        message = f"{message} ({what} {resource_id or ''})".replace(" )", ")")
    kwargs: dict[str, Any] = {
        "status_code": status,
        "type": type_,
        "resource": resource,
        "resource_id": resource_id,
        "body": body,
    }
    if status == 400 or type_ == "invalid_arguments":
        details = [
            ArgumentDetail(
                str(d.get("argument_name", "?")),
                str(d.get("reason", "")),
                str(d.get("help_message", "")),
            )
            for d in body.get("details") or []
            if isinstance(d, dict)
        ]
        return InvalidArgumentsError(details, **kwargs)
    if status == 401:
        return UnauthorizedError(message, **kwargs)
    if status == 403 and type_ == "quotas_exceeded":
        quotas = ", ".join(
            f"{d.get('resource')}: {d.get('current')}/{d.get('quota')}"
            for d in body.get("details") or []
            if isinstance(d, dict)
        )
        return QuotaExceededError(f"{message} ({quotas})" if quotas else message, **kwargs)
    if status == 403:
        return PermissionsDeniedError(message, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    if status == 429:
        return RateLimitedError(message, retry_after=retry_after_seconds(response), **kwargs)
    if status >= 500:
        return ServerError(message, **kwargs)
    return APIStatusError(message, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "ArgumentError":  # renamed: it is a record, not an exception to catch
        warnings.warn(
            "ArgumentError is renamed ArgumentDetail (a record in .details, not an exception)",
            DeprecationWarning,
            stacklevel=2,
        )
        return ArgumentDetail
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
