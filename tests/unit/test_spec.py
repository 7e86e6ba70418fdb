"""The wrapper carries the whole spec: every response property, operation and enum value."""

from __future__ import annotations

from typing import get_args

from scaleway_nats import ORDER_BY, REGIONS, OrderBy, Region
from tests import spec_surface
from tests.support.fake_scaleway import DEFAULT_PAGE_SIZE


def test_every_property_of_every_response_schema_is_carried_by_a_wrapper_model() -> None:
    assert spec_surface.response_schemas()  # the check looks at something
    assert spec_surface.missing_properties() == []


def test_every_operation_is_exposed() -> None:
    assert len(spec_surface.endpoint_modules()) == 9
    assert spec_surface.unexposed_operations() == []


def test_every_operation_takes_the_same_regions_and_both_lists_the_same_orders() -> None:
    regions = spec_surface.enum_values("", "Region")
    orders = spec_surface.enum_values("List", "OrderBy")

    assert len(regions) == 9
    assert all(values == set(REGIONS) for values in regions.values()), regions
    assert len(orders) == 2
    assert all(values == set(ORDER_BY) for values in orders.values()), orders


def test_the_static_types_match_the_spec() -> None:
    assert set(get_args(Region)) == set(REGIONS)
    assert set(get_args(OrderBy)) == set(ORDER_BY)


def test_the_unit_fake_and_the_emulator_agree_on_page_sizes() -> None:
    from scaleway_nats.local.app import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
    from scaleway_nats.operations import MAX_PAGE_SIZE

    assert (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) == (PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX)
