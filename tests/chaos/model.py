"""What must exist, per the answers the client gave: the chaos machine's model and its checks.

The model holds what the public API told us (ids returned, deletes answered) and nothing the
emulator knows internally: the checks compare it with what the API lists, after the
propagation window, as an app would see it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

import attrs

from scaleway_nats import NatsAccount, NatsCredentials


class Violation(AssertionError):
    """A promise broken: `kind` names which, for the summary."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"[{kind}] {detail}")
        self.kind = kind


@attrs.define
class Creds:
    """Credentials the model expects to exist. `secret` is None for credentials adopted from
    an AmbiguousCreateError's candidates (the answer holding the secret was lost)."""

    id: str
    account_id: str
    name: str
    secret: NatsCredentials | None
    since: float  # time.monotonic() of the create's answer
    reader: bool = False  # kept to read the account's stream back; never deleted by a rule


@attrs.define
class Account:
    id: str
    name: str
    since: float
    # JetStream: sequence -> payload of every acknowledged publish to its stream
    acked: dict[int, bytes] = attrs.field(factory=dict)
    stream: bool = False


@attrs.define
class Model:
    accounts: dict[str, Account] = attrs.field(factory=dict)
    credentials: dict[str, Creds] = attrs.field(factory=dict)
    # Deleted credentials with their secret (by the answer of a delete of them or of their
    # account): every node must refuse them from then on.
    revoked: list[NatsCredentials] = attrs.field(factory=list)
    gone: set[str] = attrs.field(factory=set)  # ids deleted: never listed again
    named: set[str] = attrs.field(factory=set)  # names chosen by the caller: at most one each

    def add_account(self, account: NatsAccount, named: bool) -> None:
        self.accounts[account.id] = Account(account.id, account.name, time.monotonic())
        if named:
            self.named.add(account.name)

    def add_credentials(
        self, creds: NatsCredentials, named: bool, secret: NatsCredentials | None
    ) -> Creds:
        kept = Creds(creds.id, creds.nats_account_id, creds.name, secret, time.monotonic())
        self.credentials[creds.id] = kept
        if named:
            self.named.add(creds.name)
        return kept

    def delete_credentials(self, creds_id: str) -> None:
        creds = self.credentials.pop(creds_id)
        self.gone.add(creds_id)
        if creds.secret is not None:
            self.revoked.append(creds.secret)

    def delete_account(self, account_id: str) -> None:
        for creds in [c for c in self.credentials.values() if c.account_id == account_id]:
            self.delete_credentials(creds.id)
        del self.accounts[account_id]
        self.gone.add(account_id)

    def usable(self, account_id: str) -> list[Creds]:
        """Credentials of the account whose secret we hold."""
        return [c for c in self.credentials.values() if c.account_id == account_id and c.secret]


def compare(
    kind: str,
    expected: dict[str, tuple[str, float]],
    listed: Iterable[tuple[str, str]],
    model: Model,
    settled_before: float,
) -> None:
    """Check one resource kind's listing against the model: every listed id is expected (no
    orphan, nothing deleted back), no chosen name twice (no duplicate), and every expected id
    older than `settled_before` (a monotonic time: past the propagation window) is listed.
    `expected`: id -> (name, monotonic time of its create's answer)."""
    listed = list(listed)
    ids = Counter(item_id for item_id, _ in listed)
    repeated = sorted(i for i, n in ids.items() if n > 1)
    if repeated:
        raise Violation("listed-twice", f"{kind} listed more than once: {repeated}")
    back = sorted(i for i in ids if i in model.gone)
    if back:
        raise Violation("deleted-listed", f"deleted {kind} listed again: {back}")
    names = Counter(name for _, name in listed if name in model.named)
    twice = sorted(n for n, count in names.items() if count > 1)
    if twice:
        raise Violation(
            "duplicate", f"{kind} with one chosen name made twice: {twice} (listed: {listed})"
        )
    orphans = sorted((name, i) for i, name in listed if i not in expected)
    if orphans:
        raise Violation("orphan", f"{kind} no call returned (name, id): {orphans}")
    missing = sorted(
        i for i, (_, since) in expected.items() if since < settled_before and i not in ids
    )
    if missing:
        raise Violation("missing", f"{kind} returned by a create, not listed: {missing}")
