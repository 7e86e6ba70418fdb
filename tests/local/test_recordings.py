"""Replay Scaleway's live recordings (tests/data/recordings) against the emulator: 0 differences.

Each recorded mnq request is sent again, in order, to a fresh organization: recorded ids are
mapped to the emulator's (learnt from the create answers), names are kept. Compared per step:
status, ``Content-Type``, JSON keys and types, formats (timestamp digits, id shapes, endpoint,
checksum, the ``.creds`` file and its user JWT: header, claim order and values, compactness),
then over the whole recording the relations between timestamps (same instant in create and
get, equal on an account create, moved by a credentials delete...), cut to microseconds.

The read lag. The recordings' 404s on resources that still exist are the live API's lag
(``local/lag.py``). The emulator runs with ``read_lag`` on, and its random source is replaced
by the recording itself: before each GET the test queues the recorded outcome (lagged or
not), which the emulator consumes only if it deems that read eligible (resource younger than
the window). So the *shape* (which reads may lag, and the 404 body) is the emulator's own and
is checked; only the coin flips come from the recording. ``test_recorded_lags_fit_the_model``
checks the window and the rate against the recordings' own clocks (``Date`` headers).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import json
import re
import ssl
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.lag import RECORDED_RATE, RECORDED_WINDOW

RECORDINGS = Path(__file__).resolve().parents[1] / "data" / "recordings"
FILES = sorted(RECORDINGS.glob("*.cassette.yaml"))
_HOST = "https://api.scaleway.com"
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.(\d+)Z$")
_FORMATS = {
    "account id": re.compile(r"^A[A-Z2-7]{55}$"),
    "user key": re.compile(r"^U[A-Z2-7]{55}$"),
    "uuid": re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"),
    "sha1": re.compile(r"^[0-9a-f]{40}$"),
    "endpoint": re.compile(r"^nats://[^:/]+:\d+$"),
    "jti": re.compile(r"^[A-Z2-7]{52}$"),
}
_IDS = ("id", "nats_account_id", "project_id", "resource_id")
_CREDS = re.compile(
    r"^-----BEGIN NATS USER JWT-----\n(?P<jwt>[\w-]+\.[\w-]+\.[\w-]+)\n"
    r"------END NATS USER JWT------\n"
    r"\n\*{25} IMPORTANT \*{25}\nNKEY Seed printed below can be used to sign and prove identity\.\n"
    r"NKEYs are sensitive and should be treated as secrets\.\n\n-----BEGIN USER NKEY SEED-----\n"
    r"SU[A-Z2-7]{56}\n------END USER NKEY SEED------\n\n\*{61}\n$"
)


@dataclass
class Step:
    id: int
    method: str
    path: str
    body: dict[str, Any] | None
    status: int
    content_type: str | None
    answer: Any
    date: dt.datetime
    proto: str | None  # "HTTP/2.0" in format 2; format 1 does not say


def load(path: Path) -> list[Step]:
    data = yaml.safe_load(path.read_text())
    steps = []
    for item in data["interactions"]:
        request, response = item["request"], item["response"]
        answer = json.loads(response["body"]) if response["body"] else None
        body: dict[str, Any] | None = None
        if request["method"] in ("POST", "PATCH"):
            body = json.loads(request["body"])
            if data["version"] == 1:  # format 1 recorded the answer as the request body
                keys = ("name", "project_id") if "endpoint" in body else ("nats_account_id", "name")
                body = {key: body[key] for key in keys}
        steps.append(
            Step(
                id=item["id"],
                method=request["method"],
                path=request["url"].removeprefix(_HOST),
                body=body,
                status=response["code"],
                content_type=(response["headers"].get("Content-Type") or [None])[0],
                answer=answer,
                date=email.utils.parsedate_to_datetime(response["headers"]["Date"][0]),
                proto=response.get("proto"),
            )
        )
    return steps


# -- the emulator --------------------------------------------------------------------------


class RecordedCoin:
    """The lag model's random source, fed the recorded outcome before each GET."""

    def __init__(self) -> None:
        self.queue: deque[bool] = deque()

    def __call__(self) -> bool:
        return self.queue.popleft() if self.queue else False


@pytest.fixture(scope="module", params=["http", "https"])
def lagging_env(request: pytest.FixtureRequest) -> Iterator[tuple[LocalScaleway, RecordedCoin]]:
    """Over plain HTTP, and over HTTPS where the answers come by HTTP/2 as recorded.

    A window ten times the recorded one: a replay on a loaded machine may take longer than
    the recording did. The recorded window itself is checked against the recordings' clocks
    by ``test_recorded_lags_fit_the_model``."""
    coin = RecordedCoin()
    with LocalScaleway(read_lag=10 * RECORDED_WINDOW, tls=request.param == "https") as env:
        env.read_lag.draw = coin
        yield env, coin


# -- comparison ----------------------------------------------------------------------------


def shape_of(value: Any) -> Any:
    """Keys and JSON types, recursively (values left out)."""
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape_of(item) for item in value]
    return type(value).__name__


def format_of(key: str, value: str) -> str:
    stamp = _STAMP.match(value)
    if stamp:
        return f"timestamp with {len(stamp.group(1))} digits"
    for name, pattern in _FORMATS.items():
        if pattern.match(value):
            return name
    return "text"


def jwt_parts(token: str) -> tuple[bytes, bytes]:
    header, claims, _ = token.split(".")
    return tuple(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in (header, claims))  # type: ignore[return-value]


def compare_creds(recorded: str, emulated: str, ids: dict[str, str], where: str) -> list[str]:
    diffs: list[str] = []
    found = [_CREDS.match(recorded), _CREDS.match(emulated)]
    if not found[0] or not found[1]:
        return [f"{where}: .creds shape recorded={bool(found[0])} emulator={bool(found[1])}"]
    (rh, rc), (eh, ec) = (jwt_parts(m.group("jwt")) for m in found)  # type: ignore[union-attr]
    if rh != eh:
        diffs.append(f"{where}: JWT header {eh!r} != recorded {rh!r}")
    rclaims, eclaims = json.loads(rc), json.loads(ec)
    for raw, name in ((rc, "recorded"), (ec, "emulator")):
        if raw != json.dumps(json.loads(raw), separators=(",", ":")).encode():
            diffs.append(f"{where}: {name} JWT claims are not compact JSON")
    if list(rclaims) != list(eclaims) or list(rclaims["nats"]) != list(eclaims["nats"]):
        diffs.append(f"{where}: claim order {list(eclaims)} != recorded {list(rclaims)}")
    for key in ("jti", "iss", "sub"):
        if format_of(key, rclaims[key]) != format_of(key, eclaims[key]):
            diffs.append(f"{where}: claim {key} {eclaims[key]!r} shaped unlike {rclaims[key]!r}")
    if eclaims["name"] != rclaims["name"]:
        diffs.append(f"{where}: claim name {eclaims['name']!r} != {rclaims['name']!r}")
    rnats = {**rclaims["nats"], "issuer_account": ids.get(rclaims["nats"]["issuer_account"])}
    if eclaims["nats"] != rnats:
        diffs.append(f"{where}: nats claims {eclaims['nats']} != recorded {rnats}")
    return diffs


def compare_body(recorded: Any, emulated: Any, ids: dict[str, str], where: str) -> list[str]:
    if shape_of(recorded) != shape_of(emulated):
        return [f"{where}: keys/types {shape_of(emulated)} != recorded {shape_of(recorded)}"]
    if not isinstance(recorded, dict):
        return []
    diffs: list[str] = []
    for key, value in recorded.items():
        mine = emulated[key]
        if isinstance(value, dict):
            if key == "credentials":
                if value["name"] != mine["name"]:
                    diffs.append(f"{where}: credentials.name {mine['name']!r}")
                diffs += compare_creds(value["content"], mine["content"], ids, where)
            continue
        if not isinstance(value, str):
            continue
        if format_of(key, value) != format_of(key, mine):
            diffs.append(f"{where}: {key} {mine!r} is not shaped like {value!r}")
        elif key in ("name", "region", "type", "message", "resource") and mine != value:
            diffs.append(f"{where}: {key} {mine!r} != recorded {value!r}")
        elif key in _IDS and value in ids and mine != ids[value]:
            diffs.append(f"{where}: {key} {mine!r} is not the mapped {ids[value]!r}")
    return diffs


def micros(stamp: str) -> int:
    moment = dt.datetime.strptime(stamp[:26], "%Y-%m-%dT%H:%M:%S.%f")
    return int(moment.replace(tzinfo=dt.UTC).timestamp() * 1_000_000)


def stamps(step_id: int, answer: Any) -> list[tuple[str, int]]:
    if not isinstance(answer, dict):
        return []
    return [(f"step {step_id} {k}", micros(v)) for k, v in answer.items() if k.endswith("_at")]


def relations(points: list[tuple[str, int]]) -> dict[tuple[str, str], int]:
    """The order (-1, 0, 1) of every pair of instants of a replay, cut to microseconds."""
    return {
        (a, b): (x > y) - (x < y) for i, (a, x) in enumerate(points) for (b, y) in points[i + 1 :]
    }


def is_lag(step: Step, deleted: set[str]) -> bool:
    """A recorded GET 404 on a resource not deleted yet: the live API's read lag."""
    return (
        step.method == "GET" and step.status == 404 and step.path.rsplit("/", 1)[1] not in deleted
    )


def replay(env: LocalScaleway, coin: RecordedCoin, steps: list[Step]) -> list[str]:
    org = env.create_organization()
    ids: dict[str, str] = {}
    diffs: list[str] = []
    deleted: set[str] = set()
    recorded_points: list[tuple[str, int]] = []
    emulated_points: list[tuple[str, int]] = []
    with httpx.Client(
        base_url=env.api_url,
        headers={"X-Auth-Token": org.secret_key},
        timeout=30,
        verify=ssl.create_default_context(cafile=env.ca_file) if env.tls else True,
        http2=env.tls,
    ) as client:
        for step in steps:
            where = f"step {step.id} {step.method} {step.path}"
            path = step.path
            for recorded_id, emulator_id in ids.items():
                path = path.replace(recorded_id, emulator_id)
            body = None
            if step.body is not None:
                body = dict(step.body)
                if "project_id" in body:
                    ids.setdefault(body["project_id"], org.project_id)
                body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
            coin.queue.clear()
            lag = is_lag(step, deleted)
            if step.method == "GET":
                coin.queue.append(lag)
            response = client.request(step.method, path, json=body)
            if lag and coin.queue:
                diffs.append(f"{where}: recorded lag, but the emulator deemed the read not young")
            version = response.http_version.replace("HTTP/2", "HTTP/2.0")
            if env.tls and step.proto and version != step.proto:
                diffs.append(f"{where}: answered over {version}, recorded {step.proto}")
            if response.status_code != step.status:
                diffs.append(f"{where}: status {response.status_code} != {step.status}")
                continue
            if response.headers.get("content-type") != step.content_type:
                diffs.append(f"{where}: Content-Type {response.headers.get('content-type')!r}")
            mine: Any = response.json() if response.content else None
            if step.method == "POST" and step.status == 200:
                ids[step.answer["id"]] = mine["id"]
            if step.method == "DELETE" and step.status == 204:
                deleted.add(step.path.rsplit("/", 1)[1])
                if "nats-accounts" in step.path:  # its credentials go with it
                    deleted |= {r for r in ids if not r.startswith("A")}
            diffs += compare_body(step.answer, mine, ids, where)
            if isinstance(mine, dict) and mine.get("credentials"):
                content = mine["credentials"]["content"]
                if hashlib.sha1(content.encode()).hexdigest() != mine["checksum"]:  # noqa: S324
                    diffs.append(f"{where}: checksum is not the SHA-1 of the content")
                claims = json.loads(jwt_parts(_CREDS.match(content)["jwt"])[1])  # type: ignore[index]
                if claims["iat"] != micros(mine["created_at"]) // 1_000_000:
                    diffs.append(f"{where}: JWT iat is not the create's second")
            recorded_points += stamps(step.id, step.answer)
            emulated_points += stamps(step.id, mine)
    expected, actual = relations(recorded_points), relations(emulated_points)
    diffs += [
        f"{a} vs {b}: order {actual.get((a, b))} != recorded {order}"
        for (a, b), order in expected.items()
        if actual.get((a, b)) != order
    ]
    return diffs


@pytest.mark.parametrize("path", FILES, ids=[f.name.split(".")[0] for f in FILES])
def test_replay_matches_the_recording(
    lagging_env: tuple[LocalScaleway, RecordedCoin], path: Path
) -> None:
    env, coin = lagging_env
    steps = load(path)
    assert steps, f"no interaction in {path.name}"
    assert replay(env, coin, steps) == []


def test_recorded_lags_fit_the_model() -> None:
    """Every recorded lag hits a resource younger than the window (by the recordings' own
    ``Date`` headers, whole seconds), and the default rate is the recorded ratio."""
    young = lagged = 0
    for path in FILES:
        created: dict[str, dt.datetime] = {}
        deleted: set[str] = set()
        for step in load(path):
            target = step.path.rsplit("/", 1)[1]
            if step.method == "POST" and step.status == 200:
                created[step.answer["id"]] = step.date
            elif step.method == "DELETE" and step.status == 204:
                deleted.add(target)
            elif step.method == "GET" and target in created:
                age = (step.date - created[target]).total_seconds()
                within = age <= RECORDED_WINDOW
                young += within
                if is_lag(step, deleted):
                    assert within, f"{path.name} step {step.id}: lag {age} s after the create"
                    lagged += 1
    assert (lagged, young) == (4, 26)
    assert round(lagged / young, 2) == RECORDED_RATE
