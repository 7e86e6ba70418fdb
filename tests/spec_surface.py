"""What of the generated client's surface the wrapper does not carry (used by tests/unit/
test_spec.py on the committed client, and by tests/test_spec_drill.py on a regenerated one)."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import types

import attrs

import scaleway_nats_api.api
import scaleway_nats_api.models as generated
from scaleway_nats import operations
from scaleway_nats._page import Page
from scaleway_nats.models import NatsAccount, NatsCredentials

# Each response schema, and the wrapper model carrying its properties.
CARRIERS: dict[str, type] = {
    "NatsAccount": NatsAccount,
    "NatsCredentials": NatsCredentials,
    "NatsCredentialsFile": NatsCredentials,  # the `credentials` object, flattened
    "ListNatsAccountsResponse": Page,
    "ListNatsCredentialsResponse": Page,
}
# Properties carried under another name.
RENAMED = {
    "NatsCredentials.credentials": "content",  # with file_name: NatsCredentialsFile's fields
    "NatsCredentialsFile.name": "file_name",
    "ListNatsAccountsResponse.nats_accounts": "items",
    "ListNatsCredentialsResponse.nats_credentials": "items",
}


def response_schemas() -> dict[str, type]:
    """Generated attrs classes that are not request bodies."""
    return {
        name: cls
        for name, cls in vars(generated).items()
        if isinstance(cls, type) and attrs.has(cls) and not name.endswith("Body")
    }


def missing_properties() -> list[str]:
    """'Schema.property' for each property of a response schema no wrapper model carries."""
    missing = []
    for name, schema in sorted(response_schemas().items()):
        carrier = CARRIERS.get(name)
        for field in attrs.fields(schema):
            if field.name == "additional_properties":
                continue
            key = f"{name}.{field.name}"
            wanted = RENAMED.get(key, field.name)
            if carrier is None or wanted not in {f.name for f in attrs.fields(carrier)}:
                missing.append(key)
    return missing


def enum_values(prefix: str, suffix: str) -> dict[str, set[str]]:
    """The values of each generated enum named prefix...suffix (e.g. every *Region)."""
    return {
        name: {member.value for member in cls}
        for name, cls in vars(generated).items()
        if isinstance(cls, type)
        and issubclass(cls, enum.Enum)
        and name.startswith(prefix)
        and name.endswith(suffix)
    }


def endpoint_modules() -> dict[str, types.ModuleType]:
    found = {}
    package = scaleway_nats_api.api
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        if hasattr(module, "request_kwargs"):
            found[info.name.rsplit(".", 1)[1]] = module
    return found


def unexposed_operations() -> list[str]:
    """Generated operations whose request builder the wrapper never calls."""
    used = {id(value) for value in vars(operations).values() if isinstance(value, types.ModuleType)}
    return sorted(name for name, module in endpoint_modules().items() if id(module) not in used)
