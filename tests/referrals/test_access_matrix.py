"""Every referral endpoint, tried by every kind of caller, as an attacker would: the status each
must get. Unreadable referrals answer 404 (existence does not leak), readable ones refuse actions
the caller's role never allows (a viewer) with 403, then actions the state does not allow with
409 (with the current status), then actions of another party in that state (say, the submitter
closing an accepted referral) with 403."""

import pytest
from django.utils import timezone

from referrals import services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ACTORS = [
    "submitter_caseworker", "submitter_viewer", "offered_caseworker", "offered_viewer",
    "declined_caseworker", "other_ngo_caseworker", "other_government_caseworker", "platform_admin", "anonymous",
]


def body(endpoint, cast):
    today = timezone.localdate().isoformat()
    return {
        "route": {"organisations": [str(cast.other_ngo_caseworker.membership.organisation_id)]},
        "decline": {"reason": "No space."},
        "close": {"reason": "Assistance completed."},
        "outcomes": {"type": "medical_care", "date": today, "note": ""},
    }.get(endpoint)


def call(cast, actor, method, referral, endpoint):
    from rest_framework.test import APIClient

    client = APIClient() if actor == "anonymous" else client_for(getattr(cast, actor))
    url = f"/api/v1/referrals/{referral.pk}/" + (f"{endpoint}/" if endpoint else "")
    if method == "get":
        return client.get(url)
    return client.post(url, body(endpoint, cast), format="json")


#                  endpoint      method  sub_cw sub_view off_cw off_view declined other_ngo other_gov admin anon
OFFERED_MATRIX = [
    ("",            "get",  200, 200, 200, 200, 404, 404, 404, 404, 401),
    ("matches",     "get",  200, 200, 403, 403, 404, 404, 404, 404, 401),
    ("events",      "get",  200, 200, 200, 200, 404, 404, 404, 404, 401),
    ("outcomes",    "get",  200, 200, 200, 200, 404, 404, 404, 404, 401),
    ("route",       "post", 200, 403, 403, 403, 404, 404, 404, 404, 401),
    ("accept",      "post", 403, 403, 200, 403, 404, 404, 404, 404, 401),
    ("decline",     "post", 403, 403, 200, 403, 404, 404, 404, 404, 401),
    ("withdraw",    "post", 200, 403, 403, 403, 404, 404, 404, 404, 401),
    ("close",       "post", 409, 403, 409, 403, 404, 404, 404, 404, 401),
    ("outcomes",    "post", 409, 403, 409, 403, 404, 404, 404, 404, 401),
]

# After the offered organisation accepted: it is the accepting organisation now.
ACCEPTED_MATRIX = [
    ("",            "get",  200, 200, 200, 200, 404, 404, 404, 404, 401),
    ("outcomes",    "post", 403, 403, 201, 403, 404, 404, 404, 404, 401),
    ("close",       "post", 403, 403, 200, 403, 404, 404, 404, 404, 401),
    ("accept",      "post", 409, 403, 409, 403, 404, 404, 404, 404, 401),
    ("decline",     "post", 409, 403, 409, 403, 404, 404, 404, 404, 401),
    ("withdraw",    "post", 200, 403, 403, 403, 404, 404, 404, 404, 401),
    ("route",       "post", 409, 403, 409, 403, 404, 404, 404, 404, 401),
]


def _cases(matrix):
    for endpoint, method, *statuses in matrix:
        for actor, expected in zip(ACTORS, statuses, strict=True):
            yield pytest.param(endpoint, method, actor, expected, id=f"{method}-{endpoint or 'detail'}-{actor}")


@pytest.mark.parametrize(("endpoint", "method", "actor", "expected"), list(_cases(OFFERED_MATRIX)))
def test_offered_referral(cast, offered_referral, endpoint, method, actor, expected):
    response = call(cast, actor, method, offered_referral, endpoint)
    assert response.status_code == expected, response.content
    assert response["Content-Type"] == ("application/json" if expected < 400 else "application/problem+json")


@pytest.fixture
def accepted_referral(cast, offered_referral):
    return services.offer_accept(referral=offered_referral, by=cast.offered_caseworker)


@pytest.mark.parametrize(("endpoint", "method", "actor", "expected"), list(_cases(ACCEPTED_MATRIX)))
def test_accepted_referral(cast, accepted_referral, endpoint, method, actor, expected):
    response = call(cast, actor, method, accepted_referral, endpoint)
    assert response.status_code == expected, response.content


def test_an_offered_organisation_does_not_see_other_offers(cast, offered_referral):
    offers = client_for(cast.offered_caseworker).get(f"/api/v1/referrals/{offered_referral.pk}/").json()["offers"]
    assert [offer["organisation"]["id"] for offer in offers] == [str(cast.offered.pk)]
    submitter_view = client_for(cast.submitter_caseworker).get(f"/api/v1/referrals/{offered_referral.pk}/").json()
    assert {offer["status"] for offer in submitter_view["offers"]} == {"pending", "declined"}
    assert "No space this week." in {offer["reason"] for offer in submitter_view["offers"]}


def test_nobody_else_finds_it_in_a_list(cast, offered_referral):
    for actor in ("declined_caseworker", "other_ngo_caseworker", "other_government_caseworker", "platform_admin"):
        response = client_for(getattr(cast, actor)).get("/api/v1/referrals/")
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert response.json()["results"] == [], actor


def test_the_case_reference_is_never_shown(cast, offered_referral):
    for actor in ("submitter_caseworker", "offered_caseworker"):
        text = client_for(getattr(cast, actor)).get(f"/api/v1/referrals/{offered_referral.pk}/").content.decode()
        assert "case_reference" not in text
        assert "CASE-" not in text
