"""Issue 21 through the CLI (and issue 22.3): `credentials rotate`, `account usage`,
`context create`, `--region all`, `-o yaml`; each against the emulator, in an organization of
its own so that "every account" means this test's accounts."""

from __future__ import annotations

import errno
import json
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
import yaml

from scaleway_nats import (
    NatsAccount,
    NatsAPI,
    NatsCredentials,
    NotFoundError,
    QuotaExceededError,
    ServerError,
)
from scaleway_nats.facts import REGIONS
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import save_context
from scaleway_nats.rotation import RotationError
from tests.support.cli import run


@pytest.fixture
def org_env(emulator: LocalScaleway, monkeypatch: pytest.MonkeyPatch) -> Iterator[NatsAPI]:
    """A fresh organization's settings in SCW_* (as a CLI user sets them), and its client."""
    org = emulator.create_organization()
    monkeypatch.setenv("SCW_SECRET_KEY", org.secret_key)
    monkeypatch.setenv("SCW_DEFAULT_PROJECT_ID", org.project_id)
    monkeypatch.setenv("SCW_API_URL", emulator.api_url)
    monkeypatch.setenv("SCW_NATS_CA_FILE", emulator.ca_file)
    with NatsAPI() as api:
        yield api


@pytest.fixture
def account(org_env: NatsAPI) -> Iterator[NatsAccount]:
    created = org_env.create_account(name="beyond")
    try:
        yield created
    finally:
        org_env.delete_account(created)


@dataclass
class Rotating:
    """Credentials "app" of a fresh account, and the .creds file an app connects with."""

    api: NatsAPI
    account: NatsAccount
    old: NatsCredentials
    path: Path

    def assert_nothing_changed(self) -> None:
        """The file still holds the old credentials, the account's only ones."""
        assert self.path.read_text() == self.old.content
        assert _ids(self.api, self.account) == [self.old.id]


@pytest.fixture
def rotating(org_env: NatsAPI, account: NatsAccount, tmp_path: Path) -> Rotating:
    old = org_env.create_credentials(account, "app")
    return Rotating(org_env, account, old, old.write(tmp_path / "app.creds"))


def _ids(api: NatsAPI, account: NatsAccount) -> list[str]:
    return sorted(c.id for c in api.list_credentials(account))


def raising(error: Exception) -> Callable[..., NoReturn]:
    """A stand-in for a function: fails with `error`, whatever it is given."""

    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise error

    return fail


_disk_full = raising(OSError(errno.ENOSPC, "No space left on device"))


# -- rotation ----------------------------------------------------------------------------


def test_rotate_replaces_the_file_and_the_credentials(
    org_env: NatsAPI, account: NatsAccount, rotating: Rotating
) -> None:
    old, path = rotating.old, rotating.path
    rotated = run("credentials", "rotate", old.id, "--creds-file", str(path), "--grace", "0.2")
    assert rotated.exit_code == 0, rotated.output
    new_id = _ids(org_env, account)
    assert len(new_id) == 1 and new_id[0] != old.id
    assert f"deleted old credentials {old.id}" in rotated.stderr  # progress on stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() != old.content
    assert org_env.get_credentials(new_id[0]).name == "app"  # same name unless told
    as_json = run("credentials", "rotate", new_id[0], "--creds-file", str(path), "--grace", "0")
    assert as_json.exit_code == 0
    again = run(
        "credentials", "rotate", _ids(org_env, account)[0], "--creds-file", str(path),
        "--grace", "0", "--name", "renamed", "-o", "json",
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert _ids(org_env, account) == [data["id"]]
    assert org_env.get_credentials(data["id"]).name == "renamed"


def test_a_rotation_that_cannot_write_leaves_the_old_file_and_only_the_old_credentials(
    rotating: Rotating, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, old, path = rotating.api, rotating.old, rotating.path
    monkeypatch.setattr("scaleway_nats._sync.client.write_secret_file", _disk_full)
    with pytest.raises(RotationError) as failed:
        api.rotate_credentials(old, path, grace=0)
    message = str(failed.value)
    assert "No space left on device" in message
    assert f"still holds {old.id}, which stay valid" in message
    assert failed.value.existing == (old.id,) and failed.value.in_file == old.id
    rotating.assert_nothing_changed()


def test_a_rotation_whose_create_fails_changes_nothing(
    rotating: Rotating, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, path = rotating.old, rotating.path
    over_quota = QuotaExceededError("quota exceeded for nats credentials", status_code=403)
    monkeypatch.setattr(NatsAPI, "create_credentials", raising(over_quota))
    failed = run("credentials", "rotate", old.id, "--creds-file", str(path), "--grace", "0")
    assert failed.exit_code == 1
    assert "quota exceeded" in failed.output
    assert f"nothing changed: {path} still holds {old.id}" in failed.output
    rotating.assert_nothing_changed()


def test_a_rotation_whose_delete_fails_keeps_both_valid_and_says_how_to_finish(
    rotating: Rotating, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, old, path = rotating.api, rotating.old, rotating.path
    unavailable = ServerError("service unavailable", status_code=503)
    monkeypatch.setattr(NatsAPI, "delete_credentials", raising(unavailable))
    with pytest.raises(RotationError) as failed:
        api.rotate_credentials(old, path, grace=0)
    monkeypatch.undo()
    new_id = failed.value.in_file
    assert sorted(failed.value.existing) == sorted([old.id, new_id]) == _ids(api, rotating.account)
    assert f"scw-nats credentials delete {old.id}" in str(failed.value)
    assert path.read_text() != old.content  # the file holds the new, valid credentials


def test_a_rotation_of_unknown_credentials_changes_nothing(
    org_env: NatsAPI, account: NatsAccount, tmp_path: Path
) -> None:
    path = tmp_path / "keep.creds"
    path.write_text("unchanged")
    missing = run("credentials", "rotate", "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                  "--creds-file", str(path))  # fmt: skip
    assert missing.exit_code == 1
    assert path.read_text() == "unchanged"
    with pytest.raises(ValueError, match="grace"):
        org_env.rotate_credentials("x", path, grace=-1)


# -- natscli contexts --------------------------------------------------------------------


def test_context_save_refuses_to_replace_a_context_unless_forced(
    org_env: NatsAPI, account: NatsAccount, tmp_path: Path
) -> None:
    """Issue 22.3: it replaced an existing natscli context silently."""
    creds = org_env.create_credentials(account).write(tmp_path / "c.creds")
    first = save_context("orders", account, creds, directory=tmp_path)
    before = first.read_text()
    with pytest.raises(FileExistsError, match=f"orders.*exists at {first}.*force"):
        save_context("orders", account, creds, directory=tmp_path, description="other")
    assert first.read_text() == before
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    args = ["context", "save", "orders", "--account-id", account.id, "--creds", str(creds)]
    assert run(*args, env=env).exit_code == 0
    refused = run(*args, env=env)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert run(*args, "--force", env=env).exit_code == 0
    save_context("orders", account, creds, directory=tmp_path, force=True, description="other")
    assert json.loads(first.read_text())["description"] == "other"


def test_context_create_in_one_step_without_a_terminal(
    org_env: NatsAPI, account: NatsAccount, tmp_path: Path, emulator: LocalScaleway
) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    made = run("context", "create", "--select", "-o", "json", env=env)  # the only account
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    context = tmp_path / "nats" / "context" / "beyond.json"
    assert data["path"] == str(context) and data["nats_account_id"] == account.id
    saved = json.loads(context.read_text())
    assert saved["url"] == account.endpoint
    assert saved["ca"] == str(Path(emulator.ca_file).resolve())  # the emulator needs its CA
    creds = Path(saved["creds"])
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert (tmp_path / "nats" / "context.txt").read_text() == "beyond"
    assert _ids(org_env, account) == [data["credentials_id"]]
    again = run("context", "create", account.id, env=env)
    assert again.exit_code == 1 and "exists" in again.output and "--force" in again.output
    assert _ids(org_env, account) == [data["credentials_id"]]  # refused before creating
    forced = run("context", "create", account.id, "--force", "-o", "yaml", env=env)
    assert forced.exit_code == 0, forced.output
    assert yaml.safe_load(forced.stdout)["context"] == "beyond"
    assert len(_ids(org_env, account)) == 2


def test_context_create_deletes_the_new_credentials_when_a_later_step_fails(
    org_env: NatsAPI, account: NatsAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scaleway_nats.natscli.save_context", _disk_full)
    creds = tmp_path / "x.creds"
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    failed = run("context", "create", account.id, "--creds-file", str(creds), env=env)
    assert failed.exit_code == 1
    assert "No space left on device" in failed.output
    assert "were deleted again; nothing was kept" in failed.output
    assert _ids(org_env, account) == []
    assert not creds.exists()


def test_context_create_with_several_accounts_names_them_instead_of_prompting(
    org_env: NatsAPI, account: NatsAccount, tmp_path: Path
) -> None:
    other = org_env.create_account(name="other")
    try:
        refused = run("context", "create", env={"XDG_CONFIG_HOME": str(tmp_path)})
        assert refused.exit_code == 1
        assert account.id in refused.output and other.id in refused.output
        assert "pass ACCOUNT_ID" in refused.output
    finally:
        org_env.delete_account(other)


# -- every region, yaml ------------------------------------------------------------------


def test_region_all_lists_every_region_with_a_region_column(org_env: NatsAPI) -> None:
    made = {
        region: org_env.create_account(name=f"in-{region}", region=region) for region in REGIONS
    }
    try:
        for region, account in made.items():
            org_env.create_credentials(account, f"c-{region}")
        listed = run("account", "list", "--region", "all")
        assert listed.exit_code == 0, listed.output
        header, *rows = listed.stdout.splitlines()
        assert "REGION" in header
        assert sorted(row.split()[2] for row in rows) == sorted(REGIONS)
        as_yaml = yaml.safe_load(run("credentials", "list", "--region", "all", "-o", "yaml").stdout)
        assert sorted(c["region"] for c in as_yaml) == sorted(REGIONS)
        python = org_env.list_accounts_all_regions()
        assert sorted(a.id for a in python) == sorted(a.id for a in made.values())
        assert len(org_env.list_credentials_all_regions()) == 2
        refused = run("account", "create", "--region", "all")
        assert refused.exit_code == 2 and "account list" in refused.output
        one_account = run("credentials", "list", made["nl-ams"].id, "--region", "all")
        assert one_account.exit_code == 2 and "drop ACCOUNT_ID" in one_account.output
    finally:
        for account in made.values():
            org_env.delete_account(account)
        with pytest.raises(NotFoundError):
            org_env.get_account(made["nl-ams"])
