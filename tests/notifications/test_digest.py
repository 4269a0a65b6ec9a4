"""The daily digest: at the user's own time in their own time zone, once a day, with the items
pending at that moment that they may still see."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.services import profile_update
from notifications import services
from notifications.models import Notification, NotificationKind, NotificationPreference, NotificationStatus
from organisations import services as organisation_services
from organisations.models import Membership
from referrals import services as referral_services

from .helpers import assert_no_case_content, deliver, routed

pytestmark = pytest.mark.django_db


def digest_soon(user, time_zone: str):
    """The user's digest time: one minute from now on their own clock."""
    profile_update(user=user, data={"time_zone": time_zone})
    local = timezone.now().astimezone(ZoneInfo(time_zone)) + timedelta(minutes=1)
    NotificationPreference.objects.update_or_create(user=user, defaults={"digest_time": local.time()})


def test_the_digest_comes_at_the_users_local_time_once(parties, smtp):
    caseworker = parties["police_caseworker"]
    digest_soon(caseworker, "Asia/Jakarta")
    referral = routed(parties)
    referral_services.offer_accept(referral=referral, by=parties["shelter_caseworker"])
    deliver()
    assert Notification.objects.get(recipient=caseworker, kind=NotificationKind.OFFER_ACCEPTED).delivery == "digest"

    now = timezone.now()
    assert services.digest_send(caseworker, now=now) == 0  # not yet its time
    assert services.digest_send(caseworker, now=now + timedelta(minutes=2)) == 1
    assert services.digest_send(caseworker, now=now + timedelta(minutes=3)) == 0  # once a day

    [digest] = smtp.to(caseworker.email)
    assert "daily summary" in digest.subject
    assert "Riverside Care House" in digest.text
    assert f"/app/referrals/{referral.pk}/" in digest.text
    assert "/app/inbox/" in digest.text
    assert_no_case_content(digest.subject + digest.text, referral)
    item = Notification.objects.get(recipient=caseworker, kind=NotificationKind.OFFER_ACCEPTED)
    assert item.status == NotificationStatus.SENT


def test_items_after_the_digest_wait_for_the_next_day(parties, smtp):
    caseworker = parties["police_caseworker"]
    digest_soon(caseworker, "Asia/Bangkok")
    referral = routed(parties)
    referral_services.offer_accept(referral=referral, by=parties["shelter_caseworker"])
    deliver()
    now = timezone.now()
    assert services.digest_send(caseworker, now=now + timedelta(minutes=2)) == 1
    outcome_date = timezone.localdate()
    referral_services.outcome_record(referral=referral, by=parties["shelter_caseworker"], type="medical_care",
                                     date=outcome_date, note="")
    deliver()
    assert services.digest_send(caseworker, now=now + timedelta(hours=3)) == 0
    assert services.digest_send(caseworker, now=now + timedelta(days=1, minutes=2)) == 1
    assert len(smtp.to(caseworker.email)) == 2


def test_a_member_who_lost_access_gets_no_digest(parties, smtp):
    caseworker = parties["police_caseworker"]
    digest_soon(caseworker, "UTC")
    referral = routed(parties)
    referral_services.offer_accept(referral=referral, by=parties["shelter_caseworker"])
    deliver()
    organisation_services.member_change_role(membership=Membership.objects.get(user=caseworker), role="viewer")
    assert services.digest_send(caseworker, now=timezone.now() + timedelta(minutes=2)) == 0
    assert smtp.to(caseworker.email) == []
    assert Notification.objects.get(recipient=caseworker).status == NotificationStatus.CANCELLED
