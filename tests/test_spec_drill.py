"""A spec change, drilled: copy the spec, add a property, an order and an operation,
regenerate into a temporary folder, and see what reaches the wrapper and what the suite
names. The vendored spec and generated/ are never touched."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "scaleway-nats-api.yaml"
GENERATED = ROOT / "generated" / "scaleway_nats_api"
ACCOUNTS = "/mnq/v1beta1/regions/{region}/nats-accounts"

# Run against the regenerated client: what the wrapper accepts and what tests/spec_surface.py
# reports missing.
PROBE = """
import json
from scaleway_nats import ORDER_BY
from scaleway_nats.operations import check_order_by
from tests import spec_surface
print(json.dumps({
    "accepted": check_order_by("storage_desc"),
    "orders": list(ORDER_BY),
    "missing": spec_surface.missing_properties(),
    "unexposed": spec_surface.unexposed_operations(),
}))
"""


def changed_spec() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC.read_text())
    account = spec["components"]["schemas"]["scaleway.mnq.v1beta1.NatsAccount"]
    account["properties"]["storage_bytes"] = {
        "type": "integer",
        "format": "uint64",
        "description": "Storage used by the account's streams (drill).",
    }
    for path in (ACCOUNTS, "/mnq/v1beta1/regions/{region}/nats-credentials"):
        for parameter in spec["paths"][path]["get"]["parameters"]:
            if parameter["name"] == "order_by":
                parameter["schema"]["enum"].append("storage_desc")
    get = spec["paths"][ACCOUNTS + "/{nats_account_id}"]["get"]
    reset = copy.deepcopy(get)
    reset["operationId"] = "ResetNatsAccount"
    reset["summary"] = "Reset a NATS account (drill)"
    reset.pop("x-codeSamples", None)
    spec["paths"][ACCOUNTS + "/{nats_account_id}/reset"] = {"post": reset}
    return spec


def test_a_spec_change_flows_through_regeneration(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(changed_spec(), sort_keys=False))
    target = tmp_path / "generated" / "scaleway_nats_api"
    shutil.copytree(GENERATED, target, ignore=shutil.ignore_patterns("__pycache__"))

    generate = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate.py"), "--spec", str(spec),
         "--target", str(target)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert generate.returncode == 0, generate.stderr
    print(generate.stdout)
    # the changelog names each change of the surface
    assert "+ property NatsAccount.storage_bytes" in generate.stdout
    assert "+ enum value ListNatsAccountsOrderBy: storage_desc" in generate.stdout
    assert "+ enum value ListNatsCredentialsOrderBy: storage_desc" in generate.stdout
    assert "+ operation reset_nats_account" in generate.stdout
    assert "+ parameter reset_nats_account(nats_account_id)" in generate.stdout

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target.parent), str(ROOT)])}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, env=env
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    print(seen)
    # the new order is accepted by validation with no hand edit
    assert seen["accepted"] == "storage_desc"
    assert "storage_desc" in seen["orders"]
    # the new property is not carried by the wrapper's NatsAccount: the suite names it
    assert seen["missing"] == ["NatsAccount.storage_bytes"]
    # the new operation is not exposed yet: the coverage check names it
    assert seen["unexposed"] == ["reset_nats_account"]
