"""Local emulator of Scaleway's NATS API (mnq/v1beta1), backed by real nats-servers.

Like moto for AWS: any spec-following client (including the official ``scaleway`` SDK) pointed
at ``api_url`` sees the real API; NATS clients get real, isolated accounts over TLS::

    with LocalScaleway() as env:  # or LocalScaleway(state_dir=path) to keep state
        # HTTP: X-Auth-Token: env.secret_key, default project env.project_id
        # NATS: nats.connect(env.regions["fr-par"], user_credentials=creds_path,
        #                    tls=ssl.create_default_context(cafile=env.ca_file))
        ...

Modules: ``jwt`` (nkeys identities, NATS JWTs, .creds files), ``tls`` (local CA + server cert),
``nats_server`` (config, supervised process, claims push), ``pusher`` (one ordered JWT pusher
per region: nats-server always holds the latest committed JWT), ``store`` (SQLite), ``service``
(what each write does to NATS), ``app`` (HTTP routes, validation, errors), ``faults`` (fault
injection), ``emulator`` (``LocalScaleway``), ``serve`` (foreground CLI server).

Matched facts (sources in the code): account ids are the account's NKEY public key; user JWTs
are issued by an account signing key with ``issuer_account``; the create answer names the file
"user.creds" with a SHA-1 checksum, Get/List answer ``"credentials": null``; names are 1..64
(accounts) and 1..500 (credentials) characters; 404 bodies say "namespace" for accounts.

Documented choices (Scaleway publishes nothing): the signing key is derived from the account
seed; a right-length but malformed account id, a control character or a lone surrogate in a
name get reason "format"; the account quota (``max_accounts``) counts accounts of an
organization across both regions; only file-backed JetStream storage is offered (300 MB,
``mem_storage`` 0); unknown body fields and query parameters are 400 "unknown".
"""

from .._extra import missing_extra

try:
    from .emulator import ApiPortTaken, LocalScaleway
    from .lock import StateDirLocked
    from .nats_server import NatsServerError
    from .store import Organization, StateError, seed_credentials
except ModuleNotFoundError as _error:  # the `local` extra is not installed: say what to do
    raise missing_extra(_error) from None

__all__ = [
    "ApiPortTaken",
    "LocalScaleway",
    "NatsServerError",
    "Organization",
    "StateDirLocked",
    "StateError",
    "seed_credentials",
]
