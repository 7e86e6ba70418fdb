"""scaleway_nats: Python SDK, CLI and local emulator for Scaleway NATS (mnq/v1beta1)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
