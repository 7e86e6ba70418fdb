"""Shared by the usage tests (issue 21): store known amounts in streams of given replicas and
compare `read_usage` with what nats-server reports for each stream."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from scaleway_nats import AsyncNatsAPI, NatsAccount
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect
from scaleway_nats.usage import AccountUsage, read_usage

SETTLE_ROUNDS = 50  # x 0.1 s: a cluster's account totals follow its streams within ~1-2 s


async def store_and_read(
    env: LocalScaleway, replicas: dict[str, int], messages: int, size: int
) -> tuple[AccountUsage, int, dict[str, Any]]:
    """Streams named like `replicas` (name -> replicas), each given `messages` of `size` bytes
    and one consumer; return the usage read, the bytes nats-server reports for the streams
    (each stream's bytes x its replicas) and the raw $JS.API.INFO answer."""
    async with AsyncNatsAPI(
        secret_key=env.secret_key, project_id=env.project_id, api_url=env.api_url
    ) as api:
        account: NatsAccount = await api.create_account()
        try:
            nc = await connect(account, await api.create_credentials(account), env.ca_file)
            js = nc.jetstream()
            for name, count in replicas.items():
                await js.add_stream(name=name, subjects=[f"{name}.>"], num_replicas=count)
                for number in range(messages):
                    await js.publish(f"{name}.m", bytes([number % 256]) * size)
                await js.add_consumer(name, durable_name=f"{name}-reader")
            expected = 0
            for name, count in replicas.items():
                info = await js.stream_info(name)
                expected += info.state.bytes * count
            usage = await read_usage(nc, account.id)
            for _ in range(SETTLE_ROUNDS):  # bounded: the answer, not a time, is asserted
                if usage.storage.used == expected:
                    break
                await asyncio.sleep(0.1)
                usage = await read_usage(nc, account.id)
            raw = json.loads((await nc.request("$JS.API.INFO", b"", timeout=5)).data)
            await nc.close()
            return usage, expected, raw
        finally:
            await api.delete_account(account)
