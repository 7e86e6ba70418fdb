from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import Union


T = TypeVar("T", bound="CreateNatsCredentialsBody")


@_attrs_define
class CreateNatsCredentialsBody:
    """
    Attributes:
        nats_account_id (str): NATS account containing the credentials.
        name (Union[Unset, str]): Name of the credentials.
    """

    nats_account_id: str
    name: Union[Unset, str] = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        nats_account_id = self.nats_account_id

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "nats_account_id": nats_account_id,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        nats_account_id = d.pop("nats_account_id")

        name = d.pop("name", UNSET)

        create_nats_credentials_body = cls(
            nats_account_id=nats_account_id,
            name=name,
        )

        create_nats_credentials_body.additional_properties = d
        return create_nats_credentials_body

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
