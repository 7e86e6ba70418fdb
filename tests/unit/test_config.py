"""Configuration: arguments > environment > config file profile > defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from scaleway_nats import (
    ArgumentValidationError,
    AsyncNatsAPI,
    Config,
    ConfigurationError,
    NatsAPI,
    resolve_config,
)
from scaleway_nats.config import DEFAULT_API_URL, config_path

InProcessScaleway = Any  # the fixture's type (see conftest.py)

KEY_ARG = "aaaaaaaa-0000-0000-0000-000000000001"
KEY_ENV = "bbbbbbbb-0000-0000-0000-000000000002"
KEY_TOP = "cccccccc-0000-0000-0000-000000000003"
KEY_PROFILE = "dddddddd-0000-0000-0000-000000000004"
PROJECT_ARG = "11111111-0000-0000-0000-00000000000a"
PROJECT_ENV = "22222222-0000-0000-0000-00000000000b"
PROJECT_FALLBACK = "33333333-0000-0000-0000-00000000000c"
PROJECT_TOP = "44444444-0000-0000-0000-00000000000d"
PROJECT_PROFILE = "55555555-0000-0000-0000-00000000000e"

FILE = {
    "secret_key": KEY_TOP,
    "default_project_id": PROJECT_TOP,
    "default_region": "fr-par",
    "api_url": "https://top.example",
    "profiles": {
        "prod": {
            "secret_key": KEY_PROFILE,
            "default_project_id": PROJECT_PROFILE,
            "default_region": "nl-ams",
        },
        "staging": {"api_url": "https://staging.example/"},
    },
}


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(FILE))
    return path


def env(config: Path, **variables: str) -> dict[str, str]:
    return {"SCW_CONFIG_PATH": str(config), **variables}


def test_defaults_without_any_setting(tmp_path: Path) -> None:
    config = resolve_config(environ=env(tmp_path / "missing.yaml"))

    assert config.region == "fr-par"
    assert config.api_url == DEFAULT_API_URL == "https://api.scaleway.com"
    assert config.secret_key is None
    assert config.project_id is None
    assert not config.has_credentials


def test_top_level_of_the_file_is_the_default_profile(config_file: Path) -> None:
    config = resolve_config(environ=env(config_file))

    assert config.secret_key == KEY_TOP
    assert config.project_id == PROJECT_TOP
    assert config.api_url == "https://top.example"
    assert config.sources["secret_key"].endswith(str(config_file))


def test_profile_overrides_top_level_key_by_key(config_file: Path) -> None:
    config = resolve_config(environ=env(config_file, SCW_PROFILE="prod"))

    assert config.profile == "prod"
    assert config.secret_key == KEY_PROFILE
    assert config.project_id == PROJECT_PROFILE
    assert config.region == "nl-ams"
    assert config.api_url == "https://top.example"  # not in the profile: from the top level


def test_active_profile_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({**FILE, "active_profile": "prod"}))

    assert resolve_config(environ=env(path)).secret_key == KEY_PROFILE
    # SCW_PROFILE beats active_profile, and the argument beats both
    assert resolve_config(environ=env(path, SCW_PROFILE="default")).secret_key == KEY_TOP
    chosen = resolve_config(profile="staging", environ=env(path, SCW_PROFILE="prod"))
    assert chosen.secret_key == KEY_TOP
    assert chosen.api_url == "https://staging.example"  # trailing slash dropped


def test_environment_beats_the_file(config_file: Path) -> None:
    config = resolve_config(
        environ=env(
            config_file,
            SCW_PROFILE="prod",
            SCW_SECRET_KEY=KEY_ENV,
            SCW_DEFAULT_PROJECT_ID=PROJECT_ENV,
            SCW_DEFAULT_REGION="fr-par",
            SCW_API_URL="https://env.example",
        )
    )

    assert config.secret_key == KEY_ENV
    assert config.project_id == PROJECT_ENV
    assert config.region == "fr-par"
    assert config.api_url == "https://env.example"
    assert config.sources["secret_key"] == "environment SCW_SECRET_KEY"


def test_arguments_beat_the_environment(config_file: Path) -> None:
    config = resolve_config(
        secret_key=KEY_ARG,
        project_id=PROJECT_ARG,
        region="nl-ams",
        api_url="https://arg.example",
        environ=env(
            config_file,
            SCW_SECRET_KEY=KEY_ENV,
            SCW_DEFAULT_PROJECT_ID=PROJECT_ENV,
            SCW_DEFAULT_REGION="fr-par",
            SCW_API_URL="https://env.example",
        ),
    )

    assert (config.secret_key, config.project_id, config.region, config.api_url) == (
        KEY_ARG,
        PROJECT_ARG,
        "nl-ams",
        "https://arg.example",
    )
    assert set(config.sources.values()) >= {"argument"}
    assert config.sources["region"] == "argument"


def test_scw_project_id_is_a_fallback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"

    only_fallback = resolve_config(environ=env(missing, SCW_PROJECT_ID=PROJECT_FALLBACK))
    both = resolve_config(
        environ=env(missing, SCW_PROJECT_ID=PROJECT_FALLBACK, SCW_DEFAULT_PROJECT_ID=PROJECT_ENV)
    )

    assert only_fallback.project_id == PROJECT_FALLBACK
    assert both.project_id == PROJECT_ENV


def test_empty_environment_variables_are_ignored(config_file: Path) -> None:
    config = resolve_config(environ=env(config_file, SCW_SECRET_KEY="", SCW_DEFAULT_REGION=""))

    assert config.secret_key == KEY_TOP
    assert config.region == "fr-par"


def test_unknown_profile_lists_the_known_ones(config_file: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(profile="nope", environ=env(config_file))

    message = str(caught.value)
    assert "'nope'" in message
    assert "prod, staging" in message


def test_unknown_profile_without_profiles(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("secret_key: x\n")

    with pytest.raises(ConfigurationError, match="known profiles: none"):
        resolve_config(environ=env(path, SCW_PROFILE="prod"))


@pytest.mark.parametrize(
    "variables",
    [{"SCW_DEFAULT_REGION": "xx-yyy"}, {}],
    ids=["environment", "argument"],
)
def test_unknown_region_is_refused(tmp_path: Path, variables: dict[str, str]) -> None:
    region = None if variables else "xx-yyy"

    with pytest.raises(ArgumentValidationError) as caught:
        resolve_config(region=region, environ=env(tmp_path / "missing.yaml", **variables))

    assert caught.value.details[0].argument_name == "region"
    message = str(caught.value)
    assert "xx-yyy" in message
    assert "fr-par" in message
    assert "nl-ams" in message
    if variables:
        assert "SCW_DEFAULT_REGION" in message  # says where the bad value came from


def test_api_url_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="api_url"):
        resolve_config(api_url="ftp://example", environ=env(tmp_path / "missing.yaml"))


@pytest.mark.parametrize("text", ["secret_key: [unclosed\n", "- a list\n"])
def test_a_broken_config_file_is_reported(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)

    with pytest.raises(ConfigurationError, match=str(path)):
        resolve_config(environ=env(path))


def test_empty_config_file_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("")

    assert resolve_config(environ=env(path)).region == "fr-par"


def test_config_path_lookup(tmp_path: Path) -> None:
    assert config_path({"SCW_CONFIG_PATH": "/x/c.yaml"}) == Path("/x/c.yaml")
    assert config_path({"XDG_CONFIG_HOME": "/xdg"}) == Path("/xdg/scw/config.yaml")
    assert config_path({}) == Path.home() / ".config" / "scw" / "config.yaml"


def test_os_environ_is_read_when_no_environ_is_given(
    monkeypatch: pytest.MonkeyPatch, isolated_environment: Path
) -> None:
    monkeypatch.setenv("SCW_SECRET_KEY", KEY_ENV)
    isolated_environment.write_text(yaml.safe_dump({"default_project_id": PROJECT_TOP}))

    config = resolve_config()

    assert config.secret_key == KEY_ENV
    assert config.project_id == PROJECT_TOP


# -- the clients ----------------------------------------------------------------------------


def test_client_without_secret_key_names_the_variable(fake: InProcessScaleway) -> None:
    with pytest.raises(ConfigurationError) as caught:
        NatsAPI(project_id=PROJECT_ARG, transport=fake.transport())

    assert "SCW_SECRET_KEY" in str(caught.value)
    assert fake.total == 0


def test_client_without_project_names_the_variable(fake: InProcessScaleway) -> None:
    with pytest.raises(ConfigurationError, match="SCW_DEFAULT_PROJECT_ID"):
        NatsAPI(secret_key=KEY_ARG, transport=fake.transport())


def test_client_with_an_unknown_region(fake: InProcessScaleway) -> None:
    with pytest.raises(ArgumentValidationError, match="region"):
        NatsAPI(secret_key=KEY_ARG, project_id=PROJECT_ARG, region="mars-1")


def test_client_reads_environment_and_file(
    monkeypatch: pytest.MonkeyPatch, isolated_environment: Path, fake: InProcessScaleway
) -> None:
    isolated_environment.write_text(
        yaml.safe_dump({"secret_key": fake.secret_key, "default_region": "nl-ams"})
    )
    monkeypatch.setenv("SCW_PROJECT_ID", fake.project_id)
    monkeypatch.setenv("SCW_API_URL", fake.api_url)

    with NatsAPI(transport=fake.transport()) as api:
        assert (api.region, api.project_id) == ("nl-ams", fake.project_id)
        account = api.create_account()

    assert account.region == "nl-ams"
    assert account.project_id == fake.project_id
    assert account.id in fake.accounts["nl-ams"]


def test_explicit_config_object_is_used(fake: InProcessScaleway) -> None:
    config = Config(secret_key=fake.secret_key, project_id=fake.project_id, api_url=fake.api_url)

    with NatsAPI(config=config, transport=fake.transport()) as api:
        assert api.config is config
        api.create_account()

    assert len(fake.accounts["fr-par"]) == 1


def test_requests_carry_the_token_and_user_agent(fake: InProcessScaleway) -> None:
    seen: list[httpx.Request] = []
    fake.on_request = seen.append

    with NatsAPI(
        secret_key=fake.secret_key,
        project_id=fake.project_id,
        api_url=fake.api_url + "/",
        transport=fake.transport(),
    ) as api:
        api.list_accounts().first()

    assert seen[0].headers["X-Auth-Token"] == fake.secret_key
    assert seen[0].headers["User-Agent"].startswith("scaleway-nats/")
    assert str(seen[0].url).startswith("https://scaleway.test/mnq/v1beta1/regions/fr-par/")


def test_list_concurrency_must_be_positive(fake: InProcessScaleway) -> None:
    with pytest.raises(ValueError, match="list_concurrency"):
        NatsAPI(secret_key=KEY_ARG, project_id=PROJECT_ARG, list_concurrency=0)


async def test_secret_key_never_shows_in_repr(fake: InProcessScaleway) -> None:
    config = resolve_config(secret_key=KEY_ARG, project_id=PROJECT_ARG)
    sync_api = NatsAPI(config=config, transport=fake.transport())
    async_api = AsyncNatsAPI(config=config, transport=fake.async_transport())
    try:
        texts = [repr(config), str(config), repr(sync_api), repr(async_api)]
    finally:
        sync_api.close()
        await async_api.aclose()

    for text in texts:
        assert KEY_ARG not in text
    assert PROJECT_ARG in repr(config)
    assert PROJECT_ARG in repr(sync_api)


LEAKY_KEY = "3f9c2e71-8b4d-4a6e-9c15-d2e8f0a7b364"


@pytest.mark.parametrize(
    "text",
    [
        f'secret_key: "{LEAKY_KEY}\n',  # unterminated quote
        f"secret_key: {LEAKY_KEY} : oops\n",  # stray colon
    ],
    ids=["unterminated-quote", "stray-colon"],
)
def test_a_broken_config_file_error_does_not_quote_the_secret_key(
    tmp_path: Path, text: str
) -> None:
    # BUG: config.py _load_file puts str(yaml.YAMLError) in the message, and PyYAML's
    # message quotes the offending line of the file (a 75-character snippet): most of
    # the secret key ends up in the exception, hence in logs and tracebacks.
    path = tmp_path / "config.yaml"
    path.write_text(text)

    with pytest.raises(ConfigurationError) as caught:
        resolve_config(environ=env(path))

    message = str(caught.value)
    assert str(path) in message
    assert "line 1" in message  # still says where the problem is
    leaked = [LEAKY_KEY[i : i + 8] for i in range(len(LEAKY_KEY) - 7)]
    assert not [part for part in leaked if part in message]


# -- no secret over cleartext (issue 10 item 8) ---------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://api.scaleway.com", "http://10.0.0.8:8080", "http://example.com/", "HTTP://x.y"]
)
def test_cleartext_api_url_to_another_host_is_refused_naming_the_setting(
    tmp_path: Path, url: str
) -> None:
    with pytest.raises(ConfigurationError) as from_env:
        resolve_config(environ=env(tmp_path / "missing.yaml", SCW_API_URL=url))
    with pytest.raises(ConfigurationError) as from_argument:
        resolve_config(api_url=url, environ=env(tmp_path / "missing.yaml"))

    assert "SCW_API_URL" in str(from_env.value) and "https://" in str(from_env.value)
    assert "api_url" in str(from_argument.value)


def test_cleartext_api_url_from_a_config_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("api_url: http://api.example\n")

    with pytest.raises(ConfigurationError) as caught:
        resolve_config(environ=env(path))

    assert str(path) in str(caught.value) and "api_url" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8443", "http://localhost:1234", "http://[::1]:80", "http://127.3.2.1"],
)
def test_cleartext_to_loopback_stays_allowed(tmp_path: Path, url: str) -> None:
    config = resolve_config(api_url=url, environ=env(tmp_path / "missing.yaml"))

    assert config.api_url == url


def test_a_config_object_with_a_cleartext_url_is_refused_by_the_client() -> None:
    from scaleway_nats import Config, NatsAPI

    config = Config(secret_key=KEY_ARG, project_id=PROJECT_ARG, api_url="http://api.example")

    with pytest.raises(ConfigurationError, match="api_url"):
        NatsAPI(config=config)
