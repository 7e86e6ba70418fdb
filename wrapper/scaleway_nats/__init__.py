"""scaleway_nats: Python SDK, CLI and local emulator for Scaleway NATS (mnq/v1beta1).

    from scaleway_nats import NatsAPI

    with NatsAPI() as api:        # SCW_SECRET_KEY / SCW_DEFAULT_PROJECT_ID / ~/.config/scw
        account = api.create_account(name="orders")
        creds = api.create_credentials(account)
        creds.write("orders.creds")

The emulator lives in `scaleway_nats.local` (extra `local`).
"""

from ._version import __version__
from .api import AsyncNatsAPI, NatsAPI
from .config import Config, resolve_config
from .errors import (
    AmbiguousCreateError,
    ArgumentError,
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

__all__ = [
    "ORDER_BY",
    "REGIONS",
    "AmbiguousCreateError",
    "ArgumentError",
    "AsyncNatsAPI",
    "AsyncPager",
    "Config",
    "ConfigurationError",
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
