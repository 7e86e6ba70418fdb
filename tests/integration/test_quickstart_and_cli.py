"""quickstart() and the scw-nats CLI against the emulator."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from scaleway_nats import NatsAPI
from scaleway_nats.cli import cli
from scaleway_nats.local import LocalScaleway
from scaleway_nats.quickstart import StepResult, quickstart
from tests.ids import new_account_id
from tests.support.clients import quickstart_on, sync_api_on

STEPS = [
    "create account",
    "create credentials",
    "write .creds file",
    "connect over TLS",
    "publish and receive",
    "JetStream store and read back",
    "delete account",
]


def test_quickstart_runs_every_step_and_leaves_nothing(emulator: LocalScaleway) -> None:
    seen: list[StepResult] = []
    result = quickstart_on(emulator, ca_file=emulator.ca_file, on_step=seen.append)
    assert result.ok, result.failed_step
    assert [s.name for s in result.steps] == STEPS
    assert seen == list(result.steps)
    assert result.message == "Hi there!"
    assert all(s.seconds >= 0 for s in result.steps)
    with sync_api_on(emulator) as api:
        assert result.account is not None
        leftovers = [a for a in api.list_accounts() if a.id == result.account.id]
    assert leftovers == []


def test_quickstart_reports_a_failed_step_and_still_cleans_up(emulator: LocalScaleway) -> None:
    # No CA given: the emulator's self-made certificate is refused at "connect over TLS".
    result = quickstart_on(emulator)
    assert not result.ok
    assert result.failed_step is not None and result.failed_step.name == "connect over TLS"
    assert result.steps[-1].name == "delete account" and result.steps[-1].ok


def test_quickstart_starts_an_emulator_when_nothing_is_configured() -> None:
    result = quickstart()
    assert result.target == "local"
    assert result.ok, result.failed_step
    assert result.message == "Hi there!"


def test_cli_account_and_credentials(cli_env: LocalScaleway, tmp_path: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(cli, ["-o", "json", "account", "create", "--name", "cli-acct"])
    assert created.exit_code == 0, created.output
    account = json.loads(created.stdout)
    assert account["name"] == "cli-acct"

    creds_file = tmp_path / "cli.creds"
    made = runner.invoke(
        cli, ["-o", "json", "credentials", "create", account["id"], "--creds-file", str(creds_file)]
    )
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(creds_file.stat().st_mode) == 0o600
    content = creds_file.read_text()
    seed_line = next(line for line in content.splitlines() if line.startswith("SU"))
    assert seed_line not in made.output  # the secret is not printed unless asked
    assert "content" not in json.loads(made.stdout)

    shown = runner.invoke(cli, ["account", "list"])
    assert shown.exit_code == 0 and "cli-acct" in shown.stdout

    missing = runner.invoke(cli, ["account", "get", new_account_id()])
    assert missing.exit_code == 1 and "not found" in missing.output

    usage = runner.invoke(cli, ["account", "list", "--order-by", "size"])
    assert usage.exit_code == 2 and "name_asc" in usage.output

    deleted = runner.invoke(cli, ["account", "delete", account["id"]])
    assert deleted.exit_code == 0, deleted.output


def test_cli_pub_sub_and_context(cli_env: LocalScaleway, tmp_path: Path) -> None:
    with NatsAPI() as api:
        account = api.create_account(name="cli-pubsub")
        creds = api.create_credentials(account).write(tmp_path / "p.creds")
    try:
        runner = CliRunner()
        pub = runner.invoke(
            cli,
            [
                "pub",
                "-s",
                account.endpoint,
                "--creds",
                str(creds),
                "--ca-file",
                cli_env.ca_file,
                "hello",
                "Hi there!",
            ],
        )
        assert pub.exit_code == 0, pub.output

        saved = runner.invoke(
            cli,
            [
                "context",
                "save",
                "local-test",
                "--account-id",
                account.id,
                "--creds",
                str(creds),
                "--ca-file",
                cli_env.ca_file,
            ],
            env={"XDG_CONFIG_HOME": str(tmp_path)},
        )
        assert saved.exit_code == 0, saved.output
        context = json.loads((tmp_path / "nats" / "context" / "local-test.json").read_text())
        assert context["url"] == account.endpoint and context["creds"] == str(creds.resolve())
    finally:
        with NatsAPI() as api:
            api.delete_account(account)


def test_quickstart_is_exported_at_the_top_level() -> None:
    import scaleway_nats
    from scaleway_nats import quickstart as top_level
    from scaleway_nats.quickstart import target  # the module stays importable by name

    assert top_level is quickstart and callable(top_level)
    assert "quickstart" in scaleway_nats.__all__ and callable(target)
