from http import HTTPStatus
from typing import Any, Optional, Union

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response
from ... import errors

from ...models.create_nats_credentials_body import CreateNatsCredentialsBody
from ...models.create_nats_credentials_region import CreateNatsCredentialsRegion
from ...models.nats_credentials import NatsCredentials


def request_kwargs(
    region: CreateNatsCredentialsRegion,
    *,
    body: CreateNatsCredentialsBody,
) -> dict[str, Any]:
    """The keyword arguments of httpx.Client.request for this operation (public: the wrapper
    sends them itself, with its own retries and time limits)."""
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/mnq/v1beta1/regions/{region}/nats-credentials".format(
            region=region,
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Optional[NatsCredentials]:
    if response.status_code == 200:
        response_200 = NatsCredentials.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Response[NatsCredentials]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    region: CreateNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    body: CreateNatsCredentialsBody,
) -> Response[NatsCredentials]:
    """Create NATS credentials

     Create a set of credentials for a NATS account, specified by its NATS account ID.

    Args:
        region (CreateNatsCredentialsRegion):
        body (CreateNatsCredentialsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[NatsCredentials]
    """

    kwargs = request_kwargs(
        region=region,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    region: CreateNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    body: CreateNatsCredentialsBody,
) -> Optional[NatsCredentials]:
    """Create NATS credentials

     Create a set of credentials for a NATS account, specified by its NATS account ID.

    Args:
        region (CreateNatsCredentialsRegion):
        body (CreateNatsCredentialsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        NatsCredentials
    """

    return sync_detailed(
        region=region,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    region: CreateNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    body: CreateNatsCredentialsBody,
) -> Response[NatsCredentials]:
    """Create NATS credentials

     Create a set of credentials for a NATS account, specified by its NATS account ID.

    Args:
        region (CreateNatsCredentialsRegion):
        body (CreateNatsCredentialsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[NatsCredentials]
    """

    kwargs = request_kwargs(
        region=region,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    region: CreateNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    body: CreateNatsCredentialsBody,
) -> Optional[NatsCredentials]:
    """Create NATS credentials

     Create a set of credentials for a NATS account, specified by its NATS account ID.

    Args:
        region (CreateNatsCredentialsRegion):
        body (CreateNatsCredentialsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        NatsCredentials
    """

    return (
        await asyncio_detailed(
            region=region,
            client=client,
            body=body,
        )
    ).parsed
