import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from geo.models import AdministrativeArea
from organisations.models import ServiceType
from organisations.taxonomy import taxonomy_ensure

from .organisations.factories import OrganisationFactory, member

BALI_PROCESS_MEMBER_COUNT = 45
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def pytest_configure(config):
    """The translations (locale/, issue 13) are compiled by `make setup`; a run straight after a
    change of a .po file, or without make, compiles what is missing or stale before any test
    (and before the test database's migrations fill the service taxonomy in every language)."""
    for catalogue in LOCALE_DIR.glob("*/LC_MESSAGES/django.po"):
        compiled = catalogue.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < catalogue.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(catalogue)], check=True)  # noqa: S603, S607


def ensure_reference_data() -> None:
    """Boundaries and the taxonomy survive between tests; transactional tests flush every table,
    so whoever comes after them reloads what is missing."""
    if AdministrativeArea.objects.filter(level=0).count() < BALI_PROCESS_MEMBER_COUNT:
        call_command("load_boundaries", verbosity=0)
    if not ServiceType.objects.exists():
        taxonomy_ensure(ServiceType)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture
def reference_data(db):
    ensure_reference_data()


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def area(reference_data):
    return lambda code: AdministrativeArea.objects.get(level=0, code=code)


@pytest.fixture
def ngo(reference_data):
    return OrganisationFactory(name="Bangkok Shelter Network", kind="ngo", country="TH")


@pytest.fixture
def other_ngo(reference_data):
    return OrganisationFactory(name="Mekong Legal Aid", kind="ngo", country="TH")


@pytest.fixture
def government(reference_data):
    return OrganisationFactory(name="Royal Thai Police ATHD", kind="government", country="TH")


@pytest.fixture
def members():
    """members(org) -> {"admin": user, "caseworker": user, "viewer": user}"""

    def make(organisation):
        return {role: member(organisation, role) for role in ("admin", "caseworker", "viewer")}

    return make


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, one for the whole run: Playwright's sync API keeps an event loop running
    in this thread while it is open, so a second `sync_playwright()` in the same session would be
    refused. `make setup` installs the package, so its absence fails rather than skips."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make setup` installs Debian's `chromium` package")
    from playwright.sync_api import sync_playwright

    # With that loop running, Django refuses ORM calls from this (synchronous) thread unless told
    # it is safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()
