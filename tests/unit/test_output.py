"""`-o json` and `-o yaml` (issue 21 item 5) carry the same data: whatever a command prints,
both parse back to it, also as streamed records (`sub`)."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scaleway_nats._output import dump

# What commands print: JSON objects of text, numbers, booleans and nulls (ids, names with any
# characters, counts in bytes), nested in lists and objects.
SCALARS = st.none() | st.booleans() | st.integers() | st.text()
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(derandomize=True, max_examples=300)
@given(DATA)
def test_json_and_yaml_parse_back_to_the_same_data(data: Any) -> None:
    assert json.loads(dump("json", data)) == data
    assert yaml.safe_load(dump("yaml", data)) == data


@settings(derandomize=True, max_examples=100)
@given(st.lists(st.dictionaries(st.text(), SCALARS, min_size=1, max_size=3), max_size=5))
def test_streamed_records_parse_back_one_by_one(records: list[dict[str, Any]]) -> None:
    lines = [dump("json", record, line=True) for record in records]
    assert all("\n" not in line for line in lines)
    assert [json.loads(line) for line in lines] == records
    documents = "\n".join(dump("yaml", record, line=True) for record in records)
    assert list(yaml.safe_load_all(documents)) == records


def test_yaml_keeps_names_readable() -> None:
    assert dump("yaml", {"name": "commandes-été"}) == "name: commandes-été"
    assert dump("yaml", {"name": "a\x85b"}) == 'name: "a\\Nb"'  # escaped: read back intact
