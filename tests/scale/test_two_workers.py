"""Two Celery workers on one broker (one of them running beat, as production runs one beat) share
the relay and the deliveries: every subscriber receives every event once. Delivery is at least once
(README, "For partner developers"): a replay happens only when a worker dies between a receiver's
answer and the commit that records it, which nothing does here, so no event may arrive twice."""

from collections import Counter

import pytest

from tests.conftest import client_for
from tests.e2e.processes import RedisServer, WebhookReceiver, celery_worker, publishing_to, wait_for
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.factories import referral_payload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

AGENCIES = 4
REFERRALS_EACH = 5


@pytest.fixture
def broker(tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def test_two_workers_deliver_every_event_once(reference_data, settings, broker, tmp_path):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    with WebhookReceiver() as hooks, publishing_to(broker.url), \
            celery_worker(broker.url, logs[0], name="a", concurrency=1), \
            celery_worker(broker.url, logs[1], name="b", beat=False, concurrency=1):
        clients = []
        for number in range(AGENCIES):  # one subscription each: deliveries to them run in parallel
            agency = member(OrganisationFactory(name=f"Agency {number}", kind="government"), "admin")
            client = client_for(agency)
            response = client.post("/api/v1/webhooks/", {"url": hooks.url, "events": ["referral.submitted"]},
                                   format="json")
            assert response.status_code == 201, response.json()
            clients.append(client)
        submitted = [
            client.post("/api/v1/referrals/", referral_payload(), format="json").json()["id"]
            for _ in range(REFERRALS_EACH) for client in clients
        ]
        expected = AGENCIES * REFERRALS_EACH
        wait_for(lambda: len(hooks.events()) >= expected, f"{expected} deliveries", timeout=45)

    ids = Counter(request["headers"]["X-Event-Id"] for request in hooks.requests)
    assert len(ids) == expected
    assert [event_id for event_id, times in ids.items() if times > 1] == []  # no event twice
    assert sorted(event["data"]["referral"]["id"] for event in hooks.events()) == sorted(submitted)
    for log in logs:  # both took part
        text = log.read_text()
        assert "integration.tasks." in text, log.name
        assert "succeeded" in text, log.name
