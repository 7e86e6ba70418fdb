"""Issue 22 (a user's first day), against a real emulator: `local env` as the docs use it,
and the quickstart surviving a lost create answer."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import httpx

from scaleway_nats.local import LocalScaleway
from scaleway_nats.quickstart import quickstart_async
from tests.support.clients import async_api_on
from tests.support.processes import run_captured
from tests.support.serve import SCW_NATS, SERVE_CLI, exports, in_background, local_env

ROOT = Path(__file__).resolve().parents[2]

# What a user runs after `eval "$(scw-nats local env)"` and nothing else (README's claim).
OFFICIAL_SDK = """
from scaleway import Client
from scaleway.mnq.v1beta1 import MnqV1Beta1NatsAPI

api = MnqV1Beta1NatsAPI(Client.from_config_file_and_env())
print(len(api.list_nats_accounts_all()))
"""


def test_local_env_with_a_relative_state_dir_works_after_cd_and_for_the_official_sdk(
    tmp_path: Path,
) -> None:
    work = tmp_path / "project"
    work.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SCW_")}
    clean["SCW_CONFIG_PATH"] = str(tmp_path / "no-scw-config.yaml")
    with in_background([*SERVE_CLI, "--state-dir", "./nats-dev"], cwd=work, env=clean):
        done = local_env("./nats-dev", "--wait", "30", cwd=work, env=clean)
        assert done.returncode == 0, done.stderr
        exported = exports(done.stdout)
        assert exported["SCW_DEFAULT_REGION"] == "fr-par"
        ca_file = Path(exported["SCW_NATS_CA_FILE"])
        assert ca_file.is_absolute() and ca_file.is_file()
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        user = {**clean, **exported}
        sdk = run_captured([sys.executable, "-c", OFFICIAL_SDK], cwd=elsewhere, env=user)
        assert sdk.returncode == 0, sdk.stderr
        assert sdk.stdout.strip() == "0"
        # after a `cd`: the CA path still resolves
        listed = run_captured([SCW_NATS, "account", "list"], cwd=elsewhere, env=user)
        assert listed.returncode == 0, listed.stderr


class LoseCreateAnswers(httpx.AsyncBaseTransport):
    """The first answer to each create is lost after the server committed it: the case a
    retrying client meets when a connection drops at the wrong moment."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.lost: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        kind = request.url.path.rsplit("/", 1)[-1]
        if request.method == "POST" and kind not in self.lost:
            await response.aread()
            await response.aclose()
            self.lost.append(kind)
            raise httpx.ReadError("connection dropped after the request was processed")
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_the_quickstart_recovers_from_lost_create_answers(emulator: LocalScaleway) -> None:
    transport = LoseCreateAnswers()
    async with async_api_on(emulator, transport=transport) as api:
        before = {account.id async for account in api.list_accounts()}
        result = await quickstart_async(api, ca_file=emulator.ca_file, target="local")
        after = {account.id async for account in api.list_accounts()}
    assert transport.lost == ["nats-accounts", "nats-credentials"]
    assert result.ok, [step for step in result.steps if not step.ok]
    assert after == before  # nothing left behind, no duplicate


def _smoke_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smoke", ROOT / "scripts" / "smoke.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_smoke_script_recovers_from_lost_create_answers(
    emulator: LocalScaleway, tmp_path: Path
) -> None:
    smoke = _smoke_module()
    transport = LoseCreateAnswers()
    async with async_api_on(emulator, transport=transport) as api:
        before = {account.id async for account in api.list_accounts()}
        steps = await smoke.Smoke(api, "fr-par", emulator.ca_file, tmp_path).run(False)
        after = {account.id async for account in api.list_accounts()}
    assert transport.lost == ["nats-accounts", "nats-credentials"]
    assert [step.name for step in steps if not step.ok] == []
    assert after == before
