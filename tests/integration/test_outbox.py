"""The transactional outbox, its relay to webhook subscriptions, and signed, ordered, retried
delivery to a receiver running on loopback."""

import hashlib
import hmac
import socket
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from integration import webhooks
from integration.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from referrals import services
from referrals.models import OutboxEvent, Referral
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import referral_payload, submit
from tests.referrals.helpers import REFERRALS, accept, record_outcome

pytestmark = pytest.mark.django_db

ALL_EVENTS = [
    "referral.submitted", "referral.offered", "referral.accepted", "referral.declined", "referral.withdrawn",
    "referral.outcome_recorded", "referral.closed", "offer.expired",
]


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_MAX_ATTEMPTS = 3


def subscribe(organisation, url="http://127.0.0.1:9/unused", events=ALL_EVENTS) -> WebhookSubscription:
    return webhooks.webhook_create(organisation=organisation, url=url, events=list(events))


def outbox_types(referral) -> list[str]:
    return list(OutboxEvent.objects.filter(referral=referral).order_by("id").values_list("type", flat=True))


def delivered_types(subscription) -> list[str]:
    return [d.body["type"] for d in WebhookDelivery.objects.filter(subscription=subscription).order_by("event_id")]


def verify_signature(secret: str, headers: dict, raw: bytes) -> int:
    """Check X-Signature as a receiver would; returns its timestamp."""
    parts = dict(part.split("=", 1) for part in headers["X-Signature"].split(","))
    assert set(parts) == {"t", "v1"}
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "bad signature"
    return int(parts["t"])


# --- the outbox ------------------------------------------------------------------------------------


def test_every_domain_action_writes_an_outbox_event(cast, settings):
    referral = submit(cast.submitter_caseworker)
    assert outbox_types(referral) == ["referral.submitted"]

    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    assert outbox_types(referral)[1:] == ["referral.offered", "referral.offered"]

    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason="")
    assert outbox_types(referral)[3:] == ["referral.declined"]

    accept(referral, cast.offered_caseworker)
    assert outbox_types(referral)[4:] == ["referral.accepted"]

    record_outcome(referral, cast.offered_caseworker)
    assert outbox_types(referral)[5:] == ["referral.outcome_recorded"]

    services.referral_close(referral=referral, by=cast.offered_caseworker, reason="")
    assert outbox_types(referral)[6:] == ["referral.closed"]

    withdrawn = submit(cast.submitter_caseworker)
    services.referral_withdraw(referral=withdrawn, by=cast.submitter_caseworker)
    assert outbox_types(withdrawn) == ["referral.submitted", "referral.withdrawn"]

    expiring = submit(cast.submitter_caseworker)
    services.referral_route(referral=expiring, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
    settings.REFERRAL_OFFER_TTL = timedelta(seconds=0)
    services.offers_expire_due()
    assert outbox_types(expiring) == ["referral.submitted", "referral.offered", "offer.expired"]

    subjects = dict(OutboxEvent.objects.filter(referral=referral).values_list("type", "subject_organisation"))
    assert subjects["referral.declined"] == cast.declined.pk
    assert subjects["referral.accepted"] == cast.offered.pk
    assert subjects["referral.submitted"] is None
    assert OutboxEvent.objects.filter(relayed__isnull=False).count() == 0


def test_the_outbox_event_is_part_of_the_transaction_of_the_change(cast):
    before = OutboxEvent.objects.count()
    inside = []

    def submit_then_fail():
        with transaction.atomic():
            submit(cast.submitter_caseworker)
            inside.append(OutboxEvent.objects.count())
            raise RuntimeError("the transaction fails after the change")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    assert inside == [before + 1]
    assert OutboxEvent.objects.count() == before
    assert not Referral.objects.exists()


def test_a_submission_refused_by_validation_writes_no_event(cast):
    before = OutboxEvent.objects.count()

    response = client_for(cast.submitter_caseworker).post(
        REFERRALS, referral_payload(notes="Call her brother on +66 81 234 5678."), format="json"
    )

    assert_problem(response, 400, "notes")
    assert OutboxEvent.objects.count() == before
    assert not Referral.objects.exists()


def test_a_refused_route_writes_no_event(cast):
    referral = submit(cast.submitter_caseworker)

    response = client_for(cast.submitter_caseworker).post(
        f"{REFERRALS}{referral.pk}/route/", {"organisations": [str(cast.offered.pk), str(cast.government.pk)]},
        format="json",
    )

    assert_problem(response, 400, "organisations")
    assert outbox_types(referral) == ["referral.submitted"]


# --- relay -----------------------------------------------------------------------------------------


def test_relay_creates_one_delivery_per_event_and_entitled_subscription(cast, offered_referral):
    submitter = subscribe(cast.government)
    offered = subscribe(cast.offered)
    declined = subscribe(cast.declined)
    only_closed = subscribe(cast.offered, events=["referral.closed"])
    unrelated = subscribe(cast.other_ngo_caseworker.membership.organisation)
    inactive = subscribe(cast.government)
    WebhookSubscription.objects.filter(pk=inactive.pk).update(active=False)

    relayed, to_deliver = webhooks.outbox_relay()

    assert relayed == 4  # submitted, offered x2, declined
    assert not OutboxEvent.objects.filter(relayed__isnull=True).exists()
    assert delivered_types(submitter) == [
        "referral.submitted", "referral.offered", "referral.offered", "referral.declined",
    ]
    # Only events from when it could see the referral (not the submission before it was offered),
    # and none about another organisation (the other offer, its decline).
    assert delivered_types(offered) == ["referral.offered"]
    assert delivered_types(declined) == []  # it lost access by declining
    assert delivered_types(only_closed) == []
    assert delivered_types(unrelated) == []
    assert delivered_types(inactive) == []
    assert to_deliver == {submitter.pk, offered.pk}
    for delivery in WebhookDelivery.objects.all():
        assert set(delivery.body) == {"id", "type", "created", "data"}
        assert delivery.body["id"] == str(delivery.event.public_id)
        assert delivery.body["type"] == delivery.event.type
        assert delivery.body["data"]["referral"]["id"] == str(offered_referral.pk)
        assert delivery.status == DeliveryStatus.PENDING


def test_the_body_for_an_offered_organisation_hides_other_offers_and_decline_reasons(cast, offered_referral):
    offered = subscribe(cast.offered)
    submitter = subscribe(cast.government)

    webhooks.outbox_relay()

    bodies = [d.body for d in WebhookDelivery.objects.filter(subscription=offered)]
    assert bodies
    for body in bodies:
        text = str(body)
        assert str(cast.declined.pk) not in text
        assert "Harbour House" not in text
        assert "No space this week" not in text
        assert [o["organisation"]["id"] for o in body["data"]["referral"]["offers"]] == [str(cast.offered.pk)]
        assert body["data"].get("organisation") in (None, str(cast.offered.pk))
    # The submitter reads every offer, reasons included, and who each event is about.
    submitter_bodies = {d.body["type"]: d.body for d in WebhookDelivery.objects.filter(subscription=submitter)}
    declined_body = submitter_bodies["referral.declined"]
    assert declined_body["data"]["organisation"] == str(cast.declined.pk)
    reasons = {o["organisation"]["id"]: o["reason"] for o in declined_body["data"]["referral"]["offers"]}
    assert reasons[str(cast.declined.pk)] == "No space this week."


def test_relaying_twice_creates_no_duplicates(cast, offered_referral):
    submitter = subscribe(cast.government)
    webhooks.outbox_relay()
    first = set(WebhookDelivery.objects.values_list("pk", flat=True))

    again = webhooks.outbox_relay()
    OutboxEvent.objects.update(relayed=None)  # as if a crashed relay had to run again
    once_more = webhooks.outbox_relay()

    assert again == (0, set())
    assert once_more[0] == 4
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == first
    assert WebhookDelivery.objects.filter(subscription=submitter).count() == 4


def test_an_organisation_that_declined_gets_nothing_about_later_events(cast):
    referral = submit(cast.submitter_caseworker)
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    declined = subscribe(cast.declined)
    webhooks.outbox_relay()
    seen_before = delivered_types(declined)

    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason="")
    accept(referral, cast.offered_caseworker)
    record_outcome(referral, cast.offered_caseworker)
    webhooks.outbox_relay()

    assert seen_before == ["referral.offered"]  # its own offer: it could not see what came before
    assert delivered_types(declined) == seen_before


def test_the_accepting_organisation_hears_of_its_acceptance_and_later_events(cast, offered_referral):
    offered = subscribe(cast.offered, events=["referral.accepted", "referral.outcome_recorded", "referral.closed"])

    accept(offered_referral, cast.offered_caseworker)
    record_outcome(offered_referral, cast.offered_caseworker)
    services.referral_close(referral=offered_referral, by=cast.offered_caseworker)
    webhooks.outbox_relay()

    bodies = [d.body for d in WebhookDelivery.objects.filter(subscription=offered).order_by("event_id")]
    assert [b["type"] for b in bodies] == ["referral.accepted", "referral.outcome_recorded", "referral.closed"]
    assert bodies[0]["data"]["organisation"] == str(cast.offered.pk)


# --- delivery --------------------------------------------------------------------------------------


def test_deliveries_are_signed_and_arrive_in_order(cast, receiver):
    subscription = subscribe(cast.government, url=receiver.url)
    referral = submit(cast.submitter_caseworker)
    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
    accept(referral, cast.offered_caseworker)
    record_outcome(referral, cast.offered_caseworker)
    services.referral_close(referral=referral, by=cast.offered_caseworker)
    webhooks.outbox_relay()

    started = int(time.time())
    assert webhooks.subscription_deliver(subscription.pk) is None

    types = ["referral.submitted", "referral.offered", "referral.accepted", "referral.outcome_recorded",
             "referral.closed"]
    assert [r.body["type"] for r in receiver.requests] == types
    deliveries = list(WebhookDelivery.objects.filter(subscription=subscription).order_by("event_id"))
    for request, delivery in zip(receiver.requests, deliveries, strict=True):
        timestamp = verify_signature(subscription.secret, request.headers, request.raw)
        assert started - 5 <= timestamp <= int(time.time()) + 5
        assert request.headers["X-Event-Id"] == delivery.body["id"] == str(delivery.event.public_id)
        assert request.headers["X-Event-Type"] == delivery.body["type"]
        assert request.headers["Content-Type"] == "application/json"
        assert request.body == delivery.body
        assert delivery.status == DeliveryStatus.SUCCEEDED
        assert delivery.delivered is not None
        assert [a["status_code"] for a in delivery.attempts] == [200]


def test_a_signature_made_with_another_secret_does_not_verify(cast, receiver):
    subscription = subscribe(cast.government, url=receiver.url)
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()
    webhooks.subscription_deliver(subscription.pk)
    old_secret = subscription.secret

    webhooks.webhook_rotate_secret(subscription=subscription)
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()
    webhooks.subscription_deliver(subscription.pk)

    first, second = receiver.requests
    verify_signature(old_secret, first.headers, first.raw)
    verify_signature(subscription.secret, second.headers, second.raw)
    with pytest.raises(AssertionError, match="bad signature"):
        verify_signature(old_secret, second.headers, second.raw)
    with pytest.raises(AssertionError, match="bad signature"):
        verify_signature(subscription.secret, first.headers, first.raw[:-1] + b" ")


def test_a_failing_receiver_gets_retries_with_exponential_backoff_then_the_delivery_fails(cast, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status = 500
    subscription = subscribe(cast.government, url=receiver.url)
    submit(cast.submitter_caseworker)
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()
    first, second = WebhookDelivery.objects.filter(subscription=subscription).order_by("event_id")

    delays = []
    delay = webhooks.subscription_deliver(subscription.pk)
    delays.append(delay)
    first.refresh_from_db()
    assert first.status == DeliveryStatus.PENDING
    assert [a["status_code"] for a in first.attempts] == [500]
    assert first.next_attempt is not None
    assert timedelta(seconds=25) < first.next_attempt - timezone.now() <= timedelta(seconds=30)
    assert len(receiver.requests) == 1  # the next event waits behind the failing one: order is kept

    # Not yet due: nothing is sent, no second retry chain is started, and the sweep leaves it alone.
    assert webhooks.subscription_deliver(subscription.pk) is None
    assert len(receiver.requests) == 1
    assert subscription.pk not in webhooks.subscriptions_due()

    WebhookDelivery.objects.filter(pk=first.pk).update(next_attempt=timezone.now() - timedelta(seconds=1))
    assert subscription.pk in webhooks.subscriptions_due()
    delays.append(webhooks.subscription_deliver(subscription.pk))
    first.refresh_from_db()
    assert [a["status_code"] for a in first.attempts] == [500, 500]
    assert timedelta(seconds=55) < first.next_attempt - timezone.now() <= timedelta(seconds=60)
    assert delays == [timedelta(seconds=30), timedelta(seconds=60)]

    WebhookDelivery.objects.filter(pk=first.pk).update(next_attempt=timezone.now() - timedelta(seconds=1))
    receiver_count_before_last = len(receiver.requests)
    webhooks.subscription_deliver(subscription.pk)  # third and last attempt; the next event goes on

    first.refresh_from_db()
    assert first.status == DeliveryStatus.FAILED
    assert [a["status_code"] for a in first.attempts] == [500, 500, 500]
    assert first.next_attempt is None
    assert first.delivered is None
    assert receiver_count_before_last == 2
    assert [r.headers["X-Event-Id"] for r in receiver.requests[:3]] == [first.body["id"]] * 3
    second.refresh_from_db()
    assert second.body["id"] == receiver.requests[3].headers["X-Event-Id"]
    assert second.status == DeliveryStatus.PENDING
    assert [a["status_code"] for a in second.attempts] == [500]

    listed = client_for(cast.submitter_admin).get(f"/api/v1/webhooks/{subscription.pk}/deliveries/")
    assert listed.status_code == 200
    by_event = {d["event_id"]: d for d in listed.json()["results"]}
    assert by_event[first.body["id"]]["status"] == "failed"
    assert [a["status_code"] for a in by_event[first.body["id"]]["attempts"]] == [500, 500, 500]
    assert by_event[second.body["id"]]["next_attempt"] is not None


def test_a_receiver_that_recovers_gets_the_delivery_on_retry(cast, receiver):
    receiver.status = 503
    subscription = subscribe(cast.government, url=receiver.url)
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()
    assert webhooks.subscription_deliver(subscription.pk) == timedelta(seconds=30)

    receiver.status = 204
    WebhookDelivery.objects.update(next_attempt=timezone.now() - timedelta(seconds=1))
    assert webhooks.subscription_deliver(subscription.pk) is None

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [a["status_code"] for a in delivery.attempts] == [503, 204]
    assert receiver.requests[0].raw == receiver.requests[1].raw  # the same bytes, signed afresh
    for request in receiver.requests:
        verify_signature(subscription.secret, request.headers, request.raw)


def test_an_unreachable_receiver_is_recorded_as_an_error_and_retried(cast):
    with socket.socket() as probe:  # a loopback port nobody listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscription = subscribe(cast.government, url=f"http://127.0.0.1:{port}/hooks")
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()

    delay = webhooks.subscription_deliver(subscription.pk)

    delivery = WebhookDelivery.objects.get()
    assert delay == timedelta(seconds=30)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts[0]["status_code"] is None
    assert delivery.attempts[0]["error"]


def test_a_delivery_whose_organisation_lost_access_is_cancelled_and_never_sent(cast, receiver):
    referral = submit(cast.submitter_caseworker)
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    subscription = subscribe(cast.declined, url=receiver.url)
    webhooks.outbox_relay()
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 1  # its offer

    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason="")
    assert webhooks.subscription_deliver(subscription.pk) is None

    assert receiver.requests == []
    assert set(WebhookDelivery.objects.filter(subscription=subscription).values_list("status", flat=True)) == {
        DeliveryStatus.CANCELLED
    }
    assert all(d.attempts == [] for d in WebhookDelivery.objects.filter(subscription=subscription))


def test_a_paused_subscription_is_not_delivered_to(cast, receiver):
    subscription = subscribe(cast.government, url=receiver.url)
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()
    webhooks.webhook_update(subscription=subscription, data={"active": False})

    assert webhooks.subscription_deliver(subscription.pk) is None
    assert receiver.requests == []
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    assert webhooks.subscriptions_due() == []


def test_the_sweep_resumes_only_subscriptions_whose_next_delivery_is_due(cast, receiver):
    backing_off = subscribe(cast.government, url=receiver.url)
    waiting = subscribe(cast.government, url=receiver.url)
    done = subscribe(cast.government, url=receiver.url)
    submit(cast.submitter_caseworker)
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()
    WebhookDelivery.objects.filter(subscription=done).update(status=DeliveryStatus.SUCCEEDED)
    head = WebhookDelivery.objects.filter(subscription=backing_off).order_by("event_id").first()
    WebhookDelivery.objects.filter(pk=head.pk).update(next_attempt=timezone.now() + timedelta(minutes=5))

    due = webhooks.subscriptions_due()

    # The second event of `backing_off` has never been tried, but it waits behind the first.
    assert sorted(due) == [waiting.pk]
