"""The image is built from the same list of packages as the wheel: an app left out of the
Dockerfile imports in development and fails in production (accounts once did)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def packages() -> set[str]:
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    return {pattern.removesuffix("*") for pattern in found["include"]}


def copied() -> set[str]:
    return set(re.findall(r"^COPY (\S+) \1$", (ROOT / "Dockerfile").read_text(), flags=re.M))


def test_the_image_copies_every_package_of_the_wheel_and_the_catalogues():
    assert copied() == packages() | {"locale"}


def test_every_installed_local_app_is_a_package_of_the_wheel():
    from django.conf import settings

    local = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert local <= packages()


def test_the_image_compiles_the_catalogues_it_copies():
    assert "compilemessages" in (ROOT / "Dockerfile").read_text()
