"""Outcomes: the assistance given and its results, recorded by the accepting organisation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Outcome, OutcomeType, Referral, Status
from tests.conftest import client_for
from tests.helpers import assert_problem

from .helpers import accept, record_outcome, url

pytestmark = pytest.mark.django_db

OUTCOME_TYPES = [
    "safe_accommodation", "medical_care", "psychosocial_support", "legal_aid", "interpretation", "repatriation",
    "reintegration", "compensation_claimed", "compensation_awarded", "witness_participation", "lost_contact",
    "declined_assistance",
]


def today() -> str:
    return timezone.localdate().isoformat()


def post_outcome(user, referral, **body):
    return client_for(user).post(url(referral, "outcomes"), {"type": "medical_care", "date": today(), **body},
                                 format="json")


@pytest.fixture
def accepted(cast, offered_referral):
    return accept(offered_referral, cast.offered_caseworker)


def test_the_documented_outcome_types_are_the_models():
    assert sorted(OUTCOME_TYPES) == sorted(OutcomeType.values)


@pytest.mark.parametrize("outcome_type", OUTCOME_TYPES)
def test_every_outcome_type_is_recorded(cast, accepted, outcome_type):
    response = post_outcome(cast.offered_caseworker, accepted, type=outcome_type, note="")

    assert response.status_code == 201, response.json()
    assert response.json()["type"] == outcome_type
    assert response.json()["organisation"]["id"] == str(cast.offered.pk)
    outcome = Outcome.objects.get(pk=response.json()["id"])
    assert (outcome.referral_id, outcome.type, outcome.organisation) == (accepted.pk, outcome_type, cast.offered)
    assert outcome.recorded_by == cast.offered_caseworker


def test_the_first_outcome_moves_the_referral_in_progress(cast, accepted):
    assert accepted.status == Status.ACCEPTED

    first = post_outcome(cast.offered_caseworker, accepted, type="safe_accommodation")
    second = post_outcome(cast.offered_caseworker, accepted, type="medical_care")

    assert (first.status_code, second.status_code) == (201, 201)
    accepted.refresh_from_db()
    assert accepted.status == Status.IN_PROGRESS
    assert client_for(cast.submitter_caseworker).get(url(accepted)).json()["status"] == Status.IN_PROGRESS
    assert accepted.events.filter(action="outcome_recorded").count() == 2


def test_an_admin_of_the_accepting_organisation_records_too(cast, accepted, members):
    admin = members(cast.offered)["admin"]

    response = post_outcome(admin, accepted)

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "date", id="future-date"),
        pytest.param({"date": "2000-01-01"}, "date", id="before-the-referral"),
        pytest.param({"date": "not-a-date"}, "date", id="malformed-date"),
        pytest.param({"type": "rescued"}, "type", id="unknown-type"),
        pytest.param({"type": ""}, "type", id="empty-type"),
        pytest.param({"note": "x" * 2001}, "note", id="note-too-long"),
        pytest.param({"note": "ok\x00"}, "note", id="nul-in-note"),
    ],
)
def test_an_invalid_outcome_is_refused_naming_the_field(cast, accepted, body, field):
    response = post_outcome(cast.offered_caseworker, accepted, **body)

    assert_problem(response, 400, field)
    assert not Outcome.objects.exists()
    assert Referral.objects.get(pk=accepted.pk).status == Status.ACCEPTED


def test_an_outcome_without_a_date_is_refused(cast, accepted):
    response = client_for(cast.offered_caseworker).post(url(accepted, "outcomes"), {"type": "legal_aid"},
                                                        format="json")

    assert_problem(response, 400, "date")
    assert not Outcome.objects.exists()


def test_an_outcome_on_an_offered_referral_is_refused(cast, offered_referral):
    """Whatever the status code, nothing is recorded and the referral stays offered."""
    response = post_outcome(cast.offered_caseworker, offered_referral)

    assert response.status_code in (403, 409)
    assert_problem(response, response.status_code)
    assert not Outcome.objects.exists()
    assert Referral.objects.get(pk=offered_referral.pk).status == Status.OFFERED


def test_an_outcome_on_an_offered_referral_conflicts_with_its_state(cast, offered_referral):
    response = post_outcome(cast.offered_caseworker, offered_referral)

    body = assert_problem(response, 409)
    assert body["current_status"] == Status.OFFERED


@pytest.mark.parametrize(
    ("user", "status"),
    [
        pytest.param("submitter_caseworker", 403, id="submitter"),
        pytest.param("submitter_admin", 403, id="submitters-admin"),
        pytest.param("offered_viewer", 403, id="accepting-viewer"),
        pytest.param("declined_caseworker", 404, id="declined-organisation"),
        pytest.param("other_ngo_caseworker", 404, id="unrelated"),
        pytest.param("platform_admin", 404, id="platform-admin"),
    ],
)
def test_only_the_accepting_organisations_admins_and_caseworkers_record(cast, accepted, user, status):
    response = post_outcome(getattr(cast, user), accepted)

    assert_problem(response, status)
    assert not Outcome.objects.exists()


def test_no_outcome_after_closure(cast, accepted):
    client_for(cast.offered_caseworker).post(url(accepted, "close"), {"reason": ""}, format="json")

    response = post_outcome(cast.offered_caseworker, accepted)

    body = assert_problem(response, 409)
    assert body["current_status"] == Status.CLOSED
    assert not Outcome.objects.exists()


@pytest.mark.parametrize("reader", ["submitter_caseworker", "submitter_viewer", "offered_caseworker",
                                    "offered_viewer"])
def test_outcomes_are_read_by_the_submitter_and_the_accepting_organisation(cast, accepted, reader):
    record_outcome(accepted, cast.offered_caseworker, "safe_accommodation", note="Placed in the shelter.")
    record_outcome(accepted, cast.offered_caseworker, "medical_care")

    response = client_for(getattr(cast, reader)).get(url(accepted, "outcomes"))

    assert response.status_code == 200, response.json()
    assert [o["type"] for o in response.json()] == ["safe_accommodation", "medical_care"]
    assert response.json()[0]["note"] == "Placed in the shelter."
    assert accepted.events.filter(action="viewed", actor=getattr(cast, reader)).exists()


@pytest.mark.parametrize("reader", ["declined_caseworker", "other_ngo_caseworker", "platform_admin"])
def test_outcomes_are_hidden_from_everyone_else(cast, accepted, reader):
    record_outcome(accepted, cast.offered_caseworker)

    response = client_for(getattr(cast, reader)).get(url(accepted, "outcomes"))

    assert_problem(response, 404)
