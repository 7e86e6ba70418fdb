"""End-to-end smoke test of Scaleway NATS: every API operation and the NATS side.

    python scripts/smoke.py [--region nl-ams] [--keep] [--local | --scaleway]

Runs against Scaleway when SCW_* credentials are configured (environment or
~/.config/scw/config.yaml), else against a LocalScaleway emulator it starts.
Prints one line per step (pass/fail, time) and exits 1 on any failure. Everything
it creates is deleted, also after a failure, and the final step proves it by listing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import NotFoundError as StreamNotFoundError

from scaleway_nats import (
    REGIONS,
    AsyncNatsAPI,
    Config,
    NatsAccount,
    NatsCredentials,
    ScalewayError,
)
from scaleway_nats.config import resolve_config
from scaleway_nats.nats import connect
from scaleway_nats.quickstart import StepFailed, StepResult, Steps, format_step, target

REVOCATION_WAIT = 10.0  # seconds within which a revoked connection must be closed
CLOSE_TIMEOUT = 10.0  # seconds for a NATS connection to close


class Smoke:
    """The steps, sharing the resources they create."""

    def __init__(self, api: AsyncNatsAPI, region: str, ca_file: str | None, folder: Path) -> None:
        self.api = api
        self.region = region
        self.ca_file = ca_file
        self.folder = folder
        self.tag = f"smoke-{secrets.token_hex(3)}"
        self.accounts: list[NatsAccount] = []
        self.credentials: list[NatsCredentials] = []
        self.steps = Steps(on_step=lambda step: print(format_step(step), flush=True))

    def step(
        self, name: str, action: Awaitable[Any], detail: Callable[[Any], str]
    ) -> Awaitable[Any]:
        return self.steps.run(name, action, detail)

    async def run(self, keep: bool) -> list[StepResult]:
        try:
            await self.api_steps()
            await self.nats_steps()
        except StepFailed:
            pass
        finally:
            if not keep:
                with contextlib.suppress(StepFailed):
                    await self.step("delete accounts", self.cleanup(), lambda n: f"{n} deleted")
                with contextlib.suppress(StepFailed):
                    await self.step("nothing left (by listing)", self.verify_gone(), str)
        return self.steps.results

    # -- the API --------------------------------------------------------------------------

    async def api_steps(self) -> None:
        api, region = self.api, self.region
        # Unnamed creates: with generated names the client recovers from a lost answer
        # instead of raising AmbiguousCreateError (issue 22); renames carry the tag.
        for suffix in ("a", "b"):
            account = await self.step(
                f"create account {suffix}",
                api.create_account(region=region),
                lambda a: f"{a.id} endpoint {a.endpoint}",
            )
            self.accounts.append(account)
        a, b = self.accounts
        await self.step("get account", api.get_account(a), lambda x: x.name)
        await self.step(
            "update account (rename)",
            self.expect(api.update_account(a, name=f"{self.tag}-a2"), "name", f"{self.tag}-a2"),
            lambda x: f"{x.name}, updated_at {x.updated_at:%H:%M:%S.%f}",
        )
        await self.step(
            "list accounts",
            self.expect_ids(api.list_accounts(region=region).all(), {a.id, b.id}),
            lambda n: f"{n} listed, ours included",
        )
        for account in (a, b):
            creds = await self.step(
                f"create credentials ({account.name})",
                api.create_credentials(account),
                lambda c: f"{c.id} checksum {str(c.checksum)[:12]}...",
            )
            self.credentials.append(creds)
        await self.step(
            "get credentials (no secret)",
            self.expect(api.get_credentials(self.credentials[0]), "content", None),
            lambda c: c.name,
        )
        await self.step(
            "list credentials of account a",
            self.expect_ids(api.list_credentials(a).all(), {self.credentials[0].id}, exact=True),
            lambda n: f"{n} listed",
        )

    @staticmethod
    async def expect(call: Awaitable[Any], field: str, value: object) -> Any:
        result = await call
        if getattr(result, field) != value:
            raise AssertionError(f"{field} is {getattr(result, field)!r}, expected {value!r}")
        return result

    @staticmethod
    async def expect_ids(call: Awaitable[list[Any]], ids: set[str], exact: bool = False) -> int:
        found = {item.id for item in await call}
        if not ids <= found or (exact and found != ids):
            raise AssertionError(f"listed {sorted(found)}, expected {sorted(ids)}")
        return len(found)

    # -- NATS -----------------------------------------------------------------------------

    async def nats_steps(self) -> None:
        (a, b), (creds_a, creds_b) = self.accounts, self.credentials
        path_a = await self.step(
            "write .creds files (0600)",
            self.write_files(),
            lambda p: str(p.parent),
        )
        async with self.connected(a, path_a) as nc_a, self.connected(b, creds_b) as nc_b:
            await self.step("pub/sub over TLS", self.pub_sub(nc_a), repr)
            await self.step("JetStream store and read back", self.jetstream(nc_a), str)
            await self.step("accounts are isolated", self.isolation(nc_a, nc_b), str)
            await self.step(
                "delete credentials revokes them",
                self.revocation(nc_a, creds_a, path_a),
                str,
            )

    async def write_files(self) -> Path:
        return self.credentials[0].write(self.folder / "a.creds")

    @contextlib.asynccontextmanager
    async def connected(self, account: NatsAccount, creds: Any) -> AsyncIterator[Any]:
        nc = await self.step(
            f"connect ({account.name})",
            connect(account, creds, self.ca_file, max_reconnect_attempts=0),
            lambda c: c.connected_url.netloc if c.connected_url else "?",
        )
        try:
            yield nc
        finally:
            with contextlib.suppress(Exception):  # bounded: the steps are, so is their cleanup
                await asyncio.wait_for(nc.close(), CLOSE_TIMEOUT)

    async def pub_sub(self, nc: Any) -> str:
        sub = await nc.subscribe(f"{self.tag}.hello")
        await nc.flush()
        await nc.publish(f"{self.tag}.hello", b"Hi there!")
        message = await sub.next_msg(timeout=5)
        await sub.unsubscribe()
        return str(message.data.decode())

    async def jetstream(self, nc: Any) -> str:
        js = nc.jetstream(timeout=5)
        await js.add_stream(name="SMOKE", subjects=[f"{self.tag}.stored"])
        ack = await js.publish(f"{self.tag}.stored", b"kept")
        stored = await js.get_msg("SMOKE", ack.seq)
        if stored.data != b"kept":
            raise AssertionError(f"stream returned {stored.data!r}")
        return f"stream SMOKE seq {ack.seq} read back"

    async def isolation(self, nc_a: Any, nc_b: Any) -> str:
        sub_b = await nc_b.subscribe(f"{self.tag}.>")
        await nc_b.flush()
        await nc_a.publish(f"{self.tag}.private", b"for a only")
        await nc_a.flush()
        with contextlib.suppress(NatsTimeoutError):
            leaked = await sub_b.next_msg(timeout=1)
            raise AssertionError(f"account b received {leaked.data!r} from account a")
        try:
            await nc_b.jetstream(timeout=5).stream_info("SMOKE")
        except StreamNotFoundError:
            return "b saw neither a's messages nor a's stream"
        raise AssertionError("account b can see account a's stream")

    async def revocation(self, nc: Any, creds: NatsCredentials, path: Path) -> str:
        await self.api.delete_credentials(creds)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REVOCATION_WAIT
        while nc.is_connected and loop.time() < deadline:
            await asyncio.sleep(0.1)
        if nc.is_connected:
            raise AssertionError(f"connection still open {REVOCATION_WAIT}s after revocation")
        closed_after = REVOCATION_WAIT - (deadline - loop.time())
        try:
            again = await connect(
                self.accounts[0],
                path,
                self.ca_file,
                max_reconnect_attempts=0,
                allow_reconnect=False,
                connect_timeout=3,
                authorization_wait=0,  # a refusal is the expected answer: no retry
            )
        except Exception as error:  # refused: what we want
            return f"closed after {closed_after:.1f}s; reconnect refused ({type(error).__name__})"
        await again.close()
        raise AssertionError("revoked credentials could connect again")

    # -- cleanup --------------------------------------------------------------------------

    async def cleanup(self) -> int:
        for account in self.accounts:
            await self.api.delete_account(account)
        return len(self.accounts)

    async def verify_gone(self) -> str:
        ours = {a.id for a in self.accounts}
        left = [
            a.id for a in await self.api.list_accounts(region=self.region).all() if a.id in ours
        ]
        creds = {c.id for c in self.credentials}
        left += [
            c.id for c in await self.api.list_credentials(region=self.region).all() if c.id in creds
        ]
        if left:
            raise AssertionError(f"still present: {left}")
        return f"0 of {len(ours)} accounts and {len(creds)} credentials left"


async def run(config: Config, region: str, ca_file: str | None, keep: bool) -> list[StepResult]:
    with tempfile.TemporaryDirectory(prefix="scw-nats-smoke-") as folder:
        async with AsyncNatsAPI(config=config) as api:
            return await Smoke(api, region, ca_file, Path(folder)).run(keep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", choices=REGIONS, default=None)
    parser.add_argument("--keep", action="store_true", help="keep what was created")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--local", action="store_true", help="always use the emulator")
    where.add_argument("--scaleway", action="store_true", help="require Scaleway credentials")
    args = parser.parse_args(argv)

    try:
        config = resolve_config(region=args.region)
        if args.scaleway:
            config = config.require_credentials()
    except ScalewayError as error:  # missing or malformed settings: say which, no traceback
        parser.error(str(error))
    with contextlib.ExitStack() as stack:
        try:
            chosen = stack.enter_context(
                target(config, local=True if args.local else None, keep=args.keep)
            )
        except ScalewayError as error:  # e.g. --keep with a throw-away emulator: say why
            parser.error(str(error))
        print(f"smoke test against {chosen.where}, region {config.region}", flush=True)
        ca_file = str(chosen.ca_file) if chosen.ca_file else None
        results = asyncio.run(run(chosen.config, config.region, ca_file, args.keep))
    failed = [r for r in results if not r.ok]
    total = sum(r.seconds for r in results)
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed ({total:.2f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
