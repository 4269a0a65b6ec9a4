"""The organisation admin, directory and statistics pages in a real browser: Debian's Chromium
driven by Playwright (no browser download), against pytest-django's live server. The capacity
update as a caseworker does it, the map drawing its layers (countries from the project's own
boundaries, coverage, facilities), and axe-core finding no serious or critical violation."""

import os

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from organisations.models import Facility
from tests.network import SHELTER_EXACT
from tests.organisations.factories import FacilityFactory, OrganisationFactory, member
from tests.referrals.factories import analyst, cover_country

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser(monkeypatch):
    """One Chromium per test. Playwright's sync API runs an event loop in this thread, so Django
    would refuse the test's own database calls as 'async' without the flag."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium package is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def sign_in(browser, live_server):
    """sign_in(user) -> a page of a browser context holding the user's session."""
    contexts = []

    def page_for(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": 1024, "height": 800})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield page_for
    for context in contexts:
        context.close()


@pytest.fixture
def shelter_network(reference_data):
    ngo = OrganisationFactory(name="Chiang Mai Shelter Network", kind="ngo", country="TH")
    other = OrganisationFactory(name="Mekong Legal Aid", kind="ngo", country="TH")
    cover_country(ngo)
    shelter = FacilityFactory(organisation=ngo, name="Riverside shelter", capacity_total=20, capacity_available=4,
                              location=Point(*SHELTER_EXACT, srid=4326))
    FacilityFactory(organisation=other, name="Legal aid office", kind="office", services=["legal_aid"],
                    location=Point(100.61, 13.81, srid=4326))
    return {"ngo": ngo, "shelter": shelter, "caseworker": member(ngo, "caseworker"), "admin": member(ngo, "admin"),
            "outsider": member(other, "caseworker")}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_a_caseworker_updates_free_beds_in_one_step(sign_in, live_server, shelter_network):
    page = sign_in(shelter_network["caseworker"])
    page.goto(f"{live_server.url}/app/organisation/facilities/")
    assert serious_violations(page) == []
    page.get_by_label("Beds free today").fill("9")
    page.get_by_role("button", name="Save free beds").click()
    page.get_by_text("Free beds saved.").wait_for()
    assert Facility.objects.get(pk=shelter_network["shelter"].pk).capacity_available == 9
    # a refusal is shown next to the field, with what was typed kept
    page.get_by_label("Beds free today").fill("25")
    page.get_by_role("button", name="Save free beds").click()
    page.get_by_text("cannot exceed capacity_total (20)").wait_for()
    assert page.get_by_label("Beds free today").input_value() == "25"
    assert Facility.objects.get(pk=shelter_network["shelter"].pk).capacity_available == 9


def test_the_map_draws_countries_coverage_and_facilities(sign_in, live_server, shelter_network):
    page = sign_in(shelter_network["outsider"])
    errors = []  # script errors (a CSP refusal among them) and failed requests, but the favicon's
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.goto(f"{live_server.url}/app/directory/")
    page.wait_for_selector("#map[data-state=ready]")
    assert page.locator("#map").get_attribute("data-countries") == "45"
    assert page.locator(".leaflet-overlay-pane path.layer-country").count() == 45
    assert page.locator(".leaflet-overlay-pane path.layer-coverage").count() == 1
    assert page.locator(".leaflet-overlay-pane path.layer-facility").count() == 2
    assert page.locator(".leaflet-tile-pane img").count() == 0  # no tile server configured: nothing fetched
    assert errors == []  # nothing refused by the CSP, nothing broken
    assert serious_violations(page) == []
    # filtered by service: only the legal aid office is left
    page.get_by_label("Service").select_option("legal_aid")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#map[data-state=ready]")
    assert page.locator(".leaflet-overlay-pane path.layer-facility").count() == 1
    assert page.locator(".leaflet-overlay-pane path.layer-coverage").count() == 0


@pytest.mark.parametrize("url", ["/app/organisation/", "/app/organisation/coverage/", "/app/organisation/members/",
                                 "/app/organisation/webhooks/", "/app/account/"])
def test_the_admin_pages_pass_axe(sign_in, live_server, shelter_network, url):
    page = sign_in(shelter_network["admin"])
    page.goto(f"{live_server.url}{url}")
    page.locator("h1").wait_for()
    assert serious_violations(page) == []


def test_the_statistics_page_passes_axe(sign_in, live_server, shelter_network):
    page = sign_in(analyst())
    page.goto(f"{live_server.url}/app/statistics/?group_by=urgency")
    page.get_by_role("heading", name="Statistics").wait_for()
    assert serious_violations(page) == []


def test_the_map_draws_the_activities_layer_and_its_toggle_hides_it(sign_in, live_server, shelter_network):
    from datetime import date

    from activities import services as activity_services

    activity_services.activity_create(organisation=shelter_network["ngo"], data={
        "kind": "training", "title": "Frontline training", "start": date(2026, 2, 1),
        "geometry": Point(100.5, 13.75, srid=4326)})
    page = sign_in(shelter_network["outsider"])
    page.goto(f"{live_server.url}/app/directory/")
    page.wait_for_selector("#map[data-activities-shown=true]")
    assert page.locator("#map").get_attribute("data-activities") == "1"
    assert page.locator(".leaflet-overlay-pane path.layer-activity").count() == 1
    page.get_by_label("Show the activities").uncheck()
    page.wait_for_selector("#map[data-activities-shown=false]")
    assert page.locator(".leaflet-overlay-pane path.layer-activity").count() == 0
