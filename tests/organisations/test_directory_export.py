"""GET /api/v1/directory/export/: the open directory as Open Referral HSDS 3.0.

The export is validated against the HSDS 3.0 JSON schemas of the specification repository, kept
next to the repository in ../shared/data/hsds/ (schema/ of openreferral/specification 3.0)."""

import json
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations import hsds
from tests.conftest import client_for

from .factories import CoverageAreaFactory, FacilityFactory, OrganisationFactory, member, staff_user

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = "/api/v1/directory/export/"

HSDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "hsds"
# Where the specification publishes the schemas; its openapi.json refers to them by these URLs and
# the other schemas to each other relative to them.
HSDS_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
ORGANIZATIONS_RESPONSE = "openapi.json#/paths/~1organizations/get/responses/200/content/application~1json/schema"

# A shelter's exact place, with enough decimals that no other number in the export can equal it.
SHELTER_LON, SHELTER_LAT = 100.531427, 13.742861
POINT_LON, POINT_LAT = 100.563912, 13.736584
DRAWN_RING = ((98.5, 16.6), (98.7, 16.6), (98.7, 16.8), (98.5, 16.8), (98.5, 16.6))


# --- the HSDS schemas -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hsds_schemas():
    """A validator factory over a registry of every HSDS schema file, so that the relative
    references between them ("metadata.json") and openapi.json's absolute ones resolve."""
    if not (HSDS_DIR / "compiled" / "organization.json").is_file():
        pytest.skip(f"the HSDS 3.0 JSON schemas are not at {HSDS_DIR} (CI has them: ../shared/data/hsds/)")
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    contents = {
        HSDS_BASE + path.relative_to(HSDS_DIR).as_posix(): json.loads(path.read_text())
        for path in sorted(HSDS_DIR.rglob("*.json"))
    }
    registry = Registry().with_resources(
        (uri, Resource.from_contents(schema, default_specification=DRAFT202012)) for uri, schema in contents.items()
    )

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": HSDS_BASE + name}, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )

    validator.schema = lambda name: contents[HSDS_BASE + name]
    return validator


def assert_valid(validator, instance) -> None:
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:20])


def undeclared_fields(instance, schema: dict, path: str = "$"):
    """Keys the (compiled, reference-free) schema does not declare. The HSDS schemas allow extra
    properties, so a misspelt field would validate; this catches it."""
    if isinstance(instance, dict) and "properties" in schema:
        for key, value in instance.items():
            if key not in schema["properties"]:
                yield f"{path}.{key}"
            else:
                yield from undeclared_fields(value, schema["properties"][key], f"{path}.{key}")
    elif isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            yield from undeclared_fields(item, schema["items"], f"{path}[{index}]")


# --- a small directory ------------------------------------------------------------------------


@pytest.fixture
def directory(ngo, area):
    """`ngo` (verified) with a shelter, a service point, coverage of Thailand and a drawn area;
    an unverified organisation with a service point and coverage of its own."""
    ngo.description = "Shelter and legal aid for survivors of trafficking in Bangkok."
    ngo.website = "https://shelter.example.org"
    ngo.save()
    shelter = FacilityFactory(
        organisation=ngo, name="Bangkok Safe House", kind="shelter",
        location=Point(SHELTER_LON, SHELTER_LAT, srid=4326), services=["shelter", "psychosocial"],
        accepts_genders=["female"], accepts_age_groups=["adult"], languages=["th", "en"],
    )
    point = FacilityFactory(
        organisation=ngo, name="Bangkok Drop-in Centre", kind="service_point",
        location=Point(POINT_LON, POINT_LAT, srid=4326), services=["legal_aid", "psychosocial"],
        languages=["th", "my"],
    )
    national = CoverageAreaFactory(organisation=ngo, services=["shelter", "legal_aid"], areas=[area("TH")])
    drawn = CoverageAreaFactory(
        organisation=ngo, services=["psychosocial"], geometry=MultiPolygon(Polygon(DRAWN_RING), srid=4326)
    )
    unverified = OrganisationFactory(name="Unvetted Helpers", country="TH", verified=False)
    FacilityFactory(organisation=unverified, name="Unvetted Office", kind="office",
                    location=Point(100.41, 13.81, srid=4326), services=["medical"])
    CoverageAreaFactory(organisation=unverified, services=["medical"], areas=[area("TH")])
    return {"ngo": ngo, "shelter": shelter, "point": point, "national": national, "drawn": drawn,
            "unverified": unverified}


@pytest.fixture
def viewer(ngo):
    return member(ngo, "viewer")


def export(user, **params) -> dict:
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def organisation_in(page: dict, organisation) -> dict:
    [found] = [org for org in page["contents"] if org["id"] == str(organisation.pk)]
    return found


def service_in(organization: dict, code: str) -> dict:
    [found] = [
        service for service in organization["services"]
        if any(a["taxonomy_term"]["code"] == code for a in service["attributes"])
    ]
    return found


# --- the shape: HSDS 3.0 ----------------------------------------------------------------------


def test_the_page_validates_against_the_hsds_organizations_response(hsds_schemas, directory, viewer):
    page = export(viewer)
    # GET /organizations of the HSDS OpenAPI: the Page wrapper with compiled/organization_list.json items.
    assert_valid(hsds_schemas(ORGANIZATIONS_RESPONSE), page)
    page_schema = hsds_schemas.schema("openapi.json")["components"]["schemas"]["Page"]
    assert set(page) == set(page_schema["properties"]) | {"contents"}


def test_each_organization_validates_as_a_fully_nested_hsds_organization(hsds_schemas, directory, viewer):
    page = export(viewer)
    assert page["contents"]
    organization = hsds_schemas("compiled/organization.json")
    listed = hsds_schemas("compiled/organization_list.json")
    for content in page["contents"]:
        assert_valid(organization, content)
        assert_valid(listed, content)
        assert not list(undeclared_fields(content, hsds_schemas.schema("compiled/organization.json")))


def test_services_locations_and_taxonomy_terms_validate_on_their_own(hsds_schemas, directory, viewer):
    organization = organisation_in(export(viewer), directory["ngo"])
    service_schema = hsds_schemas("compiled/service.json")
    at_location_schema = hsds_schemas("compiled/service_at_location.json")
    location_schema = hsds_schemas("location.json")
    term_schema = hsds_schemas("taxonomy_term.json")  # refers to taxonomy.json and metadata.json
    for service in organization["services"]:
        assert_valid(service_schema, service)
        assert not list(undeclared_fields(service, hsds_schemas.schema("compiled/service.json")))
        for at_location in service["service_at_locations"]:
            assert_valid(at_location_schema, {**at_location, "service": {k: v for k, v in service.items()
                                                                           if k != "service_at_locations"}})
        for attribute in service["attributes"]:
            assert_valid(term_schema, attribute["taxonomy_term"])
    for location in organization["locations"]:
        assert_valid(location_schema, location)


# --- what is published ------------------------------------------------------------------------


def test_services_coverage_and_facilities_appear(directory, viewer, area):
    page = export(viewer)
    ngo = directory["ngo"]
    organization = organisation_in(page, ngo)
    assert organization["name"] == ngo.name
    assert organization["description"] == ngo.description
    assert organization["website"] == ngo.website
    assert organization["legal_status"] == "Non-governmental organisation"
    [country] = organization["attributes"]
    assert country["taxonomy_term"]["code"] == "TH"
    assert country["taxonomy_term"]["name"] == "Thailand"

    # One service per code offered anywhere, named from the taxonomy.
    codes = sorted(a["taxonomy_term"]["code"] for s in organization["services"] for a in s["attributes"])
    assert codes == ["legal_aid", "psychosocial", "shelter"]
    shelter_service = service_in(organization, "shelter")
    assert shelter_service["name"] == "Safe accommodation"
    assert shelter_service["status"] == "active"
    assert shelter_service["organization_id"] == str(ngo.pk)
    term = shelter_service["attributes"][0]["taxonomy_term"]
    assert term["name"] == "Safe accommodation"
    assert term["taxonomy_detail"]["name"] == "Bali Process NGO network service types"

    # Coverage: the administrative area, and the drawn polygon as GeoJSON.
    [thailand] = shelter_service["service_areas"]
    assert thailand["name"] == area("TH").name
    assert thailand["uri"].endswith(f"/api/v1/geo/areas/{area('TH').pk}/")
    psychosocial = service_in(organization, "psychosocial")
    [drawn] = psychosocial["service_areas"]
    assert drawn["extent_type"] == "geojson"
    extent = json.loads(drawn["extent"])
    assert extent["type"] == "MultiPolygon"
    assert [tuple(p) for p in extent["coordinates"][0][0]] == list(DRAWN_RING)

    # Facilities: as the organization's locations and as the services' service_at_locations.
    assert sorted(loc["name"] for loc in organization["locations"]) == ["Bangkok Drop-in Centre", "Bangkok Safe House"]
    assert [sal["location"]["name"] for sal in shelter_service["service_at_locations"]] == ["Bangkok Safe House"]
    assert sorted(sal["location"]["name"] for sal in psychosocial["service_at_locations"]) == [
        "Bangkok Drop-in Centre", "Bangkok Safe House",
    ]
    [at_shelter] = shelter_service["service_at_locations"]
    assert at_shelter["description"] == "Genders accepted: female. Age groups accepted: adults."
    assert sorted(lang["code"] for lang in psychosocial["languages"]) == ["en", "my", "th"]
    legal_aid = service_in(organization, "legal_aid")
    assert [lang["name"] for lang in legal_aid["languages"]] == ["Burmese", "Thai"]


def test_service_points_show_their_exact_coordinates(directory, viewer):
    organization = organisation_in(export(viewer), directory["ngo"])
    [point] = [loc for loc in organization["locations"] if loc["name"] == "Bangkok Drop-in Centre"]
    assert (point["longitude"], point["latitude"]) == (POINT_LON, POINT_LAT)
    assert point["location_type"] == "physical"


@pytest.mark.parametrize("who", ["operator admin", "other member", "platform admin"])
def test_exact_shelter_coordinates_never_appear(directory, members, other_ngo, who):
    """Not even to the shelter's own organisation: the export is open data."""
    user = {
        "operator admin": lambda: members(directory["ngo"])["admin"],
        "other member": lambda: members(other_ngo)["viewer"],
        "platform admin": staff_user,
    }[who]()
    page = export(user)
    text = json.dumps(page)
    for value in (SHELTER_LON, SHELTER_LAT):
        assert str(value) not in text
        assert repr(value) not in text
        assert f"{value:.4f}" not in text  # nor a nearly exact rounding of it
    organization = organisation_in(page, directory["ngo"])
    shelters = [loc for loc in organization["locations"] if loc["name"] == "Bangkok Safe House"]
    nested = [sal["location"] for s in organization["services"] for sal in s["service_at_locations"]
              if sal["location"]["name"] == "Bangkok Safe House"]
    assert shelters
    assert nested
    for location in shelters + nested:
        assert "latitude" not in location
        assert "longitude" not in location
        assert "confidential" in location["description"]
    # Its administrative area is what the export says of where it is.
    if directory["shelter"].area is not None:
        assert directory["shelter"].area.name in shelters[0]["description"]


def test_unverified_organisations_are_absent(directory, viewer):
    page = export(viewer)
    text = json.dumps(page)
    unverified = directory["unverified"]
    assert str(unverified.pk) not in text
    assert "Unvetted" not in text
    assert "Medical care" not in text  # the only service it offers
    assert str(directory["ngo"].pk) in [org["id"] for org in page["contents"]]


def test_generated_ids_are_stable_unique_uuids(directory, viewer):
    first, second = export(viewer), export(viewer)
    assert first == second
    organization = organisation_in(first, directory["ngo"])
    ids = [organization["id"]]
    ids += [loc["id"] for loc in organization["locations"]]
    for service in organization["services"]:
        ids += [service["id"]] + [a["id"] for a in service["service_areas"]]
        ids += [sal["id"] for sal in service["service_at_locations"]] + [lang["id"] for lang in service["languages"]]
        ids += [attribute["id"] for attribute in service["attributes"]]
    assert len(ids) == len(set(ids))
    for value in ids:
        assert str(uuid.UUID(value)) == value
    [shelter] = [loc for loc in organization["locations"] if loc["name"] == "Bangkok Safe House"]
    assert shelter["id"] == str(uuid.uuid5(hsds.HSDS_NAMESPACE, f"location:facility:{directory['shelter'].pk}"))


# --- paging -----------------------------------------------------------------------------------


def test_pages_follow_the_hsds_page_wrapper(reference_data, viewer):
    for i in range(4):
        OrganisationFactory(name=f"Paged Org {i}", country="TH")
    total = hsds.export_organisations().count()
    first = export(viewer, per_page=2)
    assert first["total_items"] == total
    assert first["total_pages"] == -(-total // 2)
    assert (first["page_number"], first["size"], first["first_page"], first["empty"]) == (1, 2, True, False)
    assert first["last_page"] is False
    last = export(viewer, per_page=2, page=first["total_pages"])
    assert last["last_page"] is True
    assert last["first_page"] is False
    beyond = export(viewer, per_page=2, page=first["total_pages"] + 1)
    assert beyond["contents"] == []
    assert beyond["empty"] is True
    assert beyond["size"] == 0
    pages = [export(viewer, per_page=2, page=number) for number in range(1, first["total_pages"] + 1)]
    names = [org["name"] for page in pages for org in page["contents"]]
    assert len(names) == total == len(set(names))


def test_page_size_is_capped(reference_data, viewer, monkeypatch):
    for i in range(3):
        OrganisationFactory(name=f"Capped Org {i}", country="TH")
    monkeypatch.setattr(hsds, "MAX_PAGE_SIZE", 2)
    page = export(viewer, per_page=500)
    assert page["size"] == 2
    assert page["total_pages"] == -(-page["total_items"] // 2)


@pytest.mark.parametrize("params", [{"page": 0}, {"page": "x"}, {"per_page": 0}])
def test_bad_paging_parameters_are_refused(viewer, params):
    response = client_for(viewer).get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


# --- who may call it --------------------------------------------------------------------------


def test_anonymous_gets_401(api, directory):
    response = api.get(URL)
    assert response.status_code == 401


def test_a_user_of_no_organisation_gets_403(reference_data):
    outsider = User.objects.create_user(username="outsider", password="correct-horse-battery-staple")
    assert client_for(outsider).get(URL).status_code == 403


def test_platform_admins_and_every_role_may_export(directory, members):
    for user in [staff_user(), *members(directory["ngo"]).values()]:
        assert export(user)["total_items"] >= 1


# --- cost -------------------------------------------------------------------------------------


def _add_organisations(count: int, area) -> None:
    for _ in range(count):
        organisation = OrganisationFactory(country="TH")
        FacilityFactory(organisation=organisation, kind="shelter", services=["shelter", "medical"])
        FacilityFactory(organisation=organisation, kind="office", location=Point(100.6, 13.8, srid=4326),
                        services=["legal_aid"])
        CoverageAreaFactory(organisation=organisation, services=["shelter", "legal_aid"], areas=[area("TH")])
        CoverageAreaFactory(organisation=organisation, services=["medical"],
                            geometry=MultiPolygon(Polygon(DRAWN_RING), srid=4326))


def _queries(user_pk: int) -> tuple[int, int]:
    client = client_for(User.objects.get(pk=user_pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"per_page": 100})
    assert response.status_code == 200
    return len(queries), len(response.json()["contents"])


def test_query_count_does_not_grow_with_the_number_of_organisations(ngo, viewer, area):
    _add_organisations(2, area)
    few, few_rows = _queries(viewer.pk)
    _add_organisations(8, area)
    many, many_rows = _queries(viewer.pk)
    assert many_rows == few_rows + 8
    assert few == many, f"{few} queries for {few_rows} organisations, {many} for {many_rows}"
