"""Input built to crash the parser or the date handling answers 400 (or 404 for a forged cursor),
never 500: JSON nested 50,000 deep, and instants whose UTC offset carries them out of the
calendar or past what PostgreSQL accepts."""

import base64
import json

import pytest
from rest_framework.test import APIClient

from api.parsers import nesting_depth
from referrals.models import Referral
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.network import build_network
from tests.organisations.factories import PASSWORD
from tests.referrals.factories import analyst, submit

pytestmark = pytest.mark.django_db

DEEP = 50_000
DEEP_BODIES = {
    "arrays": "[" * DEEP,
    "closed-arrays": "[" * DEEP + "]" * DEEP,
    "objects": '{"a":' * DEEP + "1" + "}" * DEEP,
    "in-a-field": '{"username": "x", "password": ' + "[" * DEEP + "]" * DEEP + "}",
}


@pytest.fixture
def cast(reference_data):
    return build_network(cases=False)


def _refused_as_too_deep(response):
    body = assert_problem(response, 400)
    assert "request body" in body["detail"]
    assert "levels deep" in body["detail"]


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
@pytest.mark.parametrize("path", ["/api/v1/referrals/", "/api/v1/facilities/", "/api/v1/coverage-areas/",
                                  "/api/v1/webhooks/"])
def test_deeply_nested_json_is_400_on_every_write(cast, path, body):
    before = Referral.objects.count()
    response = client_for(cast.submitter_admin).generic("POST", path, body, content_type="application/json")
    _refused_as_too_deep(response)
    assert Referral.objects.count() == before


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_deeply_nested_json_is_400_at_login(cast, body):
    response = APIClient().generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    _refused_as_too_deep(response)


def test_deeply_nested_json_is_400_on_a_patch(cast):
    referral = submit(cast.submitter_caseworker)
    response = client_for(cast.submitter_caseworker).generic(
        "PATCH", f"/api/v1/referrals/{referral.pk}/", "[" * DEEP, content_type="application/json",
        headers={"If-Match": "*"},
    )
    _refused_as_too_deep(response)


def test_a_login_nested_within_the_limit_still_works(cast):
    body = json.dumps({"username": cast.submitter_caseworker.username, "password": PASSWORD})
    response = APIClient().generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [[1, 2], [3, 4]]}', 3),
        ('["[[[[", "{{{{"]', 1),  # brackets in strings do not count
        ('["\\"[[[["]', 1),  # nor after an escaped quote
        ('"[[[[', 0),  # an unterminated string runs to the end
        ('"\\', 0),  # a lone trailing backslash
    ],
)
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_nesting_depth_stays_linear_on_hostile_quotes():
    # Every start of a string that never ends would be scanned to the end by a naive pattern.
    hostile = '"' + '\\"' * 200_000 + "\\"
    assert nesting_depth(hostile) == 0
    assert nesting_depth("[" + hostile) == 1


@pytest.mark.parametrize("depth", [32, 33])
def test_the_limit_is_json_max_depth(cast, settings, depth):
    settings.JSON_MAX_DEPTH = 32
    body = "[" * depth + "]" * depth
    response = client_for(cast.submitter_caseworker).generic(
        "POST", "/api/v1/referrals/", body, content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert ("levels deep" in body["detail"]) == (depth > 32)


# --- instants at the edges of the calendar ----------------------------------------------------

EXTREME_INSTANTS = [
    "0001-01-01T00:00:00+23:59",  # in UTC: the year 0
    "9999-12-31T23:59:59-23:59",  # in UTC: the year 10000
]


@pytest.mark.parametrize("value", EXTREME_INSTANTS)
@pytest.mark.parametrize("parameter", ["updated_after", "created_after", "created_before"])
def test_an_instant_out_of_range_in_utc_is_400_naming_the_parameter(cast, parameter, value):
    response = client_for(cast.submitter_caseworker).get("/api/v1/referrals/", {parameter: value})
    body = assert_problem(response, 400, parameter)
    assert "UTC" in body["errors"][0]["message"]


@pytest.mark.parametrize("value", ["2030-01-01T00:00:00+23:59", "2000-01-01T00:00:00-21:00"])
@pytest.mark.parametrize("parameter", ["updated_after", "created_after", "created_before"])
def test_an_offset_postgresql_refuses_is_converted_to_utc(cast, parameter, value):
    response = client_for(cast.submitter_caseworker).get("/api/v1/referrals/", {parameter: value})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("value", EXTREME_INSTANTS)
@pytest.mark.parametrize(("path", "parameter"), [
    ("/api/v1/stats/referrals/?group_by=status", "from"),
    ("/api/v1/stats/referrals/?group_by=status", "to"),
    ("/api/v1/stats/referrals/response-times/?", "from"),
    ("/api/v1/stats/export/?", "to"),
])
def test_statistics_periods_out_of_range_are_400(cast, path, parameter, value):
    response = client_for(analyst()).get(f"{path}&{parameter}={value.replace('+', '%2B')}")
    assert_problem(response, 400, parameter)


def _cursor(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize("position", [*EXTREME_INSTANTS, "not-an-instant", "2020-13-45T00:00:00Z",
                                      "2020-01-01T00:00:00"])
@pytest.mark.parametrize("query", [{}, {"updated_after": "2020-01-01T00:00:00Z"}], ids=["newest-first", "feed"])
def test_a_forged_cursor_position_is_no_page(cast, position, query):
    response = client_for(cast.submitter_caseworker).get("/api/v1/referrals/", {"cursor": _cursor(position), **query})
    assert_problem(response, 404)


@pytest.mark.parametrize("query", [{}, {"updated_after": "2020-01-01T00:00:00Z"}], ids=["newest-first", "feed"])
def test_a_cursor_at_an_offset_postgresql_refuses_is_read_in_utc(cast, query):
    submit(cast.submitter_caseworker)
    response = client_for(cast.submitter_caseworker).get(
        "/api/v1/referrals/", {"cursor": _cursor("2000-01-01T00:00:00-20:00"), **query}
    )
    assert response.status_code == 200, response.content


def test_a_cursor_the_api_gave_out_still_pages(cast):
    for _ in range(3):
        submit(cast.submitter_caseworker)
    client = client_for(cast.submitter_caseworker)
    for query in ({}, {"updated_after": "2020-01-01T00:00:00Z"}):
        first = client.get("/api/v1/referrals/", {"page_size": 2, **query}).json()
        second = client.get(first["next"])
        assert second.status_code == 200, second.content
        ids = [r["id"] for r in first["results"] + second.json()["results"]]
        assert len(ids) == len(set(ids)) == 3
