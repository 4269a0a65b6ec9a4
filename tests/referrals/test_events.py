"""GET /api/v1/referrals/{id}/events/: the audit timeline, as each organisation may read it."""

import json
import re

import pytest

from referrals import services
from referrals.models import ReferralEvent
from tests.conftest import client_for
from tests.helpers import assert_problem

from .helpers import accept, record_outcome, url

pytestmark = pytest.mark.django_db

NOTES = "Found during a labour inspection of a fishing boat."  # the factories' notes
DECLINE_REASON = "No space this week."  # the offered_referral fixture's
CODE = re.compile(r"^[a-z0-9_.:-]{1,64}$")


def is_code(value) -> bool:
    return isinstance(value, int | bool) or (isinstance(value, str) and bool(CODE.match(value)))


def timeline(user, referral) -> list[dict]:
    response = client_for(user).get(url(referral, "events"), {"page_size": 100})
    assert response.status_code == 200, response.json()
    assert response.json()["next"] is None
    return response.json()["results"]


def names(events, action, key="subject_organisation") -> set[str]:
    return {e[key]["name"] for e in events if e["action"] == action and e[key]}


def test_the_submitter_sees_whom_it_was_offered_to_and_who_declined(cast, offered_referral):
    events = timeline(cast.submitter_caseworker, offered_referral)

    assert names(events, "offered") == {"Safe Haven", "Harbour House"}
    assert names(events, "declined") == {"Harbour House"}
    assert names(events, "declined", key="organisation") == {"Harbour House"}
    assert {e["action"] for e in events} >= {"submitted", "offered", "declined"}


def test_an_offered_organisation_sees_neither_the_other_offers_nor_their_declines(cast, offered_referral):
    events = timeline(cast.offered_caseworker, offered_referral)

    assert names(events, "offered") == {"Safe Haven"}
    assert "declined" not in {e["action"] for e in events}
    mentioned = {
        party["id"] for e in events for party in (e["organisation"], e["subject_organisation"]) if party
    }
    assert mentioned <= {str(cast.offered.pk), str(cast.government.pk)}
    assert str(cast.declined.pk) not in json.dumps(events)
    assert "Harbour House" not in json.dumps(events)


def test_the_other_organisations_reads_are_not_shown_to_an_offered_organisation(cast, offered_referral):
    other = cast.other_ngo_caseworker.membership.organisation
    services.referral_route(referral=offered_referral, by=cast.submitter_caseworker, organisation_ids=[other.pk])
    assert client_for(cast.other_ngo_caseworker).get(url(offered_referral)).status_code == 200

    events = timeline(cast.offered_caseworker, offered_referral)

    assert str(other.pk) not in json.dumps(events)
    assert names(timeline(cast.submitter_caseworker, offered_referral), "viewed", key="organisation") >= {
        "Unrelated NGO"
    }


def test_the_accepting_organisation_does_not_learn_who_else_lapsed(cast, offered_referral):
    other = cast.other_ngo_caseworker.membership.organisation
    services.referral_route(referral=offered_referral, by=cast.submitter_caseworker, organisation_ids=[other.pk])
    accept(offered_referral, cast.offered_caseworker)

    events = timeline(cast.offered_caseworker, offered_referral)

    assert "lapsed" not in {e["action"] for e in events}
    assert "accepted" in {e["action"] for e in events}
    assert str(other.pk) not in json.dumps(events)
    assert names(timeline(cast.submitter_caseworker, offered_referral), "lapsed") == {"Unrelated NGO"}


def test_the_actor_is_named_to_their_own_organisation_only(cast, offered_referral):
    submitter_view = timeline(cast.submitter_caseworker, offered_referral)
    offered_view = timeline(cast.offered_caseworker, offered_referral)

    submitted = next(e for e in submitter_view if e["action"] == "submitted")
    assert submitted["actor"] == cast.submitter_caseworker.username
    assert next(e for e in offered_view if e["action"] == "submitted")["actor"] is None
    assert all(e["actor"] is None for e in submitter_view if e["action"] == "declined")


@pytest.mark.parametrize("reader", ["declined_caseworker", "other_ngo_caseworker", "platform_admin"])
def test_the_timeline_is_hidden_from_organisations_without_access(cast, offered_referral, reader):
    assert_problem(client_for(getattr(cast, reader)).get(url(offered_referral, "events")), 404)


def test_no_event_holds_free_text(cast, offered_referral):
    """Notes, decline and close reasons and outcome notes stay out of the audit trail: the detail
    holds codes only, for every event of a referral that went through every step."""
    accept(offered_referral, cast.offered_caseworker)
    outcome_note = "Placed in the shelter for girls."
    record_outcome(offered_referral, cast.offered_caseworker, "safe_accommodation", note=outcome_note)
    close_reason = "Assistance completed, returned home."
    services.referral_close(referral=offered_referral, by=cast.offered_caseworker, reason=close_reason)
    free_texts = (NOTES, DECLINE_REASON, outcome_note, close_reason)

    for user in (cast.submitter_caseworker, cast.offered_caseworker):
        events = timeline(user, offered_referral)
        assert events
        for event in events:
            for text in free_texts:
                assert text not in json.dumps(event["detail"])
            for key, value in event["detail"].items():
                assert CODE.match(key), event
                assert all(is_code(item) for item in (value if isinstance(value, list) else [value])), event

    stored = ReferralEvent.objects.filter(referral=offered_referral)
    assert {e.action for e in stored} >= {"submitted", "offered", "declined", "accepted", "outcome_recorded",
                                           "closed"}
    for event in stored:
        for text in free_texts:
            assert text not in json.dumps(event.detail)
    assert stored.get(action="outcome_recorded").detail == {"type": "safe_accommodation"}
