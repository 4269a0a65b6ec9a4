"""Who does what where: /api/v1/activities/, written by the organisation's admins and caseworkers,
read by every member of the network and platform staff."""

from datetime import date

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from activities import services
from activities.models import Activity
from tests.conftest import client_for
from tests.helpers import assert_problem, error_fields
from tests.organisations.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/"
BANGKOK = {"type": "Point", "coordinates": [100.5, 13.75]}
SYDNEY = {"type": "Point", "coordinates": [151.2, -33.87]}
SQUARE_AROUND_BANGKOK = [[100.3, 13.6], [100.9, 13.6], [100.9, 14.2], [100.3, 14.2], [100.3, 13.6]]
FIELDS = {"id", "organisation", "organisation_name", "kind", "title", "description", "areas", "geometry", "start",
          "end", "target_groups", "partners", "partner_summaries", "partner_names", "created", "updated"}


def body(organisation, **overrides):
    return {"organisation": str(organisation.pk), "kind": "awareness", "title": "Safe migration talks",
            "description": "Village meetings on recruitment fees.", "start": "2026-01-01", "end": "2026-06-30",
            "geometry": BANGKOK, "target_groups": ["migrant_workers", "communities"], **overrides}


def detail(activity) -> str:
    return f"{URL}{activity.pk}/"


def activity_of(organisation, **data):
    return services.activity_create(organisation=organisation, data={
        "kind": "training", "title": "Frontline training", "start": date(2026, 2, 1),
        "geometry": Point(100.5, 13.75, srid=4326), **data})


@pytest.fixture
def team(ngo, members):
    return members(ngo)


@pytest.fixture
def activity(ngo):
    return activity_of(ngo)


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_admins_and_caseworkers_record_their_organisations_activities(ngo, other_ngo, team, role, area):
    response = client_for(team[role]).post(URL, body(ngo, partners=[str(other_ngo.pk)], partner_names=["UNICEF"],
                                                     areas=[area("TH").pk]), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == FIELDS
    assert data["geometry"] == BANGKOK
    assert data["partner_summaries"] == [{"id": str(other_ngo.pk), "name": other_ngo.name, "kind": "ngo"}]
    activity = Activity.objects.get(pk=data["id"])
    assert (activity.organisation, list(activity.partners.all()), activity.partner_names) == (ngo, [other_ngo],
                                                                                             ["UNICEF"])


def test_a_drawn_area_is_kept_as_a_multipolygon(ngo, team):
    polygon = {"type": "Polygon", "coordinates": [SQUARE_AROUND_BANGKOK]}
    response = client_for(team["caseworker"]).post(URL, body(ngo, geometry=polygon), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["geometry"]["type"] == "MultiPolygon"


def test_refusals_to_write(ngo, other_ngo, team, members, api, activity):
    assert_problem(api.post(URL, body(ngo), format="json"), 401)
    assert_problem(api.get(URL), 401)
    assert_problem(client_for(team["viewer"]).post(URL, body(ngo), format="json"), 403)
    assert_problem(client_for(team["viewer"]).patch(detail(activity), {"title": "x"}, format="json"), 403)
    assert_problem(client_for(staff_user()).post(URL, body(ngo), format="json"), 403)
    outsider = members(other_ngo)["caseworker"]
    # Another organisation's activity: readable by the network, not writable (as facilities and coverage).
    assert client_for(outsider).get(detail(activity)).status_code == 200
    assert_problem(client_for(outsider).patch(detail(activity), {"title": "Taken over"}, format="json"), 403)
    assert_problem(client_for(outsider).delete(detail(activity)), 403)
    # Recording for another organisation is a 400 naming the field; moving one's own away too.
    assert_problem(client_for(outsider).post(URL, body(ngo), format="json"), 400, "organisation")
    assert_problem(client_for(team["admin"]).patch(detail(activity), {"organisation": str(other_ngo.pk)},
                                                  format="json"), 400, "organisation")
    activity.refresh_from_db()
    assert (activity.title, activity.organisation) == ("Frontline training", ngo)


def test_platform_staff_and_every_member_read(ngo, other_ngo, members, activity):
    for reader in (staff_user(), members(other_ngo)["viewer"]):
        response = client_for(reader).get(URL)
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["results"]] == [activity.pk]


def test_the_owner_changes_and_deletes(team, activity):
    client = client_for(team["caseworker"])
    response = client.patch(detail(activity), {"title": "Training of labour inspectors", "end": "2026-12-31"},
                            format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["end"]) == ("Training of labour inspectors", "2026-12-31")
    assert client.delete(detail(activity)).status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"end": "2025-12-31"}, "end"),  # before start
    ({"geometry": SYDNEY}, "geometry"),  # outside the member states the organisation works in
    ({"geometry": None}, "areas"),  # neither areas nor a geometry
    ({"kind": "lobbying"}, "kind"),
    ({"target_groups": ["everyone"]}, "target_groups"),
    ({"title": ""}, "title"),
    ({"description": "x" * 5001}, "description"),
    ({"start": "2026-02-30"}, "start"),
    ({"geometry": {"type": "LineString", "coordinates": [[100, 13], [101, 14]]}}, "geometry"),
    ({"partners": ["not-a-uuid"]}, "partners"),
    ({"partner_names": ["x" * 201]}, "partner_names"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(ngo, team, overrides, field):
    response = client_for(team["admin"]).post(URL, body(ngo, **overrides), format="json")
    assert_problem(response, 400, field)
    assert not Activity.objects.exists()


def test_a_partner_is_not_the_organisation_itself(ngo, team):
    response = client_for(team["admin"]).post(URL, body(ngo, partners=[str(ngo.pk)]), format="json")
    assert_problem(response, 400, "partners")
    assert error_fields(response) == {"partners"}
    assert not Activity.objects.exists()


def test_an_update_keeps_the_dates_in_order_and_the_place_within_the_member_states(team, activity):
    client = client_for(team["admin"])
    assert_problem(client.patch(detail(activity), {"end": "2026-01-15"}, format="json"), 400, "end")
    assert_problem(client.patch(detail(activity), {"geometry": SYDNEY}, format="json"), 400, "geometry")
    activity.refresh_from_db()
    assert (activity.end, activity.geometry.coords) == (None, (100.5, 13.75))


def test_an_area_of_another_country_lets_the_place_be_there(ngo, team, area):
    """As coverage: naming an area of another member state declares it."""
    luang_prabang = {"type": "Point", "coordinates": [102.13, 19.89]}
    refused = client_for(team["admin"]).post(URL, body(ngo, geometry=luang_prabang), format="json")
    assert_problem(refused, 400, "geometry")
    response = client_for(team["admin"]).post(URL, body(ngo, geometry=luang_prabang, areas=[area("LA").pk]),
                                              format="json")
    assert response.status_code == 201, response.content


@pytest.fixture
def directory(ngo, other_ngo, area):
    laos = OrganisationFactory(name="Vientiane Youth Centre", kind="ngo", country="LA")
    return {
        "training": activity_of(ngo, start=date(2025, 1, 1), end=date(2025, 6, 30)),
        "ongoing": activity_of(ngo, kind="prevention", title="Hotline", start=date(2024, 5, 1),
                               partners=[other_ngo]),
        "laos": activity_of(laos, kind="awareness", title="School visits", start=date(2026, 3, 1),
                            end=date(2026, 3, 31), geometry=None, areas=[area("LA")]),
        "partnered": activity_of(other_ngo, kind="research", title="Survey", start=date(2026, 1, 1),
                                 end=date(2026, 12, 31),
                                 geometry=MultiPolygon(Polygon(SQUARE_AROUND_BANGKOK), srid=4326), partners=[laos]),
    }


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "prevention"}, {"ongoing"}),
    ({"country": "LA"}, {"laos"}),
    ({"country": "TH"}, {"training", "ongoing", "partnered"}),
    ({"active_from": "2025-07-01"}, {"ongoing", "laos", "partnered"}),
    ({"active_to": "2024-12-31"}, {"ongoing"}),
    ({"active_from": "2025-06-01", "active_to": "2025-12-31"}, {"training", "ongoing"}),
    ({"organisation": "LAOS"}, {"laos"}),
    ({"partner": "OTHER"}, {"ongoing"}),
    ({"partner": "LAOS"}, {"partnered"}),
])
def test_filters(directory, other_ngo, members, params, expected):
    ids = {"LAOS": str(directory["laos"].organisation_id), "OTHER": str(other_ngo.pk)}
    params = {name: ids.get(value, value) for name, value in params.items()}
    response = client_for(members(other_ngo)["viewer"]).get(URL, params)
    assert response.status_code == 200, response.content
    names = {name for name, activity in directory.items() if activity.pk in
             {item["id"] for item in response.json()["results"]}}
    assert names == expected


@pytest.mark.parametrize("params", [{"kind": "lobbying"}, {"country": "XX"}, {"active_from": "soon"},
                                    {"partner": "not-a-uuid"}])
def test_bad_filters_are_a_400(directory, other_ngo, members, params):
    assert_problem(client_for(members(other_ngo)["viewer"]).get(URL, params), 400, next(iter(params)))


def test_the_list_is_paginated_in_a_fixed_number_of_queries(directory, other_ngo, members,
                                                            django_assert_max_num_queries):
    client = client_for(members(other_ngo)["viewer"])
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"page_size": 2})
    data = response.json()
    assert (data["count"], len(data["results"])) == (4, 2)
    assert data["next"]
