"""GET/PUT /api/v1/me/notification-preferences/, and what the choices do to delivery."""

import pytest

from notifications.models import Notification, NotificationKind
from tests.conftest import client_for
from tests.helpers import assert_problem

from .helpers import deliver, routed

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/notification-preferences/"
KINDS = [kind.value for kind in NotificationKind]
DEFAULTS = {
    "offer_received": "immediate", "offer_expiring": "immediate", "offer_expired": "immediate",
    "offer_accepted": "digest", "offer_declined": "digest", "outcome_recorded": "digest",
    "referral_closed": "digest", "consent_withdrawn": "digest",
    "identification_decided": "digest", "reflection_ending": "immediate", "return_requested": "immediate",
    "return_status_changed": "digest", "follow_up_due": "immediate",
}


def test_the_defaults(parties):
    response = client_for(parties["shelter_admin"]).get(URL)
    assert response.status_code == 200
    assert response.json() == {"choices": DEFAULTS, "digest_time": "08:00"}


def test_put_replaces_the_whole_map(parties):
    client = client_for(parties["shelter_admin"])
    choices = {**DEFAULTS, "offer_received": "off", "offer_accepted": "immediate"}
    response = client.put(URL, {"choices": choices, "digest_time": "18:45"}, format="json")
    assert response.status_code == 200, response.json()
    assert client.get(URL).json() == {"choices": choices, "digest_time": "18:45"}


@pytest.mark.parametrize(("choices", "named"), [
    ({**DEFAULTS, "offer_teleported": "immediate"}, "choices.offer_teleported"),
    ({**DEFAULTS, "offer_received": "hourly"}, "choices.offer_received"),
    ({k: v for k, v in DEFAULTS.items() if k != "referral_closed"}, "choices.referral_closed"),
])
def test_unknown_kinds_values_and_gaps_are_refused_by_name(parties, choices, named):
    client = client_for(parties["shelter_admin"])
    response = client.put(URL, {"choices": choices, "digest_time": "08:00"}, format="json")
    body = assert_problem(response, 400, "choices")
    assert named in [error["field"] for error in body["errors"]]
    assert client.get(URL).json()["choices"] == DEFAULTS  # nothing changed


@pytest.mark.parametrize("body", [
    {"choices": DEFAULTS, "digest_time": "25:00"},
    {"choices": DEFAULTS},
    {"choices": "immediate", "digest_time": "08:00"},
    {"choices": {**DEFAULTS, "offer_received": ["immediate"]}, "digest_time": "08:00"},
])
def test_malformed_bodies_are_400(parties, body):
    assert_problem(client_for(parties["shelter_admin"]).put(URL, body, format="json"), 400)


def test_no_credentials_is_401(api):
    assert_problem(api.get(URL), 401)
    assert_problem(api.put(URL, {"choices": DEFAULTS, "digest_time": "08:00"}, format="json"), 401)


def test_off_means_nothing_and_digest_means_later(parties, smtp):
    client_for(parties["shelter_admin"]).put(URL, {"choices": {**DEFAULTS, "offer_received": "off"},
                                                   "digest_time": "08:00"}, format="json")
    client_for(parties["shelter_caseworker"]).put(URL, {"choices": {**DEFAULTS, "offer_received": "digest"},
                                                        "digest_time": "08:00"}, format="json")
    routed(parties)
    assert deliver() == 0
    assert smtp.messages() == []
    assert not Notification.objects.filter(recipient=parties["shelter_admin"]).exists()
    assert Notification.objects.get(recipient=parties["shelter_caseworker"]).delivery == "digest"
