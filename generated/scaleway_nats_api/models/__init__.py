"""Contains all the data models used in inputs/outputs"""

from .create_nats_account_body import CreateNatsAccountBody
from .create_nats_account_region import CreateNatsAccountRegion
from .create_nats_credentials_body import CreateNatsCredentialsBody
from .create_nats_credentials_region import CreateNatsCredentialsRegion
from .delete_nats_account_region import DeleteNatsAccountRegion
from .delete_nats_credentials_region import DeleteNatsCredentialsRegion
from .get_nats_account_region import GetNatsAccountRegion
from .get_nats_credentials_region import GetNatsCredentialsRegion
from .list_nats_accounts_order_by import ListNatsAccountsOrderBy
from .list_nats_accounts_region import ListNatsAccountsRegion
from .list_nats_accounts_response import ListNatsAccountsResponse
from .list_nats_credentials_order_by import ListNatsCredentialsOrderBy
from .list_nats_credentials_region import ListNatsCredentialsRegion
from .list_nats_credentials_response import ListNatsCredentialsResponse
from .nats_account import NatsAccount
from .nats_credentials import NatsCredentials
from .nats_credentials_file import NatsCredentialsFile
from .update_nats_account_body import UpdateNatsAccountBody
from .update_nats_account_region import UpdateNatsAccountRegion

__all__ = (
    "CreateNatsAccountBody",
    "CreateNatsAccountRegion",
    "CreateNatsCredentialsBody",
    "CreateNatsCredentialsRegion",
    "DeleteNatsAccountRegion",
    "DeleteNatsCredentialsRegion",
    "GetNatsAccountRegion",
    "GetNatsCredentialsRegion",
    "ListNatsAccountsOrderBy",
    "ListNatsAccountsRegion",
    "ListNatsAccountsResponse",
    "ListNatsCredentialsOrderBy",
    "ListNatsCredentialsRegion",
    "ListNatsCredentialsResponse",
    "NatsAccount",
    "NatsCredentials",
    "NatsCredentialsFile",
    "UpdateNatsAccountBody",
    "UpdateNatsAccountRegion",
)
