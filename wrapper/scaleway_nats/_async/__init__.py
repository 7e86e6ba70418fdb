"""The client logic, written once as async code; scripts/unasync.py makes the sync twin."""
