"""End to end through a real Celery worker and a real Redis broker: a referral's lifecycle reaches
each subscriber once, in order, signed; a broker outage delays events and loses none."""

import pytest
from django.utils import timezone

from integration.models import DeliveryStatus, WebhookDelivery
from referrals.models import OutboxEvent, Referral
from tests.conftest import client_for
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.factories import cover_country, referral_payload

from .processes import RedisServer, WebhookReceiver, celery_worker, publishing_to, signature_is_valid, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def broker(tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def network(reference_data, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    government = OrganisationFactory(name="Police", kind="government")
    ngo = OrganisationFactory(name="Shelter NGO")
    cover_country(ngo)
    return {
        "government": government,
        "ngo": ngo,
        "police": member(government, "admin"),
        "shelter": member(ngo, "admin"),
    }


def subscribe(user, url, events):
    response = client_for(user).post("/api/v1/webhooks/", {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["secret"]


ALL_EVENTS = [
    "referral.submitted", "referral.offered", "referral.accepted", "referral.declined", "referral.withdrawn",
    "referral.outcome_recorded", "referral.closed", "offer.expired",
]


def test_every_event_arrives_once_in_order_and_signed(network, broker, tmp_path):
    police, shelter = network["police"], network["shelter"]
    with WebhookReceiver() as police_hooks, WebhookReceiver() as shelter_hooks, publishing_to(broker.url), \
            celery_worker(broker.url, tmp_path / "worker.log"):
        police_secret = subscribe(police, police_hooks.url, ALL_EVENTS)
        shelter_secret = subscribe(shelter, shelter_hooks.url, ALL_EVENTS)

        api, ngo = client_for(police), client_for(shelter)
        referral = api.post("/api/v1/referrals/", referral_payload(), format="json").json()
        url = f"/api/v1/referrals/{referral['id']}"
        assert api.post(f"{url}/route/", {"organisations": [str(network["ngo"].pk)]}, format="json").status_code == 200
        assert ngo.post(f"{url}/accept/").status_code == 200
        today = timezone.localdate().isoformat()
        assert ngo.post(f"{url}/outcomes/", {"type": "medical_care", "date": today}, format="json").status_code == 201
        assert ngo.post(f"{url}/close/", {"reason": "Done."}, format="json").status_code == 200

        expected_police = ["referral.submitted", "referral.offered", "referral.accepted",
                           "referral.outcome_recorded", "referral.closed"]
        expected_shelter = expected_police[1:]  # it could not see the referral before the offer
        wait_for(lambda: len(police_hooks.events()) >= 5 and len(shelter_hooks.events()) >= 4,
                 "the webhooks", timeout=90)

    assert [event["type"] for event in police_hooks.events()] == expected_police
    assert [event["type"] for event in shelter_hooks.events()] == expected_shelter
    for receiver, secret in ((police_hooks, police_secret), (shelter_hooks, shelter_secret)):
        ids = [request["headers"]["X-Event-Id"] for request in receiver.requests]
        assert len(ids) == len(set(ids))
        assert all(signature_is_valid(request, secret) for request in receiver.requests)
        assert all(event["data"]["referral"]["id"] == referral["id"] for event in receiver.events())
    assert "case_reference" not in police_hooks.requests[0]["body"].decode()
    worker_log = (tmp_path / "worker.log").read_text()
    assert "succeeded" in worker_log or "received" in worker_log
    for secret in (referral_payload()["notes"], police_secret, shelter_secret):
        assert secret not in worker_log  # nothing personal or secret in the worker's logs


def test_a_broker_outage_delays_events_and_loses_none(network, broker, tmp_path):
    police = network["police"]
    with WebhookReceiver() as hooks, publishing_to(broker.url), celery_worker(broker.url, tmp_path / "worker.log"):
        subscribe(police, hooks.url, ["referral.submitted"])
        broker.stop()  # the relay cannot be reached: writes must still succeed

        api = client_for(police)
        for _ in range(100):
            assert api.post("/api/v1/referrals/", referral_payload(), format="json").status_code == 201
        assert Referral.objects.count() == 100
        # Each write committed its event with it. (A task the worker took before the outage may
        # still relay some of them, but nothing can be published or swept until the broker is back.)
        assert OutboxEvent.objects.count() == 100

        broker.start()  # same port: the worker reconnects and its beat sweeps the outbox
        wait_for(lambda: len(hooks.events()) >= 100, "100 deliveries", timeout=120)

    ids = [event["id"] for event in hooks.events()]
    assert len(ids) == 100
    assert len(set(ids)) == 100
    assert {event["data"]["referral"]["id"] for event in hooks.events()} == {
        str(pk) for pk in Referral.objects.values_list("pk", flat=True)
    }
    assert not OutboxEvent.objects.filter(relayed__isnull=True).exists()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
