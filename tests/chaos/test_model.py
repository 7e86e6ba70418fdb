"""The chaos suite's listing check can fail: each broken promise is named (no emulator)."""

from __future__ import annotations

import pytest

from .model import Model, Violation, compare

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
