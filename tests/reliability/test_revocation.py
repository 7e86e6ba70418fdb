"""Revocation always holds under concurrency (issue 10, item 1).

Every delete commits a new account JWT; nats-server stores whichever JWT is pushed to it last,
so pushes landing out of commit order used to let an older JWT win:
deleted credentials kept connecting and deleted accounts came back to life. Each round here
deletes concurrently, then probes every deleted credentials until nats-server refuses them
(a probe still connecting LEAK_AFTER seconds after the 204 is a leak) and checks that the
server holds the latest committed JWT of the account.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest

from scaleway_nats import (
    AsyncNatsAPI,
    NatsAccount,
    NatsConnectError,
    NatsCredentials,
    NotFoundError,
)
from scaleway_nats.facts import REGIONS
from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.jwt import decode_claims
from scaleway_nats.nats import connect
from tests.support.clients import async_api_on
from tests.support.reliability import figures

ROUNDS = 50
CONCURRENT = 10  # credentials deleted at once in a round
LEAK_AFTER = 2.0  # seconds after the 204 a connection still counts as a leak


@pytest.fixture(scope="module")
def revocation_emulator() -> Iterator[LocalScaleway]:
    with LocalScaleway(max_accounts=1000) as emulator:
        yield emulator


async def accepted_by(url: str, env: LocalScaleway, creds: NatsCredentials) -> bool:
    """True if the nats-server at `url` accepts these credentials now; False if it refuses
    them."""
    try:
        nc = await connect(
            url,
            creds,
            env.ca_file,
            connect_timeout=2,
            allow_reconnect=False,
            authorization_wait=0,  # a refusal is the answer here, not a delay to wait out
        )
    except NatsConnectError as error:
        if "Authorization Violation" not in str(error):  # refused, not unreachable
            raise
        return False
    await nc.close()
    return True


async def connects(env: LocalScaleway, account: NatsAccount, creds: NatsCredentials) -> bool:
    """True if a nats-server of the account's region accepts these credentials now; False if
    it refuses them. Each node of a cluster (tests/cluster) is asked directly: one that still
    accepts them is a leak even if its peers refuse them."""
    for node in env.servers[account.region].running_nodes():
        if await accepted_by(node.url, env, creds):
            return True
    return False


async def time_to_refusal(
    env: LocalScaleway, account: NatsAccount, creds: NatsCredentials, since: float
) -> float | None:
    """Seconds from `since` (the 204) until the server refuses `creds`; None: a leak."""
    while True:
        if not await connects(env, account, creds):
            return time.monotonic() - since
        if time.monotonic() - since > LEAK_AFTER:
            return None
        await asyncio.sleep(0.01)


def server_holds_latest(env: LocalScaleway, account: NatsAccount) -> bool:
    """The region's resolver holds the account JWT last committed to the database."""
    store = env._require_store()
    committed = [a for a in store.accounts_in_region(account.region) if a.id == account.id]
    return env.servers[account.region].stored_jwt(committed[0].public_key) == committed[0].jwt


@dataclass
class Tally:
    """What the rounds of one test saw: leaks, stale server state, delays until refusal."""

    rounds: int = 0
    leaks: int = 0
    stale: int = 0
    delays: list[float] = field(default_factory=list)

    def add(self, env: LocalScaleway, account: NatsAccount, results: list[float | None]) -> None:
        """One round: each probe's `time_to_refusal`, then the server's JWT of `account`."""
        self.rounds += 1
        self.leaks += sum(r is None for r in results)
        self.delays += [r for r in results if r is not None]
        self.stale += not server_holds_latest(env, account)

    def report(self, test: str) -> None:
        delays = self.delays
        figures(
            test,
            rounds=self.rounds,
            leaks=self.leaks,
            stale_server_state=self.stale,
            refused_after_ms_median=round(statistics.median(delays) * 1000, 1) if delays else None,
            refused_after_ms_max=round(max(delays) * 1000, 1) if delays else None,
            probes=len(delays) + self.leaks,
        )


async def fresh_accounts(
    api: AsyncNatsAPI, credentials: int
) -> AsyncIterator[tuple[NatsAccount, list[NatsCredentials]]]:
    """ROUNDS new accounts, one region then the other, each with `credentials` credentials."""
    for number in range(ROUNDS):
        account = await api.create_account(region=REGIONS[number % 2])
        yield account, [await api.create_credentials(account) for _ in range(credentials)]


async def test_concurrent_credentials_deletes_all_hold(revocation_emulator: LocalScaleway) -> None:
    tally = Tally()
    async with async_api_on(revocation_emulator) as api:
        async for account, made in fresh_accounts(api, CONCURRENT):

            async def delete_then_probe(
                account: NatsAccount, creds: NatsCredentials
            ) -> float | None:
                await api.delete_credentials(creds)
                return await time_to_refusal(revocation_emulator, account, creds, time.monotonic())

            results = await asyncio.gather(*(delete_then_probe(account, c) for c in made))
            tally.add(revocation_emulator, account, results)
            await api.delete_account(account)
    tally.report("concurrent_credentials_deletes")
    assert (tally.leaks, tally.stale) == (0, 0)


async def test_account_delete_racing_credentials_deletes_holds(
    revocation_emulator: LocalScaleway,
) -> None:
    """Delete the account while deleting some of its credentials: nothing comes back."""
    tally = Tally()
    async with async_api_on(revocation_emulator) as api:
        async for account, made in fresh_accounts(api, 4):

            async def delete_credentials(creds: NatsCredentials) -> None:
                # Spread the credentials' commits around the account's tombstone commit.
                await asyncio.sleep(random.uniform(0, 0.03))
                with contextlib.suppress(NotFoundError):  # the account's delete came first
                    await api.delete_credentials(creds)

            async def delete_account(account: NatsAccount) -> float:
                await api.delete_account(account)
                return time.monotonic()

            # Half of the credentials are deleted while the account is deleted; the rest only
            # go with the account: both kinds must be refused.
            *_, deleted_at = await asyncio.gather(
                *(delete_credentials(c) for c in made[:2]), delete_account(account)
            )
            results = await asyncio.gather(
                *(time_to_refusal(revocation_emulator, account, c, deleted_at) for c in made)
            )
            tally.add(revocation_emulator, account, results)
    tally.report("account_delete_racing_credentials_deletes")
    assert (tally.leaks, tally.stale) == (0, 0)


async def test_each_jwt_of_an_account_is_issued_after_the_one_before(
    revocation_emulator: LocalScaleway,
) -> None:
    """nats-server's resolvers reconcile among themselves (at start, then every `interval`) by
    merging a peer's pack, where a stored account JWT gives way to any other not older than
    it, the same `iat` included (server/dirstore.go, saveIfNewer), and `iat` counts whole
    seconds. Of two revocations in one second, a sync could put the first back over the
    second on a node that had already passed its push check. A long chaos run (seed 4003)
    met deleted credentials accepted by one node. Each JWT of an account is now issued at
    least a second after the one before, so a merge can only move a node forward."""
    env = revocation_emulator
    async with async_api_on(env) as api:
        account = await api.create_account()
        first, second = [await api.create_credentials(account) for _ in range(2)]
        node = env.servers[account.region].nodes[0]
        await api.delete_credentials(first)
        revoking_first = node.stored_jwt(account.id)
        await api.delete_credentials(second)  # within the same second, most often
        revoking_both = node.stored_jwt(account.id)
        assert revoking_first is not None and revoking_both is not None
        assert issued_at(revoking_both) > issued_at(revoking_first)
        assert not await accepted_by(node.url, env, second)
        await api.delete_account(account)
        assert issued_at(node.stored_jwt(account.id) or "") > issued_at(revoking_both)


def issued_at(token: str) -> int:
    return int(decode_claims(token)["iat"])
