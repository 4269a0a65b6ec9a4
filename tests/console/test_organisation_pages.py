"""The organisation admin's pages (/app/organisation/...): what each role sees and may do, and how
refusals show (a page with its status, never a 500), against real PostGIS."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.test import Client

from integration.models import WebhookDelivery, WebhookSubscription
from organisations.models import CoverageArea, FacilityCapacityRecord, Membership
from referrals.models import OutboxEvent
from tests.network import PUBLIC_WEBHOOK_URL
from tests.organisations.factories import FacilityFactory, staff_user
from tests.referrals.factories import analyst, submit

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def shelter(ngo):
    return FacilityFactory(organisation=ngo, name="Riverside shelter", capacity_total=20, capacity_available=5)


@pytest.fixture
def people(ngo, members):
    return members(ngo)


# --- sign-in and who the pages are for -----------------------------------------------------------

@pytest.mark.parametrize("url", ["/app/organisation/", "/app/organisation/facilities/", "/app/organisation/coverage/",
                                 "/app/organisation/members/", "/app/organisation/webhooks/"])
def test_anonymous_callers_are_sent_to_the_console_login(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/app/login/?next={url}")


@pytest.mark.parametrize("who", ["staff", "analyst"])
def test_people_of_no_organisation_are_refused_with_a_page(reference_data, who):
    user = staff_user() if who == "staff" else analyst()
    response = client_of(user).get("/app/organisation/facilities/")
    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]
    assert "for members of an organisation" in response.content.decode()


def test_overview_shows_the_organisation_and_role(ngo, people, shelter):
    page = client_of(people["caseworker"]).get("/app/organisation/").content.decode()
    assert ngo.name in page
    assert "Caseworker" in page
    assert "1 facility" in page


# --- facilities: the one-step capacity update -----------------------------------------------------

def test_caseworker_updates_free_beds_in_one_step(people, shelter):
    client = client_of(people["caseworker"])
    page = client.get("/app/organisation/facilities/").content.decode()
    assert f'action="/app/organisation/facilities/{shelter.pk}/capacity/"' in page
    assert f'label for="id_{shelter.pk}_capacity_available">Beds free today' in page
    response = client.post(f"/app/organisation/facilities/{shelter.pk}/capacity/", {"capacity_available": 7})
    assert response.status_code == 302
    assert response["Location"] == f"/app/organisation/facilities/?updated={shelter.pk}"
    shelter.refresh_from_db()
    assert shelter.capacity_available == 7
    assert shelter.capacity_updated is not None
    # the same service as the API: the figure is kept for occupancy over time
    assert FacilityCapacityRecord.objects.filter(facility=shelter, capacity_available=7).exists()
    assert "Free beds saved." in client.get(response["Location"]).content.decode()


def test_more_beds_than_the_facility_has_is_refused_next_to_the_field(people, shelter):
    response = client_of(people["admin"]).post(f"/app/organisation/facilities/{shelter.pk}/capacity/",
                                               {"capacity_available": 21})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{shelter.pk}_capacity_available_error"' in page
    assert "cannot exceed capacity_total (20)" in page
    shelter.refresh_from_db()
    assert shelter.capacity_available == 5


@pytest.mark.parametrize("value", ["-1", "many", ""])
def test_malformed_figures_are_a_400_page(people, shelter, value):
    response = client_of(people["caseworker"]).post(f"/app/organisation/facilities/{shelter.pk}/capacity/",
                                                    {"capacity_available": value})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_viewer_sees_no_form_and_is_refused_if_it_posts_anyway(people, shelter):
    client = client_of(people["viewer"])
    page = client.get("/app/organisation/facilities/").content.decode()
    assert shelter.name in page
    assert "<form" not in page.split('<main id="main">', 1)[1]  # the header has sign-out and language
    response = client.post(f"/app/organisation/facilities/{shelter.pk}/capacity/", {"capacity_available": 1})
    assert response.status_code == 403
    assert "admins and caseworkers" in response.content.decode()
    shelter.refresh_from_db()
    assert shelter.capacity_available == 5


def test_another_organisations_facility_is_not_found(other_ngo, members, shelter):
    response = client_of(members(other_ngo)["admin"]).post(
        f"/app/organisation/facilities/{shelter.pk}/capacity/", {"capacity_available": 1})
    assert response.status_code == 404
    shelter.refresh_from_db()
    assert shelter.capacity_available == 5


def test_the_facilities_list_reads_in_a_fixed_number_of_queries(ngo, people, django_assert_max_num_queries):
    for number in range(5):
        FacilityFactory(organisation=ngo, name=f"Shelter {number}")
    client = client_of(people["caseworker"])
    with django_assert_max_num_queries(12):
        assert client.get("/app/organisation/facilities/").status_code == 200


# --- coverage ----------------------------------------------------------------------------------

def test_coverage_by_areas_and_by_a_drawn_polygon(ngo, people, area):
    client = client_of(people["caseworker"])
    assert client.post("/app/organisation/coverage/", {"services": ["shelter"], "areas": [area("TH").pk]}
                       ).status_code == 302
    square = Polygon(((100.3, 13.6), (100.9, 13.6), (100.9, 14.2), (100.3, 14.2), (100.3, 13.6)), srid=4326).geojson
    assert client.post("/app/organisation/coverage/", {"services": ["medical"], "geometry": square}).status_code == 302
    entries = CoverageArea.objects.filter(organisation=ngo)
    assert entries.count() == 2
    assert entries.get(services=["medical"]).geometry.contains(Polygon(((100.5, 13.7), (100.6, 13.7), (100.6, 13.8),
                                                                        (100.5, 13.8), (100.5, 13.7)), srid=4326))
    data = client.get("/app/organisation/coverage/map.geojson").json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 2


@pytest.mark.parametrize(("body", "message"), [
    ({"services": ["shelter"]}, "Pick at least one area or draw a polygon."),
    ({"services": ["shelter"], "geometry": "not json"}, "Not a GeoJSON polygon."),
    ({"services": ["shelter"], "geometry": '{"type": "Point", "coordinates": [100, 13]}'}, "Polygon"),
    ({"areas": []}, "This field is required."),
])
def test_bad_coverage_is_shown_on_the_form(ngo, people, body, message):
    response = client_of(people["admin"]).post("/app/organisation/coverage/", body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CoverageArea.objects.filter(organisation=ngo).exists()


def test_coverage_outside_the_declared_countries_is_refused_by_the_service(ngo, people):
    far_away = MultiPolygon(Polygon(((-10, 50), (-9, 50), (-9, 51), (-10, 51), (-10, 50))), srid=4326)
    response = client_of(people["admin"]).post("/app/organisation/coverage/",
                                               {"services": ["shelter"], "geometry": far_away.geojson})
    assert response.status_code == 400
    assert not CoverageArea.objects.filter(organisation=ngo).exists()


def test_viewer_may_not_add_coverage(ngo, people, area):
    client = client_of(people["viewer"])
    assert "Add coverage" not in client.get("/app/organisation/coverage/").content.decode()
    response = client.post("/app/organisation/coverage/", {"services": ["shelter"], "areas": [area("TH").pk]})
    assert response.status_code == 403
    assert not CoverageArea.objects.filter(organisation=ngo).exists()


# --- members -----------------------------------------------------------------------------------

def test_admin_adds_changes_and_removes_members(ngo, people):
    client = client_of(people["admin"])
    response = client.post("/app/organisation/members/", {
        "username": "somchai", "email": "somchai@example.org", "password": "a-long-unusual-passphrase",
        "role": "viewer"})
    assert response.status_code == 201
    login = f"somchai@{ngo.pk.hex[:8]}"
    assert login in response.content.decode()
    added = Membership.objects.get(user__username=login)
    assert added.role == "viewer"
    assert client.post(f"/app/organisation/members/{added.pk}/role/", {"role": "caseworker"}).status_code == 302
    added.refresh_from_db()
    assert added.role == "caseworker"
    assert client.post(f"/app/organisation/members/{added.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=added.pk).exists()


def test_a_weak_password_is_shown_next_to_the_field(ngo, people):
    response = client_of(people["admin"]).post("/app/organisation/members/", {
        "username": "short", "password": "12345", "role": "viewer"})
    assert response.status_code == 400
    assert 'id="id_password_error"' in response.content.decode()


def test_an_admin_cannot_remove_themselves(people):
    admin = people["admin"]
    response = client_of(admin).post(f"/app/organisation/members/{admin.membership.pk}/remove/")
    assert response.status_code == 403
    assert "cannot remove yourself" in response.content.decode()
    assert Membership.objects.filter(user=admin).exists()


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_non_admins_see_members_but_cannot_manage_them(people, role):
    client = client_of(people[role])
    page = client.get("/app/organisation/members/").content.decode()
    assert people["admin"].username in page
    assert "<form" not in page.split('<main id="main">', 1)[1]  # the header has sign-out and language
    viewer = people["viewer"].membership
    assert client.post(f"/app/organisation/members/{viewer.pk}/role/", {"role": "admin"}).status_code == 403
    assert client.post(f"/app/organisation/members/{viewer.pk}/remove/").status_code == 403
    assert client.post("/app/organisation/members/", {
        "username": "x", "password": "a-long-unusual-passphrase", "role": "admin"}).status_code == 403
    viewer.refresh_from_db()
    assert viewer.role == "viewer"


def test_another_organisations_member_is_not_found(other_ngo, members, people):
    other_admin = members(other_ngo)["admin"]
    target = people["viewer"].membership
    client = client_of(other_admin)
    assert client.post(f"/app/organisation/members/{target.pk}/role/", {"role": "admin"}).status_code == 404
    assert client.post(f"/app/organisation/members/{target.pk}/remove/").status_code == 404
    assert people["viewer"].username not in client.get("/app/organisation/members/").content.decode()


# --- webhooks ----------------------------------------------------------------------------------

def test_admin_registers_a_webhook_and_sees_the_secret_once(ngo, people, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    client = client_of(people["admin"])
    response = client.post("/app/organisation/webhooks/", {"url": PUBLIC_WEBHOOK_URL, "events": ["referral.offered"]})
    assert response.status_code == 201
    subscription = WebhookSubscription.objects.get(organisation=ngo)
    assert subscription.secret in response.content.decode()
    assert subscription.secret not in client.get("/app/organisation/webhooks/").content.decode()
    assert subscription.secret not in client.get(f"/app/organisation/webhooks/{subscription.pk}/").content.decode()
    rotated = client.post(f"/app/organisation/webhooks/{subscription.pk}/rotate-secret/")
    assert rotated.status_code == 200
    old = subscription.secret
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert subscription.secret in rotated.content.decode()


def test_a_private_webhook_address_is_refused_next_to_the_field(ngo, people, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = client_of(people["admin"]).post("/app/organisation/webhooks/",
                                               {"url": "https://127.0.0.1/hooks", "events": ["referral.offered"]})
    assert response.status_code == 400
    assert 'id="id_url_error"' in response.content.decode()
    assert not WebhookSubscription.objects.filter(organisation=ngo).exists()


def test_deliveries_are_listed_without_their_body(government, members, ngo, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    people = members(government)
    subscription = WebhookSubscription.objects.create(organisation=government, url=PUBLIC_WEBHOOK_URL,
                                                      events=["referral.submitted"])
    referral = submit(people["caseworker"], notes="Found at the bus station.")
    event = OutboxEvent.objects.filter(referral=referral).first()
    WebhookDelivery.objects.create(subscription=subscription, event=event, body={"secret-ish": "Found at the bus"})
    page = client_of(people["admin"]).get(f"/app/organisation/webhooks/{subscription.pk}/").content.decode()
    assert event.type in page
    assert "bus" not in page


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_non_admins_cannot_manage_webhooks(people, role):
    client = client_of(people[role])
    assert client.get("/app/organisation/webhooks/").status_code == 403
    response = client.post("/app/organisation/webhooks/", {"url": PUBLIC_WEBHOOK_URL, "events": ["referral.offered"]})
    assert response.status_code == 403
    assert "admins manage its webhooks" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_another_organisations_webhook_is_not_found(government, members, people):
    subscription = WebhookSubscription.objects.create(organisation=government, url=PUBLIC_WEBHOOK_URL,
                                                      events=["referral.submitted"])
    client = client_of(people["admin"])
    assert client.get(f"/app/organisation/webhooks/{subscription.pk}/").status_code == 404
    assert client.post(f"/app/organisation/webhooks/{subscription.pk}/rotate-secret/").status_code == 404
    secret = subscription.secret
    subscription.refresh_from_db()
    assert subscription.secret == secret
