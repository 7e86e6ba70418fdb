"""Revocation and account deletion hold on every node of a 3-node region (issue 14).

A delete's 204 comes once every running node stored and applied the new account JWT, so each
node refuses deleted credentials at the first attempt, asked directly (not through the endpoint,
which would pick one node). A node that was down during the delete gets the committed JWTs
before it starts again: it refuses them as soon as ``start_node`` returns.

The concurrent-deletes guarantee of the single-node emulator (tests/reliability/
test_revocation.py) runs here too, against this cluster: its probes ask every node.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scaleway_nats import AsyncNatsAPI, NatsCredentials
from scaleway_nats.local import LocalScaleway
from tests.reliability import test_revocation as single_node
from tests.reliability.test_revocation import accepted_by

from .conftest import REGION, SIZE

# The single-node module's tests, run with this folder's 3-node emulator as their `env`.
test_concurrent_credentials_deletes_all_hold = (
    single_node.test_concurrent_credentials_deletes_all_hold
)
test_account_delete_racing_credentials_deletes_holds = (
    single_node.test_account_delete_racing_credentials_deletes_holds
)


@pytest.fixture
def env(all_nodes_up: LocalScaleway) -> LocalScaleway:
    return all_nodes_up


async def answers(env: LocalScaleway, creds: NatsCredentials) -> list[bool]:
    """Each node's answer to these credentials, asked directly: True accepted, False refused."""
    return [await accepted_by(node.url, env, creds) for node in env.servers[REGION].nodes]


@pytest.mark.parametrize(
    "break_node",
    [LocalScaleway.stop_node, LocalScaleway.kill_node],
    ids=["stopped", "killed"],
)
async def test_deleted_credentials_and_account_are_refused_by_every_node(
    env: LocalScaleway,
    api: AsyncNatsAPI,
    break_node: Callable[[LocalScaleway, str, int], float],
) -> None:
    account = await api.create_account(region=REGION, name="revoked-everywhere")
    gone, kept, gone_while_down = [await api.create_credentials(account) for _ in range(3)]
    everyone, nobody = [True] * SIZE, [False] * SIZE
    assert await answers(env, gone) == everyone  # each node accepts them before the delete

    await api.delete_credentials(gone)
    assert await answers(env, gone) == nobody  # right after the 204, on every node
    assert await answers(env, kept) == everyone  # the other credentials still work

    # A node down during a credentials delete refuses them as soon as it is back.
    down = SIZE - 1
    break_node(env, REGION, down)
    await api.delete_credentials(gone_while_down)
    env.start_node(REGION, down)
    assert await answers(env, gone_while_down) == nobody
    assert await answers(env, kept) == everyone

    # And one down during the account's delete refuses its credentials once back.
    break_node(env, REGION, down)
    await api.delete_account(account)
    env.start_node(REGION, down)
    assert await answers(env, kept) == nobody
    assert await answers(env, gone) == nobody
