"""Re-vendor the recordings in this folder from git mirrors of Scaleway's repositories.

Usage: ``python tests/data/recordings/vendor.py TERRAFORM_GIT_DIR CLI_GIT_DIR``. Keeps only the
mnq/v1beta1 interactions (the Account and IAM calls around them name people's projects and
keys), numbers them with their index in the original file (``id``), and replaces every NKEY
seed by a same-shaped placeholder: a seed is a secret even for a deleted user. Before that it
checks, on the untouched file, that each ``checksum`` is the SHA-1 of its ``.creds`` content
(a relation the replay then checks on the emulator, since redaction breaks it here).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
SOURCES = {
    "terraform-provider-scaleway": [
        "internal/services/mnq/testdata/nats-account-basic.cassette.yaml",
        "internal/services/mnq/testdata/nats-credentials-basic.cassette.yaml",
        "internal/services/mnq/testdata/nats-credentials-update-name.cassette.yaml",
    ],
    "scaleway-cli": [
        "internal/namespaces/mnq/v1beta1/testdata/"
        "test-create-context-with-xdg-config-home-xdgconfighome-compliance.cassette.yaml",
    ],
}
SEED = re.compile(r"SU[A-Z2-7]{56}")
PLACEHOLDER = ("SU" + "REDACTED" * 8)[:58]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def check_checksums(interactions: list[dict[str, Any]]) -> None:
    for item in interactions:
        body = item["response"]["body"]
        if '"credentials":{' in body.replace(" ", ""):
            data = json.loads(body)
            content = data["credentials"]["content"].encode()
            assert hashlib.sha1(content).hexdigest() == data["checksum"]  # noqa: S324


def vendor(repo: Path, path: str) -> dict[str, Any]:
    commit = git(repo, "log", "-1", "--format=%H", "HEAD", "--", path).strip()
    original = yaml.safe_load(git(repo, "show", f"{commit}:{path}"))
    check_checksums(original["interactions"])
    kept = []
    for index, item in enumerate(original["interactions"]):
        if "/mnq/v1beta1/" not in item["request"]["url"]:
            continue
        item = {"id": index, **{k: v for k, v in item.items() if k != "id"}}
        for side in ("request", "response"):
            item[side]["body"] = SEED.sub(PLACEHOLDER, item[side]["body"])
        kept.append(item)
    return {"version": original["version"], "commit": commit, "interactions": kept}


def main(terraform: str, cli: str) -> None:
    mirrors = {"terraform-provider-scaleway": Path(terraform), "scaleway-cli": Path(cli)}
    for name, paths in SOURCES.items():
        for path in paths:
            data = vendor(mirrors[name], path)
            header = (
                f"# Vendored from https://github.com/scaleway/{name} {path}\n"
                f"# at commit {data.pop('commit')}: mnq/v1beta1 interactions only, NKEY seeds\n"
                "# replaced by a placeholder (see vendor.py and README.md in this folder).\n"
            )
            target = HERE / Path(path).name.replace(
                "test-create-context-with-xdg-config-home-xdgconfighome-compliance",
                "cli-create-context-xdg",
            )
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
            target.write_text(header + text)
            print(target.name, len(data["interactions"]), "interactions")


if __name__ == "__main__":
    main(*sys.argv[1:3])
