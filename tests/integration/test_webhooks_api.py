"""/api/v1/webhooks/: an organisation's admins register, inspect and rotate signed webhooks."""

import pytest

from integration import webhooks
from integration.models import WebhookDelivery, WebhookSubscription
from referrals.models import OutboxEventType
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import member, staff_user
from tests.referrals.factories import submit

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"
PUBLIC_URL = "https://93.184.216.34/hooks"  # a public literal address: no DNS; nothing connects to it here
ALL_EVENTS = [
    "referral.submitted", "referral.offered", "referral.accepted", "referral.declined", "referral.withdrawn",
    "referral.outcome_recorded", "referral.closed", "offer.expired",
    # issue 14: the mechanism's steps
    "referral.screened", "referral.identification_decided", "referral.reflection_ending",
    # issue 14: onward referral, and a return's steps (to the return's parties)
    "referral.referred_onward", "return.requested", "return.status_changed", "return.follow_up_due",
    "return.follow_up_recorded",
]


def detail(subscription_id, action: str = "") -> str:
    return f"{WEBHOOKS}{subscription_id}/" + (f"{action}/" if action else "")


@pytest.fixture(autouse=True)
def _public_urls_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False


@pytest.fixture
def admin(cast):
    return cast.submitter_admin


@pytest.fixture
def registered(admin):
    """A webhook of the government agency, registered through the API: (response body)."""
    response = client_for(admin).post(WEBHOOKS, {"url": PUBLIC_URL, "events": ["referral.submitted"]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_event_types_are_the_documented_ones():
    assert sorted(OutboxEventType.values) == sorted(ALL_EVENTS)


def test_an_admin_registers_a_webhook_and_sees_its_secret_once(cast, admin):
    response = client_for(admin).post(
        WEBHOOKS, {"url": PUBLIC_URL, "events": ["referral.offered", "referral.submitted"]}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"] == PUBLIC_URL
    assert sorted(body["events"]) == ["referral.offered", "referral.submitted"]
    assert body["organisation"] == str(cast.government.pk)
    assert body["active"] is True
    assert body["secret"].startswith("whsec_")
    assert len(body["secret"]) > 30
    stored = WebhookSubscription.objects.get(pk=body["id"])
    assert stored.organisation == cast.government
    assert stored.secret == body["secret"]


def test_every_event_type_can_be_subscribed_to(admin):
    response = client_for(admin).post(WEBHOOKS, {"url": PUBLIC_URL, "events": ALL_EVENTS}, format="json")

    assert response.status_code == 201, response.content
    assert sorted(response.json()["events"]) == sorted(ALL_EVENTS)


def test_detail_and_list_never_show_the_secret(admin, registered):
    client = client_for(admin)

    shown = client.get(detail(registered["id"]))
    listed = client.get(WEBHOOKS)

    assert shown.status_code == 200
    assert shown.json()["id"] == registered["id"]
    assert "secret" not in shown.json()
    assert registered["secret"] not in shown.content.decode()
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()["results"]] == [registered["id"]]
    assert "secret" not in listed.json()["results"][0]
    assert registered["secret"] not in listed.content.decode()


def test_updating_a_webhook_does_not_show_the_secret(admin, registered):
    response = client_for(admin).patch(detail(registered["id"]), {"events": ["referral.closed"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["referral.closed"]
    assert "secret" not in response.json()


def test_rotating_the_secret_returns_a_new_one(admin, registered):
    response = client_for(admin).post(detail(registered["id"], "rotate-secret"))

    assert response.status_code == 200, response.content
    new_secret = response.json()["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != registered["secret"]
    assert WebhookSubscription.objects.get(pk=registered["id"]).secret == new_secret
    assert "secret" not in client_for(admin).get(detail(registered["id"])).json()


def test_deliveries_lists_the_deliveries_of_the_webhook(cast, admin, registered):
    referral = submit(cast.submitter_caseworker)
    webhooks.outbox_relay()

    response = client_for(admin).get(detail(registered["id"], "deliveries"))

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert len(results) == 1
    delivery = WebhookDelivery.objects.get(subscription_id=registered["id"])
    assert delivery.body["data"]["referral"]["id"] == str(referral.pk)
    assert results[0]["id"] == delivery.pk
    assert results[0]["event_type"] == "referral.submitted"
    assert results[0]["event_id"] == delivery.body["id"]
    assert results[0]["status"] == "pending"
    assert results[0]["attempts"] == []


def test_an_admin_deletes_a_webhook(admin, registered):
    response = client_for(admin).delete(detail(registered["id"]))

    assert response.status_code == 204
    assert not WebhookSubscription.objects.filter(pk=registered["id"]).exists()


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_caseworkers_and_viewers_may_not_manage_webhooks(cast, registered, role):
    client = client_for(member(cast.government, role))

    responses = [
        client.get(WEBHOOKS),
        client.post(WEBHOOKS, {"url": PUBLIC_URL, "events": ["referral.submitted"]}, format="json"),
        client.get(detail(registered["id"])),
        client.post(detail(registered["id"], "rotate-secret")),
        client.get(detail(registered["id"], "deliveries")),
        client.delete(detail(registered["id"])),
    ]

    assert [r.status_code for r in responses] == [403] * 6
    assert WebhookSubscription.objects.count() == 1
    assert WebhookSubscription.objects.get().secret == registered["secret"]


def test_a_platform_administrator_who_is_nobodys_member_may_not_manage_webhooks(registered):
    response = client_for(staff_user()).get(WEBHOOKS)

    assert_problem(response, 403)


def test_another_organisations_webhook_is_not_found(cast, registered):
    other_admin = member(cast.offered, "admin")
    client = client_for(other_admin)

    responses = [
        client.get(detail(registered["id"])),
        client.patch(detail(registered["id"]), {"active": False}, format="json"),
        client.post(detail(registered["id"], "rotate-secret")),
        client.get(detail(registered["id"], "deliveries")),
        client.delete(detail(registered["id"])),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert client.get(WEBHOOKS).json()["results"] == []
    subscription = WebhookSubscription.objects.get(pk=registered["id"])
    assert subscription.active is True
    assert subscription.secret == registered["secret"]


def test_anonymous_callers_are_refused(api, registered):
    responses = [
        api.get(WEBHOOKS),
        api.post(WEBHOOKS, {"url": PUBLIC_URL, "events": ["referral.submitted"]}, format="json"),
        api.get(detail(registered["id"])),
        api.post(detail(registered["id"], "rotate-secret")),
    ]

    assert [r.status_code for r in responses] == [401] * 4
    assert WebhookSubscription.objects.count() == 1


@pytest.mark.parametrize("events", [["referral.exploded"], ["referral.submitted", "offer.accepted"], []])
def test_unknown_or_no_event_types_are_refused(admin, events):
    response = client_for(admin).post(WEBHOOKS, {"url": PUBLIC_URL, "events": events}, format="json")

    assert_problem(response, 400, "events")
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://93.184.216.34/hooks", id="plain-http"),
        pytest.param("https://127.0.0.1/hooks", id="loopback"),
        pytest.param("https://10.0.0.5/hooks", id="private-10"),
        pytest.param("https://192.168.1.1/hooks", id="private-192"),
        pytest.param("https://169.254.169.254/latest/meta-data/", id="cloud-metadata"),
        pytest.param("https://[::1]/hooks", id="ipv6-loopback"),
        pytest.param("https://localhost/hooks", id="localhost"),
        pytest.param("https://[::ffff:127.0.0.1]/hooks", id="ipv4-mapped-loopback"),
        pytest.param("https://0.0.0.0/hooks", id="unspecified"),
        pytest.param("https://100.100.100.200/latest/meta-data/", id="shared-address-space-metadata"),
        pytest.param("https://100.64.0.1/hooks", id="carrier-grade-nat"),
        pytest.param("https://[fd00::1]/hooks", id="ipv6-unique-local"),
        pytest.param("https://[fe80::1]/hooks", id="ipv6-link-local"),
        pytest.param("ftp://93.184.216.34/hooks", id="ftp"),
    ],
)
def test_urls_into_private_networks_are_refused(admin, url):
    response = client_for(admin).post(WEBHOOKS, {"url": url, "events": ["referral.submitted"]}, format="json")

    assert_problem(response, 400, "url")
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["https://93.184.216.34/hooks", "https://[2606:4700:4700::1111]:8443/in"])
def test_urls_on_public_literal_addresses_are_accepted(admin, url):
    response = client_for(admin).post(WEBHOOKS, {"url": url, "events": ["referral.submitted"]}, format="json")

    assert response.status_code == 201, response.content
    assert WebhookSubscription.objects.get().url == url


def test_a_webhook_cannot_be_moved_to_a_private_url(admin, registered):
    response = client_for(admin).patch(detail(registered["id"]), {"url": "https://10.0.0.5/hooks"}, format="json")

    assert_problem(response, 400, "url")
    assert WebhookSubscription.objects.get(pk=registered["id"]).url == PUBLIC_URL


def test_private_urls_are_accepted_when_allowed(admin, settings, receiver):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True

    response = client_for(admin).post(WEBHOOKS, {"url": receiver.url, "events": ["referral.submitted"]},
                                      format="json")

    assert response.status_code == 201, response.content
    assert response.json()["url"] == receiver.url
    assert receiver.url.startswith("http://127.0.0.1:")
    assert receiver.requests == []  # registering does not call the receiver
