"""The console's people: a government agency that submits, an NGO with a shelter that covers
Thailand and receives offers, and an unrelated NGO. Browser fixtures (Debian's Chromium driven by
Playwright) are here too, shared by every console browser test."""

from dataclasses import dataclass

import pytest
from django.test import Client

from referrals import services
from tests.organisations.factories import PASSWORD, FacilityFactory, OrganisationFactory, member
from tests.referrals.factories import cover_country, submit


@dataclass
class People:
    government: object
    ngo: object
    other_ngo: object
    gov_caseworker: object
    gov_viewer: object
    ngo_caseworker: object
    ngo_viewer: object
    other_caseworker: object

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def people(reference_data):
    government = OrganisationFactory(name="Thai Anti-Trafficking Unit", kind="government", country="TH")
    ngo = OrganisationFactory(name="Safe Haven Bangkok", kind="ngo", country="TH")
    other_ngo = OrganisationFactory(name="Unrelated Outreach", kind="ngo", country="TH")
    cover_country(ngo)
    FacilityFactory(organisation=ngo, name="Haven shelter", services=["shelter", "medical", "psychosocial"],
                    languages=["th", "en", "my"])
    return People(
        government=government, ngo=ngo, other_ngo=other_ngo,
        gov_caseworker=member(government, "caseworker"), gov_viewer=member(government, "viewer"),
        ngo_caseworker=member(ngo, "caseworker"), ngo_viewer=member(ngo, "viewer"),
        other_caseworker=member(other_ngo, "caseworker"),
    )


@pytest.fixture
def submitted(people):
    return submit(people.gov_caseworker, notes="Found during a labour inspection.")


@pytest.fixture
def offered(people, submitted):
    services.referral_route(referral=submitted, by=people.gov_caseworker, organisation_ids=[people.ngo.pk])
    submitted.refresh_from_db()
    return submitted


# --- browsers ---------------------------------------------------------------------------------

@pytest.fixture
def new_context(browser):
    """new_context(width=...) -> a fresh browser context (its own cookies: one person each)."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/app/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/app/inbox/")


@pytest.fixture
def signed_in(new_context, live_server):
    """signed_in(user, width=1280) -> a page of a new context, signed in as the user."""

    def make(user, width: int = 1280):
        page = new_context(width=width).new_page()
        sign_in(page, live_server.url, user)
        return page

    return make
