from http import HTTPStatus
from typing import Any, Optional, Union

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.list_nats_accounts_order_by import ListNatsAccountsOrderBy
from ...models.list_nats_accounts_region import ListNatsAccountsRegion
from ...models.list_nats_accounts_response import ListNatsAccountsResponse
from ...types import Unset


def request_kwargs(
    region: ListNatsAccountsRegion,
    *,
    project_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsAccountsOrderBy
    ] = ListNatsAccountsOrderBy.CREATED_AT_ASC,
) -> dict[str, Any]:
    """The keyword arguments of httpx.Client.request for this operation (public: the wrapper
    sends them itself, with its own retries and time limits)."""

    params: dict[str, Any] = {}

    params["project_id"] = project_id

    params["page"] = page

    params["page_size"] = page_size

    json_order_by: Union[Unset, str] = UNSET
    if not isinstance(order_by, Unset):
        json_order_by = order_by.value

    params["order_by"] = json_order_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/mnq/v1beta1/regions/{region}/nats-accounts".format(
            region=region,
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Optional[ListNatsAccountsResponse]:
    if response.status_code == 200:
        response_200 = ListNatsAccountsResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Response[ListNatsAccountsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    region: ListNatsAccountsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsAccountsOrderBy
    ] = ListNatsAccountsOrderBy.CREATED_AT_ASC,
) -> Response[ListNatsAccountsResponse]:
    """List NATS accounts

     List all NATS accounts in the specified region, for a Scaleway Organization or Project. By default,
    the NATS accounts returned in the list are ordered by creation date in ascending order, though this
    can be modified via the `order_by` field.

    Args:
        region (ListNatsAccountsRegion):
        project_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsAccountsOrderBy]):  Default:
            ListNatsAccountsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListNatsAccountsResponse]
    """

    kwargs = request_kwargs(
        region=region,
        project_id=project_id,
        page=page,
        page_size=page_size,
        order_by=order_by,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    region: ListNatsAccountsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsAccountsOrderBy
    ] = ListNatsAccountsOrderBy.CREATED_AT_ASC,
) -> Optional[ListNatsAccountsResponse]:
    """List NATS accounts

     List all NATS accounts in the specified region, for a Scaleway Organization or Project. By default,
    the NATS accounts returned in the list are ordered by creation date in ascending order, though this
    can be modified via the `order_by` field.

    Args:
        region (ListNatsAccountsRegion):
        project_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsAccountsOrderBy]):  Default:
            ListNatsAccountsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListNatsAccountsResponse
    """

    return sync_detailed(
        region=region,
        client=client,
        project_id=project_id,
        page=page,
        page_size=page_size,
        order_by=order_by,
    ).parsed


async def asyncio_detailed(
    region: ListNatsAccountsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsAccountsOrderBy
    ] = ListNatsAccountsOrderBy.CREATED_AT_ASC,
) -> Response[ListNatsAccountsResponse]:
    """List NATS accounts

     List all NATS accounts in the specified region, for a Scaleway Organization or Project. By default,
    the NATS accounts returned in the list are ordered by creation date in ascending order, though this
    can be modified via the `order_by` field.

    Args:
        region (ListNatsAccountsRegion):
        project_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsAccountsOrderBy]):  Default:
            ListNatsAccountsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListNatsAccountsResponse]
    """

    kwargs = request_kwargs(
        region=region,
        project_id=project_id,
        page=page,
        page_size=page_size,
        order_by=order_by,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    region: ListNatsAccountsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsAccountsOrderBy
    ] = ListNatsAccountsOrderBy.CREATED_AT_ASC,
) -> Optional[ListNatsAccountsResponse]:
    """List NATS accounts

     List all NATS accounts in the specified region, for a Scaleway Organization or Project. By default,
    the NATS accounts returned in the list are ordered by creation date in ascending order, though this
    can be modified via the `order_by` field.

    Args:
        region (ListNatsAccountsRegion):
        project_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsAccountsOrderBy]):  Default:
            ListNatsAccountsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListNatsAccountsResponse
    """

    return (
        await asyncio_detailed(
            region=region,
            client=client,
            project_id=project_id,
            page=page,
            page_size=page_size,
            order_by=order_by,
        )
    ).parsed
