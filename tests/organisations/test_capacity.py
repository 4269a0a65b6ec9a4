"""Shelter capacity in the directory, on the real boundaries: a full, a stale and a free shelter
in provider search; fresh figures; the one-call capacity update; the history of every change
and free beds per country over time."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.db.models import F
from django.utils import timezone

from organisations import services
from organisations.models import Facility, FacilityCapacityRecord
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import analyst

from .factories import CoverageAreaFactory, FacilityFactory, OrganisationFactory, member, staff_user

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/providers/search/"
STATS = "/api/v1/stats/capacity/"
BANGKOK = (13.7563, 100.5018)
NEAR = Point(100.5018, 13.7563, srid=4326)
NEARER_THAN_FAR = Point(100.60, 13.80, srid=4326)
FAR = Point(98.9853, 18.7883, srid=4326)  # Chiang Mai


def capacity_url(facility) -> str:
    return f"/api/v1/facilities/{facility.pk}/capacity/"


def make_stale(facility, hours: float = 100) -> None:
    Facility.objects.filter(pk=facility.pk).update(capacity_updated=timezone.now() - timedelta(hours=hours))


def shelter_ngo(area, name, *, free, location, services_offered=("shelter",), stale=False):
    organisation = OrganisationFactory(name=name)
    CoverageAreaFactory(organisation=organisation, services=list(services_offered), areas=[area("TH")])
    facility = FacilityFactory(organisation=organisation, name=f"{name} shelter", location=location,
                               capacity_total=10, capacity_available=free, services=list(services_offered))
    if stale:
        make_stale(facility)
    return organisation, facility


@pytest.fixture
def searcher(government):
    return member(government, "caseworker")


@pytest.fixture
def three_shelters(area):
    """The full one is the nearest, the stale one has the most beds, the free one is the farthest."""
    return {
        "full": shelter_ngo(area, "Full", free=0, location=NEAR),
        "stale": shelter_ngo(area, "Stale", free=9, location=NEARER_THAN_FAR, stale=True),
        "free": shelter_ngo(area, "Free", free=2, location=FAR),
    }


def search(user, **params):
    response = client_for(user).get(SEARCH, {"lat": BANGKOK[0], "lon": BANGKOK[1], **params})
    assert response.status_code == 200, response.content
    return response.json()


# --- provider search ----------------------------------------------------------------------------


def test_a_full_shelter_is_left_out_and_a_stale_one_ranks_below_a_fresh_one(searcher, three_shelters):
    matches = search(searcher, services="shelter")

    assert [m["organisation"]["name"] for m in matches] == ["Free", "Stale"]
    free, stale = matches
    assert (free["beds"], free["capacity_stale"], free["capacity_available"]) == ("free", False, 2)
    assert "2 places free" in free["reasons"]
    assert (stale["beds"], stale["capacity_stale"]) == ("unknown", True)
    assert stale["facility"]["capacity_stale"] is True
    assert "free beds unknown: capacity not updated for over 72 hours" in stale["reasons"]
    assert not any("places free" in reason for reason in stale["reasons"])


def test_include_full_shows_the_full_shelter_last_with_the_reason(searcher, three_shelters):
    matches = search(searcher, services="shelter", include_full="true")

    assert [m["organisation"]["name"] for m in matches] == ["Free", "Stale", "Full"]
    full = matches[2]
    assert full["beds"] == "full"
    assert full["services_matched"] == []
    assert full["capacity_available"] == 0
    assert "no free beds" in full["reasons"]


def test_a_full_shelter_still_meets_its_organisations_other_services(searcher, area):
    shelter_ngo(area, "Full clinic", free=0, location=NEAR, services_offered=("shelter", "medical"))
    shelter_ngo(area, "Free, shelter only", free=1, location=FAR)

    matches = search(searcher, services="shelter,medical", include_full="true")

    # One need each: the one with a bed first, although the full one is nearer.
    assert [(m["organisation"]["name"], m["services_matched"]) for m in matches] == [
        ("Free, shelter only", ["shelter"]), ("Full clinic", ["medical"]),
    ]
    assert [m["organisation"]["name"] for m in search(searcher, services="shelter,medical")] == ["Free, shelter only"]


def test_a_full_organisation_meeting_more_needs_still_ranks_by_needs_met(searcher, area):
    """Below everyone meeting as many needs, not below everyone."""
    shelter_ngo(area, "Full, three services", free=0, location=FAR,
                services_offered=("shelter", "medical", "legal_aid"))
    shelter_ngo(area, "Free, shelter only", free=5, location=NEAR)

    matches = search(searcher, services="shelter,medical,legal_aid", include_full="true")

    assert [(m["organisation"]["name"], m["services_matched"]) for m in matches] == [
        ("Full, three services", ["legal_aid", "medical"]), ("Free, shelter only", ["shelter"]),
    ]


def test_a_free_shelter_is_chosen_over_a_nearer_full_one_of_the_same_organisation(searcher, area):
    organisation, _ = shelter_ngo(area, "Two shelters", free=0, location=NEAR)
    FacilityFactory(organisation=organisation, name="Far shelter with beds", location=FAR, capacity_available=3)

    [match] = search(searcher, services="shelter")

    assert match["beds"] == "free"
    assert match["facility"]["name"] == "Far shelter with beds"


def test_without_the_shelter_need_capacity_does_not_exclude(searcher, area):
    shelter_ngo(area, "Full clinic", free=0, location=NEAR, services_offered=("shelter", "medical"))

    [match] = search(searcher, services="medical")

    assert match["beds"] is None
    assert "no free beds" not in match["reasons"]


def test_a_shelter_that_does_not_accept_the_person_does_not_make_its_organisation_full(searcher, area):
    _, facility = shelter_ngo(area, "Men's shelter, full", free=0, location=NEAR)
    Facility.objects.filter(pk=facility.pk).update(accepts_genders=["male"])

    [match] = search(searcher, services="shelter", gender="female")

    assert match["beds"] == "unknown"  # no shelter for her is registered: beds unknown, not full


def test_the_stale_threshold_is_a_setting(searcher, three_shelters, settings):
    settings.CAPACITY_STALE_HOURS = 200  # the stale shelter's 100 hours are fresh now

    matches = search(searcher, services="shelter")

    assert [m["organisation"]["name"] for m in matches] == ["Stale", "Free"]  # nearer, both with beds
    assert matches[0]["capacity_stale"] is False


# --- fresh figures --------------------------------------------------------------------------------


def test_every_change_of_capacity_is_dated_and_kept(ngo, members):
    team = members(ngo)
    facility = FacilityFactory(organisation=ngo, capacity_total=10, capacity_available=4)
    created = Facility.objects.get(pk=facility.pk).capacity_updated
    assert created is not None
    make_stale(facility)

    patched = client_for(team["caseworker"]).patch(f"/api/v1/facilities/{facility.pk}/",
                                                   {"capacity_available": 6}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["capacity_stale"] is False
    renamed = client_for(team["caseworker"]).patch(f"/api/v1/facilities/{facility.pk}/", {"name": "Renamed"},
                                                   format="json")
    assert renamed.json()["capacity_updated"] == patched.json()["capacity_updated"]  # not a capacity change

    history = list(FacilityCapacityRecord.objects.filter(facility=facility).values_list(
        "capacity_available", "capacity_total", "country", "kind"))
    assert history == [(4, 10, "TH", "shelter"), (6, 10, "TH", "shelter")]


def test_the_daily_update_marks_the_figure_fresh(ngo, members):
    team = members(ngo)
    facility = FacilityFactory(organisation=ngo, capacity_total=10, capacity_available=4)
    make_stale(facility)
    assert client_for(team["viewer"]).get(f"/api/v1/facilities/{facility.pk}/").json()["capacity_stale"] is True

    for user, free in ((team["caseworker"], 0), (team["admin"], 10)):
        response = client_for(user).post(capacity_url(facility), {"capacity_available": free}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["capacity_available"] == free
        assert response.json()["capacity_stale"] is False
    assert list(FacilityCapacityRecord.objects.filter(facility=facility).values_list(
        "capacity_available", flat=True)) == [4, 0, 10]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"capacity_available": 11}, "capacity_available"), ({"capacity_available": -1}, "capacity_available"),
     ({}, "capacity_available"), ({"capacity_available": "many"}, "capacity_available")],
)
def test_the_daily_update_refuses_bad_figures(ngo, members, body, field):
    facility = FacilityFactory(organisation=ngo, capacity_total=10, capacity_available=4)

    response = client_for(members(ngo)["caseworker"]).post(capacity_url(facility), body, format="json")

    assert_problem(response, 400, field)
    assert Facility.objects.get(pk=facility.pk).capacity_available == 4
    assert FacilityCapacityRecord.objects.filter(facility=facility).count() == 1


def test_only_the_owners_admins_and_caseworkers_update_capacity(ngo, other_ngo, members, api):
    facility = FacilityFactory(organisation=ngo, capacity_total=10, capacity_available=4)
    team, others = members(ngo), members(other_ngo)

    for user in (team["viewer"], others["admin"], others["caseworker"], staff_user()):
        response = client_for(user).post(capacity_url(facility), {"capacity_available": 1}, format="json")
        assert_problem(response, 403)
    assert_problem(api.post(capacity_url(facility), {"capacity_available": 1}, format="json"), 401)
    assert_problem(client_for(analyst()).post(capacity_url(facility), {"capacity_available": 1}, format="json"), 403)
    assert_problem(client_for(team["caseworker"]).post("/api/v1/facilities/999999999/capacity/",
                                                       {"capacity_available": 1}, format="json"), 404)
    assert Facility.objects.get(pk=facility.pk).capacity_available == 4


def test_a_deleted_facility_keeps_its_history(ngo, members):
    facility = FacilityFactory(organisation=ngo, capacity_total=10, capacity_available=4)

    response = client_for(members(ngo)["admin"]).delete(f"/api/v1/facilities/{facility.pk}/")

    assert response.status_code == 204
    assert list(FacilityCapacityRecord.objects.filter(facility_id=facility.pk).values_list(
        "capacity_available", "capacity_total")) == [(4, 10), (0, 0)]


# --- free beds per country over time --------------------------------------------------------------


def _record(facility, when, free, total=10):
    FacilityCapacityRecord.objects.create(facility_id=facility.pk, kind=facility.kind, country="TH",
                                          recorded=when, capacity_available=free, capacity_total=total)


@pytest.fixture
def history(ngo, area):
    """Two Thai shelters and a Lao one, with figures from the first days of the current month."""
    FacilityCapacityRecord.objects.all().delete()
    month = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    shelter = FacilityFactory(organisation=ngo, name="A")
    other = FacilityFactory(organisation=ngo, name="B")
    lao = FacilityFactory(organisation=OrganisationFactory(country="LA"), name="Lao",
                          location=Point(102.6331, 17.9757, srid=4326))
    FacilityCapacityRecord.objects.all().delete()
    _record(shelter, month + timedelta(minutes=1), 3)
    _record(other, month + timedelta(minutes=2), 5)
    _record(shelter, month + timedelta(minutes=3), 2)  # the day's last figure counts
    FacilityCapacityRecord.objects.create(facility_id=lao.pk, kind="shelter", country="LA",
                                          recorded=month + timedelta(minutes=3), capacity_available=7, capacity_total=8)
    office = FacilityFactory(organisation=ngo, kind="office", name="Office", services=["medical"])
    _record(office, month + timedelta(minutes=1), 99, 99)  # not a shelter: no beds
    return month


def test_free_beds_per_country_day_by_day(history):
    response = client_for(analyst()).get(STATS, {"month": f"{history:%Y-%m}"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["month"] == f"{history:%Y-%m}"
    assert body["country"] is None
    series = {entry["country"]: entry["days"] for entry in body["countries"]}
    assert set(series) == {"LA", "TH"}
    first = series["TH"][0]
    assert first == {"date": f"{history:%Y-%m}-01", "free_beds": 7, "total_beds": 20, "shelters": 2,
                     "shelters_stale": 0}
    assert len(series["TH"]) == timezone.now().day
    assert series["LA"][0]["free_beds"] == 7


def test_old_figures_count_as_unknown_not_free(history):
    # The figures moved to the first day of last month, so that month's fifth day has passed
    # whatever day the test runs on.
    last_month = (history - timedelta(days=1)).replace(day=1)
    FacilityCapacityRecord.objects.update(recorded=F("recorded") - (history - last_month))
    days = client_for(analyst()).get(STATS, {"country": "TH", "month": f"{last_month:%Y-%m}"}).json()[
        "countries"][0]["days"]

    assert days[4]["free_beds"] == 0  # four days on, older than 72 hours
    assert days[4]["shelters_stale"] == 2
    assert days[4]["total_beds"] == 20


def test_the_country_filter_and_the_platform_administrators(history):
    body = client_for(staff_user()).get(STATS, {"country": "LA", "month": f"{history:%Y-%m}"}).json()

    assert body["country"] == "LA"
    assert [entry["country"] for entry in body["countries"]] == ["LA"]


def test_capacity_statistics_are_for_analysts_and_staff_only(ngo, members, api, history):
    for user in members(ngo).values():
        assert_problem(client_for(user).get(STATS), 403)
    assert_problem(api.get(STATS), 401)


@pytest.mark.parametrize("params", [{"month": "2026-13"}, {"month": "26-01"}, {"month": "2999-01"},
                                    {"month": "1999-12"}, {"country": "XX"}])
def test_bad_statistics_queries_are_400(params):
    field = next(iter(params))
    assert_problem(client_for(analyst()).get(STATS, params), 400, field)


def test_stats_of_a_month_without_figures_are_empty():
    body = client_for(analyst()).get(STATS, {"month": "2020-02"}).json()
    assert body == {"month": "2020-02", "country": None, "countries": []}


def test_services_keep_creating_and_updating_through_the_history(ngo):
    facility = services.facility_create(organisation=ngo, data={
        "name": "Service created", "kind": "shelter", "location": NEAR, "services": ["shelter"],
        "capacity_total": 4, "capacity_available": 4, "accepts_genders": ["female"],
        "accepts_age_groups": ["adult"], "languages": ["th"]})
    services.facility_capacity_update(facility=facility, capacity_available=1)
    assert list(facility.capacity_history.values_list("capacity_available", flat=True)) == [4, 1]
