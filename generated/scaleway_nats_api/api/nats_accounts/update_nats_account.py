from http import HTTPStatus
from typing import Any, Optional, Union

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response
from ... import errors

from ...models.nats_account import NatsAccount
from ...models.update_nats_account_body import UpdateNatsAccountBody
from ...models.update_nats_account_region import UpdateNatsAccountRegion


def request_kwargs(
    region: UpdateNatsAccountRegion,
    nats_account_id: str,
    *,
    body: UpdateNatsAccountBody,
) -> dict[str, Any]:
    """The keyword arguments of httpx.Client.request for this operation (public: the wrapper
    sends them itself, with its own retries and time limits)."""
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/mnq/v1beta1/regions/{region}/nats-accounts/{nats_account_id}".format(
            region=region,
            nats_account_id=nats_account_id,
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Optional[NatsAccount]:
    if response.status_code == 200:
        response_200 = NatsAccount.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Response[NatsAccount]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    region: UpdateNatsAccountRegion,
    nats_account_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateNatsAccountBody,
) -> Response[NatsAccount]:
    """Update the name of a NATS account

     Update the name of a NATS account, specified by its NATS account ID.

    Args:
        region (UpdateNatsAccountRegion):
        nats_account_id (str):
        body (UpdateNatsAccountBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[NatsAccount]
    """

    kwargs = request_kwargs(
        region=region,
        nats_account_id=nats_account_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    region: UpdateNatsAccountRegion,
    nats_account_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateNatsAccountBody,
) -> Optional[NatsAccount]:
    """Update the name of a NATS account

     Update the name of a NATS account, specified by its NATS account ID.

    Args:
        region (UpdateNatsAccountRegion):
        nats_account_id (str):
        body (UpdateNatsAccountBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        NatsAccount
    """

    return sync_detailed(
        region=region,
        nats_account_id=nats_account_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    region: UpdateNatsAccountRegion,
    nats_account_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateNatsAccountBody,
) -> Response[NatsAccount]:
    """Update the name of a NATS account

     Update the name of a NATS account, specified by its NATS account ID.

    Args:
        region (UpdateNatsAccountRegion):
        nats_account_id (str):
        body (UpdateNatsAccountBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[NatsAccount]
    """

    kwargs = request_kwargs(
        region=region,
        nats_account_id=nats_account_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    region: UpdateNatsAccountRegion,
    nats_account_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateNatsAccountBody,
) -> Optional[NatsAccount]:
    """Update the name of a NATS account

     Update the name of a NATS account, specified by its NATS account ID.

    Args:
        region (UpdateNatsAccountRegion):
        nats_account_id (str):
        body (UpdateNatsAccountBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        NatsAccount
    """

    return (
        await asyncio_detailed(
            region=region,
            nats_account_id=nats_account_id,
            client=client,
            body=body,
        )
    ).parsed
