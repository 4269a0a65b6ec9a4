"""The console in a real browser (Debian's Chromium through Playwright): the whole lifecycle with
two people in two browser contexts, axe-core on every page, a 360 px phone screen, and the
keyboard alone. Run with `pytest -m browser`."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from referrals.models import Referral, Status
from tests.organisations.factories import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def assert_accessible(page) -> None:
    results = Axe().run(page)
    serious = [(v["id"], v["impact"], v["help"]) for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert not serious, f"{page.url}: {serious}"


def submit_referral(page, base_url: str) -> str:
    page.goto(f"{base_url}/app/referrals/new/")
    page.get_by_label("Your case reference").fill("BROWSER-CASE-1")
    page.get_by_label("Age band").select_option("18-20")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Labour", exact=True).check()
    page.get_by_label("Deception", exact=True).check()
    page.get_by_label("Safe accommodation", exact=True).check()
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_label("Area", exact=True).select_option(label="Thailand")
    page.get_by_label("The person gave consent").check()
    page.get_by_label("Notes").fill("Met during an inspection of a garment workshop.")
    page.get_by_role("button", name="Submit referral").click()
    page.wait_for_url(re.compile(r".*/app/referrals/[0-9a-f-]{36}/$"))
    return page.url


def test_the_whole_lifecycle_in_two_browsers(people, signed_in, live_server):
    government = signed_in(people.gov_caseworker)
    referral_url = submit_referral(government, live_server.url)
    assert "Submitted" in government.locator(".status").inner_text()
    government.wait_for_selector('#matches-map [data-match="Safe Haven Bangkok"]')  # the matches on a map
    government.get_by_label("Safe Haven Bangkok").check()
    government.get_by_role("button", name="Offer to selected").click()
    government.wait_for_load_state()
    assert "Offered" in government.locator(".status").inner_text()

    ngo = signed_in(people.ngo_caseworker)
    ngo.goto(f"{live_server.url}/app/inbox/")
    offer = ngo.locator(".card").first
    assert "left" in offer.inner_text()
    offer.get_by_role("link").click()
    ngo.get_by_role("button", name="Accept").click()
    ngo.wait_for_load_state()
    assert "Accepted" in ngo.locator(".status").inner_text()
    ngo.get_by_label("Type of outcome").select_option("safe_accommodation")
    ngo.get_by_label("Note").fill("Placed in the shelter.")
    ngo.get_by_role("button", name="Record outcome").click()
    ngo.wait_for_load_state()
    assert "Placed in the shelter." in ngo.locator(".outcomes").inner_text()
    ngo.get_by_label("Reason", exact=True).fill("Assistance completed.")
    ngo.get_by_role("button", name="Close referral").click()
    ngo.wait_for_load_state()
    assert "Closed" in ngo.locator(".status").inner_text()

    government.goto(referral_url)
    assert "Closed" in government.locator(".status").inner_text()
    assert "Placed in the shelter." in government.locator(".outcomes").inner_text()
    assert Referral.objects.get().status == Status.CLOSED


def test_screening_errors_show_on_the_form_and_keep_what_was_typed(people, signed_in, live_server):
    page = signed_in(people.gov_caseworker)
    page.goto(f"{live_server.url}/app/referrals/new/")
    page.get_by_label("Your case reference").fill("BROWSER-CASE-2")
    page.get_by_label("Labour", exact=True).check()
    page.get_by_label("Safe accommodation", exact=True).check()
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_label("Area", exact=True).select_option(label="Thailand")
    page.get_by_label("The person gave consent").check()
    page.get_by_label("Notes").fill("Her number is +66 81 234 5678")
    page.get_by_role("button", name="Submit referral").click()
    page.wait_for_load_state()
    error = page.locator(".field.invalid .error")
    assert "phone number" in error.inner_text().lower()
    assert page.get_by_label("Notes").input_value() == "Her number is +66 81 234 5678"
    assert page.get_by_label("Urgent", exact=True).is_checked()
    assert not Referral.objects.exists()


def test_a_viewer_finds_no_action_buttons(people, offered, signed_in, live_server):
    page = signed_in(people.ngo_viewer)
    page.goto(f"{live_server.url}/app/referrals/{offered.pk}/")
    for name in ("Accept", "Decline", "Record outcome", "Close referral"):
        assert page.get_by_role("button", name=name).count() == 0, name


def test_another_organisation_gets_the_404_page(people, offered, signed_in, live_server):
    page = signed_in(people.other_caseworker)
    response = page.goto(f"{live_server.url}/app/referrals/{offered.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()


def test_the_location_map_draws_the_boundaries_and_a_click_picks_the_area(people, signed_in, live_server, area):
    page = signed_in(people.gov_caseworker)
    page.goto(f"{live_server.url}/app/referrals/new/")
    page.wait_for_selector("#location-map path.leaflet-interactive")
    assert page.locator("#location-map path.leaflet-interactive").count() > 10
    thailand = str(area("TH").pk)
    page.locator(f'#location-map path[data-area="{thailand}"]').click()
    assert page.get_by_label("Area", exact=True).input_value() == thailand
    assert "Thailand" in page.locator("#map-status").inner_text()
    page.get_by_label("Your case reference").fill("BROWSER-CASE-3")
    page.get_by_label("Labour", exact=True).check()
    page.get_by_label("Safe accommodation", exact=True).check()
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_label("The person gave consent").check()
    page.get_by_role("button", name="Submit referral").click()
    page.wait_for_url(re.compile(r".*/app/referrals/[0-9a-f-]{36}/$"))
    assert Referral.objects.get().area.code == "TH"


def test_every_page_passes_axe(people, offered, signed_in, new_context, live_server):
    anonymous = new_context().new_page()
    anonymous.goto(f"{live_server.url}/app/login/")
    assert_accessible(anonymous)
    government = signed_in(people.gov_caseworker)
    for path in ("/app/inbox/", "/app/referrals/", "/app/referrals/new/", f"/app/referrals/{offered.pk}/"):
        government.goto(live_server.url + path)
        assert_accessible(government)
    government.goto(f"{live_server.url}/app/referrals/new/")
    government.get_by_role("button", name="Submit referral").click()  # the form with its errors
    government.wait_for_load_state()
    assert_accessible(government)
    ngo = signed_in(people.ngo_caseworker)
    for path in ("/app/inbox/", f"/app/referrals/{offered.pk}/"):
        ngo.goto(live_server.url + path)
        assert_accessible(ngo)
    other = signed_in(people.other_caseworker)
    other.goto(f"{live_server.url}/app/referrals/{offered.pk}/")
    assert_accessible(other)


def test_pages_fit_a_360_px_phone(people, offered, signed_in, live_server):
    for user, paths in ((people.gov_caseworker, ("/app/referrals/", "/app/referrals/new/")),
                        (people.ngo_caseworker, ("/app/inbox/", f"/app/referrals/{offered.pk}/"))):
        page = signed_in(user, width=360)
        for path in paths:
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow} px wider than the screen"
            assert_accessible(page)


def test_keyboard_alone_signs_in_and_accepts(people, offered, new_context, live_server):
    page = new_context().new_page()
    page.goto(f"{live_server.url}/app/login/")
    page.get_by_label("Username").focus()
    page.keyboard.type(people.ngo_caseworker.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/app/inbox/")
    page.locator(".card a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/app/referrals/[0-9a-f-]{36}/$"))
    accept = page.get_by_role("button", name="Accept")
    accept.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Accepted" in page.locator(".status").inner_text()


def test_sign_in_through_the_browser_shows_who_is_signed_in(people, new_context, live_server):
    page = new_context().new_page()
    sign_in(page, live_server.url, people.ngo_caseworker)
    assert "Safe Haven Bangkok" in page.locator(".who").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/app/login/")
