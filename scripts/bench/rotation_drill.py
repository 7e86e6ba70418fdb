"""The rotation drill (issue 21): an app publishing to a JetStream stream with acknowledgements
through `scaleway_nats.nats.connect()` with a .creds *file*, while its credentials are rotated.

Used by tests/integration/test_rotation.py and tests/cluster/test_rotation.py (which assert on
the report: nothing acknowledged lost, no error reaching the app, one credentials left) and by
scripts/bench's "rotation" scenario (which reports the longest publish stall).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from nats.aio.client import Client as NatsClient

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect, publish_acked

PUBLISH_TIMEOUT = 30.0  # s: an ack awaited across a reconnect; a bound, not a measurement


@dataclass
class DrillReport:
    """What happened: counts, and the app-side view of each publish."""

    acked: list[int] = field(default_factory=list)  # message numbers the server acknowledged
    stored: list[int] = field(default_factory=list)  # message numbers found in the stream after
    errors: list[str] = field(default_factory=list)  # exceptions that reached the app's code
    longest_stall: float = 0.0  # s: the longest time between two acknowledgements
    seconds: float = 0.0  # s: the app's publishing time
    credentials_left: int = 0  # credentials of the account after the drill
    reconnects: int = 0

    @property
    def rate(self) -> float:
        """Acknowledged messages a second."""
        return len(self.acked) / self.seconds if self.seconds else 0.0

    @property
    def lost(self) -> list[int]:
        return sorted(set(self.acked) - set(self.stored))


async def _app(nc: NatsClient, stop: asyncio.Event, report: DrillReport, interval: float) -> None:
    """Publish message 1, 2, ... every `interval` s, awaiting each acknowledgement."""
    started = last = time.monotonic()
    number = 0
    while not stop.is_set():
        number += 1
        try:
            await publish_acked(
                nc,
                "drill.orders",
                str(number).encode(),
                msg_id=str(number),  # a message sent again is stored once
                timeout=PUBLISH_TIMEOUT,
            )
        except Exception as error:
            report.errors.append(f"message {number}: {type(error).__name__}: {error}")
        else:
            report.acked.append(number)
            now = time.monotonic()
            report.longest_stall = max(report.longest_stall, now - last)
            last = now
        await asyncio.sleep(max(0.0, started + number * interval - time.monotonic()))
    report.seconds = time.monotonic() - started


async def run_drill(
    env: LocalScaleway,
    folder: Path,
    *,
    replicas: int = 1,
    rotations: int = 3,
    grace: float = 1.0,
    rate: float = 150.0,
    settle: float = 1.0,
) -> DrillReport:
    """Create an account, credentials and a stream of `replicas`; publish at `rate` a second
    while rotating the credentials `rotations` times; then read back what the stream holds."""
    report = DrillReport()
    creds_file = folder / "app.creds"
    async with AsyncNatsAPI(
        secret_key=env.secret_key, project_id=env.project_id, api_url=env.api_url
    ) as api:
        account = await api.create_account()
        try:
            current = await api.create_credentials(account, "app")
            current.write(creds_file)

            async def reconnected() -> None:
                report.reconnects += 1

            nc = await connect(
                account,
                creds_file,
                env.ca_file,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.2,
                reconnected_cb=reconnected,
            )
            js = nc.jetstream()
            await js.add_stream(name="DRILL", subjects=["drill.>"], num_replicas=replicas)
            stop = asyncio.Event()
            app = asyncio.create_task(_app(nc, stop, report, 1.0 / rate))
            try:
                await asyncio.sleep(settle)
                for _ in range(rotations):
                    current = await api.rotate_credentials(current, creds_file, grace=grace)
                    await asyncio.sleep(settle)  # the app reconnects with the new file
            finally:
                stop.set()
                await asyncio.wait_for(app, PUBLISH_TIMEOUT * 2)
            info = await js.stream_info("DRILL")
            for sequence in range(info.state.first_seq, info.state.last_seq + 1):
                message = await js.get_msg("DRILL", sequence)
                report.stored.append(int((message.data or b"0").decode()))
            await nc.close()
            report.credentials_left = len(await api.list_credentials(account).all())
        finally:
            await api.delete_account(account)
    return report
