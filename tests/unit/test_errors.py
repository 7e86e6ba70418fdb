"""Scaleway error bodies become the matching exceptions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from scaleway_nats import (
    APIStatusError,
    ArgumentDetail,
    ArgumentValidationError,
    ConfigurationError,
    InvalidArgumentsError,
    NotFoundError,
    PermissionsDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ScalewayError,
    ServerError,
    UnauthorizedError,
    errors,
)
from scaleway_nats.errors import error_from_response
from tests.ids import EXAMPLE_ACCOUNT_ID as ACCOUNT_ID
from tests.support.in_process import fast_policy

Flavoured = InProcessScaleway = Any  # the fixtures' types (see conftest.py)


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
        ArgumentDetail("name", "constraint", "must be shorter"),
        ArgumentDetail("page_size", "required", ""),
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


# Scaleway's answers (bodies as recorded, tests/data/recordings) -> (error class, its text).
ANSWERS: dict[str, tuple[int, dict[str, Any], type[APIStatusError], str]] = {
    "401": (
        401,
        {"type": "denied_authentication", "message": "authentication is denied"},
        UnauthorizedError,
        "401 denied_authentication: authentication is denied",
    ),
    "403 permissions": (
        403,
        {
            "type": "permissions_denied",
            "message": "insufficient permissions",
            "details": [{"resource": "nats", "action": "write"}],
        },
        PermissionsDeniedError,
        "403 permissions_denied: insufficient permissions",
    ),
    "403 quota, named": (
        403,
        {
            "type": "quotas_exceeded",
            "message": "quota(s) exceeded for this resource",
            "details": [{"resource": "nats_accounts", "quota": 10, "current": 10}],
        },
        QuotaExceededError,
        "403 quotas_exceeded: quota(s) exceeded for this resource (nats_accounts: 10/10)",
    ),
    "404, resource and id named": (
        404,
        {
            "type": "not_found",
            "message": "resource is not found",
            "resource": "nats_account",
            "resource_id": ACCOUNT_ID,
        },
        NotFoundError,
        f"404 not_found: resource is not found (nats_account {ACCOUNT_ID})",
    ),
}


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_each_answer_becomes_its_error_and_message(answer: str) -> None:
    status, body, cls, text = ANSWERS[answer]

    error = error_from_response(response(status, body))

    assert type(error) is cls
    assert error.status_code == status
    assert str(error) == text
    assert error.body == body


def test_404_names_the_resource_and_its_id() -> None:
    status, body, _, _ = ANSWERS["404, resource and id named"]
    error = error_from_response(response(status, body))

    assert isinstance(error, NotFoundError)
    assert (error.resource, error.resource_id) == ("nats_account", ACCOUNT_ID)


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


def test_other_statuses_are_plain_status_errors() -> None:
    error = error_from_response(response(418, {"message": "teapot"}))

    assert type(error) is APIStatusError  # the server answered: ScalewayError before 0.2
    assert error.status_code == 418


def test_hierarchy() -> None:
    exported = [getattr(errors, name) for name in errors.__all__]
    classes = [item for item in exported if isinstance(item, type)]

    assert len(classes) == len(exported) - 1  # all but error_from_response
    assert all(issubclass(cls, ScalewayError) for cls in classes), classes
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(InvalidArgumentsError, ValueError)


def test_local_refusal_has_no_status() -> None:
    error = ArgumentValidationError("name", "must be a non-empty string")

    assert error.status_code is None
    assert str(error) == "invalid argument(s): name: must be a non-empty string"


async def test_errors_reach_the_caller_of_the_client(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    with pytest.raises(NotFoundError) as caught:
        await client.call("get_account", ACCOUNT_ID)

    assert caught.value.resource == "namespace"  # Scaleway's word for an account (recorded)
    assert caught.value.resource_id == ACCOUNT_ID
    assert ACCOUNT_ID in str(caught.value)


async def test_quota_error_from_a_create_is_not_retried(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    fake.service.max_accounts = 1  # the emulator's own quota answer
    fake.add_account()

    with pytest.raises(QuotaExceededError, match="nats_accounts: 1/1"):
        await client.call("create_account")

    assert fake.count("POST") == 1
    assert len(fake.accounts["fr-par"]) == 1
    assert client.stats.get("retries", 0) == 0


# -- every failure is a ScalewayError naming method, URL and status (issue 10 item 7) -----------

WRONG_ANSWERS = {
    "html": {"content": b"<html><body>Welcome to the captive portal</body></html>"},
    "list": {"json": [1, 2]},
    "string": {"json": "ok"},
    "null": {"json": None},
    "items-not-objects": {"json": {"nats_accounts": [1, 2], "total_count": 2}},
    "id-not-a-string": {"json": {"id": 7, "name": "x"}},
}

CALLS = {
    "get_account": lambda api: api.get_account(ACCOUNT_ID),
    "create_account": lambda api: api.create_account(name="orders"),
    "list_accounts": lambda api: api.list_accounts().page(1),
    "update_account": lambda api: api.update_account(ACCOUNT_ID, name="x"),
    "create_credentials": lambda api: api.create_credentials(ACCOUNT_ID, name="ci"),
    "list_credentials": lambda api: api.list_credentials(ACCOUNT_ID).page(1),
}


@pytest.mark.parametrize("answer", list(WRONG_ANSWERS))
@pytest.mark.parametrize("call", list(CALLS))
def test_a_2xx_answer_of_the_wrong_shape_is_a_scaleway_error(answer: str, call: str) -> None:
    from scaleway_nats import NatsAPI, UnexpectedResponseError

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, **WRONG_ANSWERS[answer])  # type: ignore[arg-type]

    with (
        NatsAPI(
            secret_key="11111111-2222-3333-4444-555555555555",
            project_id="6b9c1c1e-5a0c-4f32-9a0d-3a1f4a3c2b10",
            api_url="https://scaleway.test",
            transport=httpx.MockTransport(handler),
            retry_policy=fast_policy(),
        ) as api,
        pytest.raises(UnexpectedResponseError) as caught,
    ):
        CALLS[call](api)

    error = caught.value
    assert isinstance(error, ScalewayError)
    assert error.status_code == 200
    text = str(error)
    assert "https://scaleway.test/mnq/v1beta1/regions/fr-par/nats-" in text
    assert error.method in text and error.method in {"GET", "POST", "PATCH"}
    assert "200" in text
    assert "captive" not in text  # the body is not echoed: it may hold a secret


def test_an_html_error_page_names_method_url_and_status() -> None:
    request = httpx.Request("GET", "https://api.scaleway.com/mnq/v1beta1/regions/fr-par/x")
    error = error_from_response(httpx.Response(502, content=b"<html>", request=request))

    assert type(error) is ServerError
    assert (
        str(error) == "502 Bad Gateway (GET https://api.scaleway.com/mnq/v1beta1/regions/fr-par/x)"
    )
