from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import Union

if TYPE_CHECKING:
    from ..models.nats_credentials import NatsCredentials


T = TypeVar("T", bound="ListNatsCredentialsResponse")


@_attrs_define
class ListNatsCredentialsResponse:
    """
    Attributes:
        total_count (Union[Unset, int]): Total count of existing credentials (matching any filters specified).
        nats_credentials (Union[Unset, list['NatsCredentials']]): Credentials on this page.
    """

    total_count: Union[Unset, int] = UNSET
    nats_credentials: Union[Unset, list["NatsCredentials"]] = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_count = self.total_count

        nats_credentials: Union[Unset, list[dict[str, Any]]] = UNSET
        if not isinstance(self.nats_credentials, Unset):
            nats_credentials = []
            for nats_credentials_item_data in self.nats_credentials:
                nats_credentials_item = nats_credentials_item_data.to_dict()
                nats_credentials.append(nats_credentials_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if total_count is not UNSET:
            field_dict["total_count"] = total_count
        if nats_credentials is not UNSET:
            field_dict["nats_credentials"] = nats_credentials

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.nats_credentials import NatsCredentials

        d = dict(src_dict)
        total_count = d.pop("total_count", UNSET)

        nats_credentials = []
        _nats_credentials = d.pop("nats_credentials", UNSET)
        for nats_credentials_item_data in _nats_credentials or []:
            nats_credentials_item = NatsCredentials.from_dict(
                nats_credentials_item_data
            )

            nats_credentials.append(nats_credentials_item)

        list_nats_credentials_response = cls(
            total_count=total_count,
            nats_credentials=nats_credentials,
        )

        list_nats_credentials_response.additional_properties = d
        return list_nats_credentials_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
