"""`indicators` and `profile.languages` are optional in the schema, and so they are: left out (or
given as []) they are stored as empty lists, where the model used to refuse them as blank."""

import pytest
from rest_framework.test import APIClient

from referrals.models import Referral
from tests.conftest import client_for

from .factories import referral_payload, submit
from .helpers import REFERRALS

pytestmark = pytest.mark.django_db


def _without(payload: dict, *, indicators: bool, languages: bool) -> dict:
    if indicators:
        del payload["indicators"]
    if languages:
        del payload["profile"]["languages"]
    return payload


@pytest.mark.parametrize(("indicators", "languages"), [(True, False), (False, True), (True, True)],
                         ids=["no-indicators", "no-languages", "neither"])
def test_left_out_they_are_stored_empty(cast, indicators, languages):
    payload = _without(referral_payload(), indicators=indicators, languages=languages)
    response = client_for(cast.submitter_caseworker).post(REFERRALS, payload, format="json")

    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["id"])
    assert (referral.indicators == []) is indicators
    assert (referral.languages == []) is languages
    body = response.json()
    assert (body["indicators"] == []) is indicators
    assert (body["profile"]["languages"] == []) is languages


def test_given_as_empty_lists_they_are_stored_empty(cast):
    payload = referral_payload(indicators=[])
    payload["profile"]["languages"] = []
    response = client_for(cast.submitter_caseworker).post(REFERRALS, payload, format="json")

    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["id"])
    assert (referral.indicators, referral.languages) == ([], [])


def test_a_referral_without_them_can_still_be_edited(cast):
    """The edit validates the whole referral again: its empty lists must not block it."""
    referral = submit(cast.submitter_caseworker, indicators=[],
                      profile={"age_band": "18-20", "gender": "female", "languages": []})
    response = client_for(cast.submitter_caseworker).patch(
        f"{REFERRALS}{referral.pk}/", {"urgency": "routine"}, format="json", headers={"If-Match": "*"}
    )
    assert response.status_code == 200, response.content


def test_the_schema_says_they_are_optional(reference_data):
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert "indicators" not in schema["ReferralCreateRequest"]["required"]
    assert "languages" not in schema["ProfileRequest"]["required"]
