"""Idempotency-Key on POST /api/v1/referrals/ and POST /api/v1/referrals/{id}/outcomes/."""

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.idempotency import IN_FLIGHT_SECONDS, idempotency_prune
from api.models import IdempotencyRecord
from referrals.models import OutboxEvent, Outcome, Referral
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import referral_payload
from tests.referrals.helpers import REFERRALS, accept, url

pytestmark = pytest.mark.django_db


def lock_key(organisation, key: str) -> str:
    """The in-flight lock, named the way api/idempotency.py names it."""
    return f"idempotency:{organisation.pk}:{hashlib.sha256(key.encode()).hexdigest()}"


def released(organisation, key: str) -> None:
    """What happens when the first request's transaction commits (on_commit): its lock goes.
    Test transactions never commit, so the tests that need it do it."""
    cache.delete(lock_key(organisation, key))


def post(user, body, key=None, path=REFERRALS):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client_for(user).post(path, body, format="json", headers=headers)


@pytest.fixture
def body():
    return referral_payload(case_reference="CASE-IDEMPOTENT-1")


def test_without_a_key_every_post_creates_a_referral(cast, body):
    first = post(cast.submitter_caseworker, body)
    second = post(cast.submitter_caseworker, body)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert Referral.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_repeat_with_the_same_key_and_body_returns_the_first_response(cast, body):
    first = post(cast.submitter_caseworker, body, key="submit-0001")
    repeat = post(cast.submitter_caseworker, body, key="submit-0001")

    assert first.status_code == 201, first.content
    assert repeat.status_code == 201
    assert repeat.json() == first.json()
    assert repeat.json()["id"] == first.json()["id"]
    assert repeat["ETag"] == first["ETag"]
    assert repeat["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Referral.objects.count() == 1
    assert OutboxEvent.objects.filter(type="referral.submitted").count() == 1


def test_a_repeat_by_another_member_of_the_organisation_is_the_same_request(cast, body):
    first = post(cast.submitter_caseworker, body, key="submit-0002")
    repeat = post(cast.submitter_admin, body, key="submit-0002")

    assert repeat.status_code == 201
    assert repeat.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(cast, body):
    first = post(cast.submitter_caseworker, body, key="submit-0003")
    other = post(cast.submitter_caseworker, {**body, "urgency": "emergency"}, key="submit-0003")

    assert first.status_code == 201
    problem = assert_problem(other, 422)
    assert "Idempotency-Key" in problem["detail"]
    assert Referral.objects.count() == 1
    assert Referral.objects.get().urgency == "urgent"


def test_a_repeat_while_the_first_is_in_flight_conflicts(cast, body):
    cache.add(lock_key(cast.government, "submit-0004"), 1, timeout=IN_FLIGHT_SECONDS)

    response = post(cast.submitter_caseworker, body, key="submit-0004")

    assert_problem(response, 409)
    assert not Referral.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    assert cache.get(lock_key(cast.government, "submit-0004")) == 1  # the first request's lock is left alone


def test_the_same_key_in_another_organisation_is_independent(cast, body):
    cache.add(lock_key(cast.government, "shared-key"), 1, timeout=IN_FLIGHT_SECONDS)  # in flight over there
    other_agency = cast.other_government_caseworker

    ours = post(other_agency, body, key="shared-key")
    released(cast.government, "shared-key")
    theirs = post(cast.submitter_caseworker, {**body, "urgency": "emergency"}, key="shared-key")

    assert ours.status_code == 201, ours.content
    assert theirs.status_code == 201, theirs.content
    assert ours.json()["id"] != theirs.json()["id"]
    assert Referral.objects.count() == 2
    assert IdempotencyRecord.objects.filter(key="shared-key").count() == 2


def test_a_refused_request_is_not_remembered(cast, body):
    refused = post(cast.submitter_caseworker, {**body, "notes": "Her number is +66 81 234 5678."}, key="submit-0005")
    corrected = post(cast.submitter_caseworker, body, key="submit-0005")

    assert_problem(refused, 400, "notes")
    assert corrected.status_code == 201, corrected.content
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tkey"])
def test_a_malformed_key_is_refused(cast, body, key):
    response = post(cast.submitter_caseworker, body, key=key)

    assert_problem(response, 400, "Idempotency-Key")
    assert not Referral.objects.exists()


# --- outcomes --------------------------------------------------------------------------------------


@pytest.fixture
def accepted(cast, offered_referral):
    return accept(offered_referral, cast.offered_caseworker)


def test_recording_an_outcome_is_replayed(cast, accepted):
    outcome = {"type": "medical_care", "date": timezone.localdate().isoformat(), "note": "Seen by a doctor."}

    first = post(cast.offered_caseworker, outcome, key="outcome-1", path=url(accepted, "outcomes"))
    repeat = post(cast.offered_caseworker, outcome, key="outcome-1", path=url(accepted, "outcomes"))
    other = post(cast.offered_caseworker, {**outcome, "type": "legal_aid"}, key="outcome-1",
                 path=url(accepted, "outcomes"))

    assert first.status_code == 201, first.content
    assert repeat.status_code == 201
    assert repeat.json() == first.json()
    assert repeat["Idempotent-Replayed"] == "true"
    assert_problem(other, 422)
    assert list(Outcome.objects.values_list("type", flat=True)) == ["medical_care"]
    assert OutboxEvent.objects.filter(type="referral.outcome_recorded").count() == 1


def test_the_same_key_on_another_endpoint_is_another_request(cast, accepted):
    outcome = {"type": "medical_care", "date": timezone.localdate().isoformat()}
    first = post(cast.offered_caseworker, outcome, key="reused", path=url(accepted, "outcomes"))

    submission = post(cast.offered_caseworker, referral_payload(), key="reused")

    assert first.status_code == 201
    assert_problem(submission, 422)
    assert Referral.objects.count() == 1


def test_reading_outcomes_with_a_key_is_not_cached(cast, accepted):
    """A key sent on a GET (some clients send one on every request) must not freeze the answer."""
    client = client_for(cast.offered_caseworker)
    headers = {"Idempotency-Key": "read-1"}
    before = client.get(url(accepted, "outcomes"), headers=headers)
    recorded = post(cast.offered_caseworker, {"type": "legal_aid", "date": timezone.localdate().isoformat()},
                    key="write-1", path=url(accepted, "outcomes"))

    after = client.get(url(accepted, "outcomes"), headers=headers)

    assert before.status_code == 200
    assert before.json() == []
    assert recorded.status_code == 201
    assert [o["type"] for o in after.json()] == ["legal_aid"]
    assert not IdempotencyRecord.objects.filter(key="read-1").exists()


# --- 24 hours --------------------------------------------------------------------------------------


def test_a_record_older_than_a_day_is_ignored(cast, body):
    first = post(cast.submitter_caseworker, body, key="submit-old")
    IdempotencyRecord.objects.update(created=timezone.now() - timedelta(hours=24, minutes=1))
    released(cast.government, "submit-old")

    again = post(cast.submitter_caseworker, {**body, "urgency": "emergency"}, key="submit-old")

    assert first.status_code == 201
    assert again.status_code == 201, again.content
    assert again.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in again
    assert Referral.objects.count() == 2
    record = IdempotencyRecord.objects.get(key="submit-old")  # the old record made way for the new one
    assert record.response_body["id"] == again.json()["id"]


def test_a_record_younger_than_a_day_is_still_replayed(cast, body):
    first = post(cast.submitter_caseworker, body, key="submit-young")
    IdempotencyRecord.objects.update(created=timezone.now() - timedelta(hours=23, minutes=59))

    again = post(cast.submitter_caseworker, body, key="submit-young")

    assert again.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1


def test_pruning_deletes_records_older_than_a_day_only(cast, body):
    post(cast.submitter_caseworker, body, key="old-1")
    post(cast.submitter_caseworker, body | {"case_reference": "CASE-2"}, key="old-2")
    post(cast.submitter_caseworker, body | {"case_reference": "CASE-3"}, key="fresh")
    now = timezone.now()
    IdempotencyRecord.objects.filter(key__startswith="old").update(created=now - timedelta(hours=25))
    IdempotencyRecord.objects.filter(key="fresh").update(created=now - timedelta(hours=23))

    pruned = idempotency_prune(before=now)

    assert pruned == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert idempotency_prune(before=now) == 0
