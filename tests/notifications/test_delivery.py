"""Notifications through a real SMTP server on loopback, the task bodies called directly: who is
told of what, once, in their language, without case content; refused addresses, lost access."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import profile_update
from notifications import services
from notifications.models import Notification, NotificationKind, NotificationStatus
from organisations import services as organisation_services
from organisations.models import Membership
from referrals import services as referral_services
from referrals.models import Offer, Referral

from .helpers import NOTE, assert_no_case_content, deliver, routed

pytestmark = pytest.mark.django_db


def test_an_offer_reaches_the_offered_admins_and_caseworkers_once_without_case_content(parties, smtp, settings):
    settings.CONSOLE_BASE_URL = "https://console.example.org"
    referral = routed(parties)
    assert deliver() == 2
    assert deliver() == 0  # taking the outbox in again makes nothing new
    for notification_id in Notification.objects.values_list("pk", flat=True):
        services.notification_send(notification_id)  # a task delivered twice sends nothing more

    messages = smtp.messages()
    recipients = sorted(address for message in messages for address in message.recipients)
    assert recipients == sorted([parties["shelter_admin"].email, parties["shelter_caseworker"].email])
    for message in messages:
        assert "[Urgent]" in message.subject
        assert "Provincial Police Unit" in message.text  # the submitter, whom the offered NGO sees
        assert f"https://console.example.org/app/referrals/{referral.pk}/" in message.text
        assert "expires in" in message.text
        assert_no_case_content(message.subject + message.text, referral)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_the_message_is_in_the_recipients_language(parties, smtp):
    profile_update(user=parties["shelter_admin"], data={"language": "th", "time_zone": "Asia/Bangkok"})
    routed(parties)
    deliver()
    assert len(smtp.to(parties["shelter_admin"].email)) == 1  # rendered under override("th")


def test_accepted_declined_expired_reach_the_submitter(parties, smtp):
    referral = routed(parties)
    referral_services.offer_accept(referral=referral, by=parties["shelter_caseworker"])
    deliver()
    accepted = Notification.objects.filter(kind=NotificationKind.OFFER_ACCEPTED)
    assert {n.recipient for n in accepted} == {parties["police_admin"], parties["police_caseworker"]}
    assert {n.delivery for n in accepted} == {"digest"}  # the default for acceptances

    other = routed(parties)
    referral_services.offer_decline(referral=other, by=parties["shelter_caseworker"], reason="No room tonight.")
    third = routed(parties)
    referral_services.offer_expire(offer=Offer.objects.get(referral=third))
    deliver()
    assert Notification.objects.filter(kind=NotificationKind.OFFER_DECLINED).count() == 2
    expired = Notification.objects.filter(kind=NotificationKind.OFFER_EXPIRED)
    assert {n.status for n in expired} == {NotificationStatus.SENT}  # expiries go at once
    message = smtp.to(parties["police_caseworker"].email)[-1]
    assert "expired" in message.subject
    assert "Riverside Care House" in message.text
    assert "No room tonight" not in message.text


def test_consent_withdrawn_reaches_the_accepting_organisation_with_no_link_to_the_referral(parties, smtp):
    referral = routed(parties)
    referral_services.offer_accept(referral=referral, by=parties["shelter_caseworker"])
    referral_services.referral_withdraw_consent(referral=referral, by=parties["police_caseworker"])
    deliver()
    withdrawn = Notification.objects.filter(kind=NotificationKind.CONSENT_WITHDRAWN)
    assert {n.recipient for n in withdrawn} == {parties["shelter_admin"], parties["shelter_caseworker"]}
    assert not Notification.objects.filter(kind=NotificationKind.REFERRAL_CLOSED).exists()
    item = withdrawn.first()
    from notifications.messages import render_notification

    text = render_notification(item).body
    assert "/app/inbox/" in text
    assert str(referral.pk) not in text


def test_a_recipient_who_lost_access_before_sending_gets_nothing(parties, smtp):
    routed(parties)
    _taken, due = services.outbox_intake()
    assert len(due) == 2
    # the caseworker leaves the NGO, the admin becomes a viewer, before the messages leave
    organisation_services.member_remove(membership=Membership.objects.get(user=parties["shelter_caseworker"]),
                                        by=parties["shelter_admin"])
    organisation_services.member_change_role(membership=Membership.objects.get(user=parties["shelter_admin"]),
                                             role="viewer")
    for notification_id in due:
        services.notification_send(notification_id)
    assert smtp.messages() == []
    assert list(Notification.objects.order_by("recipient").values_list("recipient", "status")) == [
        (parties["shelter_admin"].pk, NotificationStatus.CANCELLED),
        (parties["shelter_caseworker"].pk, NotificationStatus.CANCELLED),
    ]


def test_an_offer_that_ended_before_sending_is_not_announced(parties, smtp):
    referral = routed(parties)
    _taken, due = services.outbox_intake()
    referral_services.offer_decline(referral=referral, by=parties["shelter_caseworker"], reason="")
    for notification_id in due:
        services.notification_send(notification_id)
    assert smtp.messages() == []


def test_a_refused_address_is_failed_and_logged_without_the_message(parties, smtp, caplog):
    user = parties["shelter_caseworker"]
    user.email = "bounce-me@example.org"
    user.save(update_fields=["email"])
    routed(parties)
    with caplog.at_level(logging.INFO, logger="notifications"):
        deliver()
    failed = Notification.objects.get(recipient=user)
    assert failed.status == NotificationStatus.FAILED
    assert "SMTPRecipientsRefused" in failed.error
    assert "550" in failed.error
    assert len(smtp.messages()) == 1  # the admin's
    logged = " ".join(record.getMessage() for record in caplog.records if record.name.startswith("notifications"))
    assert f"notification {failed.pk}" in logged
    for secret in ("bounce-me@example.org", "Provincial Police Unit", "offered your organisation", NOTE):
        assert secret not in logged


def test_a_server_that_is_down_is_retried_with_backoff(parties, settings):
    from tests.e2e.processes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    routed(parties)
    _taken, due = services.outbox_intake()
    retry_in = services.notification_send(due[0])
    assert retry_in == timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
    notification = Notification.objects.get(pk=due[0])
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)
    assert notification.next_attempt > timezone.now()
    assert services.notification_send(due[0]) is None  # not yet due: nothing tried
    assert Notification.objects.get(pk=due[0]).attempts == 1


def test_an_expiring_offer_is_reminded_once(parties, smtp, settings):
    referral = routed(parties, urgency="emergency")  # two hours to live by default
    deliver()
    offer = Offer.objects.get(referral=referral)
    assert services.offers_expiring_remind(now=offer.created + timedelta(minutes=10)) != []  # within 2 hours
    assert services.offers_expiring_remind(now=offer.created + timedelta(minutes=20)) == []
    reminders = Notification.objects.filter(kind=NotificationKind.OFFER_EXPIRING)
    assert reminders.count() == 2
    for reminder in reminders:
        services.notification_send(reminder.pk)
    reminder_mail = [m for m in smtp.messages() if "expires in" in m.subject]
    assert len(reminder_mail) == 2
    assert_no_case_content(reminder_mail[0].subject + reminder_mail[0].text, referral)


def test_no_reminder_for_an_offer_with_time_to_spare(parties, settings):
    referral = routed(parties, urgency="routine")  # three days
    offer = Offer.objects.get(referral=referral)
    assert services.offers_expiring_remind(now=offer.created + timedelta(hours=1)) == []
    assert not Notification.objects.filter(kind=NotificationKind.OFFER_EXPIRING).exists()


def test_outcomes_and_closing_reach_the_submitters_admins_and_caseworkers_not_its_viewers(parties):
    referral = routed(parties)
    shelter = parties["shelter_caseworker"]
    referral_services.offer_accept(referral=referral, by=shelter)
    referral_services.outcome_record(referral=referral, by=shelter, type="medical_care",
                                     date=timezone.localdate(), note="Seen at the clinic.")
    referral_services.referral_close(referral=Referral.objects.get(pk=referral.pk), by=shelter,
                                     reason="Assistance completed.")
    deliver()
    for kind in (NotificationKind.OUTCOME_RECORDED, NotificationKind.REFERRAL_CLOSED):
        assert {n.recipient for n in Notification.objects.filter(kind=kind)} == {
            parties["police_admin"], parties["police_caseworker"]}
    assert not Notification.objects.filter(recipient__in=[parties["police_viewer"], parties["shelter_viewer"]]).exists()
    from notifications.messages import render_notification

    for notification in Notification.objects.filter(kind__in=[NotificationKind.OUTCOME_RECORDED,
                                                              NotificationKind.REFERRAL_CLOSED]):
        text = render_notification(notification).body
        assert "Riverside Care House" in text
        for content in ("medical", "clinic", "Assistance completed"):
            assert content not in text
