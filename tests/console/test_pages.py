"""The console's pages and actions through Django's test client: every page for the people who
use it, and the refusals (no session, a viewer, another organisation, the wrong step, screened
text, no CSRF token)."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from referrals import services
from referrals.models import Offer, Outcome, Referral, Status
from tests.organisations.factories import PASSWORD
from tests.referrals.factories import submit

pytestmark = pytest.mark.django_db

PAGES = ["/app/", "/app/inbox/", "/app/referrals/", "/app/referrals/new/"]


def form_data(place, **overrides) -> dict:
    data = {
        "case_id": "OUR-CASE-77", "age_band": "18-20", "gender": "female", "nationality": "MM",
        "languages": ["my"], "exploitation_types": ["labour"], "indicators": ["deception"],
        "needs": ["shelter", "medical"], "urgency": "urgent", "area": str(place.pk), "consent_given": "on",
        "consent_basis": "informed_consent", "notes": "Met during a labour inspection.",
    }
    data.update(overrides)
    return data


def buttons(response) -> set[str]:
    return set(re.findall(r"<button[^>]*>([^<]+)</button>", response.content.decode()))


ACTION_BUTTONS = {"Offer to selected", "Offer automatically", "Withdraw", "Withdraw consent", "Accept", "Decline",
                  "Record outcome", "Close referral"}


# --- no session ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", PAGES)
def test_pages_send_people_without_a_session_to_sign_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/app/login/?next=")


def test_the_root_sends_people_to_the_console():
    assert Client().get("/")["Location"] == "/app/"


def test_actions_without_a_session_change_nothing(offered, people):
    response = Client().post(f"/app/referrals/{offered.pk}/accept/")
    assert response.status_code == 302
    assert response["Location"].startswith("/app/login/")
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED


# --- sign-in ------------------------------------------------------------------------------------

def test_sign_in_form_has_its_labels_and_signs_in(people):
    client = Client()
    page = client.get("/app/login/").content.decode()
    for label in ("Username", "Password", "One-time code"):
        assert re.search(rf"<label for=\"id_\w+\">{label}", page), label
    assert ">Sign in</button>" in page
    response = client.post("/app/login/", {"username": people.ngo_caseworker.username, "password": PASSWORD})
    assert response.status_code == 302
    inbox = client.get(response["Location"], follow=True)
    text = inbox.content.decode()
    assert "Safe Haven Bangkok" in text
    assert "Caseworker" in text


def test_wrong_password_is_refused_on_the_form(people):
    response = Client().post("/app/login/", {"username": people.ngo_caseworker.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_two_factor_asks_for_the_one_time_code(people):
    TOTPDevice.objects.create(user=people.ngo_caseworker, name="app", confirmed=True)
    response = Client().post("/app/login/", {"username": people.ngo_caseworker.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Two-factor authentication is on for this account" in response.content.decode()
    response = Client().post("/app/login/", {"username": people.ngo_caseworker.username, "password": PASSWORD,
                                             "otp": "000000"})
    assert "The code is wrong" in response.content.decode()


def test_lockout_has_a_clear_message(people, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/app/login/", {"username": people.ngo_caseworker.username, "password": "wrong"})
    response = client.post("/app/login/", {"username": people.ngo_caseworker.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_sign_out_is_a_post(people):
    client = people.client(people.ngo_caseworker)
    assert client.get("/app/logout/").status_code == 405
    assert client.post("/app/logout/")["Location"] == "/app/login/"
    assert client.get("/app/inbox/").status_code == 302


def test_csrf_is_enforced(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.gov_caseworker)
    assert client.post("/app/logout/").status_code == 403
    assert client.post("/app/referrals/new/", {}).status_code == 403


# --- the government caseworker --------------------------------------------------------------------

def test_new_referral_form_has_every_field_in_words(people):
    page = people.client(people.gov_caseworker).get("/app/referrals/new/").content.decode()
    for words in ("Your case reference", "Age band", "18-20 years", "Nationality", "Myanmar", "Languages spoken",
                  "Forms of exploitation", "Domestic servitude", "Withholding of wages", "Needs", "Safe accommodation",
                  "Urgency", "Emergency", "Area", "Thailand", "Basis for sharing", "Informed consent", "Notes",
                  ">Submit referral</button>"):
        assert words in page, words


def test_submit_referral_creates_it_and_shows_its_page(people, area):
    client = people.client(people.gov_caseworker)
    response = client.post("/app/referrals/new/", form_data(area("TH")))
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get(submitting_organisation=people.government)
    assert response["Location"] == f"/app/referrals/{referral.pk}/"
    assert referral.area.code == "TH"
    assert referral.needs == ["shelter", "medical"]
    page = client.get(response["Location"]).content.decode()
    assert "Submitted" in page
    assert "Thailand" in page
    assert "OUR-CASE-77" not in page


def test_a_point_on_the_map_becomes_its_area(people, area):
    response = people.client(people.gov_caseworker).post(
        "/app/referrals/new/", form_data(area("TH"), area="", lat="13.7563", lon="100.5018"))
    assert response.status_code == 302
    assert Referral.objects.get(submitting_organisation=people.government).area.code == "TH"


def test_screening_error_is_next_to_the_field_and_nothing_is_written(people, area):
    data = form_data(area("TH"), area="", lat="13.7563", lon="100.5018", notes="Call her on +66 81 234 5678")
    response = people.client(people.gov_caseworker).post("/app/referrals/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    notes_field = re.search(r'<div class="field invalid">(?:(?!<div class="field).)*id="id_notes".*?</div>', page, re.S)
    assert notes_field, page[-3000:]
    assert "phone number" in notes_field.group(0).lower()
    assert not Referral.objects.exists()
    # what was typed is kept; the case reference and the coordinates are never sent back
    assert "Call her on +66 81 234 5678" in page
    assert re.search(r'value="urgent"[^>]*checked', page)
    assert "OUR-CASE-77" not in page
    assert "13.7563" not in page
    assert "100.5018" not in page
    assert re.search(rf'<option value="{area("TH").pk}" selected>Thailand', page)


def test_missing_location_is_asked_for(people, area):
    response = people.client(people.gov_caseworker).post("/app/referrals/new/", form_data(area("TH"), area=""))
    assert response.status_code == 400
    assert "Choose the area from the list, or click the map." in response.content.decode()


def test_submitter_routes_to_selected_matches(people, submitted):
    client = people.client(people.gov_caseworker)
    page = client.get(f"/app/referrals/{submitted.pk}/")
    assert page.status_code == 200
    assert {"Offer to selected", "Offer automatically", "Withdraw", "Withdraw consent"} <= buttons(page)
    assert "Safe Haven Bangkok" in page.content.decode()
    assert 'id="match-points"' in page.content.decode()  # and on the map, at the shown place
    assert "100.5018" not in page.content.decode()  # the shelter's exact place stays with its operator
    response = client.post(f"/app/referrals/{submitted.pk}/route/",
                           {"organisations": [str(people.ngo.pk)], "mode": "selected"})
    assert response.status_code == 302
    assert Offer.objects.filter(referral=submitted, organisation=people.ngo, status="pending").exists()


def test_offer_automatically(people, submitted):
    response = people.client(people.gov_caseworker).post(f"/app/referrals/{submitted.pk}/route/", {"mode": "auto"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.OFFERED


def test_offer_to_nobody_selected_is_refused_on_the_page(people, submitted):
    response = people.client(people.gov_caseworker).post(f"/app/referrals/{submitted.pk}/route/", {"mode": "selected"})
    assert response.status_code == 400
    assert "name at least one organisation" in response.content.decode()


def test_withdraw_asks_for_confirmation_first(people, submitted):
    client = people.client(people.gov_caseworker)
    confirm = client.post(f"/app/referrals/{submitted.pk}/withdraw/")
    assert confirm.status_code == 200
    assert "Withdraw the referral?" in confirm.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert client.post(f"/app/referrals/{submitted.pk}/withdraw/", {"confirm": "yes"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.WITHDRAWN


def test_withdraw_consent_asks_for_confirmation_first(people, offered):
    client = people.client(people.gov_caseworker)
    assert "withdrew consent?" in client.post(f"/app/referrals/{offered.pk}/withdraw-consent/").content.decode()
    assert client.post(f"/app/referrals/{offered.pk}/withdraw-consent/", {"confirm": "yes"}).status_code == 302
    offered.refresh_from_db()
    assert offered.consent_withdrawn is not None
    assert offered.notes == ""


def test_wrong_step_is_a_409_with_the_message(people, submitted):
    response = people.client(people.gov_caseworker).post(f"/app/referrals/{submitted.pk}/close/", {"reason": ""})
    assert response.status_code == 409
    assert "cannot be closed" in response.content.decode()


def test_list_filters_and_marks_changes_since_the_last_visit(people, submitted, offered):
    client = people.client(people.gov_caseworker)
    first = client.get("/app/referrals/").content.decode()
    assert str(submitted.pk)[:8] in first
    assert "Changed since your last visit" not in first
    Referral.objects.filter(pk=submitted.pk).update(updated=timezone.now() + timezone.timedelta(seconds=5))
    second = client.get("/app/referrals/").content.decode()
    assert "Changed since your last visit</span>" in second
    assert str(submitted.pk)[:8] not in client.get("/app/referrals/?status=withdrawn").content.decode()
    filtered = client.get("/app/referrals/?status=offered&urgency=urgent&period=7").content.decode()
    assert str(submitted.pk)[:8] in filtered


# --- the NGO caseworker ---------------------------------------------------------------------------

def test_inbox_shows_open_offers_most_urgent_first_with_time_left(people, offered):
    emergency = submit(people.gov_caseworker, urgency="emergency")
    services.referral_route(referral=emergency, by=people.gov_caseworker, organisation_ids=[people.ngo.pk])
    page = people.client(people.ngo_caseworker).get("/app/inbox/").content.decode()
    assert page.index(f"/app/referrals/{emergency.pk}/") < page.index(f"/app/referrals/{offered.pk}/")
    assert re.search(r"\d+ h \d+ min left", page)
    assert "Open offers (2)" in page


def test_ngo_accepts_records_an_outcome_and_closes(people, offered):
    client = people.client(people.ngo_caseworker)
    page = client.get(f"/app/referrals/{offered.pk}/")
    assert {"Accept", "Decline"} <= buttons(page)
    assert "Offer to selected" not in buttons(page)
    assert client.post(f"/app/referrals/{offered.pk}/accept/").status_code == 302
    page = client.get(f"/app/referrals/{offered.pk}/")
    assert {"Record outcome", "Close referral"} <= buttons(page)
    today = timezone.localdate().isoformat()
    response = client.post(f"/app/referrals/{offered.pk}/outcomes/",
                           {"type": "safe_accommodation", "date": today, "note": "Placed in the shelter."})
    assert response.status_code == 302
    assert Outcome.objects.filter(referral=offered, type="safe_accommodation").exists()
    assert client.post(f"/app/referrals/{offered.pk}/close/", {"reason": "Done."}).status_code == 302
    offered.refresh_from_db()
    assert offered.status == Status.CLOSED
    submitter_page = people.client(people.gov_caseworker).get(f"/app/referrals/{offered.pk}/").content.decode()
    assert "Safe accommodation" in submitter_page
    assert "Placed in the shelter." in submitter_page


def test_outcome_errors_are_next_to_the_field(people, offered):
    client = people.client(people.ngo_caseworker)
    client.post(f"/app/referrals/{offered.pk}/accept/")
    response = client.post(f"/app/referrals/{offered.pk}/outcomes/",
                           {"type": "medical_care", "date": timezone.localdate().isoformat(),
                            "note": "Write to her at someone@example.org"})
    assert response.status_code == 400
    assert "someone@example.org" in response.content.decode()  # kept, to correct
    assert not Outcome.objects.exists()


def test_decline_asks_a_reason_and_ends_access(people, offered):
    client = people.client(people.ngo_caseworker)
    assert client.post(f"/app/referrals/{offered.pk}/decline/", {"reason": ""}).status_code == 400
    response = client.post(f"/app/referrals/{offered.pk}/decline/", {"reason": "No beds for minors."})
    assert response["Location"] == "/app/inbox/"
    page = client.get(f"/app/referrals/{offered.pk}/")
    assert page.status_code == 404
    assert "cannot see it" in page.content.decode()


# --- refusals: a viewer, another organisation ---------------------------------------------------

@pytest.mark.parametrize(("viewer", "action", "data"), [
    ("gov_viewer", "route", {"organisations": [], "mode": "auto"}),
    ("gov_viewer", "withdraw", {"confirm": "yes"}),
    ("gov_viewer", "withdraw-consent", {"confirm": "yes"}),
    ("ngo_viewer", "accept", {}),
    ("ngo_viewer", "decline", {"reason": "No."}),
])
def test_a_viewer_sees_no_action_buttons_and_is_refused_when_posting(people, offered, viewer, action, data):
    client = people.client(getattr(people, viewer))
    page = client.get(f"/app/referrals/{offered.pk}/")
    assert page.status_code == 200
    assert not buttons(page) & ACTION_BUTTONS, buttons(page)
    response = client.post(f"/app/referrals/{offered.pk}/{action}/", data)
    assert response.status_code == 403
    assert "Viewers read referrals" in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED
    assert offered.consent_withdrawn is None


def test_a_viewer_may_not_submit(people, area):
    client = people.client(people.gov_viewer)
    assert client.get("/app/referrals/new/").status_code == 403
    assert client.post("/app/referrals/new/", form_data(area("TH"))).status_code == 403
    assert not Referral.objects.exists()
    assert "New referral" not in client.get("/app/inbox/").content.decode()


def test_another_organisation_gets_the_404_page(people, offered):
    client = people.client(people.other_caseworker)
    for response in (client.get(f"/app/referrals/{offered.pk}/"), client.post(f"/app/referrals/{offered.pk}/accept/")):
        assert response.status_code == 404
        assert "does not exist, or your organisation cannot see it" in response.content.decode()
    assert str(offered.pk)[:8] not in client.get("/app/referrals/").content.decode()
    assert str(offered.pk) not in client.get("/app/inbox/").content.decode()
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED


def test_unknown_console_page_is_the_console_404(people, settings):
    settings.DEBUG = False
    response = people.client(people.ngo_caseworker).get("/app/no-such-page/")
    assert response.status_code == 404
    assert "There is no such page" in response.content.decode()
    assert Client().get("/api/v1/no-such-thing/")["Content-Type"].startswith("application/problem+json")
