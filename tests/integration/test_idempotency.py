"""Idempotency-Key on POST /api/v1/referrals/ and POST /api/v1/referrals/{id}/outcomes/."""

import hashlib
import importlib
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.idempotency import IN_FLIGHT_SECONDS, idempotency_prune, key_digest, lock_name, request_digest
from api.models import IdempotencyRecord
from referrals.models import OutboxEvent, Outcome, Referral
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import referral_payload
from tests.referrals.helpers import REFERRALS, accept, url

pytestmark = pytest.mark.django_db


def lock_key(organisation, key: str) -> str:
    """The in-flight lock, named the way api/idempotency.py names it."""
    return lock_name(organisation.pk, key)


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
    assert IdempotencyRecord.objects.filter(key=key_digest("shared-key")).count() == 2


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
    assert not IdempotencyRecord.objects.filter(key=key_digest("read-1")).exists()


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
    record = IdempotencyRecord.objects.get(key=key_digest("submit-old"))  # the old record made way for the new one
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
    IdempotencyRecord.objects.filter(key__in=[key_digest("old-1"), key_digest("old-2")]).update(
        created=now - timedelta(hours=25))
    IdempotencyRecord.objects.filter(key=key_digest("fresh")).update(created=now - timedelta(hours=23))

    pruned = idempotency_prune(before=now)

    assert pruned == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [key_digest("fresh")]
    assert idempotency_prune(before=now) == 0


# --- what a stored record gives away ----------------------------------------------------------------
#
# The finding: request_hash was a plain SHA-256 of the canonical body, so whoever read the table
# (a backup, a database role for reporting) recovered the case reference by hashing guesses in a
# tenth of a second, and the exact coordinates in under one. The referral keeps neither.

CASE_REFERENCE = "TIP-2026-0417"
LAT, LON = 13.756331, 100.501762


@pytest.fixture
def exact_body():
    body = referral_payload(case_reference=CASE_REFERENCE)
    body["location"] = {"lat": LAT, "lon": LON}
    return body


def plain_fingerprints(body: dict) -> set[str]:
    """Every unkeyed hash of the body a guesser would try: the old canonical form, the JSON as sent."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    forms = [f"POST {REFERRALS}\n{canonical}", canonical, json.dumps(body)]
    return {hashlib.sha256(form.encode()).hexdigest() for form in forms}


def every_column(record: IdempotencyRecord) -> str:
    return json.dumps({field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields},
                      default=str)


def test_the_stored_hash_cannot_be_reproduced_by_hashing_the_body(cast, exact_body):
    response = post(cast.submitter_caseworker, exact_body, key="keyed-1")
    assert response.status_code == 201, response.content
    record = IdempotencyRecord.objects.get()

    assert record.request_hash not in plain_fingerprints(exact_body)
    # The guessing attack, as it was run: candidate case references hashed into the body.
    for number in range(400, 430):
        guess = {**exact_body, "case_reference": f"TIP-2026-{number:04d}"}
        assert record.request_hash not in plain_fingerprints(guess)
    assert len(record.request_hash) == 64


def test_the_hash_depends_on_the_server_secret(cast, exact_body, settings):
    post(cast.submitter_caseworker, exact_body, key="keyed-2")
    first = IdempotencyRecord.objects.get(key=key_digest("keyed-2"))
    post(cast.submitter_caseworker, exact_body, key="keyed-2-again")
    again = IdempotencyRecord.objects.get(key=key_digest("keyed-2-again"))
    assert again.request_hash == first.request_hash  # the same request, the same secret

    settings.IDEMPOTENCY_KEY_SECRET = "another-secret-of-another-deployment-" + "x" * 20
    post(cast.submitter_caseworker, exact_body, key="keyed-2-elsewhere")

    elsewhere = IdempotencyRecord.objects.get(key=key_digest("keyed-2-elsewhere"))
    assert elsewhere.request_hash != first.request_hash
    assert key_digest("keyed-2") != first.key


def test_a_keyed_record_still_tells_the_same_body_from_another(cast, exact_body):
    first = post(cast.submitter_caseworker, exact_body, key="keyed-3")
    repeat = post(cast.submitter_caseworker, exact_body, key="keyed-3")
    moved = post(cast.submitter_caseworker, {**exact_body, "location": {"lat": LAT, "lon": 100.501763}},
                 key="keyed-3")
    other_case = post(cast.submitter_caseworker, {**exact_body, "case_reference": "TIP-2026-0418"}, key="keyed-3")

    assert first.status_code == 201
    assert repeat.status_code == 201
    assert repeat["Idempotent-Replayed"] == "true"
    assert_problem(moved, 422)
    assert_problem(other_case, 422)
    assert Referral.objects.count() == 1


def test_no_column_of_the_record_holds_the_case_reference_or_the_coordinates(cast, exact_body):
    key = f"{CASE_REFERENCE}-submit"  # clients build keys from their own case ids
    response = post(cast.submitter_caseworker, exact_body, key=key)
    assert response.status_code == 201, response.content
    record = IdempotencyRecord.objects.get()
    stored = every_column(record)

    for secret in (CASE_REFERENCE, CASE_REFERENCE.casefold(), "2026-0417", key, str(LAT), str(LON), "13.7563",
                   "100.5017", "756331", "501762"):
        assert secret not in stored, secret
    assert record.key == key_digest(key)
    # What it does keep is what the referral keeps: the response shows the coarse point only.
    referral = Referral.objects.get()
    assert record.response_body["id"] == str(referral.pk)
    assert record.response_body["location"]["point"]["coordinates"] == [
        round(referral.location.x, 6), round(referral.location.y, 6)]
    assert CASE_REFERENCE not in json.dumps(response.json())


def test_the_migration_converts_old_records_as_the_code_keys_new_ones():
    """Records written before keying were converted in place; the migration's purposes must stay
    the module's, or a repeat of a converted request would be refused as another body."""
    migration = importlib.import_module("api.migrations.0006_idempotency_keyed_hashes")
    plain = hashlib.sha256(b"POST /api/v1/referrals/\n{}").hexdigest()
    assert migration._keyed("api.idempotency.request_hash", plain) == request_digest(plain)
    assert migration._keyed("api.idempotency.key", "submit-0001") == key_digest("submit-0001")
