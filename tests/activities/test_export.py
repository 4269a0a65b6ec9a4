"""GET /api/v1/activities/export/: the 3W table as HXL (read back with libhxl), CSV and GeoJSON."""

import csv
import io
from datetime import date

import hxl
import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from activities import services
from geo.models import AdministrativeArea, AdministrativeLevel
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import staff_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/export/"
EXPECTED_TAGS = [
    "#org+name", "#org+id", "#org+type", "#activity+id", "#activity+type+code", "#activity+name",
    "#activity+description", "#country+code", "#adm1+name", "#adm1+code", "#adm2+name", "#adm2+code",
    "#date+start", "#date+end", "#targeted+type", "#org+partner+name", "#org+partner+id",
]


@pytest.fixture
def bangkok(area):
    square = MultiPolygon(Polygon(((100.3, 13.6), (100.9, 13.6), (100.9, 14.2), (100.3, 14.2), (100.3, 13.6))),
                          srid=4326)
    return AdministrativeArea.objects.create(country="TH", level=AdministrativeLevel.PROVINCE, code="TH-10",
                                             name="Bangkok", parent=area("TH"), geometry=square)


@pytest.fixture
def activities(ngo, other_ngo, area, bangkok):
    return {
        "hotline": services.activity_create(organisation=ngo, data={
            "kind": "victim_assistance", "title": "Hotline, \"24/7\"", "description": "Calls, in Thai; Burmese",
            "start": date(2025, 1, 1), "areas": [bangkok, area("TH")], "target_groups": ["survivors", "women"],
            "partners": [other_ngo], "partner_names": ["IOM Thailand"]}),
        "talks": services.activity_create(organisation=other_ngo, data={
            "kind": "awareness", "title": "Safe migration talks", "start": date(2026, 1, 1), "end": date(2026, 6, 30),
            "geometry": Point(100.5, 13.75, srid=4326)}),
    }


def export(user, **params):
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response


def test_the_hxl_table_is_read_by_libhxl_with_its_hashtags(activities, members, ngo, other_ngo):
    response = export(members(ngo)["viewer"], format="hxl")
    assert response["Content-Type"].startswith("text/csv")
    assert "activities-3w.hxl.csv" in response["Content-Disposition"]
    dataset = hxl.data(io.BytesIO(response.content))
    assert [column.display_tag for column in dataset.columns] == EXPECTED_TAGS
    rows = list(dataset)
    # The hotline names two areas: two rows (Bangkok, in its province column; Thailand); the talks one.
    assert len(rows) == 3
    hotline = [row for row in rows if row.get("#activity+name") == 'Hotline, "24/7"']
    assert sorted(row.get("#adm1+name") or "" for row in hotline) == ["", "Bangkok"]
    first = hotline[0]
    assert first.get("#org+name") == ngo.name
    assert first.get("#activity+type") == "victim_assistance"
    assert first.get("#country+code") == "TH"
    assert first.get("#date+start") == "2025-01-01"
    assert first.get("#org+partner+name") == f"{other_ngo.name};IOM Thailand"
    assert first.get("#org+partner+id") == str(other_ngo.pk)
    assert first.get("#targeted+type") == "survivors;women"
    assert first.get("#activity+description") == "Calls, in Thai; Burmese"
    # Filters as the list's: libhxl reads the filtered table too.
    filtered = list(hxl.data(io.BytesIO(export(members(ngo)["viewer"], kind="awareness").content)))
    assert [row.get("#activity+name") for row in filtered] == ["Safe migration talks"]
    by_partner = list(hxl.data(io.BytesIO(export(members(ngo)["viewer"], country="TH",
                                                 partner=str(other_ngo.pk)).content)))
    assert {row.get("#activity+name") for row in by_partner} == {'Hotline, "24/7"'}


def test_hxl_is_the_default_and_csv_has_no_hashtag_row(activities, members, ngo):
    default = export(members(ngo)["viewer"])
    assert default.content.decode().splitlines()[1].startswith("#org +name")
    plain = export(members(ngo)["viewer"], format="csv")
    lines = list(csv.reader(io.StringIO(plain.content.decode())))
    assert lines[0][:3] == ["Organisation", "Organisation id", "Organisation type"]
    assert not any(cell.startswith("#") for cell in lines[1])
    assert len(lines) == 4


def test_geojson_is_a_feature_collection(activities, ngo):
    response = export(staff_user(), format="geojson", organisation=str(activities["talks"].organisation_id))
    assert response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [100.5, 13.75]}
    assert feature["properties"]["kind"] == "awareness"
    assert feature["properties"]["countries"] == ["TH"]
    everything = export(staff_user("staff-2"), format="geojson").json()["features"]
    hotline = next(f for f in everything if f["id"] == activities["hotline"].pk)
    assert hotline["geometry"] is None  # areas only
    assert set(hotline["properties"]["areas"]) == {area.pk for area in activities["hotline"].areas.all()}


def test_refusals_and_errors_are_problems(activities, api, ngo, members):
    assert_problem(api.get(URL), 401)
    assert_problem(client_for(members(ngo)["viewer"]).get(URL, {"kind": "lobbying", "format": "hxl"}), 400, "kind")
    assert_problem(client_for(members(ngo)["viewer"]).get(URL, {"format": "xlsx"}), 404)


def test_the_export_reads_in_a_fixed_number_of_queries(activities, members, ngo, django_assert_max_num_queries):
    client = client_for(members(ngo)["viewer"])
    with django_assert_max_num_queries(10):
        client.get(URL, {"format": "hxl"})
