"""Account usage (issue 21): what `read_usage` reports equals what nats-server reports after
storing known amounts, on one nats-server (R1; tests/cluster/test_usage.py: R3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scaleway_nats import NatsAPI, quotas
from scaleway_nats.cli import cli
from scaleway_nats.local import LocalScaleway
from tests.usage_check import store_and_read


async def test_usage_of_an_r1_stream_equals_what_nats_server_reports(
    emulator: LocalScaleway,
) -> None:
    usage, expected, raw = await store_and_read(emulator, {"ORDERS": 1}, 40, 1000)
    assert expected > 40 * 1000
    assert usage.storage.used == expected == raw["storage"]
    assert usage.streams.used == 1 and usage.consumers.used == 1
    assert usage.busiest_stream == "ORDERS"
    assert usage.memory.used == 0
    # The emulator sets Scaleway's quotas (quotas.py), and usage reads them from the server.
    assert (usage.storage.limit, usage.memory.limit) == (quotas.MAX_STORAGE, quotas.MAX_MEMORY)
    assert (usage.streams.limit, usage.consumers.limit) == (
        quotas.MAX_STREAMS,
        quotas.MAX_CONSUMERS,
    )
    assert usage.max_payload.limit == quotas.MAX_PAYLOAD
    assert usage.storage.percent == pytest.approx(100 * expected / quotas.MAX_STORAGE)
    assert usage.memory.percent is None  # a limit of 0: no percentage


def test_account_usage_command_creates_and_deletes_short_lived_credentials(
    emulator: LocalScaleway, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    org = emulator.create_organization()
    env = {
        "SCW_SECRET_KEY": org.secret_key,
        "SCW_DEFAULT_PROJECT_ID": org.project_id,
        "SCW_API_URL": emulator.api_url,
        "SCW_NATS_CA_FILE": emulator.ca_file,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with NatsAPI() as api:
        first, second = api.create_account(name="u1"), api.create_account(name="u2")
        try:
            table = CliRunner().invoke(cli, ["account", "usage"])
            assert table.exit_code == 0, table.output
            assert "created short-lived credentials" in table.stderr
            assert "deleted short-lived credentials" in table.stderr
            header, *rows = table.stdout.splitlines()
            assert header.split() == ["ACCOUNT", "QUOTA", "USED", "LIMIT", "PERCENT"]
            assert {row.split()[0] for row in rows} == {first.id, second.id}
            assert "300.0 MiB" in table.stdout
            assert api.list_credentials(first).all() == []  # deleted again
            one = CliRunner().invoke(cli, ["account", "usage", first.id, "-o", "json"])
            data = json.loads(one.stdout)
            assert data["account_id"] == first.id
            assert data["storage"] == {
                "used": 0, "limit": quotas.MAX_STORAGE, "unit": "bytes", "percent": 0.0
            }  # fmt: skip
            creds = api.create_credentials(second).write(tmp_path / "usage.creds")
            with_file = CliRunner().invoke(
                cli, ["account", "usage", second.id, "--creds-file", str(creds), "-o", "yaml"]
            )
            assert with_file.exit_code == 0, with_file.output
            assert "short-lived" not in with_file.stderr
            assert yaml.safe_load(with_file.stdout)["streams"]["limit"] == quotas.MAX_STREAMS
        finally:
            api.delete_account(first)
            api.delete_account(second)
