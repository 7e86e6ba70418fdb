"""Real-format ids for tests: NATS account ids are NKEY account public keys, not UUIDs.

Source: scaleway/terraform-provider-scaleway
internal/services/mnq/testdata/nats-credentials-basic.cassette.yaml records the account id
ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3 (56 characters, base32, "A" prefix).
"""

from __future__ import annotations

import base64
import os

EXAMPLE_ACCOUNT_ID = "ADES3CGQKR6ZABSF26Q4NOK6POEJ7H3Y5CLM4NLP4RIFS5TTAY7755Q3"


def new_account_id() -> str:
    """A random real-format NATS account id (56 upper-case base32 characters, ``A`` first)."""
    return "A" + base64.b32encode(os.urandom(35)).decode()[:55]
