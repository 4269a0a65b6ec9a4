"""manage.py load_boundaries: the real Natural Earth file, and any OGR source written by the test."""

import json
from io import StringIO

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from geo.boundaries import bali_process_members
from geo.models import AdministrativeArea, AreaPiece
from geo.selectors import areas_containing
from tests.conftest import BALI_PROCESS_MEMBER_COUNT

pytestmark = pytest.mark.django_db


def load(*args, **options) -> str:
    out = StringIO()
    call_command("load_boundaries", *args, stdout=out, verbosity=options.pop("verbosity", 0), **options)
    return out.getvalue()


def ring(west, south, east, north) -> list:
    return [[[west, south], [east, south], [east, north], [west, north], [west, south]]]


def feature(properties: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def polygon(west, south, east, north) -> dict:
    return {"type": "Polygon", "coordinates": ring(west, south, east, north)}


def write_geojson(path, features: list[dict]) -> str:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return str(path)


@pytest.fixture
def provinces_file(tmp_path):
    """Two Thai provinces and one Lao province, in the shape geoBoundaries publishes them."""
    return write_geojson(
        tmp_path / "provinces.geojson",
        [
            feature({"shapeISO": "TH-10", "shapeName": "Bangkok", "iso2": "TH"}, polygon(100.3, 13.5, 100.9, 14.0)),
            feature({"shapeISO": "TH-50", "shapeName": "Chiang Mai", "iso2": "TH"}, polygon(98.0, 17.5, 99.5, 20.0)),
            feature({"shapeISO": "LA-VT", "shapeName": "Vientiane Prefecture", "iso2": "LA"},
                    polygon(102.3, 17.8, 102.9, 18.4)),
        ],
    )


# The default: Natural Earth's admin-0 boundaries of the Bali Process members ----------------------


@pytest.mark.slow
def test_default_loads_the_bali_process_members_and_rerunning_updates_in_place(reference_data):
    output = load()
    level0 = AdministrativeArea.objects.filter(level=0)
    assert level0.count() == BALI_PROCESS_MEMBER_COUNT == len(bali_process_members())
    assert set(level0.values_list("code", flat=True)) == set(bali_process_members())
    assert "updated" in output
    ids = dict(level0.values_list("code", "pk"))
    pieces = AreaPiece.objects.count()

    # Someone renamed Thailand: re-running puts the source's name back, in the same row.
    AdministrativeArea.objects.filter(level=0, code="TH").update(name="Renamed")
    output = load()
    assert f"0 areas created, {BALI_PROCESS_MEMBER_COUNT} updated" in output
    assert AdministrativeArea.objects.filter(level=0).count() == BALI_PROCESS_MEMBER_COUNT
    assert dict(AdministrativeArea.objects.filter(level=0).values_list("code", "pk")) == ids
    assert AdministrativeArea.objects.get(level=0, code="TH").name == "Thailand"
    assert AreaPiece.objects.count() == pieces
    # Every area is a country, with no parent, and has indexed pieces.
    for area in AdministrativeArea.objects.filter(level=0):
        assert area.country == area.code
        assert area.parent is None
        assert area.geometry.valid
    assert not AdministrativeArea.objects.filter(level=0, pieces__isnull=True).exists()


@pytest.mark.slow
def test_default_with_a_country_subset(reference_data):
    output = load(countries="th, la")
    assert "0 areas created, 2 updated" in output
    assert AdministrativeArea.objects.filter(level=0).count() == BALI_PROCESS_MEMBER_COUNT


def test_verbose_output_lists_each_area(provinces_file, reference_data):
    output = load(provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
                  "--country-field", "iso2", verbosity=1)
    assert "Reading 3 features from" in output
    assert "TH-10 Bangkok" in output
    assert "3 areas created, 0 updated" in output


# Any OGR source -----------------------------------------------------------------------------------


def test_loads_provinces_from_a_geojson_file_and_links_their_country(provinces_file, area):
    load(provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
         "--country-field", "iso2")
    provinces = AdministrativeArea.objects.filter(level=1).order_by("code")
    assert [(p.code, p.name, p.country) for p in provinces] == [
        ("LA-VT", "Vientiane Prefecture", "LA"), ("TH-10", "Bangkok", "TH"), ("TH-50", "Chiang Mai", "TH"),
    ]
    bangkok = provinces.get(code="TH-10")
    assert bangkok.parent == area("TH")
    assert provinces.get(code="LA-VT").parent == area("LA")
    assert bangkok.geometry.geom_type == "MultiPolygon"
    assert bangkok.geometry.srid == 4326
    # Indexed for lookups straight away.
    assert list(areas_containing(point=Point(100.5018, 13.7563, srid=4326))) == [bangkok, area("TH")]


def test_rerunning_a_source_updates_without_duplicates(tmp_path, provinces_file, reference_data):
    args = [provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
            "--country-field", "iso2"]
    load(*args)
    ids = dict(AdministrativeArea.objects.filter(level=1).values_list("code", "pk"))

    renamed = write_geojson(
        tmp_path / "renamed.geojson",
        [feature({"shapeISO": "TH-10", "shapeName": "Krung Thep", "iso2": "TH"}, polygon(100.2, 13.4, 100.9, 14.1))],
    )
    output = load(renamed, *args[1:])
    assert "0 areas created, 1 updated" in output
    assert dict(AdministrativeArea.objects.filter(level=1).values_list("code", "pk")) == ids
    bangkok = AdministrativeArea.objects.get(level=1, code="TH-10")
    assert bangkok.name == "Krung Thep"
    assert bangkok.geometry.extent == pytest.approx((100.2, 13.4, 100.9, 14.1))


def test_parent_field_links_districts_to_their_province(tmp_path, provinces_file, reference_data):
    load(provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
         "--country-field", "iso2")
    districts = write_geojson(
        tmp_path / "districts.geojson",
        [feature({"code": "TH-1001", "name": "Phra Nakhon", "cc": "TH", "province": "TH-10"},
                 polygon(100.48, 13.74, 100.52, 13.77))],
    )
    load(districts, "--level", "2", "--code-field", "code", "--name-field", "name", "--country-field", "cc",
         "--parent-field", "province")
    district = AdministrativeArea.objects.get(level=2, code="TH-1001")
    assert district.parent == AdministrativeArea.objects.get(level=1, code="TH-10")


def test_countries_option_loads_a_subset(provinces_file, reference_data):
    output = load(provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
                  "--country-field", "iso2", "--countries", "LA")
    assert "1 areas created" in output
    assert list(AdministrativeArea.objects.filter(level=1).values_list("code", flat=True)) == ["LA-VT"]


def test_features_sharing_a_code_become_one_area(tmp_path, reference_data):
    source = write_geojson(
        tmp_path / "islands.geojson",
        [
            feature({"code": "ID-BA", "name": "Bali", "cc": "ID"}, polygon(114.4, -8.9, 115.3, -8.0)),
            feature({"code": "ID-BA", "name": "Nusa Penida", "cc": "ID"}, polygon(115.4, -8.85, 115.65, -8.65)),
        ],
    )
    load(source, "--level", "1", "--code-field", "code", "--name-field", "name", "--country-field", "cc")
    [bali] = AdministrativeArea.objects.filter(level=1, code="ID-BA")
    assert bali.name == "Bali"
    assert len(bali.geometry) == 2


def test_features_without_polygon_code_or_country_are_skipped(tmp_path, reference_data):
    source = write_geojson(
        tmp_path / "mixed.geojson",
        [
            feature({"code": "TH-10", "name": "Bangkok", "cc": "TH"}, polygon(100.3, 13.5, 100.9, 14.0)),
            feature({"code": "TH-P", "name": "A point", "cc": "TH"}, {"type": "Point", "coordinates": [100, 13]}),
            feature({"code": "TH-N", "name": "No geometry", "cc": "TH"}, None),
            feature({"code": "", "name": "No code", "cc": "TH"}, polygon(100, 13, 101, 14)),
            feature({"code": "XX-1", "name": "Bad country", "cc": "123"}, polygon(100, 13, 101, 14)),
        ],
    )
    load(source, "--level", "1", "--code-field", "code", "--name-field", "name", "--country-field", "cc")
    assert list(AdministrativeArea.objects.filter(level=1).values_list("code", flat=True)) == ["TH-10"]


def test_invalid_boundaries_are_repaired(tmp_path, reference_data):
    bowtie = {"type": "Polygon", "coordinates": [[[100, 13], [101, 14], [101, 13], [100, 14], [100, 13]]]}
    source = write_geojson(tmp_path / "bowtie.geojson", [feature({"code": "TH-99", "name": "Bowtie", "cc": "TH"},
                                                                 bowtie)])
    load(source, "--level", "1", "--code-field", "code", "--name-field", "name", "--country-field", "cc")
    area = AdministrativeArea.objects.get(level=1, code="TH-99")
    assert area.geometry.valid
    assert area.pieces.exists()


# Errors -------------------------------------------------------------------------------------------


def test_an_unreadable_source_is_a_command_error(tmp_path, reference_data):
    missing = tmp_path / "nowhere.geojson"
    with pytest.raises(CommandError, match=r"cannot open .*nowhere\.geojson"):
        load(str(missing))


def test_a_file_that_is_not_geodata_is_a_command_error(tmp_path, reference_data):
    garbage = tmp_path / "notes.geojson"
    garbage.write_text("these are not boundaries", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot open"):
        load(str(garbage))


def test_a_missing_field_is_a_command_error_naming_it_and_the_fields(provinces_file, reference_data):
    with pytest.raises(CommandError, match=r"no field 'ADM1_PCODE'; fields: iso2, shapeISO, shapeName"):
        load(provinces_file, "--level", "1", "--code-field", "ADM1_PCODE", "--name-field", "shapeName",
             "--country-field", "iso2")
    assert not AdministrativeArea.objects.filter(level=1).exists()


def test_a_missing_parent_field_is_a_command_error(provinces_file, reference_data):
    with pytest.raises(CommandError, match="no field 'parent'"):
        load(provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
             "--country-field", "iso2", "--parent-field", "parent")


def test_an_unknown_layer_is_a_command_error(provinces_file, reference_data):
    with pytest.raises(CommandError, match=r"no layer 'ADM3'.*layers: provinces"):
        load(provinces_file, "--layer", "ADM3", "--code-field", "shapeISO")


def test_no_matching_feature_is_a_command_error(provinces_file, reference_data):
    with pytest.raises(CommandError, match="no feature matched"):
        load(provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
             "--country-field", "iso2", "--countries", "NZ")
    assert not AdministrativeArea.objects.filter(level=1).exists()


def test_a_failed_load_leaves_existing_areas_alone(tmp_path, provinces_file, reference_data):
    load(provinces_file, "--level", "1", "--code-field", "shapeISO", "--name-field", "shapeName",
         "--country-field", "iso2")
    before = list(AdministrativeArea.objects.filter(level=1).values_list("code", "name"))
    with pytest.raises(CommandError):
        load(str(tmp_path / "nowhere.geojson"), "--level", "1")
    assert list(AdministrativeArea.objects.filter(level=1).values_list("code", "name")) == before
