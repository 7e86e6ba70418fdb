"""`connection_max_requests`: bad values are refused before anything starts (issue 18.2).

Recycling itself is proven end to end in tests/reliability/test_recycling.py.
"""

from __future__ import annotations

import pytest

from scaleway_nats.local import LocalScaleway
from tests.support.processes import run_captured
from tests.support.serve import SERVE_MODULE


@pytest.mark.parametrize("value", [0, -1, True, 2.5, "1000"])
def test_a_bad_connection_max_requests_is_refused(value: object) -> None:
    with pytest.raises(
        ValueError, match=r"connection_max_requests must be an integer >= 1 or None"
    ):
        LocalScaleway(connection_max_requests=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, 1, 1000])
def test_good_values_are_kept(value: int | None) -> None:
    assert LocalScaleway(connection_max_requests=value).connection_max_requests == value


def test_the_module_entry_point_refuses_a_negative_count() -> None:
    done = run_captured([*SERVE_MODULE, "--connection-max-requests", "-1"])
    assert done.returncode == 2
    assert "'--connection-max-requests': -1 is not in the range x>=0" in done.stderr
