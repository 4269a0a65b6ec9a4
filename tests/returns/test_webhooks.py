"""A return's steps reach the systems of its parties (origin, destination focal points) through
the outbox, with the return as each may read it; nobody else hears of them."""

import pytest

from integration import webhooks
from integration.models import WebhookDelivery
from referrals.models import OutboxEvent, OutboxEventType
from returns import services
from tests.network import PUBLIC_WEBHOOK_URL

pytestmark = pytest.mark.django_db

RETURN_EVENTS = ["return.requested", "return.status_changed", "return.follow_up_recorded", "return.follow_up_due"]
ORIGIN_NOTE = "Cancelled: the person decided to stay for the trial."


def subscribe(organisation):
    return webhooks.webhook_create(organisation=organisation, url=f"{PUBLIC_WEBHOOK_URL}/{organisation.pk}",
                                   events=RETURN_EVENTS)


def test_return_events_go_to_its_parties_only(cast, accepted, destination):
    from .conftest import open_return

    origin_hook, destination_hook, submitter_hook = (
        subscribe(cast.offered), subscribe(destination.focal_point), subscribe(cast.government))
    case = open_return(accepted, cast.offered_caseworker)
    services.return_transition(case=case, by=cast.offered_caseworker, to="cancelled", note=ORIGIN_NOTE)
    events = OutboxEvent.objects.filter(return_case_id=case.pk)
    assert list(events.values_list("type", flat=True)) == [OutboxEventType.RETURN_REQUESTED,
                                                           OutboxEventType.RETURN_STATUS_CHANGED]
    assert set(events.first().audience) == {cast.offered.pk, destination.focal_point.pk}
    webhooks.outbox_relay()
    deliveries = WebhookDelivery.objects.filter(event__in=events)
    assert not deliveries.filter(subscription=submitter_hook).exists()
    assert deliveries.filter(subscription=origin_hook).count() == 2
    for delivery in deliveries.filter(subscription=destination_hook):
        body = delivery.body
        assert body["data"]["return"]["id"] == str(case.pk)
        assert "referral" not in body["data"]
        assert body["data"]["return"]["referral"] is None
        assert str(accepted.pk) not in str(body)
        assert ORIGIN_NOTE not in str(body)
    assert deliveries.filter(subscription=destination_hook).count() == 2
    origin_body = deliveries.filter(subscription=origin_hook).last().body
    assert origin_body["data"]["return"]["referral"] == str(accepted.pk)


def test_a_focal_point_that_lost_its_mark_hears_no_more(cast, accepted, destination):
    from organisations import services as organisation_services

    from .conftest import open_return

    hook = subscribe(destination.focal_point)
    open_return(accepted, cast.offered_caseworker)
    organisation_services.organisation_update(organisation=destination.focal_point, data={"focal_point": False})
    webhooks.outbox_relay()
    assert not WebhookDelivery.objects.filter(subscription=hook).exists()
