"""Models: parsing, repr without secrets, and writing .creds files safely."""

from __future__ import annotations

import datetime
import os
import re
import stat
import types
from pathlib import Path
from typing import Any

import attrs
import pytest

import scaleway_nats.models as models_module
from scaleway_nats import NatsAccount, NatsCredentials, creds_file_path
from scaleway_nats.models import parse_time

Flavoured = InProcessScaleway = Any  # the fixtures' types (see conftest.py)

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
    client: Flavoured, fake: InProcessScaleway
) -> None:
    account = fake.add_account()

    creds = await client.call("create_credentials", account["id"], name="ci")

    assert creds.content
    assert creds.content not in repr(creds)
    assert "jwt-" not in repr(creds)
    assert creds.file_name == "user.creds"  # what the real service always says


def test_write_creates_an_owner_only_file(tmp_path: Path) -> None:
    target = tmp_path / "ci.creds"

    written = credentials().write(target)

    assert written == target
    assert target.read_text() == CONTENT
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["ci.creds"]  # no temporary file left


def test_write_never_replaces_an_existing_file_unless_asked(tmp_path: Path) -> None:
    # Issue 22.3: the README promises an existing file is never overwritten unless asked.
    target = tmp_path / "ci.creds"
    target.write_text("someone else's secret")

    with pytest.raises(FileExistsError) as refused:
        credentials().write(target)

    assert str(target) in str(refused.value) and "overwrite=True" in str(refused.value)
    assert ".tmp" not in str(refused.value)  # the user's path, not our temporary file
    assert target.read_text() == "someone else's secret"
    assert os.listdir(tmp_path) == ["ci.creds"]  # no temporary left


def test_write_replaces_an_existing_file_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "ci.creds"
    target.write_text("old content that is much longer than the new one " * 10)
    target.chmod(0o644)

    credentials().write(str(target), overwrite=True)

    assert target.read_text() == CONTENT
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["ci.creds"]


def test_write_into_a_directory_names_the_file_after_the_credentials(tmp_path: Path) -> None:
    assert credentials(file_name="user.creds").write(tmp_path) == tmp_path / "ci.creds"
    assert (tmp_path / "ci.creds").read_text() == CONTENT
    assert not (tmp_path / "user.creds").exists()


async def test_two_created_credentials_written_to_one_folder_keep_both_secrets(
    client: Flavoured, fake: InProcessScaleway, tmp_path: Path
) -> None:
    # The server names every file "user.creds": writing by that name lost the first secret.
    account = fake.add_account()
    first = await client.call("create_credentials", account["id"], name="ci")
    second = await client.call("create_credentials", account["id"], name="deploy")

    paths = [first.write(tmp_path), second.write(tmp_path)]

    assert [p.read_text() for p in paths] == [first.content, second.content]
    assert sorted(os.listdir(tmp_path)) == ["ci.creds", "deploy.creds"]


def test_write_into_a_directory_never_replaces_a_file(tmp_path: Path) -> None:
    (tmp_path / "ci.creds").write_text("someone else's secret")

    with pytest.raises(FileExistsError) as refused:
        credentials().write(tmp_path)

    # Issue 22.3: the message named an internal temporary file; it names the user's path now.
    assert str(tmp_path / "ci.creds") in str(refused.value)
    assert ".tmp" not in str(refused.value)
    assert (tmp_path / "ci.creds").read_text() == "someone else's secret"
    assert os.listdir(tmp_path) == ["ci.creds"]  # no temporary left


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "a/b",
        "a\\b",
        "..",
        ".hidden",
        "line\nbreak",
        "nul\x00",
        "x" * 500,
        "é" * 300,
        "   ",
        "orders 🚀",
    ],
)
def test_file_names_from_credentials_names_stay_in_the_folder(tmp_path: Path, name: str) -> None:
    path = creds_file_path(tmp_path, name)

    assert path.parent == tmp_path
    assert path.name.endswith(".creds") and not path.name.startswith(".")
    assert len(path.name.encode()) <= 200
    assert all(c.isprintable() and c not in "/\\" for c in path.name)
    written = attrs.evolve(credentials(), name=name).write(tmp_path)
    assert written == path and written.read_text() == CONTENT


def test_distinct_names_give_distinct_files(tmp_path: Path) -> None:
    names = ["a/b", "a_b", "a b", "a\nb", "x" * 400, "x" * 401]

    assert len({creds_file_path(tmp_path, n) for n in names}) == len(names)
    assert creds_file_path(tmp_path, "orders-worker.v2").name == "orders-worker.v2.creds"


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
        credentials().write(target, overwrite=True)

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

    utc = datetime.UTC
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
            "credentials": {"name": "user.creds", "content": CONTENT},
        }
    )

    assert creds.content == CONTENT
    assert creds.file_name == "user.creds"
    assert creds.checksum == "abc"
    assert creds.region == "nl-ams"
    assert creds.created_at == datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)


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
    assert parsed.astimezone(datetime.UTC).replace(tzinfo=None) == expected


@pytest.mark.parametrize("value", [None, "", 12, {}])
def test_absent_timestamps_are_none(value: object) -> None:
    assert parse_time(value) is None


# Answers recorded against the live API (scaleway/terraform-provider-scaleway,
# internal/services/mnq/testdata/nats-credentials-basic.cassette.yaml), secrets replaced.
RECORDED_ACCOUNT = {
    "created_at": "2026-04-10T10:59:07.138468378Z",
    "endpoint": "nats://nats.mnq.fr-par.scaleway.com:4222",
    "id": "ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3",
    "name": "test-mnq-nats-credentials-basic-test",
    "project_id": "af51833e-7ef9-4b06-b308-02d95c86f7fa",
    "region": "fr-par",
    "updated_at": "2026-04-10T10:59:07.138468378Z",
}
RECORDED_CREDENTIALS = {
    "checksum": "690430dc4339d534c74bcd612cfaa715cd4d8c24",
    "created_at": "2026-04-10T10:59:07.622800Z",
    "credentials": None,
    "id": "e759e709-16c5-4a3f-b616-ac1ea1e1f0ee",
    "name": "tf-nats-credentials-wonderful-perlman",
    "nats_account_id": "ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3",
    "region": "fr-par",
    "updated_at": "2026-04-10T10:59:07.622800Z",
}


def test_recorded_answers_parse() -> None:
    account = NatsAccount.from_json(RECORDED_ACCOUNT)
    got = NatsCredentials.from_json(RECORDED_CREDENTIALS)
    created = NatsCredentials.from_json(
        {**RECORDED_CREDENTIALS, "credentials": {"content": CONTENT, "name": "user.creds"}}
    )

    assert account.id == RECORDED_ACCOUNT["id"] and account.created_at is not None
    assert account.created_at.microsecond == 138468  # nanoseconds truncated
    assert (got.content, got.file_name, got.checksum) == (
        None,
        None,
        RECORDED_CREDENTIALS["checksum"],
    )
    assert got.nats_account_id == account.id
    assert (created.content, created.file_name) == (CONTENT, "user.creds")


class _Python310Datetime(datetime.datetime):
    """``fromisoformat`` as Python 3.10 has it: no "Z", fractions of 3 or 6 digits only."""

    @classmethod
    def fromisoformat(cls, text: str) -> _Python310Datetime:
        if not re.fullmatch(r"[^.Z]*(\.\d{3}|\.\d{6})?([+-]\d\d:\d\d)?", text):
            raise ValueError(f"Invalid isoformat string: {text!r}")
        return super().fromisoformat(text)  # type: ignore[return-value]


@pytest.mark.parametrize("python310", [False, True], ids=["this-python", "python-3.10-parser"])
def test_create_and_get_stamps_of_one_instant_parse_equal(
    python310: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live API answers a create with nanoseconds and a get with microseconds
    (tests/data/recordings/nats-credentials-update-name.cassette.yaml steps 2 and 3): both
    parse, to the same instant, on every Python we support."""
    if python310:
        fake = types.SimpleNamespace(datetime=_Python310Datetime, timezone=datetime.timezone)
        monkeypatch.setattr(models_module, "datetime", fake)
        with pytest.raises(ValueError, match="isoformat"):
            _Python310Datetime.fromisoformat("2026-04-10T10:59:12.661542430+00:00")
    created = parse_time("2026-04-10T10:59:12.661542430Z")
    read = parse_time("2026-04-10T10:59:12.661542Z")
    utc = datetime.UTC
    assert created == read == datetime.datetime(2026, 4, 10, 10, 59, 12, 661542, tzinfo=utc)
    # a recorded trailing zero (cli-create-context-xdg: "08.325079040Z") changes nothing
    assert parse_time("2025-12-04T05:08:08.325079040Z") == parse_time("2025-12-04T05:08:08.325079Z")
