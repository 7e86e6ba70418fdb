"""Credentials rotation without downtime (issue 21): an app connected with a .creds file keeps
publishing with acknowledgements while its credentials are rotated, on one nats-server
(tests/cluster/test_rotation.py: on a 3-node cluster)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect
from tests.support.clients import sync_api_on
from tests.support.rotation import assert_rotations_lose_nothing


async def test_an_app_publishing_through_three_rotations_loses_nothing(
    emulator: LocalScaleway, tmp_path: Path
) -> None:
    await assert_rotations_lose_nothing(emulator, tmp_path, replicas=1, label="1-node")


async def test_a_client_connected_with_a_creds_file_reconnects_with_its_new_content(
    emulator: LocalScaleway, tmp_path: Path
) -> None:
    """nats-py alone closes for good when the server revokes its user (nats.py #714): the
    connection from connect() reconnects, reading the file again."""
    api = sync_api_on(emulator)
    account = api.create_account()
    try:
        old = api.create_credentials(account)
        path = old.write(tmp_path / "app.creds")
        nc = await connect(account, path, emulator.ca_file, reconnect_time_wait=0.1)
        api.create_credentials(account).write(path, overwrite=True)  # as a rotation does
        api.delete_credentials(old)  # the server closes the connection of the old user
        for _ in range(100):  # bounded: 10 s
            if nc.is_closed or (nc.is_connected and nc.stats["reconnects"] >= 1):
                break
            await asyncio.sleep(0.1)
        assert not nc.is_closed
        assert nc.stats["reconnects"] == 1
        subscription = await nc.subscribe("after.rotation")
        await nc.publish("after.rotation", b"still here")
        assert (await subscription.next_msg(timeout=5)).data == b"still here"
        await nc.close()
    finally:
        api.delete_account(account)
        api.close()
