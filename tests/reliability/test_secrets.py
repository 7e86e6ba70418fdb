"""Issue 5: the secret key and `.creds` contents never leak (logs, reprs, errors, CLI, files).

Secrets tracked: the organization's secret key, every `.creds` content made in the test and
its nkey seed line (``SU...``). The emulator's key material (operator/system/account seeds, CA
and server keys) must only live in owner-only (0600) files of its state dir.
"""

from __future__ import annotations

import json
import logging
import signal
import ssl
import stat
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from click.testing import CliRunner

from scaleway_nats import (
    ArgumentValidationError,
    AsyncNatsAPI,
    InvalidArgumentsError,
    NatsAPI,
    NotFoundError,
    PermissionsDeniedError,
    RetryPolicy,
    ScalewayError,
    UnauthorizedError,
    resolve_config,
)
from scaleway_nats.cli import cli
from scaleway_nats.errors import error_from_response
from scaleway_nats.facts import REGIONS
from scaleway_nats.local import LocalScaleway
from tests.ids import new_account_id
from tests.support.reliability import figures
from tests.support.serve import SERVE_MODULE, start


def seed_of(content: str) -> str:
    seeds = [line for line in content.splitlines() if line.startswith("SU")]
    assert len(seeds) == 1
    return seeds[0]


class Secrets:
    def __init__(self, secret_key: str) -> None:
        self.values = {"secret key": secret_key}
        self.checked = 0

    def add_creds(self, label: str, content: str | None) -> None:
        assert content is not None
        self.values[f"{label} content"] = content
        self.values[f"{label} seed"] = seed_of(content)

    def assert_absent(self, where: str, text: str) -> None:
        self.checked += 1
        for label, value in self.values.items():
            assert value not in text, f"{label} found in {where}"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def walk_state_dir(state: Path, markers: dict[str, bytes]) -> dict[str, list[str]]:
    """Every file holding a secret marker must be 0600; returns marker -> files holding it."""
    holders: dict[str, list[str]] = {}
    for path in sorted(p for p in state.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found = [label for label, marker in markers.items() if marker in data]
        for label in found:
            holders.setdefault(label, []).append(str(path.relative_to(state)))
        if found:
            assert mode(path) == 0o600, f"{path} holds {found} with mode {oct(mode(path))}"
    return holders


def key_markers(env_state: Path, secret_key: str, account_seeds: list[str]) -> dict[str, bytes]:
    keys = env_state / "keys"
    markers = {
        "secret key": secret_key.encode(),
        "operator seed": (keys / "operator.nk").read_bytes().strip(),
        "system seed": (keys / "system-account.nk").read_bytes().strip(),
        "private key": b"PRIVATE KEY",
    }
    markers.update({f"account seed {i}": s.encode() for i, s in enumerate(account_seeds)})
    return markers


async def test_secrets_never_leak(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    with LocalScaleway(state_dir=state) as env:
        # DEBUG for every logger that exists now (uvicorn, httpx, httpcore, nats, ours...).
        caplog.set_level(logging.DEBUG)
        for name in list(logging.root.manager.loggerDict):
            caplog.set_level(logging.DEBUG, logger=name)
        secrets = Secrets(env.secret_key)
        settings = {"secret_key": env.secret_key, "project_id": env.project_id}
        objects: list[Any] = [env, env.organization, RetryPolicy()]
        errors: list[ScalewayError] = []
        with NatsAPI(**settings, api_url=env.api_url) as api:
            account = api.create_account(name="secrets")
            creds = api.create_credentials(account, name="app")
            secrets.add_creds("api creds", creds.content)
            path = creds.write(tmp_path / "app.creds")
            assert mode(path) == 0o600
            nc = await nats.connect(
                account.endpoint,
                user_credentials=str(path),
                tls=ssl.create_default_context(cafile=env.ca_file),
                allow_reconnect=False,
            )
            sub = await nc.subscribe("s")
            await nc.publish("s", b"hello")
            assert (await sub.next_msg(timeout=5)).data == b"hello"
            await nc.close()
            listed = api.list_credentials(account).all()
            objects += [api, api.config, api._requester.http, api._requester.http.current()]
            objects += [account, creds, *listed]
            objects.append(api.list_accounts().page(1))
            for call, kind in (
                (lambda: api.get_account(new_account_id()), NotFoundError),
                (lambda: api.get_credentials("nope"), ArgumentValidationError),
                (lambda: api.create_account(project_id=str(uuid.uuid4())), PermissionsDeniedError),
            ):
                with pytest.raises(kind) as excinfo:
                    call()
                errors.append(excinfo.value)
        async with AsyncNatsAPI(
            secret_key=str(uuid.uuid4()), project_id=env.project_id, api_url=env.api_url
        ) as intruder:
            objects += [intruder, intruder.config]
            with pytest.raises(UnauthorizedError) as unauthorized:
                await intruder.get_account(account.id)
            errors.append(unauthorized.value)
        server_400 = httpx.post(
            f"{env.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts",
            headers={"X-Auth-Token": env.secret_key},
            json={"name": ""},
        )
        errors.append(error_from_response(server_400))
        assert isinstance(errors[-1], InvalidArgumentsError)
        objects.append(resolve_config(**settings, api_url=env.api_url))

        # The CLI, configured through the environment as users do.
        for name, value in (
            ("SCW_SECRET_KEY", env.secret_key),
            ("SCW_DEFAULT_PROJECT_ID", env.project_id),
            ("SCW_API_URL", env.api_url),
        ):
            monkeypatch.setenv(name, value)
        runner = CliRunner()
        monkeypatch.chdir(tmp_path)
        outputs: list[tuple[str, Any]] = []

        def run(*args: str, code: int = 0) -> Any:
            result = runner.invoke(cli, list(args), catch_exceptions=False)
            assert result.exit_code == code, (args, result.output)
            outputs.append((" ".join(args), result))
            return result

        made = run(
            "-vv",
            "credentials",
            "create",
            account.id,
            "--name",
            "cli1",
            "--creds-file",
            str(tmp_path / "cli1.creds"),
        )
        made_json = run(
            "-o",
            "json",
            "credentials",
            "create",
            account.id,
            "--name",
            "cli2",
            "--creds-file",
            str(tmp_path / "cli2.creds"),
        )
        for name in ("cli1", "cli2"):
            file = tmp_path / f"{name}.creds"
            assert mode(file) == 0o600
            secrets.add_creds(name, file.read_text())
        assert json.loads(made_json.stdout)["name"] == "cli2"
        run("credentials", "list")
        run("-o", "json", "credentials", "list")
        run("-vv", "credentials", "get", json.loads(made_json.stdout)["id"])
        run("account", "list")
        run("credentials", "get", str(uuid.uuid4()), code=1)  # 404
        run("credentials", "get", "not-an-id", code=1)  # 400 (refused before sending)
        run("account", "create", "--project-id", str(uuid.uuid4()), code=1)  # 403
        monkeypatch.setenv("SCW_SECRET_KEY", str(uuid.uuid4()))
        run("-vv", "account", "list", code=1)  # 401
        monkeypatch.setenv("SCW_SECRET_KEY", env.secret_key)
        assert made.exit_code == 0

        for where, result in outputs:
            secrets.assert_absent(f"`{where}` stdout", result.stdout)
            secrets.assert_absent(f"`{where}` stderr", result.stderr)
        # --show-secret is the user asking: there (and only there) the content is printed.
        shown = runner.invoke(
            cli,
            [
                "credentials",
                "create",
                account.id,
                "--name",
                "shown",
                "--show-secret",
                "--creds-file",
                str(tmp_path / "shown.creds"),
            ],
        )
        assert shown.exit_code == 0, shown.output
        shown_content = (tmp_path / "shown.creds").read_text()
        assert shown_content in shown.stdout
        assert seed_of(shown_content) in shown.stdout
        assert mode(tmp_path / "shown.creds") == 0o600

        for obj in objects:
            secrets.assert_absent(f"repr({type(obj).__name__})", repr(obj))
            secrets.assert_absent(f"str({type(obj).__name__})", str(obj))
        for error in errors:
            secrets.assert_absent(f"{type(error).__name__} message", str(error))
            secrets.assert_absent(f"repr({type(error).__name__})", repr(error))
            secrets.assert_absent(f"{type(error).__name__} body", json.dumps(error.body))
        assert {type(e).__name__ for e in errors} == {
            "NotFoundError",
            "ArgumentValidationError",
            "InvalidArgumentsError",
            "PermissionsDeniedError",
            "UnauthorizedError",
        }
        log_text = "\n".join(
            f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
        )
        assert any(r.levelno == logging.DEBUG for r in caplog.records)  # DEBUG really was on
        secrets.assert_absent("captured logs", log_text)

        # Key material in the state dir: owner-only, and the .creds contents are never stored.
        store = env._require_store()
        seeds = [a.seed for r in REGIONS for a in store.accounts_in_region(r)]
        markers = key_markers(state, env.secret_key, seeds)
        markers.update({label: v.encode() for label, v in secrets.values.items()})
        holders = walk_state_dir(state, markers)
        for label in secrets.values:
            if label != "secret key":
                assert label not in holders, f"{label} stored in {holders.get(label)}"
        secret_files = sorted({f for h in holders.values() for f in h})
        assert "keys/operator.nk" in holders["operator seed"]
        assert {"tls/ca-key.pem", "tls/server-key.pem"} <= set(holders["private key"])
        # The database (or its WAL, before a checkpoint) holds the secret key and seeds.
        assert any(f.startswith("emulator.sqlite3") for f in holders["secret key"])
    figures(
        "secrets",
        log_records=len(caplog.records),
        reprs_checked=len(objects),
        errors_checked=len(errors),
        cli_commands=len(outputs) + 1,
        places_checked=secrets.checked,
        secret_files_0600=secret_files,
    )


def test_serve_log_and_state_dir_hold_no_leaks(tmp_path: Path) -> None:
    """The foreground server: stderr (its log) never shows secrets; stdout's JSON line does."""
    state = tmp_path / "state"
    started = start([*SERVE_MODULE, "--state-dir", str(state)], stderr=subprocess.PIPE)
    proc, info = started.proc, started.info
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert "secret_key" in info  # by design: the user started it and asked for it
        base = f"{info['api_url']}/mnq/v1beta1/regions/fr-par"
        secrets = Secrets(info["secret_key"])
        with httpx.Client(headers={"X-Auth-Token": info["secret_key"]}, timeout=10) as client:
            account = client.post(f"{base}/nats-accounts", json={"name": "a"}).json()
            for i in range(3):
                creds = client.post(
                    f"{base}/nats-credentials", json={"nats_account_id": account["id"]}
                ).json()
                secrets.add_creds(f"creds {i}", creds["credentials"]["content"])
            assert client.delete(f"{base}/nats-credentials/{creds['id']}").status_code == 204
            assert client.post(f"{base}/nats-accounts", json={"name": ""}).status_code == 400
            bad = httpx.get(f"{base}/nats-accounts", headers={"X-Auth-Token": "wrong"})
            assert bad.status_code == 401
            assert client.delete(f"{base}/nats-accounts/{account['id']}").status_code == 204
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        stderr = proc.stderr.read()
        assert "stopped; stats" in stderr  # the log really was captured
        secrets.assert_absent("serve stderr", stderr)
        secrets.assert_absent("serve stdout after the JSON line", proc.stdout.read())
        for log_file in state.rglob("nats-server.log"):
            secrets.assert_absent(str(log_file), log_file.read_text())
        markers = key_markers(state, info["secret_key"], [])
        markers.update({label: v.encode() for label, v in secrets.values.items()})
        holders = walk_state_dir(state, markers)
        assert not any("creds" in label for label in holders), holders
        figures(
            "secrets[serve]",
            stderr_lines=len(stderr.splitlines()),
            places_checked=secrets.checked,
            secret_files_0600=sorted({f for h in holders.values() for f in h}),
        )
    finally:
        started.close()
