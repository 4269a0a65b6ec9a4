"""End to end: a real Celery worker (with beat) and a real Redis broker send through a real SMTP
server on loopback. Offers arrive once per recipient without case content; reminders and digests
come on time; who lost access gets nothing; a broker outage delays messages and loses none."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationKind, NotificationPreference, NotificationStatus
from organisations import services as organisation_services
from organisations.models import Membership
from referrals.models import Referral
from tests.conftest import client_for
from tests.e2e.processes import RedisServer, celery_worker, publishing_to, wait_for
from tests.referrals.factories import referral_payload

from .helpers import CASE_REFERENCE, NOTE, assert_no_case_content

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def broker(tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def worker(broker, mailserver, tmp_path, **env):
    return celery_worker(broker.url, tmp_path / "worker.log", EMAIL_URL=mailserver.url, NOTIFY_SWEEP_SECONDS="1",
                         NOTIFY_DIGEST_CHECK_SECONDS="1", NOTIFY_RETRY_BASE_SECONDS="1",
                         CONSOLE_BASE_URL="https://console.example.org", **env)


def route(parties, **overrides) -> dict:
    api = client_for(parties["police_caseworker"])
    payload = referral_payload(case_reference=CASE_REFERENCE, notes=NOTE, needs=["medical", "psychosocial"],
                               **overrides)
    referral = api.post("/api/v1/referrals/", payload, format="json").json()
    response = api.post(f"/api/v1/referrals/{referral['id']}/route/",
                        {"organisations": [str(parties["shelter"].pk)]}, format="json")
    assert response.status_code == 200, response.json()
    return referral


def offer_mail(mailserver, subject_part="offered to your organisation"):
    return [m for m in mailserver.messages() if subject_part in m.subject]


def test_an_offer_arrives_once_per_recipient_without_case_content(parties, broker, mailserver, tmp_path):
    with publishing_to(broker.url), worker(broker, mailserver, tmp_path):
        referral = route(parties)
        wait_for(lambda: len(offer_mail(mailserver)) >= 2, "the offer messages", timeout=60)
        time.sleep(3)  # several sweeps later, still one each
    messages = offer_mail(mailserver)
    assert sorted(address for m in messages for address in m.recipients) == sorted(
        [parties["shelter_admin"].email, parties["shelter_caseworker"].email])
    for message in messages:
        assert f"https://console.example.org/app/referrals/{referral['id']}/" in message.text
        assert_no_case_content(message.subject + message.text, Referral.objects.get(pk=referral["id"]))
    log = (tmp_path / "worker.log").read_text()
    assert NOTE not in log
    assert parties["shelter_admin"].email not in log


def test_an_expiring_offer_is_reminded(parties, broker, mailserver, tmp_path):
    # offers of emergencies stand one hour in the worker; reminders go out two hours before
    with publishing_to(broker.url), worker(broker, mailserver, tmp_path, REFERRAL_OFFER_TTL_EMERGENCY_HOURS="1"):
        route(parties, urgency="emergency")
        wait_for(lambda: len(offer_mail(mailserver, "expires in")) >= 2, "the reminders", timeout=60)
        time.sleep(3)
    reminders = offer_mail(mailserver, "expires in")
    assert len(reminders) == 2
    assert "[Emergency]" in reminders[0].subject


def test_a_digest_arrives_at_the_chosen_time(parties, broker, mailserver, tmp_path):
    caseworker = parties["police_caseworker"]
    with publishing_to(broker.url), worker(broker, mailserver, tmp_path):
        referral = route(parties)
        assert client_for(parties["shelter_caseworker"]).post(
            f"/api/v1/referrals/{referral['id']}/accept/").status_code == 200
        wait_for(lambda: Notification.objects.filter(recipient=caseworker, kind=NotificationKind.OFFER_ACCEPTED)
                 .exists(), "the acceptance to be taken in", timeout=60)
        assert not mailserver.to(caseworker.email)  # acceptances wait for the digest
        NotificationPreference.objects.update_or_create(
            user=caseworker, defaults={"digest_time": (timezone.now() + timedelta(seconds=2)).time()})
        wait_for(lambda: mailserver.to(caseworker.email), "the digest", timeout=60)
        time.sleep(3)
    [digest] = mailserver.to(caseworker.email)
    assert "daily summary" in digest.subject
    assert "Riverside Care House" in digest.text


def test_a_recipient_who_lost_access_gets_nothing(parties, broker, mailserver, tmp_path):
    with publishing_to(broker.url):
        route(parties)  # no worker yet: the messages wait
        organisation_services.member_change_role(
            membership=Membership.objects.get(user=parties["shelter_caseworker"]), role="viewer")
        with worker(broker, mailserver, tmp_path):
            wait_for(lambda: mailserver.to(parties["shelter_admin"].email), "the admin's message", timeout=60)
            wait_for(lambda: not Notification.objects.filter(status=NotificationStatus.PENDING).exists(),
                     "every notification to be decided", timeout=60)
    assert mailserver.to(parties["shelter_caseworker"].email) == []
    # (a viewer by the time the event was taken in: not even a notification row; one demoted between
    # intake and sending is cancelled, test_delivery.py)
    assert not Notification.objects.filter(recipient=parties["shelter_caseworker"],
                                           status=NotificationStatus.SENT).exists()


def test_a_broker_outage_delays_messages_and_loses_none(parties, broker, mailserver, tmp_path):
    with publishing_to(broker.url), worker(broker, mailserver, tmp_path):
        broker.stop()
        referrals = [route(parties) for _ in range(5)]  # the writes succeed without a broker
        broker.start()  # same port: the worker reconnects, its beat sweeps the outbox
        wait_for(lambda: len(offer_mail(mailserver)) >= 10, "ten offer messages", timeout=120)
        time.sleep(3)
    messages = offer_mail(mailserver)
    assert len(messages) == 10
    links = {(m.recipients[0], line) for m in messages for line in m.text.splitlines() if "/app/referrals/" in line}
    assert len(links) == 10
    assert {line.rsplit("/", 2)[-2] for _, line in links} == {r["id"] for r in referrals}
