"""NATS identities (nkeys) and the JWTs that nats-server trusts in operator mode.

Why a hand-written encoder instead of the ``nats-jwt`` package: the format is tiny (three
base64url parts, ed25519 signature from ``nkeys``), ``nats-jwt`` drags in three extra
dependencies and lags behind the v2 claim fields nats-server 2.15 reads (JetStream limits,
revocations). Everything here follows github.com/nats-io/jwt/v2.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import nkeys

from .. import quotas


@dataclass(frozen=True)
class Limits:
    """Per-account JetStream limits; the defaults are Scaleway's published quotas (their
    source is in scaleway_nats/quotas.py)."""

    max_streams: int = quotas.MAX_STREAMS
    max_consumers: int = quotas.MAX_CONSUMERS
    max_storage: int = quotas.MAX_STORAGE
    max_memory: int = quotas.MAX_MEMORY
    max_payload: int = quotas.MAX_PAYLOAD


DEFAULT_LIMITS = Limits()

_PREFIXES = {
    "operator": nkeys.PREFIX_BYTE_OPERATOR,
    "account": nkeys.PREFIX_BYTE_ACCOUNT,
    "user": nkeys.PREFIX_BYTE_USER,
}


@dataclass(frozen=True)
class Identity:
    """An nkey pair. ``seed`` is secret: it is hidden from ``repr``."""

    public_key: str
    seed: str = field(repr=False)

    @classmethod
    def generate(cls, kind: str) -> Identity:
        seed = nkeys.encode_seed(os.urandom(32), _PREFIXES[kind]).decode()
        return cls.from_seed(seed)

    @classmethod
    def from_seed(cls, seed: str) -> Identity:
        kp = nkeys.from_seed(seed.encode())
        return cls(public_key=kp.public_key.decode(), seed=seed)

    def sign(self, data: bytes) -> bytes:
        return bytes(nkeys.from_seed(self.seed.encode()).sign(data))

    def signing_key(self) -> Identity:
        """The account's signing key, derived from its seed (so nothing more is stored).

        Scaleway's user JWTs are issued by an account signing key, with
        ``nats.issuer_account`` = the account (the user JWT recorded in
        scaleway/terraform-provider-scaleway internal/services/mnq/testdata/
        nats-credentials-basic.cassette.yaml). Deriving it is our choice.
        """
        raw = hmac.new(self.seed.encode(), b"scaleway-nats signing key", "sha256").digest()
        return Identity.from_seed(nkeys.encode_seed(raw, nkeys.PREFIX_BYTE_ACCOUNT).decode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def encode(
    issuer: Identity,
    subject: str,
    name: str,
    nats: dict[str, Any],
    *,
    not_before: int = 0,
    extra: dict[str, Any] | None = None,
    issued_at: int | None = None,
) -> str:
    """Sign a v2 claims set. ``jti`` is the base32 SHA-512/256 of the claims, as in Go.

    ``iat`` is ``issued_at`` or now, but never less than ``not_before``: nats-server's
    resolvers, merging each other's JWTs, keep the one not older, so an account's successive
    JWTs must not go back in time with the clock (``account_jwt``). Header and claims are
    compact JSON (no spaces), as nats-io/jwt writes them and as the live API's user JWTs are
    (the recorded ``.creds`` in tests/data/recordings).
    """
    claims: dict[str, Any] = {
        "jti": "",
        "iat": max(int(time.time()) if issued_at is None else issued_at, not_before),
        "iss": issuer.public_key,
        "name": name,
        "sub": subject,
        **(extra or {}),
        "nats": {**nats, "version": 2},
    }
    digest = hashlib.new("sha512_256", _compact(claims)).digest()
    claims["jti"] = base64.b32encode(digest).decode().rstrip("=")
    header = _b64(_compact({"typ": "JWT", "alg": "ed25519-nkey"}))
    payload = _b64(_compact(claims))
    signature = _b64(issuer.sign(f"{header}.{payload}".encode()))
    return f"{header}.{payload}.{signature}"


def decode_claims(token: str) -> dict[str, Any]:
    """Read (without verifying) the claims of a JWT we minted ourselves."""
    payload = token.split(".")[1]
    result: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return result


def operator_jwt(operator: Identity, system_account: str) -> str:
    return encode(
        operator,
        operator.public_key,
        "scaleway-local",
        {"type": "operator", "system_account": system_account},
    )


def account_jwt(
    operator: Identity,
    account: str,
    name: str,
    *,
    revocations: dict[str, int] | None = None,
    disabled: bool = False,
    system: bool = False,
    previous: str | None = None,
    signing_key: str | None = None,
    jetstream: Limits = DEFAULT_LIMITS,
) -> str:
    """Account claims with Scaleway's limits.

    ``disabled`` is how a deleted account is tombstoned: no connections, no JetStream, every
    user revoked (the resolver is configured with ``allow_delete: false``). ``previous`` is the
    account's last JWT: the new one is issued at least a second later (its ``iat`` may run
    ahead of the clock by as many seconds as the account had writes in one).
    """
    limits: dict[str, Any] = {
        "subs": -1,
        "data": -1,
        "payload": jetstream.max_payload,
        "imports": -1,
        "exports": -1,
        "wildcards": True,
        "conn": -1,
        "leaf": -1,
    }
    if disabled:
        limits["conn"] = 0
        limits["leaf"] = 0
    elif not system:
        limits.update(
            mem_storage=jetstream.max_memory,
            disk_storage=jetstream.max_storage,
            streams=jetstream.max_streams,
            consumer=jetstream.max_consumers,
        )
    nats: dict[str, Any] = {"type": "account", "limits": limits}
    if signing_key is not None:
        nats["signing_keys"] = [signing_key]
    if revocations:
        nats["revocations"] = dict(revocations)
    # Strictly after the previous one: nats-server replaces a stored account JWT with any other
    # not older (dirstore.go saveIfNewer), and iat counts whole seconds, so a late copy of an
    # older JWT of the same second (a retried push, a slower route) could undo a revocation.
    not_before = int(decode_claims(previous)["iat"]) + 1 if previous else 0
    return encode(operator, account, name, nats, not_before=not_before)


def user_jwt(
    account: Identity,
    user: str,
    name: str,
    *,
    via_signing_key: bool = True,
    not_before: int | None = None,
    issued_at: int | None = None,
) -> str:
    """A user with full access to its account (Scaleway credentials are all-powerful),
    issued by the account's signing key as Scaleway does (the system account, which has no
    signing key, issues its users itself). Claims in the recorded order and values: no
    ``exp``, no ``nbf`` (``not_before`` is only for the fixed propagation delay mode)."""
    nats: dict[str, Any] = {
        "pub": {},
        "sub": {},
        "subs": -1,
        "data": -1,
        "payload": -1,
        "issuer_account": account.public_key,
        "type": "user",
    }
    extra = {} if not_before is None else {"nbf": not_before}  # nats-server refuses it before
    if not via_signing_key:
        del nats["issuer_account"]
        return encode(account, user, name, nats, extra=extra, issued_at=issued_at)
    return encode(account.signing_key(), user, name, nats, extra=extra, issued_at=issued_at)


def creds_file(user_token: str, user_seed: str) -> str:
    """The standard ``.creds`` file, byte for byte what ``nsc generate creds`` writes."""
    return (
        "-----BEGIN NATS USER JWT-----\n"
        f"{user_token}\n"
        "------END NATS USER JWT------\n"
        "\n"
        "************************* IMPORTANT *************************\n"
        "NKEY Seed printed below can be used to sign and prove identity.\n"
        "NKEYs are sensitive and should be treated as secrets.\n"
        "\n"
        "-----BEGIN USER NKEY SEED-----\n"
        f"{user_seed}\n"
        "------END USER NKEY SEED------\n"
        "\n"
        "*************************************************************\n"
    )
