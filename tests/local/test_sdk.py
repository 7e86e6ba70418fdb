"""The official ``scaleway`` SDK cannot tell the emulator from the real API."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import nats
import pytest
from nats.aio.client import RawCredentials
from scaleway import Client
from scaleway.mnq.v1beta1 import MnqV1Beta1NatsAPI
from scaleway_core.api import ScalewayException

from scaleway_nats.local import LocalScaleway, Organization
from tests.ids import new_account_id


@pytest.fixture
def sdk(emulator: LocalScaleway, org: Organization) -> Iterator[MnqV1Beta1NatsAPI]:
    client = Client(
        access_key=org.access_key,
        secret_key=org.secret_key,
        default_project_id=org.project_id,
        default_region="fr-par",
        api_url=emulator.api_url,
    )
    return MnqV1Beta1NatsAPI(client)


async def test_sdk_round_trip(
    emulator: LocalScaleway, org: Organization, sdk: MnqV1Beta1NatsAPI
) -> None:
    account = sdk.create_nats_account(name="from-sdk")
    assert account.name == "from-sdk"
    assert account.project_id == org.project_id
    assert account.region == "fr-par"
    assert account.endpoint == emulator.regions["fr-par"]
    assert account.created_at is not None

    assert sdk.get_nats_account(nats_account_id=account.id).id == account.id
    renamed = sdk.update_nats_account(nats_account_id=account.id, name="renamed")
    assert renamed.name == "renamed"
    listed = sdk.list_nats_accounts()
    assert listed.total_count == 1
    assert [a.id for a in listed.nats_accounts] == [account.id]
    assert [a.id for a in sdk.list_nats_accounts_all()] == [account.id]

    creds = sdk.create_nats_credentials(nats_account_id=account.id, name="sdk-creds")
    assert creds.credentials is not None
    assert creds.credentials.name == "user.creds"
    got = sdk.get_nats_credentials(nats_credentials_id=creds.id)
    assert got.checksum == creds.checksum
    assert got.credentials is None
    listed_creds = sdk.list_nats_credentials(nats_account_id=account.id)
    assert [c.id for c in listed_creds.nats_credentials] == [creds.id]

    nc = await nats.connect(
        account.endpoint,
        user_credentials=RawCredentials(creds.credentials.content),
        tls=ssl.create_default_context(cafile=emulator.ca_file),
        allow_reconnect=False,
    )
    assert nc.is_connected
    await nc.close()

    sdk.delete_nats_credentials(nats_credentials_id=creds.id)
    sdk.delete_nats_account(nats_account_id=account.id)
    assert sdk.list_nats_accounts().total_count == 0


def test_sdk_errors(sdk: MnqV1Beta1NatsAPI) -> None:
    missing = new_account_id()
    with pytest.raises(ScalewayException) as excinfo:
        sdk.get_nats_account(nats_account_id=missing)
    assert excinfo.value.status_code == 404
    with pytest.raises(ScalewayException) as excinfo:
        sdk.list_nats_accounts(page_size=1000)
    assert excinfo.value.status_code == 400
