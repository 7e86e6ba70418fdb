from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import Union

if TYPE_CHECKING:
    from ..models.nats_account import NatsAccount


T = TypeVar("T", bound="ListNatsAccountsResponse")


@_attrs_define
class ListNatsAccountsResponse:
    """
    Attributes:
        total_count (Union[Unset, int]): Total count of existing NATS accounts (matching any filters specified).
        nats_accounts (Union[Unset, list['NatsAccount']]): NATS accounts on this page.
    """

    total_count: Union[Unset, int] = UNSET
    nats_accounts: Union[Unset, list["NatsAccount"]] = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_count = self.total_count

        nats_accounts: Union[Unset, list[dict[str, Any]]] = UNSET
        if not isinstance(self.nats_accounts, Unset):
            nats_accounts = []
            for nats_accounts_item_data in self.nats_accounts:
                nats_accounts_item = nats_accounts_item_data.to_dict()
                nats_accounts.append(nats_accounts_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if total_count is not UNSET:
            field_dict["total_count"] = total_count
        if nats_accounts is not UNSET:
            field_dict["nats_accounts"] = nats_accounts

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.nats_account import NatsAccount

        d = dict(src_dict)
        total_count = d.pop("total_count", UNSET)

        nats_accounts = []
        _nats_accounts = d.pop("nats_accounts", UNSET)
        for nats_accounts_item_data in _nats_accounts or []:
            nats_accounts_item = NatsAccount.from_dict(nats_accounts_item_data)

            nats_accounts.append(nats_accounts_item)

        list_nats_accounts_response = cls(
            total_count=total_count,
            nats_accounts=nats_accounts,
        )

        list_nats_accounts_response.additional_properties = d
        return list_nats_accounts_response

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
