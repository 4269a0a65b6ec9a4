"""POST /api/v1/referrals/: what a submission must contain, what is stored of it, and who may submit."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geo.models import AdministrativeArea
from referrals.models import Referral, ReferralEvent
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import OrganisationFactory, member

from .factories import referral_payload
from .helpers import REFERRALS

pytestmark = pytest.mark.django_db


def post(user, payload):
    return client_for(user).post(REFERRALS, payload, format="json")


def stored_row(referral_id) -> dict:
    """The referral's row exactly as PostgreSQL holds it, with the point as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(r)::text, ST_AsText(r.location), ST_X(r.location), ST_Y(r.location) "
            "FROM referrals_referral r WHERE r.id = %s",
            [str(referral_id)],
        )
        row_json, wkt, x, y = cursor.fetchone()
    return {"json": row_json, "wkt": wkt, "x": x, "y": y}


# --- the happy path ---------------------------------------------------------------------------


def test_a_valid_referral_is_created_and_the_case_reference_is_never_shown(cast):
    response = post(cast.submitter_caseworker, referral_payload(case_reference="ATHD/2024/0917"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert "case_reference" not in body
    assert "ATHD/2024/0917" not in response.content.decode()
    assert len(body["subject_key"]) == 16
    assert body["status"] == "submitted"
    assert body["submitting_organisation"]["id"] == str(cast.government.pk)
    assert body["profile"] == {"age_band": "18-20", "gender": "female", "nationality": "MM", "languages": ["my"]}
    assert body["consent"] == {"given": True, "basis": "informed_consent"}
    assert body["exploitation_types"] == ["labour"]
    assert body["needs"] == ["shelter", "medical"]

    referral = Referral.objects.get(pk=body["id"])
    assert referral.submitting_organisation == cast.government
    assert referral.submitted_by == cast.submitter_caseworker
    assert len(referral.subject_hash) == 64
    assert referral.subject_hash.startswith(body["subject_key"])
    assert "ATHD/2024/0917" not in stored_row(referral.pk)["json"]
    assert ReferralEvent.objects.filter(referral=referral, action="submitted").count() == 1


def test_the_same_case_reference_links_up_within_one_organisation_only(cast):
    first = post(cast.submitter_caseworker, referral_payload(case_reference="TH-0042"))
    # Another member of the same agency, with the reference written slightly differently.
    second = post(cast.submitter_admin, referral_payload(case_reference="  th-0042 "))
    other_agency = post(cast.other_government_caseworker, referral_payload(case_reference="TH-0042"))
    another_case = post(cast.submitter_caseworker, referral_payload(case_reference="TH-0043"))

    for response in (first, second, other_agency, another_case):
        assert response.status_code == 201, response.json()
    assert first.json()["subject_key"] == second.json()["subject_key"]
    assert first.json()["subject_key"] != other_agency.json()["subject_key"]
    assert first.json()["subject_key"] != another_case.json()["subject_key"]
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize(
    ("lat", "lon", "coarse", "country"),
    [
        (13.7563, 100.5018, [100.5, 13.8], "TH"),  # Bangkok
        (18.7883, 98.9853, [99.0, 18.8], "TH"),  # Chiang Mai
        (-6.2088, 106.8456, [106.8, -6.2], "ID"),  # Jakarta
    ],
)
def test_coordinates_are_generalised_and_never_stored(cast, lat, lon, coarse, country):
    response = post(cast.submitter_caseworker, referral_payload(location={"lat": lat, "lon": lon}))

    assert response.status_code == 201, response.json()
    location = response.json()["location"]
    assert location["point"]["coordinates"] == pytest.approx(coarse)
    assert location["country"] == country
    country_area = AdministrativeArea.objects.get(level=0, code=country)
    assert location["area"] == country_area.pk
    assert str(lat) not in response.content.decode()
    assert str(lon) not in response.content.decode()

    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.area == country_area
    row = stored_row(referral.pk)
    assert [row["x"], row["y"]] == pytest.approx(coarse)
    for raw in (str(lat), str(lon)):
        assert raw not in row["wkt"]
        assert raw not in row["json"]
    for event in ReferralEvent.objects.filter(referral=referral):
        assert str(lat) not in json.dumps(event.detail)


def test_a_location_given_as_an_area_is_stored_as_that_area(cast, area):
    thailand = area("TH")
    response = post(cast.submitter_caseworker, referral_payload(location={"area": thailand.pk}))

    assert response.status_code == 201, response.json()
    location = response.json()["location"]
    assert location["area"] == thailand.pk
    assert location["country"] == "TH"
    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.area == thailand
    # A point of the area, on the coarse grid.
    for coordinate in (referral.location.x, referral.location.y):
        assert round(coordinate * 10) == pytest.approx(coordinate * 10)
    assert thailand.geometry.buffer(0.1).covers(referral.location)


# --- refusals ---------------------------------------------------------------------------------


def _set(path: str, value):
    """A mutation of the payload that sets the dotted path to the value."""

    def mutate(payload, thailand_id):
        *parents, leaf = path.split(".")
        target = payload
        for key in parents:
            target = target[key]
        target[leaf] = value(thailand_id) if callable(value) else value

    return mutate


def _drop(key: str):
    return lambda payload, thailand_id: payload.pop(key)


BAD_SUBMISSIONS = [
    ("missing consent", _drop("consent"), "consent"),
    ("consent not given", _set("consent.given", False), "consent.given"),
    ("unknown consent basis", _set("consent.basis", "legitimate_interest"), "consent.basis"),
    ("missing consent basis", _set("consent", {"given": True}), "consent.basis"),
    ("unknown age band", _set("profile.age_band", "18-25"), "profile.age_band"),
    ("unknown gender", _set("profile.gender", "other"), "profile.gender"),
    ("unknown exploitation type", _set("exploitation_types", ["slavery"]), "exploitation_types"),
    ("empty exploitation types", _set("exploitation_types", []), "exploitation_types"),
    ("unknown urgency", _set("urgency", "asap"), "urgency"),
    ("unknown indicator", _set("indicators", ["bad_vibes"]), "indicators"),
    ("unknown need", _set("needs", ["shelter", "teleportation"]), "needs"),
    ("no needs", _set("needs", []), "needs"),
    ("both area and coordinates", _set("location", lambda th: {"area": th, "lat": 13.75, "lon": 100.5}),
     "location"),
    ("neither area nor coordinates", _set("location", {}), "location"),
    ("latitude only", _set("location", {"lat": 13.75}), "location"),
    ("latitude out of range", _set("location", {"lat": 91, "lon": 100.5}), "location.lat"),
    ("longitude out of range", _set("location", {"lat": 13.75, "lon": -181}), "location.lon"),
    ("unknown area", _set("location", {"area": 987654321}), "location.area"),
    ("NUL byte in notes", _set("notes", "Found on a boat.\x00"), "notes"),
    ("100k characters of notes", _set("notes", "a" * 100_000), "notes"),
    ("unknown nationality", _set("profile.nationality", "XX"), "profile.nationality"),
    ("unknown language", _set("profile.languages", ["zz"]), "profile.languages"),
    ("missing case reference", _drop("case_reference"), "case_reference"),
]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [pytest.param(mutate, field, id=name) for name, mutate, field in BAD_SUBMISSIONS],
)
def test_an_invalid_submission_is_refused_naming_the_field_and_nothing_is_stored(cast, area, mutate, field):
    payload = referral_payload()
    mutate(payload, area("TH").pk)
    referrals, events = Referral.objects.count(), ReferralEvent.objects.count()

    response = post(cast.submitter_caseworker, payload)

    assert_problem(response, 400, field)
    assert Referral.objects.count() == referrals
    assert ReferralEvent.objects.count() == events


# --- who may submit ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["submitter_admin", "submitter_caseworker"])
def test_admins_and_caseworkers_of_a_verified_organisation_submit(cast, role):
    response = post(getattr(cast, role), referral_payload())

    assert response.status_code == 201, response.json()
    assert Referral.objects.filter(pk=response.json()["id"], submitted_by=getattr(cast, role)).exists()


def _viewer(cast):
    return cast.submitter_viewer


def _member_of_unverified_organisation(cast):
    unverified = OrganisationFactory(name="Unverified Agency", kind="government", country="TH", verified=False)
    return member(unverified, "admin")


def _platform_admin(cast):
    return cast.platform_admin


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(_viewer, id="viewer"),
        pytest.param(_member_of_unverified_organisation, id="unverified-organisation"),
        pytest.param(_platform_admin, id="platform-admin-without-membership"),
    ],
)
def test_others_are_forbidden_to_submit(cast, make_user):
    user = make_user(cast)

    response = post(user, referral_payload())

    assert_problem(response, 403)
    assert Referral.objects.count() == 0


def test_anonymous_callers_must_authenticate(cast, api):
    response = api.post(REFERRALS, referral_payload(), format="json")

    assert_problem(response, 401)
    assert Referral.objects.count() == 0


def test_the_answer_to_a_submission_is_the_referral_as_a_read_shows_it_without_reading_it_back(cast):
    """The 201 is built from what the service wrote (selectors.as_just_submitted), not from a
    second read: it must still be exactly what the submitter's next GET answers."""
    post(cast.submitter_caseworker, referral_payload(case_reference="ATHD/2024/0001"))
    with CaptureQueriesContext(connection) as queries:
        response = post(cast.submitter_caseworker, referral_payload(case_reference="ATHD/2024/0001"))
    assert response.status_code == 201, response.json()
    created = response.json()

    read = client_for(cast.submitter_caseworker).get(f"{REFERRALS}{created['id']}/")
    assert read.status_code == 200
    assert created == read.json()
    assert created["possible_duplicate_of"] is not None
    assert response["ETag"] == read["ETag"]
    later_steps = ("referrals_offer", "referrals_outcome", "identification_", "referrals_referral\".\"parent_id")
    reread = [sql for sql in (q["sql"] for q in queries.captured_queries)
              if sql.startswith("SELECT") and any(table in sql for table in later_steps)]
    assert reread == []
