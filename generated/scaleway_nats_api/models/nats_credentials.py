from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from dateutil.parser import isoparse
from typing import cast
from typing import Union
import datetime

if TYPE_CHECKING:
    from ..models.nats_credentials_file import NatsCredentialsFile


T = TypeVar("T", bound="NatsCredentials")


@_attrs_define
class NatsCredentials:
    """
    Attributes:
        id (Union[Unset, str]): ID of the credentials.
        name (Union[Unset, str]): Name of the credentials.
        nats_account_id (Union[Unset, str]): NATS account containing the credentials.
        region (Union[Unset, str]): Region where the NATS account is deployed.
        created_at (Union[None, Unset, datetime.datetime]): NATS credentials creation date. (RFC 3339 format) Example:
            2022-03-22T12:34:56.123456Z.
        updated_at (Union[None, Unset, datetime.datetime]): NATS credentials last modification date. (RFC 3339 format)
            Example: 2022-03-22T12:34:56.123456Z.
        credentials (Union[Unset, NatsCredentialsFile]): Object containing the credentials file (Only returned by
            **Create Nats Credentials** call).
        checksum (Union[Unset, str]): Checksum of the credentials file.
    """

    id: Union[Unset, str] = UNSET
    name: Union[Unset, str] = UNSET
    nats_account_id: Union[Unset, str] = UNSET
    region: Union[Unset, str] = UNSET
    created_at: Union[None, Unset, datetime.datetime] = UNSET
    updated_at: Union[None, Unset, datetime.datetime] = UNSET
    credentials: Union[Unset, "NatsCredentialsFile"] = UNSET
    checksum: Union[Unset, str] = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        nats_account_id = self.nats_account_id

        region = self.region

        created_at: Union[None, Unset, str]
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        elif isinstance(self.created_at, datetime.datetime):
            created_at = self.created_at.isoformat()
        else:
            created_at = self.created_at

        updated_at: Union[None, Unset, str]
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        elif isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        credentials: Union[Unset, dict[str, Any]] = UNSET
        if not isinstance(self.credentials, Unset):
            credentials = self.credentials.to_dict()

        checksum = self.checksum

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if name is not UNSET:
            field_dict["name"] = name
        if nats_account_id is not UNSET:
            field_dict["nats_account_id"] = nats_account_id
        if region is not UNSET:
            field_dict["region"] = region
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if credentials is not UNSET:
            field_dict["credentials"] = credentials
        if checksum is not UNSET:
            field_dict["checksum"] = checksum

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.nats_credentials_file import NatsCredentialsFile

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        name = d.pop("name", UNSET)

        nats_account_id = d.pop("nats_account_id", UNSET)

        region = d.pop("region", UNSET)

        def _parse_created_at(data: object) -> Union[None, Unset, datetime.datetime]:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                created_at_type_0 = isoparse(data)

                return created_at_type_0
            except:  # noqa: E722
                pass
            return cast(Union[None, Unset, datetime.datetime], data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        def _parse_updated_at(data: object) -> Union[None, Unset, datetime.datetime]:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = isoparse(data)

                return updated_at_type_0
            except:  # noqa: E722
                pass
            return cast(Union[None, Unset, datetime.datetime], data)

        updated_at = _parse_updated_at(d.pop("updated_at", UNSET))

        _credentials = d.pop("credentials", UNSET)
        credentials: Union[Unset, NatsCredentialsFile]
        if isinstance(_credentials, Unset):
            credentials = UNSET
        else:
            credentials = NatsCredentialsFile.from_dict(_credentials)

        checksum = d.pop("checksum", UNSET)

        nats_credentials = cls(
            id=id,
            name=name,
            nats_account_id=nats_account_id,
            region=region,
            created_at=created_at,
            updated_at=updated_at,
            credentials=credentials,
            checksum=checksum,
        )

        nats_credentials.additional_properties = d
        return nats_credentials

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
