"""`Service` alone, without HTTP or nats-server (issue 20.1): ownership and visibility are
decided there, once, and said with the errors of `domain.py`, which `app.wire_error` maps to
Scaleway's answers. The HTTP answers themselves are tests/local/test_api.py's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaleway_nats.facts import DEFAULT_ORDER, PAGE_SIZE_DEFAULT, REGIONS
from scaleway_nats.local import domain
from scaleway_nats.local.app import wire_error
from scaleway_nats.local.jwt import Identity
from scaleway_nats.local.lag import ReadLag
from scaleway_nats.local.service import Service, now
from scaleway_nats.local.store import Account, Credentials, Organization, Page, Store

OLD = "2020-01-01T00:00:00.000000Z"  # long visible, never lagging
PAGE = Page(1, PAGE_SIZE_DEFAULT, DEFAULT_ORDER)


def organization(store: Store) -> Organization:
    org = Organization(
        str(uuid.uuid4()), str(uuid.uuid4()), "SCWXXXXXXXXXXXXXXXXX", str(uuid.uuid4())
    )
    store.add_organization(org, now())
    return org


def account(store: Store, org: Organization, created_at: str) -> Account:
    identity = Identity.generate("account")
    row = Account(
        id=identity.public_key,
        region=REGIONS[0],
        project_id=org.project_id,
        name="orders",
        public_key=identity.public_key,
        seed=identity.seed,
        jwt="unused",
        revocations={},
        created_at=created_at,
        updated_at=created_at,
    )
    store.insert_account(row)
    return row


def credentials(store: Store, owner: Account, created_at: str) -> Credentials:
    row = Credentials(
        str(uuid.uuid4()),
        owner.region,
        owner.id,
        "app",
        "U" + "A" * 55,
        "0" * 40,
        created_at,
        created_at,
    )
    store.insert_credentials(row)
    return row


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "emulator.sqlite3")
    yield db
    db.close()


def service(store: Store, delay: float = 0.0, lag: ReadLag | None = None) -> Service:
    return Service(store, Identity.generate("operator"), 10, propagation_delay=delay, read_lag=lag)


def test_an_unknown_or_missing_key_is_unauthenticated(store: Store) -> None:
    org = organization(store)
    assert service(store).caller(org.secret_key).organization_id == org.organization_id
    for key in ("", str(uuid.uuid4())):
        with pytest.raises(domain.Unauthenticated):
            service(store).caller(key)


def test_another_organizations_account_is_not_found_and_its_project_denied(store: Store) -> None:
    mine, theirs = organization(store), organization(store)
    hidden = account(store, theirs, OLD)
    caller = service(store).caller(mine.secret_key)
    with pytest.raises(domain.NotFound) as missing:
        service(store).account(caller, REGIONS[0], hidden.id)
    assert (missing.value.resource, missing.value.resource_id) == ("namespace", hidden.id)
    with pytest.raises(domain.Denied) as denied:
        service(store).list_accounts(caller, REGIONS[0], theirs.project_id, PAGE)
    assert denied.value.action == "read"
    assert service(store).list_accounts(caller, REGIONS[0], None, PAGE) == (0, [])


def test_a_resource_younger_than_the_propagation_delay_is_invisible_everywhere(
    store: Store,
) -> None:
    org = organization(store)
    young, old = account(store, org, now()), account(store, org, OLD)
    creds = credentials(store, old, now())
    delayed = service(store, delay=3600)
    caller = delayed.caller(org.secret_key)
    for lookup in (delayed.account, delayed.read_account):
        with pytest.raises(domain.NotFound):
            lookup(caller, REGIONS[0], young.id)
    with pytest.raises(domain.NotFound) as missing:
        delayed.credentials(caller, REGIONS[0], creds.id)
    assert (missing.value.resource, missing.value.resource_id) == ("credentials", creds.id)
    assert [a.id for a in delayed.list_accounts(caller, REGIONS[0], None, PAGE)[1]] == [old.id]
    assert delayed.list_credentials(caller, REGIONS[0], None, None, PAGE) == (0, [])


def test_the_read_lag_touches_reads_only_and_names_the_account(store: Store) -> None:
    org = organization(store)
    young = account(store, org, now())
    creds = credentials(store, young, now())
    lagging = service(store, lag=ReadLag(60.0, rate=1.0))
    caller = lagging.caller(org.secret_key)
    assert lagging.account(caller, REGIONS[0], young.id) == young  # what writes look up
    with pytest.raises(domain.NotFound):
        lagging.read_account(caller, REGIONS[0], young.id)
    with pytest.raises(domain.NotFound) as missing:
        lagging.read_credentials(caller, REGIONS[0], creds.id)
    # sic: the live API's lagging credentials GET names the account (lag.py)
    assert (missing.value.resource, missing.value.resource_id) == ("namespace", young.id)


def test_node_controls_are_unavailable_before_start_and_once_stopping(store: Store) -> None:
    fresh = service(store)
    with pytest.raises(domain.Unavailable, match="nats is stopping"):
        fresh.clusters()
    fresh.stopping()
    with pytest.raises(domain.Unavailable, match="nats is stopping"):
        fresh.clusters()


def test_every_domain_error_has_one_wire_answer() -> None:
    samples = [
        domain.Unauthenticated("no key"),
        domain.Invalid([domain.Detail("name", "constraint", "too long")]),
        domain.Denied("write"),
        domain.QuotaExceeded(10, 10),
        domain.NotFound("credentials", "id"),
        domain.Busy("busy"),
        domain.TooLarge(1024),
        domain.Unavailable("nats-server refused"),
    ]
    kinds = {type(error) for error in samples}
    assert kinds == set(domain.DomainError.__subclasses__())  # a new error needs a sample here
    answers = [wire_error(error) for error in samples]
    assert [status for status, _ in answers] == [401, 400, 403, 403, 404, 409, 413, 503]
    assert [body["type"] for _, body in answers] == [
        "denied_authentication",
        "invalid_arguments",
        "permissions_denied",
        "quotas_exceeded",
        "not_found",
        "conflict",
        "invalid_request_error",
        "service_unavailable",
    ]
    # the log's reason never reaches the client
    assert answers[-1][1]["message"] == "service is unavailable"
