"""The statistics page (/app/statistics/): the same answers as GET /api/v1/stats/referrals/ (a
differentially private release for analysts, with its privacy statement and budget; exact,
k-anonymised counts for an organisation over its own referrals), a chart and a table with
suppressed cells as "< k", refusals on the page, and the CSV export."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from referrals.export import FIELDNAMES
from tests.organisations.factories import PASSWORD
from tests.referrals.factories import analyst, submit

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def caseworker(government, members):
    user = members(government)["caseworker"]
    for urgency in ("urgent", "urgent", "urgent", "emergency", "emergency", "routine"):
        submit(user, urgency=urgency)
    return user


def test_an_organisation_reads_exact_counts_with_small_cells_suppressed(caseworker, settings):
    settings.STATS_MIN_CELL = 2
    response = client_of(caseworker).get("/app/statistics/?group_by=urgency")
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index("<table"):]
    assert "<td>urgent</td><td>3</td>" in table
    assert "<td>routine</td><td>&lt; 2</td>" in table  # the setting, not a literal 11
    assert "Exact counts over your organisation" in page
    assert '<svg class="chart" role="img" aria-labelledby="chart-title chart-desc"' in page
    assert "<title id=\"chart-title\">Referrals by urgency</title>" in page


def test_analysts_read_a_private_release_with_its_privacy_statement(caseworker, settings):
    settings.STATS_EPSILON_PER_QUERY = 1.0
    settings.STATS_EPSILON_BUDGET = 10.0
    response = client_of(analyst()).get("/app/statistics/?group_by=urgency")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Differentially private answer" in page
    assert "epsilon 1.00" in page
    assert "1.00 spent" in page
    assert "9.00 remaining" in page


def test_a_spent_budget_is_a_refusal_on_the_page(caseworker, settings):
    settings.STATS_EPSILON_PER_QUERY = 1.0
    settings.STATS_EPSILON_BUDGET = 1.0
    client = client_of(analyst())
    assert client.get("/app/statistics/?group_by=urgency").status_code == 200
    assert client.get("/app/statistics/?group_by=urgency").status_code == 200  # the same release, free
    response = client.get("/app/statistics/?group_by=gender")
    assert response.status_code == 429
    assert "privacy budget" in response.content.decode()


@pytest.mark.parametrize(("query", "field"), [
    ("group_by=name", "id_group_by_error"),
    ("group_by=urgency&start=2026-13", "id_start_error"),
    ("group_by=urgency&start=2026-05&end=2026-02", "id_end_error"),
    ("group_by=urgency&start=2026-02&end=2026-02", "id_end_error"),
])
def test_bad_queries_are_shown_next_to_the_field(caseworker, query, field):
    response = client_of(caseworker).get(f"/app/statistics/?{query}")
    assert response.status_code == 400
    assert f'id="{field}"' in response.content.decode()


def test_a_period_counts_within_it(caseworker):
    page = client_of(caseworker).get("/app/statistics/?group_by=urgency&start=2000-01&end=2000-02").content.decode()
    assert "No count large enough to publish." in page


def test_statistics_are_refused_to_whoever_reads_none(reference_data):
    nobody = get_user_model().objects.create_user("nobody", password=PASSWORD)
    for url in ("/app/statistics/", "/app/statistics/export.csv"):
        response = client_of(nobody).get(url)
        assert response.status_code == 403
        assert "Statistics are for analysts" in response.content.decode()
        assert Client().get(url)["Location"].startswith("/app/login/")


def test_the_csv_export_is_the_apis(caseworker, settings):
    settings.STATS_MIN_CELL = 1
    response = client_of(caseworker).get("/app/statistics/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == FIELDNAMES
    api = client_of(caseworker).get("/api/v1/stats/export/?format=csv")
    assert api.content == response.content
    assert api["X-Suppressed-Rows"] == response["X-Suppressed-Rows"]
