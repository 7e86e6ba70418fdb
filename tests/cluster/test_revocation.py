"""Revocation and account deletion hold on every node of a 3-node region (issue 14).

A delete's 204 comes once every running node stored and applied the new account JWT, so each
node refuses deleted credentials at the first attempt, asked directly (not through the endpoint,
which would pick one node). A node that was down during the delete gets the committed JWTs
before it starts again: it refuses them as soon as ``start_node`` returns.

The concurrent-deletes guarantee of the single-node emulator (tests/reliability/
test_revocation.py) runs here too, against this cluster: its probes ask every node.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import httpx
import pytest

from scaleway_nats import AsyncNatsAPI, NatsConnectError, NatsCredentials
from scaleway_nats.local import LocalScaleway
from scaleway_nats.local import pusher as pusher_module
from scaleway_nats.local.nats_server import NatsServer
from tests.reliability import test_revocation as single_node
from tests.reliability.test_revocation import accepted_by
from tests.support.clients import sync_api_on
from tests.support.cluster import REGION, SIZE
from tests.support.reliability import pushes_held

DOOMED = 5  # credentials deleted while a node restarts
WINDOW = 2.0  # seconds the seeding hook waits for those deletes to answer
ANSWER_TIMEOUT = 30.0  # seconds for every delete to answer at all

# The single-node module's tests, run with this folder's 3-node emulator as their
# `revocation_emulator` (the fixture below, same name as theirs).
test_concurrent_credentials_deletes_all_hold = (
    single_node.test_concurrent_credentials_deletes_all_hold
)
test_account_delete_racing_credentials_deletes_holds = (
    single_node.test_account_delete_racing_credentials_deletes_holds
)


@pytest.fixture
def revocation_emulator(all_nodes_up: LocalScaleway) -> LocalScaleway:
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
    revocation_emulator: LocalScaleway,
    cluster_api: AsyncNatsAPI,
    break_node: Callable[[LocalScaleway, str, int], float],
) -> None:
    account = await cluster_api.create_account(region=REGION, name="revoked-everywhere")
    gone, kept, gone_while_down = [await cluster_api.create_credentials(account) for _ in range(3)]
    everyone, nobody = [True] * SIZE, [False] * SIZE
    assert (
        await answers(revocation_emulator, gone) == everyone
    )  # each node accepts them before the delete

    await cluster_api.delete_credentials(gone)
    assert await answers(revocation_emulator, gone) == nobody  # right after the 204, on every node
    assert await answers(revocation_emulator, kept) == everyone  # the other credentials still work

    # A node down during a credentials delete refuses them as soon as it is back.
    down = SIZE - 1
    break_node(revocation_emulator, REGION, down)
    await cluster_api.delete_credentials(gone_while_down)
    revocation_emulator.start_node(REGION, down)
    assert await answers(revocation_emulator, gone_while_down) == nobody
    assert await answers(revocation_emulator, kept) == everyone

    # And one down during the account's delete refuses its credentials once back.
    break_node(revocation_emulator, REGION, down)
    await cluster_api.delete_account(account)
    revocation_emulator.start_node(REGION, down)
    assert await answers(revocation_emulator, kept) == nobody
    assert await answers(revocation_emulator, gone) == nobody


def test_a_delete_answered_while_a_node_starts_is_refused_by_it(
    revocation_emulator: LocalScaleway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18, item 3: credentials deleted between a restarting node's seeding (its resolver
    written while it is down) and the moment it listens. The window is opened on purpose: the
    deletes are sent from the seeding hook, and the node is probed directly from its ready
    hook, before the start-up re-push (``reconcile``), once every delete answered 204. Before
    the fix the pushes left the not-yet-listening node out and the 204s came at once: the
    node then admitted every one of these revoked credentials."""
    with sync_api_on(revocation_emulator) as client:
        account = client.create_account(region=REGION, name="restart-window")
        doomed = [client.create_credentials(account) for _ in range(DOOMED)]
    index = SIZE - 1
    node = revocation_emulator.servers[REGION].node(index)
    answered = threading.Event()
    failures: list[BaseException] = []
    admitted: list[str] = []

    def delete_all() -> None:
        try:
            with sync_api_on(revocation_emulator) as deleter:
                for creds in doomed:
                    deleter.delete_credentials(creds)  # returns on the 204
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            answered.set()

    deleter = threading.Thread(target=delete_all, name="deleter")
    seed, reconcile = node._on_starting, node._on_ready
    assert seed is not None and reconcile is not None

    def seed_then_delete(started: NatsServer) -> None:
        seed(started)
        if not deleter.is_alive() and not answered.is_set():  # the first start only
            deleter.start()
            # Old code: every delete answers within this wait, the node still down. Fixed: the
            # deletes wait for this start-up, so the wait runs out and the start goes on.
            answered.wait(WINDOW)

    def probe_then_reconcile(started: NatsServer) -> None:
        if answered.wait(ANSWER_TIMEOUT) and not failures:  # every delete answered 204
            for creds in doomed:
                if asyncio.run(accepted_by(started.url, revocation_emulator, creds)):
                    admitted.append(creds.id)
        reconcile(started)

    monkeypatch.setattr(node, "_on_starting", seed_then_delete)
    monkeypatch.setattr(node, "_on_ready", probe_then_reconcile)
    revocation_emulator.kill_node(REGION, index)
    revocation_emulator.start_node(REGION, index)
    deleter.join(ANSWER_TIMEOUT)
    assert answered.is_set() and not failures, failures
    assert admitted == []  # a 204 before the restarting node refused them is a leak
    for creds in doomed:  # and every node refuses them now
        assert asyncio.run(answers(revocation_emulator, creds)) == [False] * SIZE


def test_a_failed_push_survives_another_node_restarting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A push that failed, then a node restarting before it is healed: the restart seeds that
    node and finds it current, which must not count as the push being made everywhere (the
    other nodes still admitted the credentials, and the retried delete then answered 404)."""
    monkeypatch.setattr(pusher_module, "HOLD_TIMEOUT", 0.2)  # a held push gives up: 503
    monkeypatch.setattr(pusher_module, "HEAL_INTERVAL", 3600.0)  # no healer: the restart first
    with LocalScaleway(cluster_size=SIZE) as env, sync_api_on(env) as api:
        account = api.create_account(name="failed-push", region=REGION)
        creds = api.create_credentials(account, name="revoked")
        assert asyncio.run(answers(env, creds)) == [True] * SIZE
        url = f"/mnq/v1beta1/regions/{REGION}/nats-credentials/{creds.id}"
        with httpx.Client(base_url=env.api_url, headers={"X-Auth-Token": env.secret_key}) as raw:
            with pushes_held(env, REGION):
                assert raw.delete(url).status_code == 503  # committed, not pushed
            env.kill_node(REGION, 1)
            env.start_node(REGION, 1)
            assert raw.delete(url).status_code == 404  # a client's retry: "deleted"
        assert asyncio.run(answers(env, creds)) == [False] * SIZE


ROUNDS = 8  # restarts
USERS = 4  # revoked users of each deleted account


async def probe(env: LocalScaleway, node: NatsServer, creds: NatsCredentials) -> str:
    """'refused' (Authorization Violation), 'accepted', or the error that refused it
    otherwise: a deleted account's limit of 0 connections refusing a user its revocations
    did not, which says the revocations were not applied when it authenticated."""
    try:
        return "accepted" if await accepted_by(node.url, env, creds) else "refused"
    except NatsConnectError as error:
        return str(error)


async def test_a_restarted_node_refuses_concurrent_first_connections_of_revoked_users(
    revocation_emulator: LocalScaleway, cluster_api: AsyncNatsAPI
) -> None:
    """The first connections of a just-restarted node for accounts it has not loaded yet, all
    at once, as apps reconnecting after a restart make them. nats-server builds an account
    for the first one and hands the half-built account (signing keys, but neither its
    connection limit nor its revocations yet) to the others (server/accounts.go,
    buildInternalAccount and tmpAccounts): before the fix, in 5 of 15 rounds of a chaos-like
    replay, users of deleted accounts were admitted, or refused only by their account's
    limit of 0 connections."""
    env = revocation_emulator
    revoked: list[NatsCredentials] = []
    outcomes: list[str] = []
    for round_ in range(ROUNDS):
        account = await cluster_api.create_account(region=REGION, name=f"restart-{round_}")
        revoked += [await cluster_api.create_credentials(account) for _ in range(USERS)]
        await cluster_api.delete_account(account)
        index = round_ % SIZE
        await asyncio.to_thread(env.kill_node, REGION, index)
        await asyncio.to_thread(env.start_node, REGION, index)
        node = env.servers[REGION].nodes[index]
        outcomes += await asyncio.gather(*(probe(env, node, user) for user in revoked))
    assert set(outcomes) == {"refused"}, [o for o in outcomes if o != "refused"]
