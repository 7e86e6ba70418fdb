"""scaleway_nats: Python SDK, CLI and local emulator for Scaleway NATS (mnq/v1beta1).

    from scaleway_nats import NatsAPI

    with NatsAPI() as api:        # SCW_SECRET_KEY / SCW_DEFAULT_PROJECT_ID / ~/.config/scw
        account = api.create_account(name="orders")
        creds = api.create_credentials(account)
        creds.write("orders.creds")

The emulator lives in `scaleway_nats.local` (extra `local`).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads these
    from .api import AsyncNatsAPI, NatsAPI
    from .config import Config, resolve_config
    from .credentials_file import CredentialsWriteError
    from .errors import (
        AmbiguousCreateError,
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        ArgumentDetail,
        ArgumentValidationError,
        ConfigurationError,
        InvalidArgumentsError,
        NatsConnectError,
        NotFoundError,
        PermissionsDeniedError,
        QuotaExceededError,
        RateLimitedError,
        ScalewayError,
        ServerError,
        TransportError,
        UnauthorizedError,
        UnexpectedResponseError,
    )
    from .models import (
        ORDER_BY,
        REGIONS,
        NatsAccount,
        NatsCredentials,
        OrderBy,
        Region,
        creds_file_path,
    )
    from .pagination import AsyncPager, Page, Pager
    from .quickstart import quickstart
    from .retry import RetryPolicy
    from .rotation import RotationError

# Cold start (issue 13): `import scaleway_nats` (and so `scw-nats --help`) must not pay for
# httpx, nats-py, YAML and the generated client: each public name is imported from its module
# on first use (PEP 562), then cached in the package.
_MODULES = {
    "AsyncNatsAPI": "api",
    "NatsAPI": "api",
    "Config": "config",
    "resolve_config": "config",
    "AmbiguousCreateError": "errors",
    "APIConnectionError": "errors",
    "APIStatusError": "errors",
    "APITimeoutError": "errors",
    "ArgumentDetail": "errors",
    "ArgumentError": "errors",  # deprecated name of ArgumentDetail (warns), not in __all__
    "ArgumentValidationError": "errors",
    "ConfigurationError": "errors",
    "InvalidArgumentsError": "errors",
    "NatsConnectError": "errors",
    "NotFoundError": "errors",
    "PermissionsDeniedError": "errors",
    "QuotaExceededError": "errors",
    "RateLimitedError": "errors",
    "ScalewayError": "errors",
    "ServerError": "errors",
    "TransportError": "errors",
    "UnauthorizedError": "errors",
    "UnexpectedResponseError": "errors",
    "ORDER_BY": "models",
    "REGIONS": "models",
    "NatsAccount": "models",
    "NatsCredentials": "models",
    "OrderBy": "models",
    "Region": "models",
    "creds_file_path": "models",
    "AsyncPager": "pagination",
    "Page": "pagination",
    "Pager": "pagination",
    "quickstart": "quickstart",
    "RetryPolicy": "retry",
    "RotationError": "rotation",
    "CredentialsWriteError": "credentials_file",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})


class _Package(types.ModuleType):
    """Keeps the name `quickstart` for the function: importing the submodule of the same
    name (the CLI does, lazily) would otherwise rebind the package attribute to the module."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "quickstart" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "ORDER_BY",
    "REGIONS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousCreateError",
    "ArgumentDetail",
    "ArgumentValidationError",
    "AsyncNatsAPI",
    "AsyncPager",
    "Config",
    "ConfigurationError",
    "CredentialsWriteError",
    "InvalidArgumentsError",
    "NatsAPI",
    "NatsAccount",
    "NatsConnectError",
    "NatsCredentials",
    "NotFoundError",
    "OrderBy",
    "Page",
    "Pager",
    "PermissionsDeniedError",
    "QuotaExceededError",
    "RateLimitedError",
    "Region",
    "RetryPolicy",
    "RotationError",
    "ScalewayError",
    "ServerError",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "__version__",
    "creds_file_path",
    "quickstart",
    "resolve_config",
]
