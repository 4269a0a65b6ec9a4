"""The identification steps reach partner systems as the existing events do: only organisations
that may read the referral hear of them (the reflection reminder only the submitter and the
accepting organisation), each body is the referral as that organisation's API shows it, and the
deciding organisation's basis stays with it."""

import pytest
from django.utils import timezone

from identification.services import identification_decide, reflection_reminders_due
from integration import webhooks
from integration.models import WebhookDelivery
from referrals import services as referral_services
from referrals.models import OutboxEventType
from tests.network import PUBLIC_WEBHOOK_URL
from tests.referrals.factories import submit
from tests.referrals.helpers import accept

pytestmark = pytest.mark.django_db
EVENTS = [OutboxEventType.IDENTIFICATION_DECIDED, OutboxEventType.REFLECTION_ENDING]
BASIS = "Indicators of deception and debt."


def subscribe(organisation):
    return webhooks.webhook_create(organisation=organisation, url=f"{PUBLIC_WEBHOOK_URL}/{organisation.pk}",
                                   events=[str(event) for event in EVENTS])


def delivered(hook, type_) -> list[dict]:
    return [d.body for d in WebhookDelivery.objects.filter(subscription=hook, event__type=type_)]


@pytest.fixture
def hooks(cast, competent):
    return {name: subscribe(organisation) for name, organisation in {
        "submitter": cast.government, "competent": competent, "declined": cast.declined, "other": cast.other_ngo,
    }.items()}


def test_a_decision_reaches_who_may_read_the_referral_without_the_basis(cast, competent, hooks, settings):
    settings.REFLECTION_PERIOD_DAYS = 5
    referral = submit(cast.submitter_caseworker)
    referral_services.referral_route(referral=referral, by=cast.submitter_caseworker,
                                     organisation_ids=[competent.pk, cast.declined.pk])
    referral_services.offer_decline(referral=referral, by=cast.declined_caseworker, reason="No space this week.")
    referral = accept(referral, cast.offered_caseworker)
    identification_decide(referral=referral, by=cast.offered_caseworker, decision="presumed", basis=BASIS,
                          decided_on=timezone.localdate())
    assert reflection_reminders_due() == 1
    webhooks.outbox_relay()

    for name in ("declined", "other"):  # an offer declined, or never made: nothing
        assert not WebhookDelivery.objects.filter(subscription=hooks[name]).exists()
    for name in ("submitter", "competent"):
        [decided] = delivered(hooks[name], OutboxEventType.IDENTIFICATION_DECIDED)
        [ending] = delivered(hooks[name], OutboxEventType.REFLECTION_ENDING)
        for body in (decided, ending):
            shown = body["data"]["referral"]
            assert shown["id"] == str(referral.pk)
            assert shown["identification"]["decision"] == "presumed"
            assert shown["identification"]["organisation"]["id"] == str(competent.pk)
            assert BASIS not in str(body)  # the basis is read through the decision's own endpoint


def test_the_reflection_reminder_goes_to_the_submitter_and_acceptor_only(cast, competent, hooks, settings):
    """A pending offer lets its NGO read the referral (and the decision's event), but the
    reminder is for those who look after the person: the submitter, the accepting organisation."""
    settings.REFLECTION_PERIOD_DAYS = 5
    referral = submit(cast.submitter_caseworker)
    referral_services.referral_route(referral=referral, by=cast.submitter_caseworker,
                                     organisation_ids=[competent.pk, cast.declined.pk])
    identification_decide(referral=referral, by=cast.offered_caseworker, decision="identified",
                          decided_on=timezone.localdate())
    assert reflection_reminders_due() == 1
    webhooks.outbox_relay()
    assert len(delivered(hooks["submitter"], OutboxEventType.REFLECTION_ENDING)) == 1
    for name in ("competent", "declined", "other"):  # not accepted (yet), or not offered
        assert delivered(hooks[name], OutboxEventType.REFLECTION_ENDING) == []
    assert delivered(hooks["other"], OutboxEventType.IDENTIFICATION_DECIDED) == []
