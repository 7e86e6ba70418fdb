"""connect(): the CA from SCW_NATS_CA_FILE, and a bounded retry of authorization refusals
(right after a create Scaleway may not have activated new credentials yet, issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaleway_nats import NatsAccount, NatsAPI, NatsConnectError
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect


@pytest.fixture
def account(emulator: LocalScaleway) -> NatsAccount:
    with NatsAPI(
        secret_key=emulator.secret_key, project_id=emulator.project_id, api_url=emulator.api_url
    ) as api:
        return api.create_account(name="connect")


@pytest.fixture
def api(emulator: LocalScaleway) -> NatsAPI:
    return NatsAPI(
        secret_key=emulator.secret_key, project_id=emulator.project_id, api_url=emulator.api_url
    )


async def test_the_ca_comes_from_scw_nats_ca_file(
    api: NatsAPI, account: NatsAccount, emulator: LocalScaleway, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = api.create_credentials(account)
    with pytest.raises(NatsConnectError, match="SCW_NATS_CA_FILE"):
        await connect(account, creds)  # the hint names every way to give the CA
    monkeypatch.setenv("SCW_NATS_CA_FILE", emulator.ca_file)
    nc = await connect(account, creds)
    assert nc.is_connected
    await nc.close()
    monkeypatch.setenv("SCW_NATS_CA_FILE", "/nonexistent/ca.pem")
    with pytest.raises(FileNotFoundError, match="SCW_NATS_CA_FILE"):
        await connect(account, creds)
    api.delete_account(account)


async def test_an_authorization_refusal_is_retried_then_reported_with_the_attempts(
    api: NatsAPI, account: NatsAccount, emulator: LocalScaleway, tmp_path: Path
) -> None:
    creds = api.create_credentials(account)
    path = creds.write(tmp_path / "revoked.creds")
    api.delete_credentials(creds)  # refused for good: every retry meets the same answer
    with pytest.raises(NatsConnectError) as refused:
        await connect(account, path, emulator.ca_file, authorization_wait=1.0)
    message = str(refused.value)
    assert "Authorization Violation" in message
    attempts = int(message.split("after ")[1].split(" attempts")[0])
    print(f"FIGURES authorization_wait=1.0: {attempts} attempts ({message.split('over ')[1]}")
    assert attempts >= 2
    with pytest.raises(NatsConnectError) as at_once:
        await connect(account, path, emulator.ca_file, authorization_wait=0)
    assert "attempts" not in str(at_once.value)  # 0: no retry (a revocation check)
    api.delete_account(account)
