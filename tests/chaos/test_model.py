"""The chaos suite's checks can fail: each broken promise is named, a leak with what the
node knew."""

from __future__ import annotations

import asyncio

import pytest

from scaleway_nats.local import LocalScaleway
from tests.support.clients import async_api_on

from .model import Model, Violation, compare
from .probes import diagnosis

NOW = 100.0


def check(
    expected: dict[str, tuple[str, float]], listed: list[tuple[str, str]], model: Model
) -> None:
    compare("accounts", expected, listed, model, settled_before=NOW)


def test_a_listing_equal_to_the_model_passes() -> None:
    check({"a": ("x", 1.0), "b": ("y", NOW + 1)}, [("a", "x")], Model())  # b: still propagating


@pytest.mark.parametrize(
    ("expected", "listed", "named", "gone", "kind"),
    [
        ({"a": ("x", 1.0)}, [("a", "x"), ("o", "gen-1")], set(), set(), "orphan"),
        ({"a": ("x", 1.0), "b": ("x", 1.0)}, [("a", "x"), ("b", "x")], {"x"}, set(), "duplicate"),
        ({"a": ("x", 1.0)}, [], set(), set(), "missing"),
        ({}, [("d", "x")], set(), {"d"}, "deleted-listed"),
        ({"a": ("x", 1.0)}, [("a", "x"), ("a", "x")], set(), set(), "listed-twice"),
    ],
)
def test_each_broken_promise_is_named(
    expected: dict[str, tuple[str, float]],
    listed: list[tuple[str, str]],
    named: set[str],
    gone: set[str],
    kind: str,
) -> None:
    model = Model(named=named, gone=gone)
    with pytest.raises(Violation) as caught:
        check(expected, listed, model)
    assert caught.value.kind == kind


async def test_a_leak_is_reported_with_what_the_node_knew(emulator: LocalScaleway) -> None:
    """A revocation violation carries the node's view (a long run's leak could not be
    replayed): here, of credentials revoked as they should be, the user's iat and the
    account JWT, in the resolver file and in memory, revoking the user since then."""
    async with async_api_on(emulator) as api:
        account = await api.create_account()
        creds = await api.create_credentials(account)
        await api.delete_credentials(creds)
        node = emulator.servers[account.region].nodes[0]
        told = await asyncio.to_thread(diagnosis, creds, node)
        await api.delete_account(account)
    user_iat = int(told.split("user iat ")[1].split(";")[0])
    assert "resolver file: iat " in told and "in memory:" in told
    revoked_at = int(told.split("revokes this user at ")[1].split(";")[0])
    assert revoked_at >= user_iat
    assert "BEGIN" not in told and "SU" not in told  # no .creds content, no nkey seed
