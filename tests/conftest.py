"""Fixtures shared by every test folder: a real local emulator and clients bound to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scaleway_nats.local import LocalScaleway


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chaos-seed",
        type=int,
        default=None,
        help="Seed of tests/chaos: replays a failure; -1 draws a new one (default: fixed, so "
        "the test suite is reproducible; `nox -s chaos` explores).",
    )


@pytest.fixture(autouse=True)
def _no_real_scaleway(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never read the developer's Scaleway settings, so they never reach Scaleway."""
    for name in (
        "SCW_SECRET_KEY",
        "SCW_ACCESS_KEY",
        "SCW_DEFAULT_PROJECT_ID",
        "SCW_PROJECT_ID",
        "SCW_DEFAULT_ORGANIZATION_ID",
        "SCW_DEFAULT_REGION",
        "SCW_API_URL",
        "SCW_PROFILE",
        "SCW_NATS_CA_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(
        "SCW_CONFIG_PATH", str(tmp_path_factory.getbasetemp() / "no-scw-config.yaml")
    )


@pytest.fixture(scope="session")
def emulator() -> Iterator[LocalScaleway]:
    """One emulator (API + two nats-servers) for the whole session, in a temporary state dir."""
    with LocalScaleway() as env:
        yield env
