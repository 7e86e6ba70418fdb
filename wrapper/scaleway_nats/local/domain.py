"""What can go wrong in the emulator, said in its own words (no HTTP here).

``Service`` and the request parsers raise these; ``app.py`` turns each into Scaleway's wire
error in one place (``wire_error``). The hierarchy::

    DomainError
    ├── Unauthenticated        401 denied_authentication
    ├── Invalid(details)       400 invalid_arguments, one Detail per bad argument
    ├── Denied(action)         403 permissions_denied
    ├── QuotaExceeded          403 quotas_exceeded
    ├── NotFound(resource, id) 404 not_found
    ├── Busy                   409 conflict (admin routes: a node action already running)
    ├── TooLarge               413 invalid_request_error (a body over the limit)
    └── Unavailable            503 service_unavailable (nats-server unreachable, or stopping)
"""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of the emulator's refusals; its message is for logs, the wire body is app.py's."""


@dataclass(frozen=True)
class Detail:
    """One bad argument, as Scaleway's 400 lists them."""

    argument: str
    reason: str  # "constraint", "format", "required", "unknown"
    help_message: str


class Unauthenticated(DomainError):
    """No API key, or one no organization has."""


class Invalid(DomainError):
    def __init__(self, details: list[Detail]) -> None:
        super().__init__(", ".join(f"{d.argument}: {d.help_message}" for d in details))
        self.details = details


class Denied(DomainError):
    """``action`` ("read", "write") on a project of another organization; ``action`` None: a
    refusal of our own (the admin routes), ``message`` says which."""

    def __init__(self, action: str | None, message: str = "insufficient permissions") -> None:
        super().__init__(message)
        self.action = action
        self.message = message


class QuotaExceeded(DomainError):
    def __init__(self, quota: int, current: int) -> None:
        super().__init__(f"nats_accounts quota {quota} reached ({current})")
        self.quota = quota
        self.current = current


class NotFound(DomainError):
    """``resource`` is Scaleway's word: "namespace" for a NATS account, "credentials"."""

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(f"{resource} {resource_id} is not found")
        self.resource = resource
        self.resource_id = resource_id


class Busy(DomainError):
    """Another action holds what this one needs (the message says what)."""


class TooLarge(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than {limit} bytes")
        self.limit = limit


class Unavailable(DomainError):
    """nats-server could not be reached or refused an update, or the emulator is stopping.

    ``reason`` is for the log; ``answer`` is what the client reads (by default nothing of ours).
    """

    def __init__(self, reason: str = "", *, answer: str = "service is unavailable") -> None:
        super().__init__(reason or answer)
        self.answer = answer
