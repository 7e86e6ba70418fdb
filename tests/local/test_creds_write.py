"""Issue 20.5: the rollback after a failed `.creds` write is the SDK's
(`create_credentials(..., write_to=)`, `write_creds_file`), against the emulator."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaleway_nats import CredentialsWriteError, NatsAccount, NatsAPI, NotFoundError
from scaleway_nats.local import LocalScaleway, Organization


@pytest.fixture
def api(emulator: LocalScaleway, org: Organization) -> Iterator[NatsAPI]:
    with NatsAPI(
        secret_key=org.secret_key, project_id=org.project_id, api_url=emulator.api_url
    ) as api:
        yield api


@pytest.fixture
def account(api: NatsAPI) -> Iterator[NatsAccount]:
    made = api.create_account(name="creds-write")
    yield made
    api.delete_account(made)


def test_write_to_a_folder_names_the_file_and_never_replaces_one(
    api: NatsAPI, account: NatsAccount, tmp_path: Path
) -> None:
    taken = tmp_path / "app.creds"
    taken.write_text("another secret")
    created = api.create_credentials(account, "app", write_to=tmp_path)
    written = tmp_path / f"app-{created.id[:8]}.creds"
    assert written.read_text() == created.content
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert taken.read_text() == "another secret"


def test_a_failed_write_deletes_the_credentials(
    api: NatsAPI, account: NatsAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(path: Path, content: str, **options: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("scaleway_nats._sync.client.write_secret_file", disk_full)
    with pytest.raises(CredentialsWriteError, match="No space left on device") as failed:
        api.create_credentials(account, "full", write_to=tmp_path / "full.creds")
    assert failed.value.deleted and failed.value.resource_id is not None
    with pytest.raises(NotFoundError):
        api.get_credentials(failed.value.resource_id)
    assert api.list_credentials(account).all() == []


def test_when_the_delete_fails_too_the_error_says_the_secret_is_lost(
    api: NatsAPI, account: NatsAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = api.create_credentials(account, "lost")
    (tmp_path / "taken.creds").write_text("x")
    monkeypatch.setattr(NatsAPI, "delete_credentials", _refuse_delete)
    with pytest.raises(CredentialsWriteError, match="secret is lost") as failed:
        api.write_creds_file(created, tmp_path / "taken.creds")
    assert not failed.value.deleted
    assert created.content is not None and created.content not in str(failed.value)
    monkeypatch.undo()
    api.delete_credentials(created)


def _refuse_delete(self: NatsAPI, *args: object, **kwargs: object) -> None:
    raise NotFoundError("refused by the test")
