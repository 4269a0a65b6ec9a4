"""The OpenAPI 3 schema partner systems integrate from, and its docs served without a CDN."""

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

FOUNDATION_PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/logout/": {"post"},
    "/api/v1/organisations/": {"get", "post"},
    "/api/v1/organisations/{id}/": {"get", "put", "patch"},
    "/api/v1/organisations/{organisation_pk}/members/": {"get", "post"},
    "/api/v1/organisations/{organisation_pk}/members/{id}/": {"get", "patch", "delete"},
    "/api/v1/services/": {"get"},
    "/api/v1/services/{code}/": {"get"},
    "/api/v1/facilities/": {"get", "post"},
    "/api/v1/facilities/{id}/": {"get", "patch", "delete"},
    "/api/v1/coverage-areas/": {"get", "post"},
    "/api/v1/coverage-areas/{id}/": {"get", "patch", "delete"},
    "/api/v1/geo/areas/": {"get"},
    "/api/v1/geo/areas/{id}/": {"get"},
    "/api/v1/geo/locate/": {"get"},
    "/api/v1/providers/search/": {"get"},
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "NGO engagement and referral network API"
    assert schema["info"]["version"]


def test_schema_is_served_as_yaml_by_default(reference_data):
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


@pytest.mark.parametrize(("path", "methods"), FOUNDATION_PATHS.items(), ids=list(FOUNDATION_PATHS))
def test_schema_documents_the_foundation_paths(schema, path, methods):
    assert path in schema["paths"]
    assert {m for m in schema["paths"][path] if m in HTTP_METHODS} == methods


def test_schema_declares_token_authentication(schema):
    schemes = schema["components"]["securitySchemes"]
    [token] = [scheme for scheme in schemes.values() if scheme.get("in") == "header"]
    assert token["type"] == "apiKey"
    assert token["name"] == "Authorization"
    assert "Token" in token["description"]
    name = next(key for key, value in schemes.items() if value is token)
    organisations = schema["paths"]["/api/v1/organisations/"]["get"]
    assert {name: []} in organisations["security"]


def test_login_needs_no_authentication(schema):
    login = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert login.get("security") in ([], [{}], None) or {} in login["security"]
    assert "401" not in login["responses"]


def test_errors_are_documented_as_problem_json(schema):
    create = schema["paths"]["/api/v1/facilities/"]["post"]["responses"]
    for status in ("400", "401", "403"):
        assert status in create
        assert "application/problem+json" in create[status]["content"]


def test_facility_location_is_documented_as_geojson(schema):
    facility = schema["components"]["schemas"]["Facility"]
    location = facility["properties"]["location"]
    assert location["properties"]["type"]["enum"] == ["Point"]
    assert facility["properties"]["area"].get("readOnly") is True


def test_facility_request_schema_requires_what_the_server_requires(schema):
    """A partner system generating requests from the schema must not send a facility the server
    refuses for a missing field."""
    request = schema["components"]["schemas"]["FacilityRequest"]
    assert {"organisation", "name", "kind", "location", "services", "accepts_genders", "accepts_age_groups",
            "languages"} <= set(request["required"])
    assert "area" not in request["properties"]


def test_docs_are_html_with_local_assets_only(reference_data):
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']([^"']+)["']""", html)
    assert any("swagger-ui" in source for source in sources)
    for source in sources:
        # Swagger UI's assets, and its start-up script served by the docs view itself (no inline script).
        assert source.startswith(("/static/", "/api/v1/docs/?script")), source
    assert "cdn" not in html.lower()
    assert "unpkg" not in html.lower()


def test_docs_assets_are_served(reference_data):
    html = APIClient().get("/api/v1/docs/").content.decode()
    [bundle] = re.findall(r"""src=["'](/static/[^"']*swagger-ui-bundle\.js)["']""", html)
    response = APIClient().get(bundle)
    assert response.status_code == 200
