"""Issue 11 (a user's first hour) and issue 10 item 9, through the CLI against the emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaleway_nats import NatsAccount, NatsAPI, NatsCredentials
from scaleway_nats.cli import CREDENTIALS_COLUMNS, State
from scaleway_nats.cli._state import render
from scaleway_nats.local import LocalScaleway
from tests.support.cli import run
from tests.support.processes import run_captured
from tests.support.serve import SCW_NATS, SERVE_CLI, exports, first_line, in_background, local_env


@pytest.fixture
def account(cli_env: LocalScaleway) -> Iterator[NatsAccount]:
    with NatsAPI() as api:
        created = api.create_account(name="first-hour")
        try:
            yield created
        finally:
            api.delete_account(created)


def test_global_options_after_the_subcommand(cli_env: LocalScaleway) -> None:
    made = run("account", "create", "--name", "after", "-o", "json", "--region", "nl-ams")
    assert made.exit_code == 0, made.output
    account = json.loads(made.stdout)
    assert account["region"] == "nl-ams"
    # between the group and the command, and -v anywhere
    listed = run("account", "-o", "json", "list", "--region", "nl-ams", "-v")
    assert listed.exit_code == 0, listed.output
    assert [a["id"] for a in json.loads(listed.stdout)] == [account["id"]]
    deleted = run("account", "delete", account["id"], "--region", "nl-ams", "-o", "json")
    assert deleted.exit_code == 0, deleted.output
    assert json.loads(deleted.stdout) == {"deleted": "nats_account", "id": account["id"]}


def test_json_output_of_pub_sub_and_credentials_delete(
    account: NatsAccount, cli_env: LocalScaleway, tmp_path: Path
) -> None:
    with NatsAPI() as api:
        creds = api.create_credentials(account)
    path = creds.write(tmp_path / "j.creds")
    endpoint = account.endpoint
    common = ["-s", endpoint, "--creds", str(path), "--ca-file", cli_env.ca_file]
    # a subscriber in its own process, then a publisher
    subscriber = subprocess.Popen(
        [SCW_NATS, "sub", *common, "json.test", "--count", "1", "--timeout", "20", "-o", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert subscriber.stderr is not None
        assert "Subscribing" in first_line(subscriber, stream=subscriber.stderr)
        published = run("pub", *common, "json.test", "hello", "-o", "json")
        assert published.exit_code == 0, published.output
        assert json.loads(published.stdout) == {
            "published": True,
            "subject": "json.test",
            "bytes": 5,
        }
        out, err = subscriber.communicate(timeout=30)
    finally:
        if subscriber.poll() is None:
            subscriber.kill()
            subscriber.wait(5)
    assert json.loads(out) == {"subject": "json.test", "data": "hello", "reply": None}
    assert "eof_received" not in err  # asyncio's ssl warning is not shown to users
    gone = run("-o", "json", "credentials", "delete", creds.id)
    assert gone.exit_code == 0, gone.output
    assert json.loads(gone.stdout) == {"deleted": "nats_credentials", "id": creds.id}


def test_quickstart_json_against_a_configured_emulator(
    cli_env: LocalScaleway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCW_NATS_CA_FILE", cli_env.ca_file)
    result = run("quickstart", "-o", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["message"] == "Hi there!"
    assert report["where"] == f"local emulator at {cli_env.api_url}"
    assert [step["ok"] for step in report["steps"]] == [True] * 7


def test_quickstart_keep_with_a_throwaway_emulator_is_refused() -> None:
    result = run("quickstart", "--local", "--keep")
    assert result.exit_code == 1
    assert "local serve" in result.output and "Traceback" not in result.output


def test_credentials_list_takes_the_account_positionally(account: NatsAccount) -> None:
    with NatsAPI() as api:
        creds = api.create_credentials(account, name="positional")
    listed = run("credentials", "list", account.id, "-o", "json")
    assert listed.exit_code == 0, listed.output
    assert [c["id"] for c in json.loads(listed.stdout)] == [creds.id]


def test_tables_have_no_trailing_spaces_nor_raw_control_characters(
    account: NatsAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    # Neither the wrapper nor the emulator accepts such a name (issue 9), but a table must
    # stay one row per item whatever the service answers: render a model parsed from JSON.
    odd = NatsCredentials.from_json(
        {
            "id": "6f2b9a34-3c1e-4d52-9a57-0b8f1e2d3c4a",
            "name": "two\nlines\tand\x1bescape",
            "nats_account_id": account.id,
            "region": account.region,
            "checksum": "0" * 40,
            "credentials": None,
        }
    )
    render(State(None, None, "table"), [odd], CREDENTIALS_COLUMNS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines  # header + one row: the newline did not split the row
    assert "two\\nlines\\tand\\x1bescape" in lines[1]
    assert all(line == line.rstrip() for line in lines)


def _credentials_of(account: NatsAccount) -> list[str]:
    with NatsAPI() as api:
        return [c.name for c in api.list_credentials(account)]


@pytest.mark.parametrize(
    ("name", "expected_stem"),
    [  # a changed name gets "-" and 8 hex digits of its hash (models.creds_file_name)
        ("x" * 240, "x" * 185 + "-"),
        ("../../escape", "_.._escape-"),
        ("a/b", "a_b-"),
    ],
)
def test_credentials_create_writes_a_safe_file_name_in_the_folder(
    account: NatsAccount, tmp_path: Path, name: str, expected_stem: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    made = run("credentials", "create", account.id, "--name", name, "--creds-file", str(folder))
    assert made.exit_code == 0, made.output
    [written] = [p.name for p in folder.iterdir()]
    assert written.startswith(expected_stem) and written.endswith(".creds"), written
    assert len(written) == len(expected_stem) + 8 + len(".creds")
    assert list(tmp_path.iterdir()) == [folder]  # nothing written outside the folder


def test_credentials_create_checks_the_path_before_creating(
    account: NatsAccount, tmp_path: Path
) -> None:
    taken = tmp_path / "taken.creds"
    taken.write_text("another secret")
    refused = run("credentials", "create", account.id, "--creds-file", str(taken))
    assert refused.exit_code == 2 and "exists" in refused.output
    assert taken.read_text() == "another secret"
    readonly = tmp_path / "ro"
    readonly.mkdir(mode=0o500)
    if os.access(readonly, os.W_OK):  # root ignores modes: the check cannot be staged
        return
    refused = run("credentials", "create", account.id, "--creds-file", str(readonly))
    assert refused.exit_code != 0 and "Permission denied" in refused.output
    assert _credentials_of(account) == []  # nothing was created


def test_a_failed_write_after_create_deletes_the_credentials(
    account: NatsAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(path: Path, content: str, **options: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("scaleway_nats._sync.client.write_secret_file", disk_full)
    failed = run("credentials", "create", account.id, "--creds-file", str(tmp_path))
    assert failed.exit_code == 1
    assert "No space left on device" in failed.output
    assert "deleted on the server" in failed.output
    assert _credentials_of(account) == []


def test_context_save_refuses_an_empty_ca_when_the_endpoint_needs_one(
    account: NatsAccount, cli_env: LocalScaleway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with NatsAPI() as api:
        creds = api.create_credentials(account).write(tmp_path / "c.creds")
    args = ["context", "save", "needs-ca", "--account-id", account.id, "--creds", str(creds)]
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    refused = run(*args, env=env)
    assert refused.exit_code == 1, refused.output
    assert "--ca-file" in refused.output and "SCW_NATS_CA_FILE" in refused.output
    saved_at = tmp_path / "nats" / "context" / "needs-ca.json"
    assert not saved_at.exists()
    monkeypatch.setenv("SCW_NATS_CA_FILE", cli_env.ca_file)
    saved = run(*args, "-o", "json", env=env)
    assert saved.exit_code == 0, saved.output
    assert json.loads(saved_at.read_text())["ca"] == str(Path(cli_env.ca_file).resolve())


def test_local_env_points_every_command_at_a_running_serve(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SCW_NATS")}
    with in_background([*SERVE_CLI, "--state-dir", state], env=clean) as server:
        env_out = local_env(state, "--wait", "30", env=clean)
        assert env_out.returncode == 0, env_out.stderr
        exported = exports(env_out.stdout)
        assert set(exported) == {
            "SCW_SECRET_KEY",
            "SCW_ACCESS_KEY",
            "SCW_DEFAULT_PROJECT_ID",
            "SCW_DEFAULT_ORGANIZATION_ID",
            "SCW_DEFAULT_REGION",
            "SCW_API_URL",
            "SCW_NATS_CA_FILE",
        }
        info_file = tmp_path / "state" / "serve.json"
        assert info_file.stat().st_mode & 0o077 == 0  # it holds the secret key
        quick = run_captured([SCW_NATS, "quickstart"], timeout=120, env={**clean, **exported})
        assert quick.returncode == 0, quick.stdout + quick.stderr
        assert f"via local emulator at {exported['SCW_API_URL']}" in quick.stdout
        server.send_signal(signal.SIGTERM)
        assert server.wait(15) == 0
        assert not info_file.exists()
        gone = local_env(state, env=clean)
        assert gone.returncode == 1
        assert gone.stderr.count("\n") == 1 and "local serve --state-dir" in gone.stderr


BLOCK_UVICORN = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "uvicorn":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize(
    "code",
    [
        "from scaleway_nats.cli import main; sys.argv = ['scw-nats', 'quickstart']; main()",
        "from scaleway_nats.local import LocalScaleway",
    ],
    ids=["cli-quickstart", "python-import"],
)
def test_a_missing_local_extra_is_one_line_with_a_working_command(code: str) -> None:
    done = run_captured([sys.executable, "-c", BLOCK_UVICORN + code])
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    if code.startswith("from scaleway_nats.cli"):
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert last.startswith("Error: no Scaleway credentials are configured")
    assert "`local` extra (uvicorn is missing)" in last, done.stderr
    command = last.split("missing): ", 1)[1]
    # Into this interpreter's environment: with its pip, or uv's where it has none (nox's
    # uv-made environments), e.g. `uv pip install --python <this python> -e '<repo>[local]'`.
    assert command.startswith(
        (f"{sys.executable} -m pip install", f"uv pip install --python {sys.executable}")
    ), command
    repo = Path(__file__).resolve().parents[2]
    assert f"{repo}[local]" in command  # installs from this repository, not from PyPI


@pytest.mark.parametrize("form", ["file", "folder"])
def test_a_file_that_appears_during_the_create_is_never_replaced(
    account: NatsAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    # Issue 18.5: the path was checked, then written with os.replace once the create answered,
    # so a file made in between was replaced and the command exited 0. The file is made here
    # right after the create answers: deterministic, the window a slow API leaves open.
    target = tmp_path / "race.creds"
    create = NatsAPI.create_credentials

    def create_then_race(api: NatsAPI, *args: object, **kwargs: object) -> NatsCredentials:
        created = create(api, *args, **kwargs)  # type: ignore[arg-type]
        target.write_text("another secret")
        return created

    monkeypatch.setattr(NatsAPI, "create_credentials", create_then_race)
    where = str(target) if form == "file" else str(tmp_path)
    failed = run("credentials", "create", account.id, "--name", "race", "--creds-file", where)

    assert failed.exit_code == 1, failed.output
    assert target.read_text() == "another secret"
    assert str(target) in failed.output and "deleted on the server" in failed.output
    assert (
        "file exists, left unchanged" in failed.output and "another --creds-file" in failed.output
    )
    assert _credentials_of(account) == []  # today's rollback: nothing was created
    assert [p.name for p in tmp_path.iterdir()] == ["race.creds"]  # no temporary left
