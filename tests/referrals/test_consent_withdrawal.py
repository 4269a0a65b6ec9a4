"""Withdrawing consent (POST /api/v1/referrals/{id}/withdraw-consent/): the referral closes, every
organisation but the submitter loses access at once, and its free text and case hash are erased,
in the database and in the stored webhook bodies."""

import json

import pytest

from api.models import IdempotencyRecord
from integration import webhooks
from integration.models import WebhookDelivery
from referrals import services
from referrals.models import EventAction, OfferStatus, Referral, ReferralEvent
from referrals.selectors import organisations_that_may_view
from tests.conftest import client_for
from tests.helpers import assert_problem

from .factories import referral_payload, submit
from .helpers import REFERRALS, accept, record_outcome, url

pytestmark = pytest.mark.django_db

NOTES = "Met at the harbour, speaks little Thai, afraid of the boat owner."
OUTCOME_NOTE = "Placed in the women's shelter after the medical check."
CLOSE_REASON = "Returned home with the family tracing service."
DECLINE_REASON = "No space this week."
ALL_EVENTS = [
    "referral.submitted", "referral.offered", "referral.accepted", "referral.declined", "referral.withdrawn",
    "referral.outcome_recorded", "referral.closed", "offer.expired",
]
CONTENT = (NOTES, OUTCOME_NOTE, CLOSE_REASON, DECLINE_REASON)


def submitted(cast, **overrides) -> Referral:
    return submit(cast.submitter_caseworker, notes=NOTES, case_reference="TH-ATHD-2025-0042", **overrides)


def route(cast, referral) -> Referral:
    """Offered to two NGOs; one declines with a reason."""
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason=DECLINE_REASON)
    referral.refresh_from_db()
    return referral


def offered(cast) -> Referral:
    return route(cast, submitted(cast))


def in_progress(cast) -> Referral:
    referral = accept(offered(cast), cast.offered_caseworker)
    record_outcome(referral, cast.offered_caseworker, note=OUTCOME_NOTE)
    referral.refresh_from_db()
    return referral


def closed(cast) -> Referral:
    referral = in_progress(cast)
    services.referral_close(referral=referral, by=cast.offered_caseworker, reason=CLOSE_REASON)
    referral.refresh_from_db()
    return referral


STATES = {"offered": offered, "in_progress": in_progress, "closed": closed}


def withdraw_consent(user, referral):
    return client_for(user).post(url(referral, "withdraw-consent"))


def listed_ids(user) -> set[str]:
    response = client_for(user).get(REFERRALS, {"page_size": 100})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def assert_content_erased(referral: Referral) -> None:
    referral.refresh_from_db()
    assert referral.notes == ""
    assert referral.close_reason == ""
    assert referral.subject_hash == ""
    assert set(referral.offers.values_list("reason", flat=True)) <= {""}
    assert set(referral.outcomes.values_list("note", flat=True)) <= {""}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ["submitter_admin", "submitter_caseworker"])
def test_the_submitter_withdraws_consent(cast, state, role):
    referral = STATES[state](cast)
    had_offers = referral.offers.count()

    response = withdraw_consent(getattr(cast, role), referral)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed"
    assert body["consent_withdrawn"] is not None
    assert body["notes"] == ""
    assert body["close_reason"] == ""
    assert body["subject_key"] is None
    assert all(offer["reason"] == "" for offer in body["offers"])
    assert all(outcome["note"] == "" for outcome in body["outcomes"])
    assert not any(text in response.content.decode() for text in CONTENT)
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert referral.consent_withdrawn is not None
    assert_content_erased(referral)
    assert referral.offers.count() == had_offers  # offers are kept, their reasons are not
    assert not referral.offers.filter(status=OfferStatus.PENDING).exists()


@pytest.mark.parametrize("state", STATES)
def test_every_other_organisation_loses_access_at_once(cast, state):
    referral = STATES[state](cast)
    assert str(referral.pk) in listed_ids(cast.offered_caseworker)  # offered or accepting: sees it

    assert withdraw_consent(cast.submitter_caseworker, referral).status_code == 200

    for user in (cast.offered_caseworker, cast.offered_viewer, cast.declined_caseworker):
        for action in ("", "events", "outcomes"):
            assert_problem(client_for(user).get(url(referral, action)), 404)
        assert str(referral.pk) not in listed_ids(user)
    # The submitter still sees it, every role of it.
    for user in (cast.submitter_admin, cast.submitter_caseworker, cast.submitter_viewer):
        response = client_for(user).get(url(referral))
        assert response.status_code == 200, response.content
        assert response.json()["consent_withdrawn"] is not None
        assert str(referral.pk) in listed_ids(user)
        assert client_for(user).get(url(referral, "events")).status_code == 200
    assert organisations_that_may_view(referral.pk) == [cast.government.pk]


def test_nobody_but_the_submitter_can_act_on_it_afterwards(cast):
    referral = in_progress(cast)
    withdraw_consent(cast.submitter_caseworker, referral)
    client = client_for(cast.offered_caseworker)
    assert_problem(client.post(url(referral, "outcomes"), {"type": "medical_care", "date": "2025-01-01"},
                               format="json"), 404)
    assert_problem(client.post(url(referral, "close"), {}, format="json"), 404)


def test_the_audit_trail_records_the_withdrawal_without_content(cast):
    referral = closed(cast)
    withdraw_consent(cast.submitter_admin, referral)

    events = ReferralEvent.objects.filter(referral=referral, action=EventAction.CONSENT_WITHDRAWN)
    assert events.count() == 1
    event = events.get()
    assert event.detail == {}
    assert event.actor == cast.submitter_admin
    assert event.organisation_id == cast.government.pk
    # Nothing in the whole trail of the referral carries its free text.
    details = json.dumps(list(ReferralEvent.objects.filter(referral=referral).values_list("detail", flat=True)))
    assert not any(text in details for text in CONTENT)
    timeline = client_for(cast.submitter_viewer).get(url(referral, "events"), {"page_size": 100}).json()
    actions = [item["action"] for item in timeline["results"]]
    assert "consent_withdrawn" in actions


@pytest.fixture
def subscriptions(cast, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    return [
        webhooks.webhook_create(organisation=organisation, url="http://127.0.0.1:9/unused", events=ALL_EVENTS)
        for organisation in (cast.government, cast.offered, cast.declined)
    ]


def delivery_bodies(referral) -> list[str]:
    return [json.dumps(body) for body in WebhookDelivery.objects.filter(event__referral=referral)
            .values_list("body", flat=True)]


def test_stored_webhook_bodies_lose_the_content(cast, subscriptions):
    referral = closed(cast)
    webhooks.outbox_relay()
    before = delivery_bodies(referral)
    assert len(before) > 5
    assert any(NOTES in body for body in before)
    assert any(OUTCOME_NOTE in body for body in before)
    assert any(CLOSE_REASON in body for body in before)
    subject_key = referral.subject_hash[:16]
    assert any(subject_key in body for body in before)

    assert withdraw_consent(cast.submitter_caseworker, referral).status_code == 200

    after = delivery_bodies(referral)
    assert len(after) == len(before)
    for body in after:
        assert not any(text in body for text in CONTENT), body
        assert subject_key not in body
    # The event of the withdrawal itself goes to the submitter only, and carries no content either.
    webhooks.outbox_relay()
    latest = WebhookDelivery.objects.filter(event__referral=referral).order_by("-event_id").first()
    assert latest.body["type"] == "referral.closed"
    assert latest.subscription.organisation_id == cast.government.pk
    assert latest.body["data"]["referral"]["consent_withdrawn"] is not None
    assert not any(text in json.dumps(latest.body) for text in CONTENT)


def test_pending_deliveries_to_other_organisations_are_not_sent(cast, subscriptions):
    referral = offered(cast)
    webhooks.outbox_relay()
    offered_subscription = next(s for s in subscriptions if s.organisation_id == cast.offered.pk)
    assert WebhookDelivery.objects.filter(subscription=offered_subscription, status="pending").exists()

    withdraw_consent(cast.submitter_caseworker, referral)
    webhooks.subscription_deliver(offered_subscription.pk)  # checks access again before each attempt

    statuses = set(WebhookDelivery.objects.filter(subscription=offered_subscription).values_list("status", flat=True))
    assert statuses == {"cancelled"}


def test_stored_idempotent_responses_lose_the_content(cast):
    client = client_for(cast.submitter_caseworker)
    payload = referral_payload(notes=NOTES)
    created = client.post(REFERRALS, payload, format="json", HTTP_IDEMPOTENCY_KEY="submit-0042")
    assert created.status_code == 201, created.content
    referral = Referral.objects.get(pk=created.json()["id"])
    assert withdraw_consent(cast.submitter_caseworker, referral).status_code == 200

    stored = json.dumps(list(IdempotencyRecord.objects.values_list("response_body", flat=True)))
    replay = client.post(REFERRALS, payload, format="json", HTTP_IDEMPOTENCY_KEY="submit-0042")
    assert NOTES not in stored
    assert NOTES not in replay.content.decode()


# --- who may withdraw consent ----------------------------------------------------------------------


def test_a_second_withdrawal_conflicts(cast):
    referral = offered(cast)
    assert withdraw_consent(cast.submitter_caseworker, referral).status_code == 200
    body = assert_problem(withdraw_consent(cast.submitter_admin, referral), 409)
    assert body["status"] == 409
    assert ReferralEvent.objects.filter(referral=referral, action=EventAction.CONSENT_WITHDRAWN).count() == 1


def test_a_viewer_of_the_submitter_may_not(cast):
    referral = offered(cast)
    assert_problem(withdraw_consent(cast.submitter_viewer, referral), 403)
    referral.refresh_from_db()
    assert referral.consent_withdrawn is None
    assert referral.notes == NOTES


@pytest.mark.parametrize("state", ["offered", "in_progress"])
def test_the_offered_or_accepting_organisation_may_not(cast, state):
    # The referral is open, so the state check passes and the party check refuses: 403, not 409.
    referral = STATES[state](cast)
    for user in (cast.offered_caseworker, cast.offered_viewer):
        assert_problem(withdraw_consent(user, referral), 403)
    referral.refresh_from_db()
    assert referral.consent_withdrawn is None
    assert referral.subject_hash != ""
    assert str(referral.pk) in listed_ids(cast.offered_caseworker)


def test_an_unrelated_organisation_gets_404(cast):
    referral = offered(cast)
    for user in (cast.other_ngo_caseworker, cast.other_government_caseworker, cast.declined_caseworker):
        assert_problem(withdraw_consent(user, referral), 404)
    referral.refresh_from_db()
    assert referral.consent_withdrawn is None


def test_a_platform_admin_gets_404(cast):
    referral = offered(cast)
    assert_problem(withdraw_consent(cast.platform_admin, referral), 404)
    referral.refresh_from_db()
    assert referral.consent_withdrawn is None


def test_anonymous_gets_401(cast, api):
    referral = offered(cast)
    assert_problem(api.post(url(referral, "withdraw-consent")), 401)
    referral.refresh_from_db()
    assert referral.consent_withdrawn is None


def test_consent_can_be_withdrawn_after_an_ordinary_withdrawal(cast):
    referral = offered(cast)
    services.referral_withdraw(referral=referral, by=cast.submitter_caseworker)
    response = withdraw_consent(cast.submitter_caseworker, referral)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert_content_erased(referral)
