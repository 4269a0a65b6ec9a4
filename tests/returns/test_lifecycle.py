"""A return's steps, what each party reads, and its follow-ups (issue 14)."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import DatabaseError, transaction
from django.utils import timezone

from returns import services
from returns.models import FollowUp, ReturnEvent, ReturnStatus
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import referral_data
from tests.referrals.helpers import url

from .conftest import walk_to

pytestmark = pytest.mark.django_db

RETURNS = "/api/v1/returns/"
REFERRAL_NOTE = referral_data()["notes"]
ORIGIN_NOTE = "The person worries about the debt owed to the recruiter."
DESTINATION_NOTE = "The family home was assessed as safe."


def return_url(case, action: str = "") -> str:
    return f"{RETURNS}{case.pk}/" + (f"{action}/" if action else "")


def step(user, case, to: str, note: str = ""):
    return client_for(user).post(return_url(case, "transition"), {"to": to, "note": note}, format="json")


def test_the_destination_takes_the_steps_to_closed(cast, return_case, destination):
    for to in ("assessing", "travel_arranged", "handed_over", "reintegration", "closed"):
        response = step(destination.caseworker, return_case, to)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == to
    return_case.refresh_from_db()
    assert return_case.handed_over_on == timezone.localdate()
    timeline = list(return_case.events.values_list("from_status", "to_status"))
    assert timeline[1:] == [("requested", "assessing"), ("assessing", "travel_arranged"),
                            ("travel_arranged", "handed_over"), ("handed_over", "reintegration"),
                            ("reintegration", "closed")]


@pytest.mark.parametrize(("status", "to"), [
    ("requested", "handed_over"), ("requested", "requested"), ("assessing", "requested"),
    ("closed", "cancelled"), ("closed", "reintegration"),
])
def test_a_wrong_step_is_a_conflict_naming_the_current_status(cast, return_case, destination, status, to):
    case = walk_to(return_case, status, destination.caseworker)
    body = assert_problem(step(destination.caseworker, case, to), 409)
    assert body["current_status"] == status


def test_an_unknown_status_is_bad_input(return_case, destination):
    assert_problem(step(destination.caseworker, return_case, "teleported"), 400, "to")


def test_who_takes_which_step(cast, return_case, destination, api):
    assert_problem(api.post(return_url(return_case, "transition"), {"to": "assessing"}, format="json"), 401)
    assert_problem(step(cast.offered_caseworker, return_case, "assessing"), 403)  # the destination's step
    assert_problem(step(destination.viewer, return_case, "assessing"), 403)
    assert_problem(step(cast.offered_viewer, return_case, "cancelled"), 403)
    for outsider in (cast.submitter_caseworker, cast.other_ngo_caseworker, cast.platform_admin):
        assert_problem(step(outsider, return_case, "cancelled"), 404)
    return_case.refresh_from_db()
    assert return_case.status == ReturnStatus.REQUESTED


def test_either_party_cancels(cast, return_case, destination):
    assert step(cast.offered_caseworker, return_case, "cancelled", ORIGIN_NOTE).status_code == 200
    assert_problem(step(destination.caseworker, return_case, "cancelled"), 409)


def test_notes_are_screened(return_case, destination):
    assert_problem(step(destination.caseworker, return_case, "assessing", "Write to aunt@example.org"), 400, "note")


def test_the_destination_reads_what_it_needs_never_the_origins_notes_nor_the_referral(cast, return_case, destination):
    services.return_transition(case=return_case, by=destination.caseworker, to="assessing", note=DESTINATION_NOTE)
    services.return_transition(case=return_case, by=cast.offered_caseworker, to="cancelled", note=ORIGIN_NOTE)
    for reader in (destination.caseworker, destination.viewer):
        response = client_for(reader).get(return_url(return_case))
        assert response.status_code == 200
        body, text = response.json(), response.content.decode()
        assert body["profile"] == {"age_band": "18-20", "gender": "female", "nationality": "MM", "languages": ["my"]}
        assert body["needs"] == ["shelter", "medical"]
        assert body["services_requested"] == ["family_tracing", "reintegration"]
        assert body["consent"] == {"given": True, "basis": "informed_consent"}
        assert [event["to_status"] for event in body["timeline"]] == ["requested", "assessing", "cancelled"]
        assert DESTINATION_NOTE in text
        assert ORIGIN_NOTE not in text
        assert REFERRAL_NOTE not in text
        assert body["referral"] is None
        assert str(return_case.referral_id) not in text
    # nor may it read the referral, its notes or its timeline through the referrals' routes
    assert_problem(client_for(destination.caseworker).get(url(return_case.referral)), 404)
    assert_problem(client_for(destination.caseworker).get(url(return_case.referral, "events")), 404)
    # the origin reads it all
    origin = client_for(cast.offered_caseworker).get(return_url(return_case))
    assert ORIGIN_NOTE in origin.content.decode()
    assert DESTINATION_NOTE in origin.content.decode()
    assert origin.json()["referral"] == str(return_case.referral_id)


def test_the_list_is_the_parties_own_and_filters_by_status(cast, return_case, destination, api):
    assert_problem(api.get(RETURNS), 401)
    for reader in (cast.offered_caseworker, cast.offered_viewer, destination.caseworker, destination.viewer):
        response = client_for(reader).get(RETURNS)
        assert [item["id"] for item in response.json()["results"]] == [str(return_case.pk)]
    for outsider in (cast.submitter_caseworker, cast.other_ngo_caseworker, cast.platform_admin):
        assert client_for(outsider).get(RETURNS).json()["results"] == []
        assert_problem(client_for(outsider).get(return_url(return_case)), 404)
    assert client_for(destination.caseworker).get(RETURNS, {"status": "assessing"}).json()["results"] == []
    listed = client_for(destination.caseworker).get(RETURNS, {"status": "requested"}).json()["results"]
    assert len(listed) == 1
    assert_problem(client_for(destination.caseworker).get(RETURNS, {"status": "lost"}), 400, "status")


def test_the_list_reads_in_a_fixed_number_of_queries(cast, accepted, destination, django_assert_max_num_queries):
    from referrals import services as referral_services
    from tests.referrals.helpers import accept

    from .conftest import open_return

    case = open_return(accepted, cast.offered_caseworker)
    walk_to(case, "handed_over", destination.caseworker)
    client = client_for(destination.caseworker)
    client.get(RETURNS)
    with django_assert_max_num_queries(12) as first:
        client.get(RETURNS)
    for _ in range(3):
        child = referral_services.referral_refer_onward(referral=accepted, by=cast.offered_caseworker,
                                                        needs=["legal_aid"], organisation_ids=[cast.other_ngo.pk])
        accept(child, cast.other_ngo_caseworker)
        walk_to(open_return(child, cast.other_ngo_caseworker), "handed_over", destination.caseworker)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get(RETURNS).json()["results"]) == 4


def test_the_timeline_is_append_only(return_case):
    event = return_case.events.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ReturnEvent.objects.filter(pk=event.pk).update(to_status="closed")
    with pytest.raises(DatabaseError), transaction.atomic():
        ReturnEvent.objects.filter(pk=event.pk).update(note="Something new.")
    with pytest.raises(DatabaseError), transaction.atomic():
        ReturnEvent.objects.filter(pk=event.pk).delete()


# --- follow-ups -------------------------------------------------------------------------------------

def follow_up(user, case, months, outcome="reintegrated", note=""):
    return client_for(user).post(return_url(case, f"follow-ups/{months}"), {"outcome": outcome, "note": note},
                                 format="json")


def test_hand_over_opens_follow_ups_at_three_six_and_twelve_months(return_case, destination):
    case = walk_to(return_case, "handed_over", destination.caseworker)
    today = timezone.localdate()
    assert list(case.follow_ups.values_list("months", "due_on", "outcome")) == [
        (months, today + relativedelta(months=months), None) for months in (3, 6, 12)
    ]


def test_the_destination_records_follow_ups_after_hand_over(cast, return_case, destination):
    assert_problem(follow_up(destination.caseworker, return_case, 3), 409)
    case = walk_to(return_case, "handed_over", destination.caseworker)
    response = follow_up(destination.caseworker, case, 3, "needs_support", "Back at school, needs fees.")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "needs_support"
    assert response.json()["recorded_on"] == timezone.localdate().isoformat()
    assert_problem(follow_up(destination.caseworker, case, 3), 409)  # recorded already
    assert_problem(follow_up(cast.offered_caseworker, case, 6), 403)  # the destination's to record
    assert_problem(follow_up(destination.viewer, case, 6), 403)
    assert_problem(follow_up(cast.other_ngo_caseworker, case, 6), 404)
    assert_problem(follow_up(destination.caseworker, case, 5), 404)
    assert_problem(follow_up(destination.caseworker, case, 6, "vanished"), 400, "outcome")
    assert_problem(follow_up(destination.caseworker, case, 6, note="Phone +95 9 123 456 789"), 400, "note")
    # the origin follows the progress
    body = client_for(cast.offered_caseworker).get(return_url(case)).json()
    assert [(f["months"], f["outcome"]) for f in body["follow_ups"]] == [(3, "needs_support"), (6, None), (12, None)]


def test_reminders_are_recorded_once_for_follow_ups_coming_due(return_case, destination, settings):
    from referrals.models import OutboxEvent, OutboxEventType
    from returns.tasks import remind_follow_ups

    settings.RETURN_FOLLOW_UP_REMINDER_DAYS = 14
    case = walk_to(return_case, "handed_over", destination.caseworker)
    three = case.follow_ups.get(months=3)
    early = timezone.now() + (three.due_on - timezone.localdate()) - timedelta(days=20)
    assert remind_follow_ups(now=early) == 0
    near = early + timedelta(days=10)
    assert remind_follow_ups(now=near) == 1
    assert remind_follow_ups(now=near.isoformat()) == 0  # once each
    reminder = case.events.get(action="follow_up_reminder")
    assert reminder.detail == {"months": 3, "due_on": three.due_on.isoformat()}
    assert OutboxEvent.objects.filter(type=OutboxEventType.RETURN_FOLLOW_UP_DUE, return_case_id=case.pk).count() == 1
    assert FollowUp.objects.filter(reminded__isnull=False).count() == 1
    # a recorded follow-up is not reminded of
    services.follow_up_record(case=case, by=destination.caseworker, months=6, outcome="reintegrated")
    assert remind_follow_ups(now=timezone.now() + timedelta(days=400)) == 1  # the 12-month one only
