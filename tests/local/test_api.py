"""The HTTP API: shapes, CRUD in both regions, pagination, and every documented error."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from scaleway_nats.local import LocalScaleway, Organization
from tests.ids import new_account_id
from tests.support.http_api import REGIONS, RawApi, as_read, raw_api_on

ACCOUNT_ID = re.compile(r"A[A-Z2-7]{55}")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
# Create answers carry nanoseconds, reads the same instants cut to microseconds (recorded:
# tests/data/recordings/nats-credentials-update-name.cassette.yaml steps 2 and 3).
CREATED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


ACCOUNT_KEYS = ["id", "name", "endpoint", "project_id", "region", "created_at", "updated_at"]
CREDS_KEYS = [
    "id",
    "name",
    "nats_account_id",
    "region",
    "created_at",
    "updated_at",
    "credentials",
    "checksum",
]
CREDS_FILE = re.compile(
    r"^-----BEGIN NATS USER JWT-----\n(eyJ[\w-]+\.[\w-]+\.[\w-]+)\n------END NATS USER JWT------\n"
    r"\n\*+ IMPORTANT \*+\n.*\n.*\n\n"
    r"-----BEGIN USER NKEY SEED-----\n(SU[A-Z2-7]{56})\n------END USER NKEY SEED------\n\n\*+\n$"
)


def invalid_arguments(response: httpx.Response) -> list[str]:
    """Assert a Scaleway 400 and return the names of the bad arguments."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == "invalid_arguments"
    assert body["message"] == "invalid argument(s)"
    for d in body["details"]:
        assert d["reason"] in {"constraint", "required", "unknown", "invalid", "format"}
        assert d["help_message"]
    return [d["argument_name"] for d in body["details"]]


@pytest.mark.parametrize("region", REGIONS)
def test_account_lifecycle(emulator: LocalScaleway, raw_api: RawApi, region: str) -> None:
    account = raw_api.create_account(region, name="orders")
    assert list(account) == ACCOUNT_KEYS
    assert ACCOUNT_ID.fullmatch(account["id"])  # the NKEY public key, as on Scaleway
    assert account["name"] == "orders"
    assert account["region"] == region
    assert account["endpoint"] == emulator.regions[region]
    assert account["project_id"] == raw_api.project_id
    assert CREATED_TIME.match(account["created_at"])
    assert account["created_at"] == account["updated_at"]

    url = raw_api.url(region, "nats-accounts", account["id"])
    account = as_read(account)
    assert raw_api.client.get(url).json() == account
    listed = raw_api.client.get(raw_api.url(region, "nats-accounts")).json()
    assert listed == {"total_count": 1, "nats_accounts": [account]}

    time.sleep(0.002)
    renamed = raw_api.client.patch(url, json={"name": "orders-v2"}).json()
    assert renamed["name"] == "orders-v2"
    assert renamed["created_at"] == account["created_at"]
    assert renamed["updated_at"] > account["updated_at"]
    assert raw_api.client.get(url).json() == renamed
    assert raw_api.client.patch(url, json={}).json() == renamed  # no name: nothing changes

    other = "nl-ams" if region == "fr-par" else "fr-par"  # regions are separate namespaces
    assert raw_api.client.get(raw_api.url(other, "nats-accounts", account["id"])).status_code == 404

    deleted = raw_api.client.delete(url)
    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = raw_api.client.get(url)
    assert missing.status_code == 404
    assert missing.json() == {
        "type": "not_found",
        "message": "resource is not found",
        "resource": "namespace",  # sic: Scaleway's 404 for an account
        "resource_id": account["id"],
    }
    assert raw_api.client.get(raw_api.url(region, "nats-accounts")).json()["total_count"] == 0


@pytest.mark.parametrize("region", REGIONS)
def test_credentials_lifecycle(raw_api: RawApi, region: str) -> None:
    account = raw_api.create_account(region)
    creds = raw_api.create_credentials(account, name="worker")
    assert list(creds) == CREDS_KEYS
    assert creds["nats_account_id"] == account["id"]
    assert creds["region"] == region
    assert CREATED_TIME.match(creds["created_at"])
    assert creds["credentials"]["name"] == "user.creds"  # always, as on Scaleway
    content = creds["credentials"]["content"]
    assert CREDS_FILE.match(content), content
    assert creds["checksum"] == hashlib.sha1(content.encode()).hexdigest()  # noqa: S324

    url = raw_api.url(region, "nats-credentials", creds["id"])
    got = raw_api.client.get(url).json()
    assert list(got) == CREDS_KEYS  # never the content again: "credentials": null
    assert got == {**as_read(creds), "credentials": None}
    listed = raw_api.client.get(raw_api.url(region, "nats-credentials")).json()
    assert listed == {"total_count": 1, "nats_credentials": [got]}
    by_account = raw_api.client.get(
        raw_api.url(region, "nats-credentials"), params={"nats_account_id": account["id"]}
    )
    assert by_account.json()["total_count"] == 1

    deleted = raw_api.client.delete(url)
    assert (deleted.status_code, deleted.content) == (204, b"")
    missing = raw_api.client.get(url)
    assert missing.status_code == 404
    assert missing.json()["resource"] == "credentials"
    assert missing.json()["resource_id"] == creds["id"]


def test_default_names(raw_api: RawApi) -> None:
    account = raw_api.create_account()
    assert re.fullmatch(r"nats-account-[0-9a-f]{8}", account["name"])
    creds = raw_api.create_credentials(account)
    assert re.fullmatch(r"nats-credentials-[0-9a-f]{8}", creds["name"])
    assert creds["credentials"]["name"] == "user.creds"


def test_deleting_an_account_deletes_its_credentials(raw_api: RawApi) -> None:
    account = raw_api.create_account()
    creds = raw_api.create_credentials(account)
    assert (
        raw_api.client.delete(raw_api.url("fr-par", "nats-accounts", account["id"])).status_code
        == 204
    )
    assert (
        raw_api.client.get(raw_api.url("fr-par", "nats-credentials", creds["id"])).status_code
        == 404
    )
    assert raw_api.client.get(raw_api.url("fr-par", "nats-credentials")).json()["total_count"] == 0


# -- pagination --------------------------------------------------------------------------------


def test_pagination_and_every_order(raw_api: RawApi) -> None:
    names = ["delta", "alpha", "echo", "charlie", "bravo"]
    accounts = [raw_api.create_account(name=n) for n in names]
    raw_api.client.patch(
        raw_api.url("fr-par", "nats-accounts", accounts[0]["id"]), json={"name": "zulu"}
    )
    list_url = raw_api.url("fr-par", "nats-accounts")

    def ids(**params: Any) -> list[str]:
        body = raw_api.client.get(list_url, params={"page_size": 100, **params}).json()
        assert body["total_count"] == 5
        return [a["id"] for a in body["nats_accounts"]]

    by_created = [a["id"] for a in accounts]
    assert ids() == by_created  # default order: created_at_asc
    assert ids(order_by="created_at_asc") == by_created
    assert ids(order_by="created_at_desc") == by_created[::-1]
    by_updated = by_created[1:] + by_created[:1]  # the renamed one was updated last
    assert ids(order_by="updated_at_asc") == by_updated
    assert ids(order_by="updated_at_desc") == by_updated[::-1]
    final = {a["id"]: a["name"] for a in accounts} | {accounts[0]["id"]: "zulu"}
    by_name = sorted(by_created, key=lambda i: final[i])
    assert ids(order_by="name_asc") == by_name
    assert ids(order_by="name_desc") == by_name[::-1]

    pages = [
        raw_api.client.get(list_url, params={"page": p, "page_size": 2}).json()
        for p in (1, 2, 3, 4)
    ]
    assert [p["total_count"] for p in pages] == [5, 5, 5, 5]
    assert [len(p["nats_accounts"]) for p in pages] == [2, 2, 1, 0]
    assert [a["id"] for p in pages for a in p["nats_accounts"]] == by_created


def test_default_page_size_is_20(emulator: LocalScaleway, raw_api: RawApi) -> None:
    account = raw_api.create_account()
    for _ in range(21):
        raw_api.create_credentials(account)
    body = raw_api.client.get(raw_api.url("fr-par", "nats-credentials")).json()
    assert body["total_count"] == 21
    assert len(body["nats_credentials"]) == 20


def test_list_filters_by_project(emulator: LocalScaleway, raw_api: RawApi) -> None:
    account = raw_api.create_account()
    raw_api.create_credentials(account)
    for kind in ("nats-accounts", "nats-credentials"):
        url = raw_api.url("fr-par", kind)
        assert (
            raw_api.client.get(url, params={"project_id": raw_api.project_id}).json()["total_count"]
            == 1
        )


# -- errors ------------------------------------------------------------------------------------

DENIED = {
    "type": "denied_authentication",
    "message": "authentication is denied",
    "method": "api_key",
    "reason": "invalid_argument",
}


@pytest.mark.parametrize("headers", [{}, {"X-Auth-Token": str(uuid.uuid4())}, {"X-Auth-Token": ""}])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "nats-accounts"),
        ("POST", "nats-accounts"),
        ("GET", f"nats-accounts/{new_account_id()}"),
        ("PATCH", f"nats-accounts/{new_account_id()}"),
        ("DELETE", f"nats-accounts/{new_account_id()}"),
        ("GET", "nats-credentials"),
        ("POST", "nats-credentials"),
        ("GET", f"nats-credentials/{uuid.uuid4()}"),
        ("DELETE", f"nats-credentials/{uuid.uuid4()}"),
    ],
)
def test_unauthenticated(
    emulator: LocalScaleway, headers: dict[str, str], method: str, path: str
) -> None:
    url = f"{emulator.api_url}/mnq/v1beta1/regions/fr-par/{path}"
    response = httpx.request(method, url, headers=headers, json={})
    assert response.status_code == 401
    assert response.json() == DENIED


def test_other_organization_sees_nothing(emulator: LocalScaleway, raw_api: RawApi) -> None:
    account = raw_api.create_account()
    creds = raw_api.create_credentials(account)
    intruder_org = emulator.create_organization()
    for intruder in raw_api_on(emulator, intruder_org):
        for kind, resource, item in (
            ("nats-accounts", "namespace", account),
            ("nats-credentials", "credentials", creds),
        ):
            url = intruder.url("fr-par", kind, item["id"])
            for method in ("GET", "DELETE") + (("PATCH",) if kind == "nats-accounts" else ()):
                response = intruder.client.request(method, url, json={"name": "x"})
                assert response.status_code == 404, (method, url)
                assert response.json() == {
                    "type": "not_found",
                    "message": "resource is not found",
                    "resource": resource,
                    "resource_id": item["id"],
                }
            assert intruder.client.get(intruder.url("fr-par", kind)).json()["total_count"] == 0
        # Creating credentials in someone else's account: 404 on the account.
        response = intruder.client.post(
            intruder.url("fr-par", "nats-credentials"), json={"nats_account_id": account["id"]}
        )
        assert response.status_code == 404
        assert response.json()["resource"] == "namespace"
    # ...and the owner still has everything.
    assert raw_api.client.get(
        raw_api.url("fr-par", "nats-accounts", account["id"])
    ).json() == as_read(account)


@pytest.mark.parametrize(
    ("method", "kind", "action"),
    [
        ("POST", "nats-accounts", "write"),
        ("GET", "nats-accounts", "read"),
        ("GET", "nats-credentials", "read"),
    ],
)
def test_foreign_project_is_forbidden(
    emulator: LocalScaleway, raw_api: RawApi, method: str, kind: str, action: str
) -> None:
    foreign = emulator.create_organization().project_id
    url = raw_api.url("fr-par", kind)
    if method == "POST":
        response = raw_api.client.post(url, json={"project_id": foreign})
    else:
        response = raw_api.client.get(url, params={"project_id": foreign})
    assert response.status_code == 403
    assert response.json() == {
        "type": "permissions_denied",
        "message": "insufficient permissions",
        "details": [{"resource": "nats_account", "action": action}],
    }


def test_unknown_ids_are_404(raw_api: RawApi) -> None:
    for kind, resource, unknown in (
        ("nats-accounts", "namespace", new_account_id()),
        ("nats-credentials", "credentials", str(uuid.uuid4())),
    ):
        response = raw_api.client.get(raw_api.url("nl-ams", kind, unknown))
        assert response.status_code == 404
        assert response.json()["resource"] == resource
        assert response.json()["resource_id"] == unknown
        assert raw_api.client.delete(raw_api.url("nl-ams", kind, unknown)).status_code == 404
    unknown = new_account_id()
    response = raw_api.client.post(
        raw_api.url("fr-par", "nats-credentials"), json={"nats_account_id": unknown}
    )
    assert (response.status_code, response.json()["resource_id"]) == (404, unknown)


def test_quota(emulator: LocalScaleway) -> None:
    with LocalScaleway(max_accounts=2) as small:
        for api in raw_api_on(small, small.organization):
            first = api.create_account()
            api.create_account("nl-ams")  # the quota is per organization, all regions
            response = api.client.post(api.url("fr-par", "nats-accounts"), json={})
            assert response.status_code == 403
            assert response.json() == {
                "type": "quotas_exceeded",
                "message": "quota(s) exceeded for this resource",
                "details": [{"resource": "nats_accounts", "quota": 2, "current": 2}],
            }
            api.client.delete(api.url("fr-par", "nats-accounts", first["id"]))
            api.create_account()  # deleting frees a slot


BAD_QUERIES = [
    ({"page": "0"}, ["page"]),
    ({"page": "-3"}, ["page"]),
    ({"page": "abc"}, ["page"]),
    ({"page": "99999999999"}, ["page"]),
    ({"page_size": "0"}, ["page_size"]),
    ({"page_size": "101"}, ["page_size"]),
    ({"page_size": "1.5"}, ["page_size"]),
    ({"order_by": "name"}, ["order_by"]),
    ({"project_id": "not-a-uuid"}, ["project_id"]),
    ({"page": "0", "page_size": "1000", "order_by": "x"}, ["page", "page_size", "order_by"]),
]


@pytest.mark.parametrize("kind", ["nats-accounts", "nats-credentials"])
@pytest.mark.parametrize(("params", "arguments"), BAD_QUERIES)
def test_bad_list_arguments(
    raw_api: RawApi, kind: str, params: dict[str, str], arguments: list[str]
) -> None:
    assert (
        invalid_arguments(raw_api.client.get(raw_api.url("fr-par", kind), params=params))
        == arguments
    )


def test_bad_list_argument_help_messages(raw_api: RawApi) -> None:
    response = raw_api.client.get(
        raw_api.url("fr-par", "nats-accounts"), params={"page_size": "0", "order_by": "x"}
    )
    details = {d["argument_name"]: d for d in response.json()["details"]}
    assert details["page_size"] == {
        "argument_name": "page_size",
        "reason": "constraint",
        "help_message": "must be between 1 and 100",
    }
    for value in ("created_at_asc", "created_at_desc", "updated_at_asc", "updated_at_desc"):
        assert value in details["order_by"]["help_message"]
    assert "name_asc, name_desc" in details["order_by"]["help_message"]


@pytest.mark.parametrize("argument", ["page", "page_size"])
@pytest.mark.parametrize("value", [str(10**12), str(-(10**12)), "9" * 400, str(2**31)])
def test_out_of_range_integers_name_the_range(raw_api: RawApi, argument: str, value: str) -> None:
    # Issue 18.6(e): page=10**12 answered "value must be an integer". The spec types both as
    # int32; page_size is at most 100 (Scaleway's maximum).
    response = raw_api.client.get(raw_api.url("fr-par", "nats-accounts"), params={argument: value})
    [found] = response.json()["details"]
    high = 2**31 - 1 if argument == "page" else 100
    assert found == {
        "argument_name": argument,
        "reason": "constraint",
        "help_message": f"must be between 1 and {high}",
    }


def test_bad_credentials_filter(raw_api: RawApi) -> None:
    response = raw_api.client.get(
        raw_api.url("fr-par", "nats-credentials"), params={"nats_account_id": "x"}
    )
    assert invalid_arguments(response) == ["nats_account_id"]


@pytest.mark.parametrize("kind", ["nats-accounts", "nats-credentials"])
def test_unknown_region(raw_api: RawApi, kind: str) -> None:
    one = new_account_id() if kind == "nats-accounts" else uuid.uuid4()
    for method, path in (("GET", kind), ("POST", kind), ("GET", f"{kind}/{one}")):
        response = raw_api.client.request(method, raw_api.url("pl-waw", path), json={})
        assert invalid_arguments(response) == ["region"]
        assert "fr-par, nl-ams" in response.json()["details"][0]["help_message"]


@pytest.mark.parametrize(
    ("method", "path", "argument"),
    [
        ("GET", "nats-accounts/123", "nats_account_id"),
        ("PATCH", "nats-accounts/not-an-id", "nats_account_id"),
        ("DELETE", "nats-accounts/00000000-0000", "nats_account_id"),
        ("GET", "nats-credentials/x", "nats_credentials_id"),
        ("DELETE", "nats-credentials/%20", "nats_credentials_id"),
    ],
)
def test_non_uuid_path_ids(raw_api: RawApi, method: str, path: str, argument: str) -> None:
    response = raw_api.client.request(method, raw_api.url("fr-par", path), json={})
    assert invalid_arguments(response) == [argument]


BAD_ACCOUNT_BODIES: list[tuple[Any, list[str]]] = [
    ({"name": ""}, ["name"]),
    ({"name": "x" * 256}, ["name"]),
    ({"name": 12}, ["name"]),
    ({"name": ["a"]}, ["name"]),
    ({"project_id": 7}, ["project_id"]),
    ({"project_id": "nope"}, ["project_id"]),
    ({"colour": "blue"}, ["colour"]),
    ({"name": "", "project_id": "nope", "x": 1}, ["x", "name", "project_id"]),
    ([], ["body"]),
    ("name", ["body"]),
]


@pytest.mark.parametrize(("body", "arguments"), BAD_ACCOUNT_BODIES)
def test_bad_create_account_bodies(raw_api: RawApi, body: Any, arguments: list[str]) -> None:
    response = raw_api.client.post(raw_api.url("fr-par", "nats-accounts"), json=body)
    assert sorted(invalid_arguments(response)) == sorted(arguments)


def test_unknown_field_reason(raw_api: RawApi) -> None:
    response = raw_api.client.post(raw_api.url("fr-par", "nats-accounts"), json={"colour": "blue"})
    assert response.json()["details"] == [
        {"argument_name": "colour", "reason": "unknown", "help_message": "unknown field"}
    ]


def test_name_limits_are_scaleways(raw_api: RawApi) -> None:
    """Account names 1..64, credentials names 1..500 (Scaleway's validation rules)."""
    account = raw_api.create_account(name="n" * 64)
    assert account["name"] == "n" * 64
    assert raw_api.create_credentials(account, name="c" * 500)["name"] == "c" * 500
    too_long = raw_api.client.post(raw_api.url("fr-par", "nats-accounts"), json={"name": "n" * 65})
    assert invalid_arguments(too_long) == ["name"]
    too_long = raw_api.client.post(
        raw_api.url("fr-par", "nats-credentials"),
        json={"nats_account_id": account["id"], "name": "c" * 501},
    )
    assert invalid_arguments(too_long) == ["name"]


@pytest.mark.parametrize(
    "bad", [r"\ud800", r"a\udfffb", r"tab\there", r"nl\n", r"nul\u0000", r"\u009f"]
)
def test_names_refuse_control_characters_and_lone_surrogates(raw_api: RawApi, bad: str) -> None:
    account = raw_api.create_account()
    # Raw JSON with the escape as sent by a client: a lone surrogate is legal JSON text.
    for kind, body in (
        ("nats-accounts", f'{{"name": "{bad}"}}'),
        ("nats-credentials", f'{{"nats_account_id": "{account["id"]}", "name": "{bad}"}}'),
    ):
        response = raw_api.client.post(
            raw_api.url("fr-par", kind), content=body, headers={"Content-Type": "application/json"}
        )
        assert invalid_arguments(response) == ["name"]
        assert response.json()["details"][0]["reason"] == "format"


@pytest.mark.parametrize("raw", [b"{", b"{'name': 1}", b"\xff\xfe", b"[1,2", b"null", b"1e999"])
def test_malformed_json(raw_api: RawApi, raw: bytes) -> None:
    for kind in ("nats-accounts", "nats-credentials"):
        response = raw_api.client.post(
            raw_api.url("fr-par", kind), content=raw, headers={"Content-Type": "application/json"}
        )
        assert invalid_arguments(response) == ["body"]


def test_bad_update_bodies(raw_api: RawApi) -> None:
    url = raw_api.url("fr-par", "nats-accounts", raw_api.create_account()["id"])
    assert invalid_arguments(raw_api.client.patch(url, json={"name": ""})) == ["name"]
    assert invalid_arguments(raw_api.client.patch(url, json={"name": 3})) == ["name"]
    assert invalid_arguments(
        raw_api.client.patch(url, json={"project_id": raw_api.project_id})
    ) == ["project_id"]
    assert invalid_arguments(raw_api.client.patch(url, content=b"{")) == ["body"]


def test_bad_create_credentials_bodies(raw_api: RawApi) -> None:
    url = raw_api.url("fr-par", "nats-credentials")
    response = raw_api.client.post(url, json={})
    assert invalid_arguments(response) == ["nats_account_id"]
    assert response.json()["details"][0]["reason"] == "required"
    assert invalid_arguments(raw_api.client.post(url, json={"nats_account_id": 5})) == [
        "nats_account_id"
    ]
    assert invalid_arguments(raw_api.client.post(url, json={"nats_account_id": "x"})) == [
        "nats_account_id"
    ]
    account = raw_api.create_account()
    response = raw_api.client.post(url, json={"nats_account_id": account["id"], "name": ""})
    assert invalid_arguments(response) == ["name"]


def test_unknown_paths_and_methods_are_json(raw_api: RawApi) -> None:
    response = raw_api.client.get("/mnq/v1beta1/regions/fr-par/queues")
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"
    response = raw_api.client.put(raw_api.url("fr-par", "nats-accounts", new_account_id()))
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}


@pytest.fixture
def throwaway_api(emulator: LocalScaleway, org: Organization) -> Iterator[RawApi]:
    yield from raw_api_on(emulator, org)


def test_junk_never_causes_a_server_error(throwaway_api: RawApi) -> None:
    api = throwaway_api
    account = api.create_account()
    junk: list[Any] = [
        {"name": None, "project_id": None},
        {"name": "\x00\u2603" * 10},
        {"name": {"a": 1}},
        {"nats_account_id": None},
        {"nats_account_id": account["id"].upper(), "name": "ok"},
        {"": ""},
        {"name": True},
        1.5,
        "x" * 10_000,
    ]
    paths = [
        api.url("fr-par", "nats-accounts"),
        api.url("fr-par", "nats-accounts", account["id"]),
        api.url("fr-par", "nats-credentials"),
    ]
    for path in paths:
        for body in junk:
            for method in ("POST", "PATCH", "GET"):
                response = api.client.request(method, path, json=body)
                assert response.status_code < 500, (method, path, body, response.text)


def test_missing_body_is_required(raw_api: RawApi) -> None:
    account = raw_api.create_account()
    for method, path in (
        ("POST", raw_api.url("fr-par", "nats-accounts")),
        ("PATCH", raw_api.url("fr-par", "nats-accounts", account["id"])),
        ("POST", raw_api.url("fr-par", "nats-credentials")),
    ):
        response = raw_api.client.request(method, path)
        assert invalid_arguments(response) == ["body"]
        assert response.json()["details"][0]["reason"] == "required"


@pytest.mark.parametrize("kind", ["nats-accounts", "nats-credentials"])
def test_unknown_query_parameter(raw_api: RawApi, kind: str) -> None:
    response = raw_api.client.get(raw_api.url("fr-par", kind), params={"colour": "blue"})
    assert invalid_arguments(response) == ["colour"]
    assert response.json()["details"][0]["reason"] == "unknown"


def test_credentials_orders(raw_api: RawApi) -> None:
    account = raw_api.create_account()
    made = [raw_api.create_credentials(account, name=n)["id"] for n in ("b", "c", "a")]
    url = raw_api.url("fr-par", "nats-credentials")

    def ids(order_by: str) -> list[str]:
        body = raw_api.client.get(url, params={"order_by": order_by}).json()
        return [c["id"] for c in body["nats_credentials"]]

    assert ids("created_at_asc") == made
    assert ids("created_at_desc") == made[::-1]
    assert ids("updated_at_asc") == made
    assert ids("updated_at_desc") == made[::-1]
    assert ids("name_asc") == [made[2], made[0], made[1]]
    assert ids("name_desc") == [made[1], made[0], made[2]]


def test_concurrent_creates_respect_the_quota() -> None:
    with LocalScaleway(max_accounts=5) as small:
        url = f"{small.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts"

        def create(_: int) -> int:
            headers = {"X-Auth-Token": small.secret_key}
            return httpx.post(url, json={}, headers=headers, timeout=10).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(create, range(12)))
        assert sorted(statuses) == [200] * 5 + [403] * 7


def test_account_ids_are_nkey_public_keys(raw_api: RawApi) -> None:
    account = raw_api.create_account("fr-par")
    assert (
        raw_api.client.get(raw_api.url("fr-par", "nats-accounts", account["id"])).status_code == 200
    )
    # Scaleway's words for a wrong length; our choice ("format") for a wrong alphabet/prefix.
    for bad, reason, help_message in (
        (account["id"][:-1], "constraint", "value length must be 56 runes"),
        (str(uuid.uuid4()), "constraint", "value length must be 56 runes"),
        ("U" + account["id"][1:], "format", None),
        (account["id"].lower(), "format", None),
    ):
        response = raw_api.client.get(raw_api.url("fr-par", "nats-accounts", bad))
        assert invalid_arguments(response) == ["nats_account_id"]
        found = response.json()["details"][0]
        assert found["reason"] == reason
        assert help_message is None or found["help_message"] == help_message


def test_names_of_invisible_characters_are_accepted_as_scaleway_publishes(raw_api: RawApi) -> None:
    # Issue 18.6(d): Scaleway's only published name rule is the length (scaleway-sdk-js
    # validation-rules.gen.ts); the emulator refuses nothing more, the client's blank rule
    # (whitespace only) is the client's own choice.
    for name in ("\u200b", "\u200c\u200d", "\ufeff"):
        account = raw_api.create_account(name=name)
        creds = raw_api.create_credentials(account, name=name)
        assert (account["name"], creds["name"]) == (name, name)
