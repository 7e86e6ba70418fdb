from http import HTTPStatus
from typing import Any, Optional, Union

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response
from ... import errors

from ...models.delete_nats_account_region import DeleteNatsAccountRegion


def request_kwargs(
    region: DeleteNatsAccountRegion,
    nats_account_id: str,
) -> dict[str, Any]:
    """The keyword arguments of httpx.Client.request for this operation (public: the wrapper
    sends them itself, with its own retries and time limits)."""

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/mnq/v1beta1/regions/{region}/nats-accounts/{nats_account_id}".format(
            region=region,
            nats_account_id=nats_account_id,
        ),
    }

    return _kwargs


def _parse_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Optional[Any]:
    if response.status_code == 204:
        return None

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Response[Any]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    region: DeleteNatsAccountRegion,
    nats_account_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any]:
    """Delete a NATS account

     Delete a NATS account, specified by its NATS account ID. Note that deleting a NATS account is
    irreversible, and any credentials, streams, consumer and stored messages belonging to this NATS
    account will also be deleted.

    Args:
        region (DeleteNatsAccountRegion):
        nats_account_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = request_kwargs(
        region=region,
        nats_account_id=nats_account_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


async def asyncio_detailed(
    region: DeleteNatsAccountRegion,
    nats_account_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any]:
    """Delete a NATS account

     Delete a NATS account, specified by its NATS account ID. Note that deleting a NATS account is
    irreversible, and any credentials, streams, consumer and stored messages belonging to this NATS
    account will also be deleted.

    Args:
        region (DeleteNatsAccountRegion):
        nats_account_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = request_kwargs(
        region=region,
        nats_account_id=nats_account_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)
