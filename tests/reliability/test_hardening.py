"""Bad input never gives a 500, a traceback or a runaway answer (issue 10, item 4)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scaleway_nats.local import LocalScaleway
from tests.support.reliability import figures

BODY_LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def hardening_emulator() -> Iterator[LocalScaleway]:
    with LocalScaleway() as emulator:
        yield emulator


@pytest.fixture
def client(hardening_emulator: LocalScaleway) -> Iterator[httpx.Client]:
    headers = {"X-Auth-Token": hardening_emulator.secret_key}
    with httpx.Client(base_url=hardening_emulator.api_url, headers=headers, timeout=30) as c:
        yield c


ACCOUNTS = "/mnq/v1beta1/regions/fr-par/nats-accounts"


def test_a_lone_surrogate_name_is_a_400_naming_it(client: httpx.Client) -> None:
    response = client.post(
        ACCOUNTS, content=b'{"name":"\\ud800"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert [d["argument_name"] for d in response.json()["details"]] == ["name"]


def test_an_oversized_body_is_refused_unread(client: httpx.Client) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:  # 64 MiB offered; the server must stop reading early
        nonlocal sent
        for _ in range(1024):
            sent += 65536
            yield b" " * 65536

    try:
        response = client.post(ACCOUNTS, content=chunks())
    except httpx.TransportError:
        response = None  # the server answered and closed while we were still sending
    if response is not None:
        assert response.status_code == 413, response.text
        assert response.json()["type"] == "invalid_request_error"
    assert client.get(ACCOUNTS).json()["total_count"] == 0
    figures(
        "hardening[body]", offered_mib=64, client_sent_mib=round(sent / 2**20, 1), held_max_mib=1
    )


def test_error_answers_are_bounded(client: httpx.Client) -> None:
    body = json.dumps({f"f{i}": 1 for i in range(60_000)}).encode()  # 60,000 unknown fields
    assert len(body) < BODY_LIMIT
    response = client.post(ACCOUNTS, content=body)
    assert response.status_code == 400
    assert len(response.content) < 20_000, len(response.content)
    figures("hardening[errors]", answer_bytes=len(response.content))


def test_a_trailing_slash_is_a_json_404(client: httpx.Client) -> None:
    response = client.get(ACCOUNTS + "/", follow_redirects=False)
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"


def test_a_database_error_is_a_json_5xx_without_traceback(
    hardening_emulator: LocalScaleway, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    store = hardening_emulator._require_store()
    real = store._db
    broken = sqlite3.connect(":memory:", check_same_thread=False)  # no tables: every query fails
    store._db = broken
    try:
        response = client.get(ACCOUNTS)
    finally:
        store._db = real
        broken.close()
    assert 500 <= response.status_code < 600
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


def test_a_corrupt_database_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with LocalScaleway(state_dir=state):
        pass
    database = state / "emulator.sqlite3"
    database.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RuntimeError) as refused:
        LocalScaleway(state_dir=state).start()
    assert str(database) in str(refused.value) and "\n" not in str(refused.value)


def test_a_missing_database_next_to_keys_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with LocalScaleway(state_dir=state) as first:
        organization = first.organization_id
    (state / "emulator.sqlite3").unlink()
    for extra in ("-wal", "-shm"):
        (state / f"emulator.sqlite3{extra}").unlink(missing_ok=True)
    with pytest.raises(RuntimeError, match=r"emulator\.sqlite3"):
        LocalScaleway(state_dir=state).start()
    assert organization  # not silently replaced by a new organization
