"""Offers nobody answers within REFERRAL_OFFER_TTL expire (Celery beat runs referrals.tasks.expire_offers)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals import services
from referrals.models import Offer, OfferStatus, OutboxEvent, Status
from referrals.tasks import expire_offers
from tests.conftest import client_for
from tests.referrals.factories import submit
from tests.referrals.helpers import url

pytestmark = pytest.mark.django_db

NO_TIME = {"routine": timedelta(seconds=0), "urgent": timedelta(seconds=0), "emergency": timedelta(seconds=0)}


def offer_of(referral, organisation) -> Offer:
    return Offer.objects.get(referral=referral, organisation=organisation)


def test_an_offer_past_its_time_expires(cast, offered_referral, settings):
    settings.REFERRAL_OFFER_TTL = NO_TIME
    assert client_for(cast.offered_caseworker).get(url(offered_referral)).status_code == 200

    expired = services.offers_expire_due()

    assert expired == 1
    offer = offer_of(offered_referral, cast.offered)
    assert offer.status == OfferStatus.EXPIRED
    assert offer.responded is not None
    assert offer_of(offered_referral, cast.declined).status == OfferStatus.DECLINED  # untouched
    offered_referral.refresh_from_db()
    assert offered_referral.status == Status.SUBMITTED
    assert client_for(cast.offered_caseworker).get(url(offered_referral)).status_code == 404
    assert client_for(cast.offered_viewer).get(url(offered_referral)).status_code == 404
    assert client_for(cast.offered_caseworker).post(url(offered_referral, "accept")).status_code == 404
    event = OutboxEvent.objects.filter(referral=offered_referral).latest("id")
    assert (event.type, event.subject_organisation_id) == ("offer.expired", cast.offered.pk)
    submitter_view = client_for(cast.submitter_caseworker).get(url(offered_referral)).json()
    assert submitter_view["status"] == Status.SUBMITTED
    assert {o["organisation"]["id"]: o["status"] for o in submitter_view["offers"]}[str(cast.offered.pk)] == "expired"


def test_expiring_again_changes_nothing(cast, offered_referral, settings):
    settings.REFERRAL_OFFER_TTL = NO_TIME
    services.offers_expire_due()
    events = OutboxEvent.objects.count()

    assert services.offers_expire_due() == 0
    assert OutboxEvent.objects.count() == events


def test_an_offer_within_its_time_is_untouched(cast, offered_referral):
    expired = services.offers_expire_due()  # default TTL: 24 hours for an urgent referral

    assert expired == 0
    assert offer_of(offered_referral, cast.offered).status == OfferStatus.PENDING
    offered_referral.refresh_from_db()
    assert offered_referral.status == Status.OFFERED
    assert client_for(cast.offered_caseworker).get(url(offered_referral)).status_code == 200
    assert not OutboxEvent.objects.filter(type="offer.expired").exists()


def test_the_time_to_live_counts_from_the_offer(cast, offered_referral, settings):
    settings.REFERRAL_OFFER_TTL = {**NO_TIME, "urgent": timedelta(hours=24)}
    offer = offer_of(offered_referral, cast.offered)

    Offer.objects.filter(pk=offer.pk).update(created=timezone.now() - timedelta(hours=23, minutes=59))
    assert services.offers_expire_due() == 0
    Offer.objects.filter(pk=offer.pk).update(created=timezone.now() - timedelta(hours=24, minutes=1))
    assert services.offers_expire_due() == 1

    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED


def test_each_urgency_has_its_own_time_to_live(cast, settings):
    settings.REFERRAL_OFFER_TTL = {"emergency": timedelta(seconds=0), "urgent": timedelta(hours=1),
                                   "routine": timedelta(hours=1)}
    emergency = submit(cast.submitter_caseworker, urgency="emergency")
    urgent = submit(cast.submitter_caseworker, urgency="urgent")
    for referral in (emergency, urgent):
        services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])

    assert services.offers_expire_due() == 1

    assert offer_of(emergency, cast.offered).status == OfferStatus.EXPIRED
    assert offer_of(urgent, cast.offered).status == OfferStatus.PENDING


def test_one_of_two_offers_expiring_keeps_the_referral_offered(cast, settings):
    referral = submit(cast.submitter_caseworker)
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    late = offer_of(referral, cast.declined)
    Offer.objects.filter(pk=late.pk).update(created=timezone.now() - timedelta(days=4))

    assert services.offers_expire_due() == 1

    referral.refresh_from_db()
    assert referral.status == Status.OFFERED
    assert offer_of(referral, cast.offered).status == OfferStatus.PENDING
    assert offer_of(referral, cast.declined).status == OfferStatus.EXPIRED
    assert client_for(cast.declined_caseworker).get(url(referral)).status_code == 404
    assert client_for(cast.offered_caseworker).get(url(referral)).status_code == 200


def test_with_auto_routing_the_next_match_is_offered(cast, specialists, settings):
    referral = submit(cast.submitter_caseworker, needs=["shelter", "legal_aid", "interpretation"])
    routed = client_for(cast.submitter_caseworker).post(url(referral, "route"), {"auto": True}, format="json")
    assert routed.status_code == 200, routed.content
    assert [o["organisation"]["id"] for o in routed.json()["offers"]] == [str(specialists["best"].pk)]
    settings.REFERRAL_OFFER_TTL = NO_TIME

    assert services.offers_expire_due() == 1

    referral.refresh_from_db()
    assert referral.status == Status.OFFERED
    assert dict(referral.offers.values_list("organisation", "status")) == {
        specialists["best"].pk: OfferStatus.EXPIRED,
        specialists["second"].pk: OfferStatus.PENDING,  # offered now: not expired in the same run
    }
    assert client_for(specialists["best_caseworker"]).get(url(referral)).status_code == 404
    assert client_for(specialists["second_caseworker"]).get(url(referral)).status_code == 200
    events = list(OutboxEvent.objects.filter(referral=referral).order_by("id").values_list(
        "type", "subject_organisation"))
    assert events[-2:] == [("offer.expired", specialists["best"].pk), ("referral.offered", specialists["second"].pk)]


def test_the_celery_task_expires_due_offers(cast, offered_referral, settings):
    settings.REFERRAL_OFFER_TTL = NO_TIME

    result = expire_offers()

    assert result == 1
    assert offer_of(offered_referral, cast.offered).status == OfferStatus.EXPIRED
    assert expire_offers() == 0


def test_an_accepted_referral_has_no_offer_left_to_expire(cast, offered_referral, settings):
    services.offer_accept(referral=offered_referral, by=cast.offered_caseworker)
    settings.REFERRAL_OFFER_TTL = NO_TIME

    assert services.offers_expire_due() == 0
    offered_referral.refresh_from_db()
    assert offered_referral.status == Status.ACCEPTED
    assert client_for(cast.offered_caseworker).get(url(offered_referral)).status_code == 200


@pytest.mark.parametrize(
    ("configured", "urgency", "expected"),
    [
        (3600, "urgent", timedelta(hours=1)),
        (timedelta(minutes=5), "routine", timedelta(minutes=5)),
        ({"emergency": 600, "urgent": timedelta(hours=2), "routine": 86400}, "emergency", timedelta(minutes=10)),
        ({"emergency": 600, "urgent": timedelta(hours=2)}, "routine", timedelta(hours=2)),  # missing: the longest
    ],
)
def test_the_time_to_live_setting_takes_seconds_durations_or_one_per_urgency(settings, configured, urgency,
                                                                             expected):
    settings.REFERRAL_OFFER_TTL = configured

    assert services.offer_ttl(urgency) == expected
