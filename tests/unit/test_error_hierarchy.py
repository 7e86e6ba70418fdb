"""The error hierarchy (issue 20.6): "the server answered" (APIStatusError, with the response
and its request id) apart from "no answer came" (APIConnectionError, APITimeoutError), a
client-side refusal apart from the server's 400, and messages built once."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pytest

import scaleway_nats
from scaleway_nats import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ArgumentDetail,
    ArgumentValidationError,
    InvalidArgumentsError,
    NotFoundError,
    TransportError,
    errors,
)
from scaleway_nats.errors import error_from_response
from tests.ids import EXAMPLE_ACCOUNT_ID as ACCOUNT_ID
from tests.support.in_process import fast_policy

Flavoured = InProcessScaleway = Any  # the fixtures' types (see conftest.py)

# The header name Scaleway answers with (tests/data/recordings/*.cassette.yaml).
REQUEST_ID = "X-Request-Id"
# A status and error type of each kind of answer the client tells apart.
ANSWERED = [
    (400, "invalid_arguments"),
    (401, "denied_authentication"),
    (403, "permissions_denied"),
    (403, "quotas_exceeded"),
    (404, "not_found"),
    (429, "too_many_requests"),
    (503, "service_unavailable"),
]


def test_the_server_s_answers_sit_under_api_status_error() -> None:
    answers = {type(error_from_response(httpx.Response(s, json={"type": t}))) for s, t in ANSWERED}
    exported = {getattr(errors, name) for name in errors.__all__}

    assert len(answers) == len(ANSWERED)  # each its own class...
    assert answers <= exported  # ...that users can import
    for cls in answers:
        assert issubclass(cls, APIStatusError)
        assert not issubclass(cls, APIConnectionError)
    assert issubclass(APIStatusError, errors.ScalewayError)


def test_no_answer_is_a_connection_error_and_a_deadline_a_timeout() -> None:
    assert TransportError is APIConnectionError  # the name users catch today still works
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APITimeoutError, TimeoutError)
    assert not issubclass(APIConnectionError, APIStatusError)


def test_a_refusal_before_sending_is_not_the_server_s_400() -> None:
    assert issubclass(ArgumentValidationError, ValueError)
    assert not issubclass(ArgumentValidationError, InvalidArgumentsError | APIStatusError)
    assert not issubclass(ArgumentDetail, BaseException)  # a record, not an exception
    assert "ArgumentDetail" in scaleway_nats.__all__
    assert "ArgumentError" not in scaleway_nats.__all__


def test_the_old_record_name_still_imports_with_a_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from scaleway_nats.errors import ArgumentError

    assert ArgumentError is ArgumentDetail
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_a_status_error_carries_the_response_and_its_request_id() -> None:
    request = httpx.Request("GET", "https://api.scaleway.com/mnq/v1beta1/regions/fr-par/x")
    answer = httpx.Response(
        404,
        json={"type": "not_found", "message": "resource is not found"},
        headers={REQUEST_ID: "b7bd1e1e-6b4f-4f38-8d3c-7b5ad4a9d7f1"},
        request=request,
    )
    error = error_from_response(answer)

    assert isinstance(error, NotFoundError)
    assert error.response is answer
    assert error.request_id == "b7bd1e1e-6b4f-4f38-8d3c-7b5ad4a9d7f1"
    assert error.status_code == 404


async def test_the_client_refuses_a_bad_id_before_sending(
    client: Flavoured, fake: InProcessScaleway
) -> None:
    with pytest.raises(ArgumentValidationError) as caught:
        await client.call("get_account", "nope")

    assert not isinstance(caught.value, InvalidArgumentsError)
    assert caught.value.status_code is None
    assert caught.value.details[0].argument_name == "nats_account_id"
    assert fake.total == 0


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_time_limit_is_a_timeout_and_a_refused_connection_is_not_and_both_say_where(
    flavoured_factory: Any, fake: InProcessScaleway, flavour: str
) -> None:
    client = flavoured_factory(flavour, retry_policy=fast_policy(max_retries=1))
    fake.fail_next(2, exception=httpx.ReadTimeout)
    with pytest.raises(APITimeoutError) as timed_out:
        await client.call("get_account", ACCOUNT_ID)
    assert "ReadTimeout" in str(timed_out.value)

    fake.fail_next(2, exception=httpx.ConnectError)
    with pytest.raises(APIConnectionError) as refused:
        await client.call("get_account", ACCOUNT_ID)
    assert not isinstance(refused.value, APITimeoutError)
    text = str(refused.value)  # names the host and the attempts
    assert "scaleway.test" in text and "after 2 attempts over" in text
    assert refused.value.attempts == 2
