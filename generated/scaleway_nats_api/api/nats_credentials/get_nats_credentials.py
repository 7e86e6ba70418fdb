from http import HTTPStatus
from typing import Any, Optional, Union

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response
from ... import errors

from ...models.get_nats_credentials_region import GetNatsCredentialsRegion
from ...models.nats_credentials import NatsCredentials


def request_kwargs(
    region: GetNatsCredentialsRegion,
    nats_credentials_id: str,
) -> dict[str, Any]:
    """The keyword arguments of httpx.Client.request for this operation (public: the wrapper
    sends them itself, with its own retries and time limits)."""

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/mnq/v1beta1/regions/{region}/nats-credentials/{nats_credentials_id}".format(
            region=region,
            nats_credentials_id=nats_credentials_id,
        ),
    }

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
    region: GetNatsCredentialsRegion,
    nats_credentials_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[NatsCredentials]:
    """Get NATS credentials

     Retrieve an existing set of credentials, identified by the `nats_credentials_id`. The credentials
    themselves are NOT returned, only their metadata (NATS account ID, credentials name, etc), are
    returned in the response.

    Args:
        region (GetNatsCredentialsRegion):
        nats_credentials_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[NatsCredentials]
    """

    kwargs = request_kwargs(
        region=region,
        nats_credentials_id=nats_credentials_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    region: GetNatsCredentialsRegion,
    nats_credentials_id: str,
    *,
    client: AuthenticatedClient,
) -> Optional[NatsCredentials]:
    """Get NATS credentials

     Retrieve an existing set of credentials, identified by the `nats_credentials_id`. The credentials
    themselves are NOT returned, only their metadata (NATS account ID, credentials name, etc), are
    returned in the response.

    Args:
        region (GetNatsCredentialsRegion):
        nats_credentials_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        NatsCredentials
    """

    return sync_detailed(
        region=region,
        nats_credentials_id=nats_credentials_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    region: GetNatsCredentialsRegion,
    nats_credentials_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[NatsCredentials]:
    """Get NATS credentials

     Retrieve an existing set of credentials, identified by the `nats_credentials_id`. The credentials
    themselves are NOT returned, only their metadata (NATS account ID, credentials name, etc), are
    returned in the response.

    Args:
        region (GetNatsCredentialsRegion):
        nats_credentials_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[NatsCredentials]
    """

    kwargs = request_kwargs(
        region=region,
        nats_credentials_id=nats_credentials_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    region: GetNatsCredentialsRegion,
    nats_credentials_id: str,
    *,
    client: AuthenticatedClient,
) -> Optional[NatsCredentials]:
    """Get NATS credentials

     Retrieve an existing set of credentials, identified by the `nats_credentials_id`. The credentials
    themselves are NOT returned, only their metadata (NATS account ID, credentials name, etc), are
    returned in the response.

    Args:
        region (GetNatsCredentialsRegion):
        nats_credentials_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        NatsCredentials
    """

    return (
        await asyncio_detailed(
            region=region,
            nats_credentials_id=nats_credentials_id,
            client=client,
        )
    ).parsed
