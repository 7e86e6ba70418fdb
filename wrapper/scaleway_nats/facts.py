"""Scaleway's facts about the NATS API, each once, with its source.

Used by the client (argument checks before sending), the emulator (what it answers) and the
tests (their oracles): a fact written twice would not make the emulator a more independent
oracle, since both copies would cite the same source. ``quotas.py`` re-exports the quotas.
"""

from __future__ import annotations

import ipaddress
import re

from scaleway_nats_api.models.create_nats_account_region import CreateNatsAccountRegion
from scaleway_nats_api.models.list_nats_accounts_order_by import ListNatsAccountsOrderBy

__all__ = [
    "ACCOUNT_ID_LENGTH",
    "ACCOUNT_ID_PATTERN",
    "ACCOUNT_NAME_MAX",
    "CREDENTIALS_NAME_MAX",
    "DEFAULT_ORDER",
    "MAX_ACCOUNTS",
    "MAX_CONSUMERS",
    "MAX_MEMORY",
    "MAX_PAYLOAD",
    "MAX_STORAGE",
    "MAX_STREAMS",
    "ORDERS",
    "PAGE_MAX",
    "PAGE_SIZE_DEFAULT",
    "PAGE_SIZE_MAX",
    "REGIONS",
    "is_loopback",
]

# -- the API surface ---------------------------------------------------------------------------

# Regions and list orders come from the spec (spec/scaleway-nats-api.yaml) through the
# generated enums: a region or order Scaleway adds arrives with `nox -s generate`, no hand edit.
REGIONS: tuple[str, ...] = tuple(region.value for region in CreateNatsAccountRegion)
ORDERS: tuple[str, ...] = tuple(order.value for order in ListNatsAccountsOrderBy)
DEFAULT_ORDER = "created_at_asc"  # the spec's default for order_by, both list operations

# Name lengths, in characters (runes): scaleway/scaleway-sdk-js
# packages_generated/mnq/src/v1beta1/validation-rules.gen.ts (NatsAccount name 1..64,
# NatsCredentials name 1..500).
ACCOUNT_NAME_MAX = 64
CREDENTIALS_NAME_MAX = 500

# Paging: page_size 1..100 (Scaleway's API reference for its list operations: "Value must be
# between 1 and 100"); the default 20 is not in the spec: our choice, listed in
# docs/emulator.md. `page` is an int32 (spec/scaleway-nats-api.yaml, both list operations).
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
PAGE_MAX = 2**31 - 1

# A NATS account id is the account's NKEY public key: 56 characters of upper-case base32
# starting with "A" (ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3 in
# scaleway/terraform-provider-scaleway internal/services/mnq/testdata/
# nats-credentials-basic.cassette.yaml). Scaleway answers a wrong length with "value length
# must be 56 runes"; no further check (e.g. the NKEY CRC) is known to happen server-side.
ACCOUNT_ID_LENGTH = 56
ACCOUNT_ID_PATTERN = re.compile(r"A[A-Z2-7]{55}")

# -- quotas ------------------------------------------------------------------------------------

# NATS accounts per organization: no published figure was found; 10 is our choice (listed in
# docs/emulator.md), the emulator's default `max_accounts`.
MAX_ACCOUNTS = 10

# Per NATS account: Scaleway's organization quotas page, NATS section (scaleway/docs-content
# pages/organizations-and-projects/additional-content/organization-quotas.mdx, as fixed in
# PR #5401): 300 MB stream storage (replicas counted), memory 0, 50 streams, 50 consumers per
# stream (nats-server counts the account ``consumer`` limit per stream), and the 512 KB message
# size of the NATS technical limitations.
MAX_STREAMS = 50
MAX_CONSUMERS = 50  # per stream
MAX_STORAGE = 300 * 1024 * 1024  # bytes, every replica counted
MAX_MEMORY = 0  # memory streams are refused ("insufficient resources")
MAX_PAYLOAD = 512 * 1024  # bytes per message

# -- our rule, not Scaleway's ------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an IP, without brackets or port) is this machine.

    Scaleway's API is never on loopback: only there may the secret key travel over http://
    (config.py), and only there do the emulator's helpers listen (latency.py, quickstart.py).
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
