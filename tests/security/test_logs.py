"""No secret and no personal data in the logs: a whole lifecycle, refusals included, is logged and
searched for the case reference, the notes, the token and the password."""

import logging

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.organisations.factories import PASSWORD, OrganisationFactory, member
from tests.referrals.factories import cover_country, referral_payload

pytestmark = pytest.mark.django_db

CASE_REFERENCE = "POLICE-2026-SECRET-4417"
NOTES = "Met at the harbour market stall, speaks only Karen."


def test_a_full_lifecycle_leaves_nothing_personal_in_the_logs(reference_data, caplog):
    government = OrganisationFactory(kind="government")
    ngo = OrganisationFactory()
    cover_country(ngo)
    officer, caseworker = member(government, "caseworker"), member(ngo, "caseworker")
    caplog.set_level(logging.DEBUG)

    def login(user):
        client = APIClient()
        token = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client, token

    police, police_token = login(officer)
    shelter, shelter_token = login(caseworker)
    APIClient().post("/api/v1/auth/token/", {"username": officer.username, "password": "not-the-password"})
    refused = police.post("/api/v1/referrals/", referral_payload(
        case_reference=CASE_REFERENCE, notes=f"{NOTES} Call +66 81 234 5678."), format="json")
    assert refused.status_code == 400
    created = police.post("/api/v1/referrals/", referral_payload(case_reference=CASE_REFERENCE, notes=NOTES),
                          format="json")
    url = f"/api/v1/referrals/{created.json()['id']}"
    police.post(f"{url}/route/", {"organisations": [str(ngo.pk)]}, format="json")
    shelter.get(f"{url}/")
    shelter.post(f"{url}/accept/")
    shelter.post(f"{url}/outcomes/", {"type": "medical_care", "date": timezone.localdate().isoformat(),
                                      "note": NOTES}, format="json")
    shelter.post(f"{url}/close/", {"reason": NOTES}, format="json")
    police.post(f"{url}/withdraw/")  # refused: closed

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}" for record in caplog.records
    )
    assert caplog.records, "the run should have logged something (refusals at least)"
    for secret in (CASE_REFERENCE, NOTES, "+66 81 234 5678", police_token, shelter_token, PASSWORD,
                   "not-the-password"):
        assert secret not in logged
