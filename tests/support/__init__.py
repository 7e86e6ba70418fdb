"""Helpers shared by test modules. Test modules import helpers from here, never from conftest
modules (which hold fixtures only), so that a helper has one home and one meaning.

- ``serve``: start ``serve`` (or any process announcing itself on stdout) with a bounded wait.
- ``processes``: the emulator's child processes (Linux /proc), bounded waits, reaping.
- ``http_api``: raw HTTP to the emulator (``RawApi``), NATS connections, ``.creds`` files.
- ``reliability``: the figures line and the emulator's stored state, for reliability tests.
- ``cluster``: the 3-node cluster's size and region, and which node serves a client.
- ``in_process``: the emulator's API layers in-process for unit tests, and clients bound to them.
- ``clients``: our clients bound to a running emulator (sync or async).
"""
