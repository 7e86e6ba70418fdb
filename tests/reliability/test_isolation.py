"""Issue 3: isolation between accounts and organizations, revocation, forged and expired creds.

Already covered in tests/local (not repeated here): subjects are isolated between accounts
(test_nats.py::test_accounts_are_isolated), raw-HTTP 404/403 for another organization
(test_api.py::test_other_organization_sees_nothing / test_foreign_project_is_forbidden),
revocation through raw HTTP (test_nats.py::test_deleting_credentials_revokes_them).
Added here: JetStream isolation, the same cross-organization checks through the wrapper's
exceptions, revocation through the wrapper with a `.creds` file, and forged/expired JWTs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import time
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import RawCredentials
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError as StreamNotFound

from scaleway_nats import (
    AsyncNatsAPI,
    NatsAPI,
    NatsCredentials,
    NotFoundError,
    PermissionsDeniedError,
)
from scaleway_nats.local import LocalScaleway, Organization
from scaleway_nats.local import jwt as nats_jwt
from scaleway_nats.local.nats_server import SINGLE_ATTEMPT
from tests.support.reliability import figures

REVOCATION_BOUND = 10.0  # seconds the spec allows for a deleted credential's connections


def api_for(env: LocalScaleway, org: Organization) -> NatsAPI:
    return NatsAPI(secret_key=org.secret_key, project_id=org.project_id, api_url=env.api_url)


async def connect(env: LocalScaleway, url: str, creds: str | Path, **kwargs: Any) -> nats.NATS:
    """Connect with a `.creds` file path or the `.creds` content."""
    return await nats.connect(
        url,
        user_credentials=str(creds) if isinstance(creds, Path) else RawCredentials(creds),
        tls=ssl.create_default_context(cafile=env.ca_file),
        connect_timeout=3,
        **{**SINGLE_ATTEMPT, **kwargs},
    )


async def test_jetstream_is_isolated_between_accounts(emulator: LocalScaleway) -> None:
    org = emulator.create_organization()
    with api_for(emulator, org) as api:
        a, b = api.create_account(name="a"), api.create_account(name="b")
        creds_a, creds_b = api.create_credentials(a), api.create_credentials(b)
    assert creds_a.content and creds_b.content
    nc_a = await connect(emulator, a.endpoint, creds_a.content)
    nc_b = await connect(emulator, b.endpoint, creds_b.content)
    try:
        await nc_a.jetstream().add_stream(name="orders", subjects=["orders.>"])
        await nc_a.jetstream().publish("orders.1", b"secret order")
        assert [s.config.name for s in await nc_b.jsm().streams_info()] == []
        with pytest.raises(StreamNotFound):
            await nc_b.jsm().stream_info("orders")
        with pytest.raises(StreamNotFound):
            await nc_b.jetstream().get_msg("orders", 1)
        # B may use the same stream name: it is a different stream, with none of A's data.
        await nc_b.jetstream().add_stream(name="orders", subjects=["orders.>"])
        assert (await nc_b.jsm().stream_info("orders")).state.messages == 0
        assert (await nc_a.jsm().stream_info("orders")).state.messages == 1
    finally:
        await nc_a.close()
        await nc_b.close()


def test_another_organization_gets_not_found_through_the_wrapper(
    emulator: LocalScaleway,
) -> None:
    owner, intruder = emulator.create_organization(), emulator.create_organization()
    tried = 0
    with api_for(emulator, owner) as mine, api_for(emulator, intruder) as theirs:
        account = mine.create_account(name="private")
        creds = mine.create_credentials(account, name="private-creds")
        not_found = [
            lambda: theirs.get_account(account.id),
            lambda: theirs.update_account(account.id, "stolen"),
            lambda: theirs.delete_account(account.id),
            lambda: theirs.get_credentials(creds.id),
            lambda: theirs.delete_credentials(creds.id),
            lambda: theirs.create_credentials(account.id, name="backdoor"),
        ]
        for call in not_found:
            with pytest.raises(NotFoundError) as excinfo:
                call()
            assert excinfo.value.status_code == 404
            tried += 1
        denied = [
            lambda: theirs.create_account(name="squat", project_id=owner.project_id),
            lambda: theirs.list_accounts(project_id=owner.project_id).all(),
            lambda: theirs.list_credentials(project_id=owner.project_id).all(),
        ]
        for call in denied:
            with pytest.raises(PermissionsDeniedError):
                call()
            tried += 1
        assert theirs.list_accounts().all() == []
        assert theirs.list_credentials().all() == []
        # The owner's resources are untouched.
        assert mine.get_account(account.id).name == "private"
        assert [c.id for c in mine.list_credentials(account)] == [creds.id]
        assert mine.list_accounts().all() == [mine.get_account(account.id)]
        figures("isolation[cross-org]", refused_calls=tried, intruder_requests=theirs.stats)


async def test_deleted_credentials_are_refused_and_dropped_within_10s(
    emulator: LocalScaleway, tmp_path: Path
) -> None:
    org = emulator.create_organization()
    async with AsyncNatsAPI(
        secret_key=org.secret_key, project_id=org.project_id, api_url=emulator.api_url
    ) as api:
        account = await api.create_account()
        doomed = await api.create_credentials(account, name="doomed")
        path = doomed.write(tmp_path)
        closed = asyncio.Event()

        async def on_closed() -> None:
            closed.set()

        nc = await connect(emulator, account.endpoint, path, closed_cb=on_closed)
        try:
            assert nc.is_connected
            await api.delete_credentials(doomed)
            revoked_at = time.monotonic()
            await asyncio.wait_for(closed.wait(), REVOCATION_BOUND)
            dropped_after = time.monotonic() - revoked_at
        finally:
            if not nc.is_closed:
                await nc.close()
        with pytest.raises(NatsError, match="Authorization Violation"):
            await connect(emulator, account.endpoint, path)
        with pytest.raises(NotFoundError):
            await api.get_credentials(doomed.id)
    figures("isolation[revocation]", dropped_after_seconds=round(dropped_after, 3))


# -- forged and expired credentials ----------------------------------------------------------


async def connect_and_close(env: LocalScaleway, url: str, content: str) -> None:
    nc = await connect(env, url, content)
    await nc.close()


def split_creds(content: str) -> tuple[str, str]:
    lines = content.splitlines()
    token = lines[lines.index("-----BEGIN NATS USER JWT-----") + 1]
    seed = lines[lines.index("-----BEGIN USER NKEY SEED-----") + 1]
    return token, seed


def sign(issuer: nats_jwt.Identity, claims: dict[str, Any]) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
    payload = b64(json.dumps(claims).encode())
    return f"{header}.{payload}.{b64(issuer.sign(f'{header}.{payload}'.encode()))}"


def user_claims(account_public_key: str, user: nats_jwt.Identity, **extra: Any) -> dict[str, Any]:
    nats_claims = {"type": "user", "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1}
    return {
        "jti": f"T{time.time_ns()}",
        "iat": int(time.time()) - 120,
        "iss": account_public_key,
        "name": "forged",
        "sub": user.public_key,
        "nats": {**nats_claims, "version": 2},
        **extra,
    }


async def test_tampered_resigned_and_expired_creds_are_refused(emulator: LocalScaleway) -> None:
    org = emulator.create_organization()
    with api_for(emulator, org) as api:
        account = api.create_account(name="guarded")
        genuine: NatsCredentials = api.create_credentials(account)
    assert genuine.content is not None
    token, seed = split_creds(genuine.content)
    header, payload, signature = token.split(".")
    # The real account key, as the emulator keeps it (in its database).
    stored = emulator._require_store().get_account("fr-par", account.id, [org.project_id])
    assert stored is not None
    account_key = nats_jwt.Identity.from_seed(stored.seed)

    middle = len(payload) // 2
    flipped = "A" if payload[middle] != "A" else "B"
    tampered = f"{header}.{payload[:middle]}{flipped}{payload[middle + 1 :]}.{signature}"
    user = nats_jwt.Identity.from_seed(seed)
    claims = nats_jwt.decode_claims(token)
    stranger = nats_jwt.Identity.generate("account")
    fresh_user = nats_jwt.Identity.generate("user")
    refused: list[str] = []
    forged = {
        "payload changed": (tampered, seed),
        "signed by another account key": (sign(stranger, claims), seed),
        "issued by another account": (
            sign(stranger, {**claims, "iss": stranger.public_key}),
            seed,
        ),
        "expired (signed by the real account key)": (
            sign(
                account_key,
                user_claims(account_key.public_key, fresh_user, exp=int(time.time()) - 60),
            ),
            fresh_user.seed,
        ),
        "someone else's seed": (token, nats_jwt.Identity.generate("user").seed),
    }
    for what, (bad_token, bad_seed) in forged.items():
        content = nats_jwt.creds_file(bad_token, bad_seed)
        with pytest.raises(NatsError, match="Authorization Violation"):
            await connect_and_close(emulator, account.endpoint, content)
        refused.append(what)
    # Controls: the genuine file, and a JWT minted the same way but not expired, do connect;
    # so the refusals above are about the forgery, not about how the test builds files.
    controls = {
        "genuine": genuine.content,
        "minted, valid exp": nats_jwt.creds_file(
            sign(
                account_key,
                user_claims(account_key.public_key, fresh_user, exp=int(time.time()) + 3600),
            ),
            fresh_user.seed,
        ),
        # Scaleway's user JWTs are issued by the account's signing key (iss), see jwt.user_jwt
        "re-encoded genuine claims": nats_jwt.creds_file(
            sign(account_key.signing_key(), claims), user.seed
        ),
    }
    for content in controls.values():
        nc = await connect(emulator, account.endpoint, content)
        assert nc.is_connected
        await nc.close()
    assert refused == list(forged)
    figures("isolation[forged]", forged_refused=len(refused), controls_accepted=len(controls))
