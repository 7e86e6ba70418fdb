from http import HTTPStatus
from typing import Any, Optional, Union

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.list_nats_credentials_order_by import ListNatsCredentialsOrderBy
from ...models.list_nats_credentials_region import ListNatsCredentialsRegion
from ...models.list_nats_credentials_response import ListNatsCredentialsResponse
from ...types import Unset


def request_kwargs(
    region: ListNatsCredentialsRegion,
    *,
    project_id: Union[Unset, str] = UNSET,
    nats_account_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsCredentialsOrderBy
    ] = ListNatsCredentialsOrderBy.CREATED_AT_ASC,
) -> dict[str, Any]:
    """The keyword arguments of httpx.Client.request for this operation (public: the wrapper
    sends them itself, with its own retries and time limits)."""

    params: dict[str, Any] = {}

    params["project_id"] = project_id

    params["nats_account_id"] = nats_account_id

    params["page"] = page

    params["page_size"] = page_size

    json_order_by: Union[Unset, str] = UNSET
    if not isinstance(order_by, Unset):
        json_order_by = order_by.value

    params["order_by"] = json_order_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/mnq/v1beta1/regions/{region}/nats-credentials".format(
            region=region,
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Optional[ListNatsCredentialsResponse]:
    if response.status_code == 200:
        response_200 = ListNatsCredentialsResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: Union[AuthenticatedClient, Client], response: httpx.Response
) -> Response[ListNatsCredentialsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    region: ListNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    nats_account_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsCredentialsOrderBy
    ] = ListNatsCredentialsOrderBy.CREATED_AT_ASC,
) -> Response[ListNatsCredentialsResponse]:
    """List NATS credentials

     List existing credentials in the specified NATS account. The response contains only the metadata for
    the credentials, not the credentials themselves, which are only returned after a **Create
    Credentials** call.

    Args:
        region (ListNatsCredentialsRegion):
        project_id (Union[Unset, str]):
        nats_account_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsCredentialsOrderBy]):  Default:
            ListNatsCredentialsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListNatsCredentialsResponse]
    """

    kwargs = request_kwargs(
        region=region,
        project_id=project_id,
        nats_account_id=nats_account_id,
        page=page,
        page_size=page_size,
        order_by=order_by,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    region: ListNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    nats_account_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsCredentialsOrderBy
    ] = ListNatsCredentialsOrderBy.CREATED_AT_ASC,
) -> Optional[ListNatsCredentialsResponse]:
    """List NATS credentials

     List existing credentials in the specified NATS account. The response contains only the metadata for
    the credentials, not the credentials themselves, which are only returned after a **Create
    Credentials** call.

    Args:
        region (ListNatsCredentialsRegion):
        project_id (Union[Unset, str]):
        nats_account_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsCredentialsOrderBy]):  Default:
            ListNatsCredentialsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListNatsCredentialsResponse
    """

    return sync_detailed(
        region=region,
        client=client,
        project_id=project_id,
        nats_account_id=nats_account_id,
        page=page,
        page_size=page_size,
        order_by=order_by,
    ).parsed


async def asyncio_detailed(
    region: ListNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    nats_account_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsCredentialsOrderBy
    ] = ListNatsCredentialsOrderBy.CREATED_AT_ASC,
) -> Response[ListNatsCredentialsResponse]:
    """List NATS credentials

     List existing credentials in the specified NATS account. The response contains only the metadata for
    the credentials, not the credentials themselves, which are only returned after a **Create
    Credentials** call.

    Args:
        region (ListNatsCredentialsRegion):
        project_id (Union[Unset, str]):
        nats_account_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsCredentialsOrderBy]):  Default:
            ListNatsCredentialsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListNatsCredentialsResponse]
    """

    kwargs = request_kwargs(
        region=region,
        project_id=project_id,
        nats_account_id=nats_account_id,
        page=page,
        page_size=page_size,
        order_by=order_by,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    region: ListNatsCredentialsRegion,
    *,
    client: AuthenticatedClient,
    project_id: Union[Unset, str] = UNSET,
    nats_account_id: Union[Unset, str] = UNSET,
    page: Union[Unset, int] = UNSET,
    page_size: Union[Unset, int] = UNSET,
    order_by: Union[
        Unset, ListNatsCredentialsOrderBy
    ] = ListNatsCredentialsOrderBy.CREATED_AT_ASC,
) -> Optional[ListNatsCredentialsResponse]:
    """List NATS credentials

     List existing credentials in the specified NATS account. The response contains only the metadata for
    the credentials, not the credentials themselves, which are only returned after a **Create
    Credentials** call.

    Args:
        region (ListNatsCredentialsRegion):
        project_id (Union[Unset, str]):
        nats_account_id (Union[Unset, str]):
        page (Union[Unset, int]):
        page_size (Union[Unset, int]):
        order_by (Union[Unset, ListNatsCredentialsOrderBy]):  Default:
            ListNatsCredentialsOrderBy.CREATED_AT_ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListNatsCredentialsResponse
    """

    return (
        await asyncio_detailed(
            region=region,
            client=client,
            project_id=project_id,
            nats_account_id=nats_account_id,
            page=page,
            page_size=page_size,
            order_by=order_by,
        )
    ).parsed
