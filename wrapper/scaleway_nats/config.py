"""Configuration resolved as Scaleway's own CLI and SDKs do.

Order, first found wins, setting by setting:
1. explicit arguments;
2. environment: SCW_SECRET_KEY, SCW_ACCESS_KEY, SCW_DEFAULT_PROJECT_ID (or the
   quickstart's SCW_PROJECT_ID), SCW_DEFAULT_ORGANIZATION_ID, SCW_DEFAULT_REGION, SCW_API_URL;
3. the profile of the config file (SCW_CONFIG_PATH, else $XDG_CONFIG_HOME/scw/config.yaml,
   else ~/.config/scw/config.yaml), chosen by argument, SCW_PROFILE or `active_profile`,
   falling back on the file's top-level (default) profile key by key;
4. defaults: region fr-par, api_url https://api.scaleway.com.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from .errors import ArgumentValidationError, ConfigurationError
from .facts import is_loopback
from .models import REGIONS, Region

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_REGION",
    "Config",
    "check_api_url",
    "config_path",
    "resolve_config",
]

DEFAULT_API_URL = "https://api.scaleway.com"
DEFAULT_REGION: Region = "fr-par"

# setting -> environment variables, in order of precedence
_ENV: dict[str, tuple[str, ...]] = {
    "secret_key": ("SCW_SECRET_KEY",),
    "access_key": ("SCW_ACCESS_KEY",),
    "project_id": ("SCW_DEFAULT_PROJECT_ID", "SCW_PROJECT_ID"),
    "organization_id": ("SCW_DEFAULT_ORGANIZATION_ID",),
    "region": ("SCW_DEFAULT_REGION",),
    "api_url": ("SCW_API_URL",),
}
# setting -> key in a config file profile
_FILE_KEYS = {
    "secret_key": "secret_key",
    "access_key": "access_key",
    "project_id": "default_project_id",
    "organization_id": "default_organization_id",
    "region": "default_region",
    "api_url": "api_url",
}


# What a newcomer without a Scaleway account needs to read at the first error (issue 22).
OFFLINE_HINT = (
    "To run offline against the local emulator: `scw-nats local serve &` then "
    '`eval "$(scw-nats local env --wait 30)"` in the same shell '
    "(or, in Python, `scaleway_nats.local.LocalScaleway()`)"
)


@attrs.frozen
class Config:
    """Settings for one client. The secret key never shows in repr."""

    secret_key: str | None = attrs.field(default=None, repr=False)
    project_id: str | None = None
    region: str = DEFAULT_REGION  # one of REGIONS (from the spec; may hold more than Region)
    api_url: str = DEFAULT_API_URL
    access_key: str | None = None
    organization_id: str | None = None
    profile: str | None = None
    # where each setting came from ("argument", "env SCW_...", "profile x in /path", "default")
    sources: Mapping[str, str] = attrs.field(factory=dict, repr=False)

    @property
    def has_credentials(self) -> bool:
        return bool(self.secret_key)

    def require_credentials(self) -> Config:
        """Fail, naming what to set, unless a secret key and a project id are known and
        the API URL keeps the key secret."""
        missing = [
            f"{name} (argument {name}=..., environment {_ENV[name][0]}, "
            f"or `{_FILE_KEYS[name]}` in {config_path()})"
            for name in ("secret_key", "project_id")
            if not getattr(self, name)
        ]
        if missing:
            raise ConfigurationError(
                "missing Scaleway configuration: " + "; ".join(missing) + f". {OFFLINE_HINT}"
            )
        check_api_url(self.api_url, self.sources.get("api_url"))
        return self


def _source_name(source: str | None) -> str:
    """How a user sets api_url, as they would recognise it."""
    if source is None or source == "argument":
        return "argument api_url"
    if source.startswith("environment "):
        return source.removeprefix("environment ")
    return f"`api_url` in the {source}"


def check_api_url(url: str, source: str | None = None) -> str:
    """Refuse an API URL that is not http(s), or that would send the secret key in clear.

    X-Auth-Token travels in every request: over http:// only a loopback host (the local
    emulator) may receive it.
    """
    parsed = urllib.parse.urlsplit(url)
    scheme = parsed.scheme.lower()
    setting = _source_name(source)
    if scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigurationError(
            f"api_url {url!r} (from {setting}) must start with https:// (or http:// to a "
            "loopback host) and name a host"
        )
    if scheme == "http" and not is_loopback(parsed.hostname):
        raise ConfigurationError(
            f"api_url {url!r} (from {setting}) would send the secret key in clear text: "
            "use https://, or http:// only to a loopback host (localhost, 127.0.0.1, ::1)"
        )
    return url


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The Scaleway config file this process would read."""
    env = os.environ if environ is None else environ
    if env.get("SCW_CONFIG_PATH"):
        return Path(env["SCW_CONFIG_PATH"]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "scw" / "config.yaml"


def _load_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        # Never str(error): PyYAML quotes the offending line, which may hold the secret key.
        # The context mark is where the broken construct starts (e.g. an unclosed quote).
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigurationError(
            f"cannot parse Scaleway config file {path}{where}: {problem}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"Scaleway config file {path} is not a mapping")
    return data


def _profile_settings(
    data: Mapping[str, Any], profile: str | None, path: Path
) -> tuple[dict[str, str], dict[str, str]]:
    """Settings of `profile` over the file's default profile, and where each came from."""
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    layers: list[tuple[str, Mapping[str, Any]]] = [("default profile", data)]
    if profile and profile != "default":
        profiles = data.get("profiles") or {}
        if not isinstance(profiles, dict) or profile not in profiles:
            known = ", ".join(sorted(profiles)) if isinstance(profiles, dict) else ""
            raise ConfigurationError(
                f"profile {profile!r} not found in {path} (known profiles: {known or 'none'})"
            )
        layers.append((f"profile {profile}", profiles[profile] or {}))
    for label, layer in layers:
        for setting, key in _FILE_KEYS.items():
            if layer.get(key):
                values[setting] = str(layer[key])
                sources[setting] = f"{label} in {path}"
    return values, sources


def resolve_config(
    *,
    secret_key: str | None = None,
    project_id: str | None = None,
    region: str | None = None,
    api_url: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Resolve every setting from arguments, environment and config file (see module doc)."""
    env = os.environ if environ is None else environ
    explicit = {
        "secret_key": secret_key,
        "project_id": project_id,
        "region": region,
        "api_url": api_url,
    }
    path = config_path(env)
    data = _load_file(path)
    profile_name = profile or env.get("SCW_PROFILE") or data.get("active_profile") or None
    file_values, file_sources = _profile_settings(data, profile_name, path)

    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for setting in _ENV:
        argument = explicit.get(setting)
        env_name = next((name for name in _ENV[setting] if env.get(name)), None)
        if argument:
            values[setting], sources[setting] = argument, "argument"
        elif env_name:
            values[setting], sources[setting] = env[env_name], f"environment {env_name}"
        elif setting in file_values:
            values[setting], sources[setting] = file_values[setting], file_sources[setting]

    chosen_region = values.get("region", DEFAULT_REGION)
    if chosen_region not in REGIONS:
        raise ArgumentValidationError(
            "region",
            f"unknown region {chosen_region!r} (from {sources.get('region', 'default')}); "
            f"allowed: {', '.join(REGIONS)}",
        )
    url = check_api_url(values.get("api_url", DEFAULT_API_URL).rstrip("/"), sources.get("api_url"))
    return Config(
        secret_key=values.get("secret_key"),
        project_id=values.get("project_id"),
        region=chosen_region,
        api_url=url,
        access_key=values.get("access_key"),
        organization_id=values.get("organization_id"),
        profile=profile_name,
        sources=sources,
    )
