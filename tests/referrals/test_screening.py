"""Free text is screened for personal data: referral notes, decline and close reasons, outcome notes."""

import pytest
from django.utils import timezone

from referrals.models import OfferStatus, Outcome, Referral, ReferralEvent, Status
from referrals.screening import KINDS, PersonalDataFound, find_personal_data, screen
from tests.conftest import client_for
from tests.helpers import assert_problem

from .factories import referral_payload, submit
from .helpers import REFERRALS, accept, message_for, url

# The kinds are stable codes; the refusal names them in words (KINDS).
PHONE = "phone"
EMAIL = "email"
DOCUMENT = "passport"
NATIONAL_ID = "national_id"
COORDINATES = "coordinates"

# (text, the kind of personal data it contains)
PERSONAL_DATA = [
    pytest.param("Her brother can be reached on 081 234 5678.", PHONE, id="thai-local-phone"),
    pytest.param("Call +66 81 234 5678 after 6pm.", PHONE, id="international-phone"),
    pytest.param("Call +66-81-234-5678 after 6pm.", PHONE, id="hyphenated-international-phone"),
    pytest.param("Contact the cousin at somchai.k@example.co.th please", EMAIL, id="e-mail"),
    pytest.param("Passport AB1234567 held by the employer.", DOCUMENT, id="passport"),
    pytest.param("Thai ID 1-2345-67890-12-3 on file.", NATIONAL_ID, id="thai-id"),
    pytest.param("Picked up at 13.7563, 100.5018 near the pier.", COORDINATES, id="coordinates"),
]

HARMLESS = [
    pytest.param("Interviewed on 2024-05-01 at the labour office.", id="iso-date"),
    pytest.param("Identified on 01/05/2024.", id="slashed-date"),
    pytest.param("The girl is aged 17.", id="age"),
    pytest.param("She owed 30000 baht to the broker.", id="debt"),
    pytest.param("They worked 12 hours a day, 7 days a week.", id="hours"),
    pytest.param("Met on 2024-05-01, aged 17, owed 30000 baht, worked 12 hours a day.", id="all-together"),
    pytest.param("", id="empty"),
]


# --- the screening function itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        *PERSONAL_DATA,
        pytest.param("081 234 5678", PHONE, id="bare-thai-local-phone"),
        pytest.param("0812345678", PHONE, id="unspaced-thai-phone"),
        pytest.param("+62 812 3456 7890", PHONE, id="indonesian-phone"),
        # Found by these tests: the date filter took "66-81-234" for a date and hid the number.
        pytest.param("+66-81-234-5678", PHONE, id="bare-hyphenated-international-phone"),
        pytest.param("+66.81.234.5678", PHONE, id="dotted-international-phone"),
        pytest.param("+62-21-555-0123", PHONE, id="hyphenated-jakarta-landline"),
        pytest.param("a@b.co", EMAIL, id="short-e-mail"),
        pytest.param("AB1234567", DOCUMENT, id="bare-passport"),
        pytest.param("A1234567", DOCUMENT, id="one-letter-passport"),
        pytest.param("3201234567890001", NATIONAL_ID, id="indonesian-nik"),
        pytest.param("13.7563,100.5018", COORDINATES, id="unspaced-coordinates"),
        pytest.param("13°45'22\"N 100°30'06\"E", COORDINATES, id="degrees-minutes"),
        # Found by these tests: hemisphere letters or a longitude label hid the pair from the pattern.
        pytest.param("Found at 13.7563N 100.5018E.", COORDINATES, id="hemispheres-after"),
        pytest.param("Found at N13.7563 E100.5018.", COORDINATES, id="hemispheres-before"),
        pytest.param("13.7563° N, 100.5018° E", COORDINATES, id="degree-sign-hemispheres"),
        pytest.param("lat 13.7563 lon 100.5018", COORDINATES, id="labelled"),
        pytest.param("-6.2088, 106.8456", COORDINATES, id="southern-hemisphere"),
        *[pytest.param(p.values[0], None, id=f"harmless-{p.id}") for p in HARMLESS],
        pytest.param("Seen between 13.7 and 100.5 km from the border.", None, id="short-decimals"),
        pytest.param("12 people on 4 boats for 30 days.", None, id="small-numbers"),
        pytest.param("Paid 5000-6000 baht a month.", None, id="range"),
        pytest.param("Met 12.03.2024, then 2024-05-01/2024-06-01.", None, id="dotted-date-and-date-range"),
        # A date of birth is personal data; other dates are not.
        pytest.param("Born 12.03.2007, met 2024-05-01/2024-06-01.", "date_of_birth", id="date-of-birth"),
    ],
)
def test_find_personal_data(text, kind):
    assert find_personal_data(text) == kind


def test_screen_raises_with_the_kind_found():
    with pytest.raises(PersonalDataFound) as raised:
        screen("mail me at x@example.org")
    assert raised.value.kind == EMAIL
    assert str(KINDS[EMAIL]) == "an e-mail address"
    assert str(raised.value) == "contains an e-mail address; remove personal data before submitting"
    assert screen("aged 17") is None


# --- referral notes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), PERSONAL_DATA)
def test_notes_with_personal_data_are_refused_and_nothing_is_stored(cast, text, kind):
    response = client_for(cast.submitter_caseworker).post(REFERRALS, referral_payload(notes=text), format="json")

    assert_problem(response, 400, "notes")
    assert str(KINDS[kind]) in message_for(response, "notes")
    assert Referral.objects.count() == 0
    assert ReferralEvent.objects.count() == 0


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_notes_are_accepted(cast, text):
    response = client_for(cast.submitter_caseworker).post(REFERRALS, referral_payload(notes=text), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["notes"] == text
    assert Referral.objects.get(pk=response.json()["id"]).notes == text


# --- decline and close reasons, outcome notes ---------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), PERSONAL_DATA)
def test_a_decline_reason_with_personal_data_is_refused(cast, offered_referral, text, kind):
    response = client_for(cast.offered_caseworker).post(
        url(offered_referral, "decline"), {"reason": text}, format="json"
    )

    assert_problem(response, 400, "reason")
    assert str(KINDS[kind]) in message_for(response, "reason")
    offer = offered_referral.offers.get(organisation=cast.offered)
    assert offer.status == OfferStatus.PENDING
    assert offer.reason == ""
    offered_referral.refresh_from_db()
    assert offered_referral.status == Status.OFFERED


def test_a_harmless_decline_reason_is_accepted(cast, offered_referral):
    response = client_for(cast.offered_caseworker).post(
        url(offered_referral, "decline"), {"reason": "No space until 2024-05-01 for girls aged 17."}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert offered_referral.offers.get(organisation=cast.offered).status == OfferStatus.DECLINED


@pytest.mark.parametrize(("text", "kind"), PERSONAL_DATA)
def test_a_close_reason_with_personal_data_is_refused(cast, offered_referral, text, kind):
    accept(offered_referral, cast.offered_caseworker)

    response = client_for(cast.offered_caseworker).post(url(offered_referral, "close"), {"reason": text},
                                                         format="json")

    assert_problem(response, 400, "reason")
    assert str(KINDS[kind]) in message_for(response, "reason")
    offered_referral.refresh_from_db()
    assert offered_referral.status == Status.ACCEPTED
    assert offered_referral.close_reason == ""


def test_a_harmless_close_reason_is_accepted(cast, offered_referral):
    accept(offered_referral, cast.offered_caseworker)

    response = client_for(cast.offered_caseworker).post(
        url(offered_referral, "close"), {"reason": "Returned home; owed 30000 baht in wages."}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.CLOSED


@pytest.mark.parametrize(("text", "kind"), PERSONAL_DATA)
def test_an_outcome_note_with_personal_data_is_refused(cast, offered_referral, text, kind):
    accept(offered_referral, cast.offered_caseworker)

    response = client_for(cast.offered_caseworker).post(
        url(offered_referral, "outcomes"),
        {"type": "medical_care", "date": timezone.localdate().isoformat(), "note": text},
        format="json",
    )

    assert_problem(response, 400, "note")
    assert str(KINDS[kind]) in message_for(response, "note")
    assert Outcome.objects.count() == 0
    offered_referral.refresh_from_db()
    assert offered_referral.status == Status.ACCEPTED


def test_a_harmless_outcome_note_is_accepted(cast, offered_referral):
    accept(offered_referral, cast.offered_caseworker)

    response = client_for(cast.offered_caseworker).post(
        url(offered_referral, "outcomes"),
        {"type": "medical_care", "date": timezone.localdate().isoformat(), "note": "Treated, worked 12 hours a day."},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert Outcome.objects.get().note == "Treated, worked 12 hours a day."


@pytest.mark.parametrize(("text", "kind"), PERSONAL_DATA)
def test_corrected_notes_with_personal_data_are_refused(cast, text, kind):
    referral = submit(cast.submitter_caseworker)
    client = client_for(cast.submitter_caseworker)
    etag = client.get(url(referral))["ETag"]

    response = client.patch(url(referral), {"notes": text}, format="json", headers={"If-Match": etag})

    assert_problem(response, 400, "notes")
    assert str(KINDS[kind]) in message_for(response, "notes")
    assert Referral.objects.get(pk=referral.pk).notes == referral.notes
    assert not referral.events.filter(action="updated").exists()
