"""Scaleway error bodies become the matching exceptions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from scaleway_nats import (
    ArgumentError,
    ConfigurationError,
    InvalidArgumentsError,
    NotFoundError,
    PermissionsDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ScalewayError,
    ServerError,
    TransportError,
    UnauthorizedError,
)
from scaleway_nats.errors import error_from_response

Flavoured = FakeScaleway = Any  # the fixtures' types (see conftest.py)

# A real account id (scaleway/terraform-provider-scaleway, nats-credentials-basic cassette)
ACCOUNT_ID = "ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3"


def response(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    if isinstance(body, bytes | str):
        return httpx.Response(status, content=body, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def test_400_parses_the_argument_details() -> None:
    error = error_from_response(
        response(
            400,
            {
                "type": "invalid_arguments",
                "message": "invalid argument(s)",
                "details": [
                    {
                        "argument_name": "name",
                        "reason": "constraint",
                        "help_message": "must be shorter",
                    },
                    {"argument_name": "page_size", "reason": "required"},
                    "not a detail",
                ],
            },
        )
    )

    assert isinstance(error, InvalidArgumentsError)
    assert isinstance(error, ValueError)
    assert error.status_code == 400
    assert error.type == "invalid_arguments"
    assert error.details == [
        ArgumentError("name", "constraint", "must be shorter"),
        ArgumentError("page_size", "required", ""),
    ]
    text = str(error)
    assert text.startswith("400 invalid_arguments: ")
    assert "name: must be shorter" in text
    assert "page_size: required" in text  # no help message: the reason


def test_400_without_details() -> None:
    error = error_from_response(response(400, {"message": "bad"}))

    assert isinstance(error, InvalidArgumentsError)
    assert error.details == []
    assert "invalid argument(s)" in str(error)


def test_invalid_arguments_type_on_another_status() -> None:
    error = error_from_response(response(422, {"type": "invalid_arguments", "details": []}))

    assert isinstance(error, InvalidArgumentsError)
    assert error.status_code == 422


def test_401() -> None:
    error = error_from_response(
        response(401, {"type": "denied_authentication", "message": "authentication is denied"})
    )

    assert isinstance(error, UnauthorizedError)
    assert error.status_code == 401
    assert str(error) == "401 denied_authentication: authentication is denied"


def test_403_permissions_denied() -> None:
    error = error_from_response(
        response(
            403,
            {
                "type": "permissions_denied",
                "message": "insufficient permissions",
                "details": [{"resource": "nats", "action": "write"}],
            },
        )
    )

    assert type(error) is PermissionsDeniedError
    assert error.status_code == 403
    assert "insufficient permissions" in str(error)


def test_403_quotas_exceeded_names_the_quota() -> None:
    error = error_from_response(
        response(
            403,
            {
                "type": "quotas_exceeded",
                "message": "quota(s) exceeded for this resource",
                "details": [{"resource": "nats_accounts", "quota": 10, "current": 10}],
            },
        )
    )

    assert type(error) is QuotaExceededError
    assert error.status_code == 403
    assert "nats_accounts: 10/10" in str(error)


def test_404_names_the_resource_and_its_id() -> None:
    error = error_from_response(
        response(
            404,
            {
                "type": "not_found",
                "message": "resource is not found",
                "resource": "nats_account",
                "resource_id": ACCOUNT_ID,
            },
        )
    )

    assert isinstance(error, NotFoundError)
    assert error.status_code == 404
    assert (error.resource, error.resource_id) == ("nats_account", ACCOUNT_ID)
    assert str(error) == f"404 not_found: resource is not found (nats_account {ACCOUNT_ID})"
    assert error.body["resource_id"] == ACCOUNT_ID


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("5", 5.0), ("0.5", 0.5), ("-3", 0.0), ("Wed, 21 Oct 2015 07:28:00 GMT", None), (None, None)],
)
def test_429_carries_retry_after(value: str | None, seconds: float | None) -> None:
    headers = {"Retry-After": value} if value is not None else None
    error = error_from_response(response(429, {"message": "too many requests"}, headers))

    assert isinstance(error, RateLimitedError)
    assert error.status_code == 429
    assert error.retry_after == seconds


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx(status: int) -> None:
    error = error_from_response(response(status, {"type": "internal", "message": "oops"}))

    assert type(error) is ServerError
    assert error.status_code == status


@pytest.mark.parametrize(
    "body", [b"<html>Bad Gateway</html>", b"", b"[1, 2]", b'"just a string"', b"\xff\xfe"]
)
def test_bodies_that_are_not_json_objects(body: bytes) -> None:
    error = error_from_response(response(502, body))

    assert type(error) is ServerError
    assert error.status_code == 502
    assert error.body == {}
    assert str(error) == "502 Bad Gateway"


def test_other_statuses_are_plain_scaleway_errors() -> None:
    error = error_from_response(response(418, {"message": "teapot"}))

    assert type(error) is ScalewayError
    assert error.status_code == 418


def test_hierarchy() -> None:
    for cls in (
        ConfigurationError,
        InvalidArgumentsError,
        UnauthorizedError,
        PermissionsDeniedError,
        QuotaExceededError,
        NotFoundError,
        RateLimitedError,
        ServerError,
        TransportError,
    ):
        assert issubclass(cls, ScalewayError)
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(InvalidArgumentsError, ValueError)


def test_local_refusal_has_no_status() -> None:
    error = InvalidArgumentsError.single("name", "must be a non-empty string")

    assert error.status_code is None
    assert str(error) == "invalid argument(s): name: must be a non-empty string"


async def test_errors_reach_the_caller_of_the_client(client: Flavoured, fake: FakeScaleway) -> None:
    with pytest.raises(NotFoundError) as caught:
        await client.call("get_account", ACCOUNT_ID)

    assert caught.value.resource == "nats_account"
    assert caught.value.resource_id == ACCOUNT_ID
    assert ACCOUNT_ID in str(caught.value)


async def test_quota_error_from_a_create_is_not_retried(
    client: Flavoured, fake: FakeScaleway
) -> None:
    quota = {"resource": "nats_accounts", "quota": 10, "current": 10}
    body = {"type": "quotas_exceeded", "message": "quota exceeded", "details": [quota]}
    fake.fail_next(3, method="POST", status=403, body=body)

    with pytest.raises(QuotaExceededError, match="nats_accounts: 10/10"):
        await client.call("create_account")

    assert fake.count("POST") == 1
    assert client.stats.get("retries", 0) == 0
