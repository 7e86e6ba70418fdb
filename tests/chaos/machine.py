"""The chaos state machine: hypothesis generates sequences of the public API's calls, JetStream
publishes and node failures against one production-like emulator, and checks every promise
after every step (issue 18).

One emulator and one client serve a whole run (start-up takes seconds; a long-lived client is
what meets a gateway's connection recycling); each example starts from an empty organization
and deletes everything it made in its teardown. Each example draws its own fault seed, so the
faults an example meets depend on its steps only, and a shrunk sequence meets them again.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from scaleway_nats import (
    AmbiguousCreateError,
    AsyncNatsAPI,
    NatsAccount,
    NatsCredentials,
    RetryPolicy,
    ScalewayError,
)
from scaleway_nats.local import LocalScaleway

from . import probes
from .model import Model, Violation, compare

T = TypeVar("T")

REGION = "fr-par"
LIVE_ACCOUNTS_CAP = 4  # live at once, under the quota of 10 even if some creates were duplicated
MARGIN = 10.0  # seconds over the retry deadline a call may take before it counts as a hang
SETTLE = 1.0  # seconds past the propagation delay after which a resource must be listed
# visibility_window: how long a lost create is looked for before it is sent again. The
# production-like emulator lists a new resource after its 1 s propagation delay (its read lag
# touches GETs only), so 6 s is well past that lag, as the documented 30 s is past Scaleway's
# few seconds; with the 30 s default, a lost create that made nothing could never be resent
# within this 30 s deadline, and every such call would fail (seen: seed 1000).
# propagation_window likewise: a 404/403 for a resource made less than 6 s ago is retried
# as the lag (the profile's read lag is 3 s), a delete's 404 after a lost answer proven then.
POLICY = RetryPolicy(
    max_retries=8,
    backoff_base=0.05,
    backoff_max=1.0,
    deadline=30.0,
    visibility_window=6.0,
    propagation_window=6.0,
)
PUBLISHES = 5  # messages per publish step
NATS_BOUND = 120.0  # seconds any NATS step may take (several bounded JetStream waits)


@attrs.define
class Tally:
    """What a run did, for the summary."""

    examples: int = 0
    steps: int = 0
    calls: int = 0
    longest_call: float = 0.0
    kills: int = 0
    restarts: int = 0
    acked: int = 0
    ambiguous: int = 0


@attrs.define
class Run:
    """One emulator, one event loop and one client, shared by every example of a run."""

    env: LocalScaleway
    loop: asyncio.AbstractEventLoop
    api: AsyncNatsAPI
    tally: Tally = attrs.field(factory=Tally)
    steps: list[str] = attrs.field(factory=list)  # the current example's, as called
    # The first violation of the run with the steps that led to it: hypothesis may end in
    # a Flaky error instead when replaying it meets other timings and faults.
    first: tuple[BaseException, list[str]] | None = None

    @classmethod
    def start(cls, env: LocalScaleway) -> Run:
        loop = asyncio.new_event_loop()

        async def client() -> AsyncNatsAPI:
            import ssl

            return AsyncNatsAPI(
                secret_key=env.secret_key,
                project_id=env.project_id,
                region=REGION,
                api_url=env.api_url,
                retry_policy=POLICY,
                timeout=5.0,  # per attempt: a lost answer costs this much
                verify=ssl.create_default_context(cafile=env.ca_file),
            )

        return cls(env, loop, loop.run_until_complete(client()))

    def close(self) -> None:
        self.loop.run_until_complete(self.api.aclose())
        self.loop.close()

    def wait(self, coro: Coroutine[Any, Any, T], bound: float) -> T:
        """Run `coro` on the run's loop; a Violation if it takes longer than `bound` s."""
        try:
            return self.loop.run_until_complete(asyncio.wait_for(coro, bound))
        except TimeoutError:
            raise Violation("hang", f"still running after {bound:.0f} s") from None

    def call(self, what: str, make: Callable[[], Awaitable[T]]) -> T:
        """One API call, as the promises say: within the retry deadline (plus a margin for
        the attempt in flight), and failing only with a ScalewayError."""

        async def timed() -> tuple[T, float]:
            started = time.monotonic()
            result = await make()
            return result, time.monotonic() - started

        bound = POLICY.deadline + MARGIN
        self.tally.calls += 1
        try:
            result, took = self.wait(timed(), bound)
        except (ScalewayError, Violation):
            raise
        except Exception as error:
            raise Violation(
                "not-scaleway-error", f"{what}: {type(error).__name__}: {error}"
            ) from error
        self.tally.longest_call = max(self.tally.longest_call, took)
        return result


def recorded(log: bool) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Log a rule's call (`log`) in the run's steps, and keep the run's first error."""

    def decorate(method: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(method)
        def wrapper(self: ChaosMachine, **kwargs: Any) -> None:
            if log:
                args = ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items()))
                self.run.steps.append(f"{method.__name__}({args})")
            try:
                method(self, **kwargs)
            except Exception as error:
                if self.run.first is None:
                    self.run.first = (error, list(self.run.steps))
                raise

        return wrapper

    return decorate


def machine_for(run: Run) -> type[RuleBasedStateMachine]:
    """The state machine class bound to `run` (hypothesis makes one instance per example)."""

    class Chaos(ChaosMachine):
        RUN = run

    return Chaos


async def _all(pager: Any) -> list[Any]:
    return [item async for item in pager]


class ChaosMachine(RuleBasedStateMachine):
    RUN: Run

    def __init__(self) -> None:
        super().__init__()
        self.run = self.RUN
        self.env = self.run.env
        self.api = self.run.api
        self.model = Model()
        self.names = 0
        self.dirty_streams = False
        self.run.tally.examples += 1
        self.run.steps = []

    # -- helpers -------------------------------------------------------------------------

    def call(self, what: str, make: Callable[[], Awaitable[T]]) -> T:
        try:
            return self.run.call(what, make)
        except AmbiguousCreateError:
            raise
        except ScalewayError as error:  # retries should absorb faults: a call that fails
            raise Violation("call-failed", f"{what}: {type(error).__name__}: {error}") from error

    def name(self, kind: str) -> str:
        self.names += 1
        return f"chaos-{kind}-{self.names}"

    def nodes_down(self) -> list[int]:
        return [n.index for n in self.env.servers[REGION].nodes if not n.running]

    def pick(self, items: list[T], index: int) -> T:
        """By position in creation order (ids are random: a replay makes others)."""
        return items[index % len(items)]

    # -- rules ---------------------------------------------------------------------------

    @initialize(fault_seed=st.integers(0, 2**32 - 1))
    @recorded(log=True)
    def start_example(self, fault_seed: int) -> None:
        self.env.reseed_faults(fault_seed)

    @precondition(lambda self: len(self.model.accounts) < LIVE_ACCOUNTS_CAP)
    @rule(named=st.booleans())
    @recorded(log=True)
    def create_account(self, named: bool) -> None:
        name = self.name("account") if named else None
        try:
            account = self.call("create_account", lambda: self.api.create_account(name=name))
        except AmbiguousCreateError as error:  # the documented outcome of a chosen name
            self.run.tally.ambiguous += 1
            for candidate in error.candidates:
                assert isinstance(candidate, NatsAccount)
                self.model.add_account(candidate, named=True)
            return
        self.model.add_account(account, named)
        got = self.call("get_account", lambda: self.api.get_account(account))
        if got.id != account.id:
            raise Violation("missing", f"get_account({account.id}) answered {got.id}")

    @precondition(lambda self: self.model.accounts)
    @rule(index=st.integers(0, 99), named=st.booleans())
    @recorded(log=True)
    def create_credentials(self, index: int, named: bool) -> None:
        account = self.pick(list(self.model.accounts), index)
        name = self.name("creds") if named else None
        try:
            creds = self.call(
                "create_credentials", lambda: self.api.create_credentials(account, name=name)
            )
        except AmbiguousCreateError as error:
            self.run.tally.ambiguous += 1
            for candidate in error.candidates:
                assert isinstance(candidate, NatsCredentials)
                self.model.add_credentials(candidate, named=True, secret=None)
            return
        if not creds.content:
            raise Violation("missing", f"credentials {creds.id} created without their secret")
        self.model.add_credentials(creds, named, creds)
        got = self.call("get_credentials", lambda: self.api.get_credentials(creds))
        if got.id != creds.id:
            raise Violation("missing", f"get_credentials({creds.id}) answered {got.id}")

    @precondition(lambda self: self.model.accounts)
    @rule(index=st.integers(0, 99))
    @recorded(log=True)
    def rename_account(self, index: int) -> None:
        account = self.model.accounts[self.pick(list(self.model.accounts), index)]
        name = self.name("renamed")
        renamed = self.call("update_account", lambda: self.api.update_account(account.id, name))
        if (renamed.id, renamed.name) != (account.id, name):
            raise Violation("rename", f"renaming {account.id} answered {renamed}")
        self.model.named.add(name)
        account.name = name

    @precondition(lambda self: any(not c.reader for c in self.model.credentials.values()))
    @rule(index=st.integers(0, 99))
    @recorded(log=True)
    def delete_credentials(self, index: int) -> None:
        ids = [c.id for c in self.model.credentials.values() if not c.reader]
        creds = self.model.credentials[self.pick(ids, index)]
        self.call(
            "delete_credentials", lambda: self.api.delete_credentials(creds.id, region=REGION)
        )
        self.model.delete_credentials(creds.id)

    @precondition(lambda self: self.model.accounts)
    @rule(index=st.integers(0, 99))
    @recorded(log=True)
    def delete_account(self, index: int) -> None:
        account_id = self.pick(list(self.model.accounts), index)
        self.call("delete_account", lambda: self.api.delete_account(account_id, region=REGION))
        self.model.delete_account(account_id)

    @precondition(lambda self: self.model.accounts)
    @rule(index=st.integers(0, 99))
    @recorded(log=True)
    def connect_and_publish(self, index: int) -> None:
        """Publish with acks to the account's R3 stream through its endpoint, with credentials
        kept for reading it back (made on the first publish)."""
        account = self.model.accounts[self.pick(list(self.model.accounts), index)]
        readers = [c for c in self.model.usable(account.id) if c.reader]
        if not readers:
            made = self.call(
                "create_credentials", lambda: self.api.create_credentials(account.id, region=REGION)
            )
            readers = [self.model.add_credentials(made, named=False, secret=made)]
            readers[0].reader = True
        secret = readers[0].secret
        assert secret is not None
        acked = self.run.wait(probes.publish(self.env, account.id, secret, PUBLISHES), NATS_BOUND)
        account.stream = True
        account.acked.update(acked)
        self.run.tally.acked += len(acked)
        self.dirty_streams = True

    @precondition(lambda self: self.env.cluster_size > 1 and not self.nodes_down())
    @rule(node=st.integers(0, 2))
    @recorded(log=True)
    def kill_node(self, node: int) -> None:
        """One node at a time: a majority stays, so JetStream keeps its promises."""
        self.env.kill_node(REGION, node % self.env.cluster_size)
        self.run.tally.kills += 1
        self.dirty_streams = True

    @precondition(lambda self: self.nodes_down())
    @rule()
    @recorded(log=True)
    def start_node(self) -> None:
        self.env.start_node(REGION, self.nodes_down()[0])
        self.run.tally.restarts += 1
        self.dirty_streams = True

    @precondition(lambda self: self.model.accounts)
    @rule(reads=st.integers(5, 40), creates=st.integers(0, 3))
    @recorded(log=True)
    def burst(self, reads: int, creates: int) -> None:
        """Concurrent gets and named credentials creates on the one client, as a busy app
        makes: many requests share its HTTP/2 connection while the gateway recycles it."""
        accounts = list(self.model.accounts)
        account = accounts[0]
        names = [self.name("burst") for _ in range(creates)]

        async def everything() -> list[Any]:
            gets = [self.api.get_account(accounts[i % len(accounts)]) for i in range(reads)]
            made = [self.api.create_credentials(account, name=name) for name in names]
            return await asyncio.gather(*gets, *made, return_exceptions=True)

        answers = self.run.call("burst", everything)
        self.run.tally.calls += reads + creates - 1
        failed: list[Violation] = []
        # Every answer reaches the model before a failure is raised: credentials made beside
        # a failed read are not orphans (seed 4007 reported them so).
        for answer in answers:
            if isinstance(answer, AmbiguousCreateError):
                self.run.tally.ambiguous += 1
                for candidate in answer.candidates:
                    assert isinstance(candidate, NatsCredentials)
                    self.model.add_credentials(candidate, named=True, secret=None)
            elif isinstance(answer, ScalewayError):
                failed.append(Violation("call-failed", f"burst: {type(answer).__name__}: {answer}"))
            elif isinstance(answer, BaseException):
                failed.append(Violation("not-scaleway-error", f"burst: {answer!r}"))
                failed[-1].__cause__ = answer
            elif isinstance(answer, NatsCredentials):
                self.model.add_credentials(answer, named=True, secret=answer)
        if failed:
            raise failed[0]

    @precondition(
        lambda self: self.nodes_down()
        and any(not c.reader for c in self.model.credentials.values())
    )
    @rule(index=st.integers(0, 99), delay_ms=st.integers(0, 400))
    @recorded(log=True)
    def start_node_while_deleting(self, index: int, delay_ms: int) -> None:
        """Delete credentials while a node restarts, and ask that node without pause from
        the 204 until it has rejoined: a 204 means every node refuses, a starting one too."""
        down = self.nodes_down()[0]
        node = self.env.servers[REGION].nodes[down]
        ids = [c.id for c in self.model.credentials.values() if not c.reader]
        creds = self.model.credentials[self.pick(ids, index)]

        async def scenario() -> int:
            loop = asyncio.get_running_loop()
            starting = loop.run_in_executor(None, self.env.start_node, REGION, down)
            try:
                await asyncio.sleep(delay_ms / 1000)
                await self.api.delete_credentials(creds.id, region=REGION)
                if creds.secret is None:
                    return 0
                return await probes.accepted_during(node.url, self.env, creds.secret, starting)
            finally:
                await asyncio.wait_for(asyncio.shield(starting), NATS_BOUND)

        accepted = self.call("delete_credentials during a restart", scenario)
        self.run.tally.restarts += 1
        self.model.delete_credentials(creds.id)
        if accepted:
            raise Violation(
                "revocation",
                f"{node.name}, restarting, accepted deleted credentials {creds.id} "
                f"{accepted} time(s) after the delete's 204",
            )

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    @recorded(log=False)
    def count_step(self) -> None:
        self.run.tally.steps += 1

    @invariant()
    @recorded(log=False)
    def listings_match_the_model(self) -> None:
        self.check_listings(time.monotonic() - self.env.propagation_delay - SETTLE)

    def check_listings(self, settled_before: float) -> None:
        accounts = self.call("list_accounts", lambda: _all(self.api.list_accounts()))
        expected = {a.id: (a.name, a.since) for a in self.model.accounts.values()}
        compare(
            "accounts", expected, [(a.id, a.name) for a in accounts], self.model, settled_before
        )
        renamed = {a.id: a.name for a in accounts if a.id in self.model.accounts}
        stale = {i: n for i, n in renamed.items() if n != self.model.accounts[i].name}
        if stale and all(self.model.accounts[i].since < settled_before for i in stale):
            raise Violation("rename", f"accounts listed under an old name: {stale}")
        creds = self.call("list_credentials", lambda: _all(self.api.list_credentials()))
        expected = {c.id: (c.name, c.since) for c in self.model.credentials.values()}
        compare(
            "credentials", expected, [(c.id, c.name) for c in creds], self.model, settled_before
        )

    @invariant()
    @recorded(log=False)
    def revoked_credentials_are_refused_by_every_node(self) -> None:
        if not self.model.revoked:
            return
        leaked = self.run.wait(probes.leaks(self.env, REGION, self.model.revoked), NATS_BOUND)
        if leaked:
            raise Violation("revocation", f"deleted credentials accepted: {leaked}")

    @invariant()
    @recorded(log=False)
    def acknowledged_messages_are_kept(self) -> None:
        if not self.dirty_streams:
            return
        self.dirty_streams = False
        for account in self.model.accounts.values():
            readers = [c for c in self.model.usable(account.id) if c.reader]
            if not account.acked or not readers:
                continue
            secret = readers[0].secret
            assert secret is not None
            gone = self.run.wait(probes.lost(self.env, secret, account.acked), NATS_BOUND)
            if gone:
                raise Violation("jetstream", f"acknowledged messages lost in {account.id}: {gone}")

    @recorded(log=True)
    def teardown(self) -> None:
        """Bring every node back, check the settled state, then delete everything."""
        for node in self.nodes_down():
            self.env.start_node(REGION, node)
            self.run.tally.restarts += 1
        try:
            time.sleep(self.env.propagation_delay + SETTLE)
            self.check_listings(time.monotonic())
        finally:
            self.clean_up()

    def clean_up(self) -> None:
        """Delete every account listed (their credentials go with them), until the account
        and credentials listings stay empty past the propagation delay: the next example
        starts empty, whatever this one left (an orphan shows up late)."""
        bound = POLICY.deadline + MARGIN
        for _ in range(5):
            accounts = self.run.wait(_all(self.api.list_accounts()), bound)
            creds = self.run.wait(_all(self.api.list_credentials()), bound)
            for account in accounts:
                self.run.wait(self.api.delete_account(account), bound)
            if not accounts and not creds:
                return
            time.sleep(self.env.propagation_delay + SETTLE)
        raise Violation("cleanup", f"still listed after 5 rounds of deletes: {accounts} {creds}")
