"""Models: parsing, repr without secrets, and writing .creds files safely."""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path
from typing import Any

import attrs
import pytest

import scaleway_nats.models as models_module
from scaleway_nats import NatsAccount, NatsCredentials
from scaleway_nats.models import parse_time

Flavoured = FakeScaleway = Any  # the fixtures' types (see conftest.py)

CONTENT = "-----BEGIN NATS USER JWT-----\neyJ0eXAi.secret.jwt\n------END NATS USER JWT------\n"
# A real account id (scaleway/terraform-provider-scaleway, nats-credentials-basic cassette)
ACCOUNT_ID = "ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3"
CREDENTIALS_ID = "7e1a8b3d-2c4f-4d6e-9f0a-1b2c3d4e5f60"


def credentials(
    content: str | None = CONTENT, file_name: str | None = "ci.creds"
) -> NatsCredentials:
    return NatsCredentials(
        id=CREDENTIALS_ID,
        name="ci",
        nats_account_id=ACCOUNT_ID,
        region="fr-par",
        file_name=file_name,
        content=content,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_repr_never_shows_the_content() -> None:
    creds = credentials()

    assert CONTENT not in repr(creds)
    assert "secret.jwt" not in repr(creds)
    assert "secret.jwt" not in str(creds)
    assert CREDENTIALS_ID in repr(creds)
    assert creds.has_content
    assert not credentials(content=None).has_content


async def test_created_credentials_hide_their_content(
    client: Flavoured, fake: FakeScaleway
) -> None:
    account = fake.add_account()

    creds = await client.call("create_credentials", account["id"], name="ci")

    assert creds.content
    assert creds.content not in repr(creds)
    assert "jwt-" not in repr(creds)
    assert creds.file_name == "ci.creds"


def test_write_creates_an_owner_only_file(tmp_path: Path) -> None:
    target = tmp_path / "ci.creds"

    written = credentials().write(target)

    assert written == target
    assert target.read_text() == CONTENT
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["ci.creds"]  # no temporary file left


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "ci.creds"
    target.write_text("old content that is much longer than the new one " * 10)
    target.chmod(0o644)

    credentials().write(str(target))

    assert target.read_text() == CONTENT
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["ci.creds"]


def test_write_into_a_directory_uses_the_file_name(tmp_path: Path) -> None:
    assert credentials().write(tmp_path) == tmp_path / "ci.creds"
    assert credentials(file_name=None).write(tmp_path) == tmp_path / "ci.creds"  # <name>.creds
    assert (tmp_path / "ci.creds").read_text() == CONTENT


def test_write_creates_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "ci.creds"

    credentials().write(target)

    assert target.read_text() == CONTENT


def test_write_refuses_without_content(tmp_path: Path) -> None:
    target = tmp_path / "ci.creds"

    with pytest.raises(ValueError, match="no content"):
        credentials(content=None).write(target)

    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ci.creds"
    target.write_text("old")

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(models_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        credentials().write(target)

    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["ci.creds"]


def test_datetimes_are_parsed() -> None:
    account = NatsAccount.from_json(
        {
            "id": ACCOUNT_ID,
            "name": "orders",
            "endpoint": "nats://nats.mnq.fr-par.scaleway.com:4222",
            "project_id": "6b9c1c1e-5a0c-4f32-9a0d-3a1f4a3c2b10",
            "region": "fr-par",
            "created_at": "2022-03-22T12:34:56.123456Z",
            "updated_at": "2023-01-02T03:04:05Z",
        }
    )

    utc = datetime.timezone.utc
    assert account.created_at == datetime.datetime(2022, 3, 22, 12, 34, 56, 123456, tzinfo=utc)
    assert account.updated_at == datetime.datetime(2023, 1, 2, 3, 4, 5, tzinfo=utc)
    assert account.created_at.utcoffset() == datetime.timedelta(0)


def test_missing_fields_get_defaults() -> None:
    account = NatsAccount.from_json({"id": ACCOUNT_ID})
    creds = NatsCredentials.from_json({"id": CREDENTIALS_ID, "created_at": None})

    assert (account.id, account.name, account.region, account.created_at) == (
        ACCOUNT_ID,
        "",
        "",
        None,
    )
    assert creds.created_at is None
    assert creds.content is None
    assert creds.file_name is None


def test_credentials_from_a_create_answer() -> None:
    creds = NatsCredentials.from_json(
        {
            "id": CREDENTIALS_ID,
            "name": "ci",
            "nats_account_id": ACCOUNT_ID,
            "region": "nl-ams",
            "created_at": "2024-05-06T07:08:09Z",
            "checksum": "abc",
            "credentials": {"name": "ci.creds", "content": CONTENT},
        }
    )

    assert creds.content == CONTENT
    assert creds.file_name == "ci.creds"
    assert creds.checksum == "abc"
    assert creds.region == "nl-ams"
    assert creds.created_at == datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)


def test_models_are_immutable() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        credentials().content = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-03-22T12:34:56.123456Z", datetime.datetime(2022, 3, 22, 12, 34, 56, 123456)),
        ("2022-03-22T12:34:56Z", datetime.datetime(2022, 3, 22, 12, 34, 56)),
        ("2022-03-22T14:34:56+02:00", datetime.datetime(2022, 3, 22, 12, 34, 56)),
        ("2022-03-22T12:34:56.1234567Z", datetime.datetime(2022, 3, 22, 12, 34, 56, 123456)),
        ("2022-03-22T12:34:56", datetime.datetime(2022, 3, 22, 12, 34, 56)),  # naive: UTC
    ],
)
def test_timestamps_parse_to_aware_utc(text: str, expected: datetime.datetime) -> None:
    parsed = parse_time(text)
    assert parsed is not None
    assert parsed.utcoffset() is not None
    assert parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None) == expected


@pytest.mark.parametrize("value", [None, "", 12, {}])
def test_absent_timestamps_are_none(value: object) -> None:
    assert parse_time(value) is None
