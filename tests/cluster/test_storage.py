"""Scaleway's storage quota counts stream replicas; so does the 3-node emulator (issue 14).

Source: scaleway/docs-content pages/organizations-and-projects/additional-content/
organization-quotas.mdx (NATS section): "NATS queue/stream storage | Max size | 300 MB** |
NATS account", and "**This implies stream replication. If you choose to replicate your stream
across all nodes (3), a storage limit of 100 MB applies." The emulator puts that 300 MB in
each account JWT (jwt.DEFAULT_LIMITS); nats-server reserves max_bytes x replicas against it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats.js.errors
import pytest
from nats.aio.client import Client
from nats.js.api import StorageType, StreamConfig

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.jwt import DEFAULT_LIMITS
from scaleway_nats.nats import connect
from tests.support.cluster import REGION, SIZE

MB = 1024 * 1024


@pytest.fixture
async def jetstream(
    cluster: LocalScaleway, cluster_api: AsyncNatsAPI
) -> AsyncIterator[nats.js.JetStreamContext]:
    """JetStream in a fresh account of the 3-node region (deleted afterwards)."""
    account = await cluster_api.create_account(region=REGION, name="quota")
    nc: Client = await connect(
        account, await cluster_api.create_credentials(account), cluster.ca_file
    )
    try:
        yield nc.jetstream()
    finally:
        await nc.close()
        await cluster_api.delete_account(account)


def stream(name: str, megabytes: int, replicas: int) -> StreamConfig:
    return StreamConfig(
        name=name,
        subjects=[f"{name.lower()}.>"],
        storage=StorageType.FILE,  # Scaleway supports file streams only (memory quota 0)
        max_bytes=megabytes * MB,
        num_replicas=replicas,
    )


async def test_an_r3_stream_of_100_mb_uses_the_300_mb_of_an_account(
    jetstream: nats.js.JetStreamContext,
) -> None:
    assert DEFAULT_LIMITS.max_storage == 300 * MB
    created = await jetstream.add_stream(stream("BIG", 100, SIZE))
    assert created.config.num_replicas == SIZE
    with pytest.raises(nats.js.errors.APIError) as refused:
        await jetstream.add_stream(stream("MORE", 1, 1))
    assert "insufficient storage" in str(refused.value).lower(), refused.value
    assert [info.config.name for info in await jetstream.streams_info()] == ["BIG"]


async def test_an_r1_stream_of_100_mb_leaves_room_for_more(
    jetstream: nats.js.JetStreamContext,
) -> None:
    await jetstream.add_stream(stream("BIG", 100, 1))
    await jetstream.add_stream(stream("MORE", 100, 1))
    await jetstream.add_stream(stream("LAST", 100, 1))  # 300 MB, all of it
    with pytest.raises(nats.js.errors.APIError) as refused:
        await jetstream.add_stream(stream("TOO", 1, 1))
    assert "insufficient storage" in str(refused.value).lower(), refused.value


ROUNDS = 30  # fresh accounts; before the fix about 1 in 8 failed its first stream create


async def test_a_new_account_can_create_a_stream_at_once(
    cluster: LocalScaleway, cluster_api: AsyncNatsAPI
) -> None:
    """Right after the API created an account and its credentials, JetStream works for it
    whichever node the client, the meta leader and the stream's peers are: the emulator has
    every node load the account before answering (nats-server loads accounts on first use,
    and a JetStream request reaching a node that had not loaded it yet failed "JetStream not
    enabled for account" or "error creating store for stream")."""
    failures: list[str] = []
    for number in range(ROUNDS):
        account = await cluster_api.create_account(region=REGION, name=f"fresh-{number}")
        nc: Client = await connect(
            account, await cluster_api.create_credentials(account), cluster.ca_file
        )
        try:
            await nc.jetstream().add_stream(stream("FIRST", 1, 1 + 2 * (number % 2)))  # R1, R3
        except nats.js.errors.APIError as error:
            failures.append(f"round {number}: {error}")
        finally:
            await nc.close()
            await cluster_api.delete_account(account)
    assert failures == []
