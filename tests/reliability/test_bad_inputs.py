"""Issue 4: a table of bad inputs for each of the 9 operations.

Through raw httpx (so the emulator's own validation is what answers): each bad input gets
Scaleway's 400 ``invalid_arguments`` body naming the argument (or the documented 404), never a
5xx, and never changes the stored state. Through the wrapper, the same kinds of bad input raise
``ArgumentValidationError`` naming the argument before any request is sent.

tests/local/test_api.py checks help messages and reasons in detail; this table is the
per-operation inventory with state snapshots and the wrapper side.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from scaleway_nats import ArgumentValidationError, NatsAPI
from scaleway_nats.local import LocalScaleway, Organization
from scaleway_nats.local.store import Page
from tests.ids import new_account_id
from tests.support.http_api import REGIONS
from tests.support.reliability import figures

NO_BODY = object()
ACCOUNT, CREDS, FOREIGN = "{account}", "{creds}", "{unknown}"  # placeholders for real ids
LONG = "x" * 501  # over both name limits (account 64, credentials 500)
UNKNOWN_ID = str(uuid.uuid4())
UNKNOWN_ACCOUNT_ID = new_account_id()  # NATS account ids are NKEY public keys, not UUIDs


class Case:
    """One bad HTTP request: what to send and which arguments the 400 must name."""

    def __init__(
        self,
        label: str,
        *,
        region: str = "fr-par",
        path_id: str | None = None,
        params: dict[str, str] | None = None,
        body: Any = NO_BODY,
        expect: tuple[str, ...] = (),
        status: int = 400,
    ) -> None:
        self.label, self.region, self.path_id = label, region, path_id
        self.params, self.body, self.expect, self.status = params or {}, body, expect, status

    def __repr__(self) -> str:
        return self.label


def list_cases(extra: tuple[Case, ...] = ()) -> list[Case]:
    return [
        Case("page 0", params={"page": "0"}, expect=("page",)),
        Case("page negative", params={"page": "-1"}, expect=("page",)),
        Case("page huge", params={"page": "99999999999"}, expect=("page",)),
        Case("page not int", params={"page": "abc"}, expect=("page",)),
        Case("page_size 0", params={"page_size": "0"}, expect=("page_size",)),
        Case("page_size negative", params={"page_size": "-5"}, expect=("page_size",)),
        Case("page_size huge", params={"page_size": "1000000"}, expect=("page_size",)),
        Case("page_size float", params={"page_size": "2.5"}, expect=("page_size",)),
        Case("order_by unknown", params={"order_by": "name"}, expect=("order_by",)),
        Case("order_by empty", params={"order_by": ""}, expect=("order_by",)),
        Case("project_id not uuid", params={"project_id": "p1"}, expect=("project_id",)),
        Case("unknown parameter", params={"colour": "blue"}, expect=("colour",)),
        Case("unknown region", region="pl-waw", expect=("region",)),
        *extra,
    ]


def id_cases(argument: str, with_body: Any = NO_BODY) -> list[Case]:
    if argument == "nats_account_id":
        unknown = UNKNOWN_ACCOUNT_ID
        malformed = [
            ("id a uuid", UNKNOWN_ID),
            ("id truncated key", unknown[:-1]),
            ("id lower-case key", unknown.lower()),
            ("id user key", "U" + unknown[1:]),
        ]
    else:
        unknown = UNKNOWN_ID
        malformed = [
            ("id truncated uuid", unknown[:-1]),
            ("id without dashes", unknown.replace("-", "")),
            ("id an account key", UNKNOWN_ACCOUNT_ID),
        ]
    return [
        Case("id not an id", path_id="123", body=with_body, expect=(argument,)),
        *(Case(label, path_id=bad, body=with_body, expect=(argument,)) for label, bad in malformed),
        Case("id unknown (404)", path_id=unknown, body=with_body, status=404),
        Case(
            "unknown region",
            region="pl-waw",
            path_id=unknown,
            body=with_body,
            expect=("region",),
        ),
    ]


def body_cases(allowed_ok: dict[str, Any]) -> list[Case]:
    """Malformed or wrongly typed bodies; `allowed_ok` completes bodies with required fields."""
    return [
        Case("no body", expect=("body",)),
        Case("malformed JSON", body=b"{", expect=("body",)),
        Case("JSON array", body=[1, 2], expect=("body",)),
        Case("JSON null", body=b"null", expect=("body",)),
        Case("JSON string", body="name", expect=("body",)),
        Case("not UTF-8", body=b"\xff\xfe", expect=("body",)),
        Case("name empty", body={**allowed_ok, "name": ""}, expect=("name",)),
        Case("name too long", body={**allowed_ok, "name": LONG}, expect=("name",)),
        Case("name int", body={**allowed_ok, "name": 12}, expect=("name",)),
        Case("name list", body={**allowed_ok, "name": ["a"]}, expect=("name",)),
        Case("name bool", body={**allowed_ok, "name": True}, expect=("name",)),
        Case("unknown field", body={**allowed_ok, "colour": "blue"}, expect=("colour",)),
    ]


CASES: dict[str, tuple[str, str, list[Case]]] = {
    # operation: (method, kind, cases)
    "list_accounts": ("GET", "nats-accounts", list_cases()),
    "create_account": (
        "POST",
        "nats-accounts",
        [
            *body_cases({}),
            Case("project_id int", body={"project_id": 7}, expect=("project_id",)),
            Case("project_id not uuid", body={"project_id": "nope"}, expect=("project_id",)),
            Case(
                "everything wrong",
                body={"name": "", "project_id": "x", "y": 1},
                expect=("name", "project_id", "y"),
            ),
            Case("unknown region", region="pl-waw", body={}, expect=("region",)),
        ],
    ),
    "get_account": ("GET", "nats-accounts", id_cases("nats_account_id")),
    "update_account": (
        "PATCH",
        "nats-accounts",
        [
            *id_cases("nats_account_id", with_body={"name": "ok"}),
            *(Case(c.label, path_id=ACCOUNT, body=c.body, expect=c.expect) for c in body_cases({})),
            Case(
                "project_id not updatable",
                path_id=ACCOUNT,
                body={"project_id": UNKNOWN_ID},
                expect=("project_id",),
            ),
        ],
    ),
    "delete_account": ("DELETE", "nats-accounts", id_cases("nats_account_id")),
    "list_credentials": (
        "GET",
        "nats-credentials",
        list_cases(
            (
                Case(
                    "account id malformed",
                    params={"nats_account_id": "a"},
                    expect=("nats_account_id",),
                ),
                Case(
                    "everything wrong",
                    params={"page": "0", "page_size": "0", "x": "1"},
                    expect=("x", "page", "page_size"),
                ),
            )
        ),
    ),
    "create_credentials": (
        "POST",
        "nats-credentials",
        [
            *body_cases({"nats_account_id": ACCOUNT}),
            Case("account id missing", body={"name": "n"}, expect=("nats_account_id",)),
            Case("account id int", body={"nats_account_id": 5}, expect=("nats_account_id",)),
            Case(
                "account id too short", body={"nats_account_id": "x"}, expect=("nats_account_id",)
            ),
            Case(
                "account id a uuid",
                body={"nats_account_id": UNKNOWN_ID},
                expect=("nats_account_id",),
            ),
            Case(
                "account id unknown (404)",
                body={"nats_account_id": UNKNOWN_ACCOUNT_ID},
                status=404,
            ),
            Case(
                "unknown region",
                region="pl-waw",
                body={"nats_account_id": ACCOUNT},
                expect=("region",),
            ),
        ],
    ),
    "get_credentials": ("GET", "nats-credentials", id_cases("nats_credentials_id")),
    "delete_credentials": ("DELETE", "nats-credentials", id_cases("nats_credentials_id")),
}

TRIED: Counter[str] = Counter()


@pytest.fixture(scope="module")
def world(emulator: LocalScaleway) -> Iterator[tuple[LocalScaleway, Organization, dict[str, str]]]:
    """An organization with one account and one credentials in each region."""
    org = emulator.create_organization()
    headers = {"X-Auth-Token": org.secret_key}
    with httpx.Client(base_url=emulator.api_url, headers=headers, timeout=10) as client:
        ids: dict[str, str] = {}
        for region in REGIONS:
            base = f"/mnq/v1beta1/regions/{region}"
            account = client.post(f"{base}/nats-accounts", json={"name": "kept"}).json()
            creds = client.post(
                f"{base}/nats-credentials", json={"nats_account_id": account["id"]}
            ).json()
            ids.setdefault(ACCOUNT, account["id"])
            ids.setdefault(CREDS, creds["id"])
    yield emulator, org, ids
    figures("bad_inputs", tried=sum(TRIED.values()), by_operation=dict(sorted(TRIED.items())))


def snapshot(env: LocalScaleway, org: Organization) -> list[Any]:
    """Every stored row of the organization, tombstones, JWTs and timestamps included."""
    store = env._require_store()
    projects = store.project_ids(org.organization_id)
    rows: list[Any] = []
    for region in REGIONS:
        rows += sorted(
            (repr(a), a.jwt, a.seed, a.revocations)
            for a in store.accounts_in_region(region)
            if a.project_id in projects
        )
        rows += store.list_credentials(region, projects, None, Page(1, 1000, "created_at_asc"))[1]
    return rows


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def check_http(operation: str, case: Case, world: Any) -> None:
    env, org, ids = world
    method, kind, _ = CASES[operation]
    url = f"{env.api_url}/mnq/v1beta1/regions/{case.region}/{kind}"
    if case.path_id is not None:
        url += f"/{fill(case.path_id, ids)}"
    headers = {"X-Auth-Token": org.secret_key}
    kwargs: dict[str, Any] = {"params": case.params, "headers": headers}
    if isinstance(case.body, bytes):
        kwargs["content"] = case.body
        headers["Content-Type"] = "application/json"
    elif case.body is not NO_BODY:
        kwargs["json"] = fill(case.body, ids)
    before = snapshot(env, org)
    response = httpx.request(method, url, timeout=10, **kwargs)
    TRIED[operation] += 1
    assert response.status_code == case.status, (case, response.status_code, response.text)
    body = response.json()
    if case.status == 400:
        assert body["type"] == "invalid_arguments"
        assert body["message"] == "invalid argument(s)"
        named = [d["argument_name"] for d in body["details"]]
        assert sorted(named) == sorted(case.expect), (case, body)
        assert all(d["reason"] and d["help_message"] for d in body["details"])
    else:
        assert body["type"] == "not_found"
        assert body["resource_id"] in (UNKNOWN_ID, UNKNOWN_ACCOUNT_ID)
    assert snapshot(env, org) == before, f"{case}: state changed"


HTTP_CASES = [(operation, case) for operation, (_, _, cases) in CASES.items() for case in cases]


@pytest.mark.parametrize(
    ("operation", "case"), HTTP_CASES, ids=[f"{op}-{case!r}" for op, case in HTTP_CASES]
)
def test_http_refuses_a_bad_input_and_changes_nothing(
    operation: str, case: Case, world: Any
) -> None:
    check_http(operation, case, world)


# -- the wrapper: refused before sending -----------------------------------------------------

Call = Callable[[NatsAPI], Any]
ID = str(uuid.uuid4())
AID = new_account_id()
WRAPPER_CASES: list[tuple[str, str, Call]] = [
    # (operation, argument named, call)
    ("list_accounts", "page_size", lambda api: api.list_accounts(page_size=0)),
    ("list_accounts", "page_size", lambda api: api.list_accounts(page_size=-1)),
    ("list_accounts", "page_size", lambda api: api.list_accounts(page_size=10**9)),
    ("list_accounts", "page_size", lambda api: api.list_accounts(page_size=True)),
    ("list_accounts", "page_size", lambda api: api.list_accounts(page_size="10")),
    ("list_accounts", "page", lambda api: api.list_accounts().page(0)),
    ("list_accounts", "page", lambda api: api.list_accounts().page(-2)),
    ("list_accounts", "page", lambda api: api.list_accounts().page(10**12)),
    ("list_accounts", "order_by", lambda api: api.list_accounts(order_by="name")),
    ("list_accounts", "project_id", lambda api: api.list_accounts(project_id="p1")),
    ("list_accounts", "region", lambda api: api.list_accounts(region="pl-waw")),
    ("create_account", "name", lambda api: api.create_account(name="")),
    ("create_account", "name", lambda api: api.create_account(name="   ")),
    ("create_account", "name", lambda api: api.create_account(name=LONG)),
    ("create_account", "name", lambda api: api.create_account(name=12)),
    ("create_account", "project_id", lambda api: api.create_account(project_id="nope")),
    ("create_account", "project_id", lambda api: api.create_account(project_id=7)),
    ("create_account", "region", lambda api: api.create_account(region="pl-waw")),
    ("get_account", "nats_account_id", lambda api: api.get_account("123")),
    ("get_account", "nats_account_id", lambda api: api.get_account(123)),
    ("get_account", "nats_account_id", lambda api: api.get_account(None)),
    ("get_account", "region", lambda api: api.get_account(AID, region="pl-waw")),
    ("update_account", "nats_account_id", lambda api: api.update_account("x", "ok")),
    ("update_account", "name", lambda api: api.update_account(AID, "")),
    ("update_account", "name", lambda api: api.update_account(AID, LONG)),
    ("update_account", "name", lambda api: api.update_account(AID, None)),
    ("update_account", "region", lambda api: api.update_account(AID, "ok", region="mars")),
    ("delete_account", "nats_account_id", lambda api: api.delete_account("x")),
    ("delete_account", "nats_account_id", lambda api: api.delete_account(AID[:-1])),
    ("delete_account", "nats_account_id", lambda api: api.delete_account(ID)),
    ("delete_account", "region", lambda api: api.delete_account(AID, region="")),
    ("list_credentials", "nats_account_id", lambda api: api.list_credentials("x")),
    ("list_credentials", "project_id", lambda api: api.list_credentials(project_id="p")),
    ("list_credentials", "page_size", lambda api: api.list_credentials(page_size=101)),
    ("list_credentials", "order_by", lambda api: api.list_credentials(order_by="x")),
    ("list_credentials", "page", lambda api: api.list_credentials().page(0)),
    ("list_credentials", "region", lambda api: api.list_credentials(region="pl-waw")),
    ("create_credentials", "nats_account_id", lambda api: api.create_credentials("x")),
    ("create_credentials", "nats_account_id", lambda api: api.create_credentials(5)),
    ("create_credentials", "name", lambda api: api.create_credentials(AID, name="")),
    ("create_credentials", "name", lambda api: api.create_credentials(AID, name="x" * 501)),
    ("create_credentials", "region", lambda api: api.create_credentials(AID, region="x")),
    ("get_credentials", "nats_credentials_id", lambda api: api.get_credentials("x")),
    ("get_credentials", "region", lambda api: api.get_credentials(ID, region="x")),
    ("delete_credentials", "nats_credentials_id", lambda api: api.delete_credentials("x")),
    ("delete_credentials", "region", lambda api: api.delete_credentials(ID, region="x")),
]


@pytest.mark.parametrize(
    ("operation", "argument", "call"),
    WRAPPER_CASES,
    ids=[f"{op}-{arg}-{i}" for i, (op, arg, _) in enumerate(WRAPPER_CASES)],
)
def test_wrapper_refuses_before_sending(
    operation: str, argument: str, call: Call, world: Any
) -> None:
    env, org, _ = world
    before = snapshot(env, org)
    with NatsAPI(secret_key=org.secret_key, project_id=org.project_id, api_url=env.api_url) as api:
        with pytest.raises(ArgumentValidationError) as excinfo:
            call(api)
        assert api.stats.get("requests", 0) == 0
    TRIED[f"wrapper.{operation}"] += 1
    assert [d.argument_name for d in excinfo.value.details] == [argument]
    assert argument in str(excinfo.value)
    assert snapshot(env, org) == before
