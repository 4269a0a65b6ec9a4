"""The service taxonomy is read-only over the API."""

import pytest

from organisations.models import ServiceType
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/"
STARTING_SERVICES = {
    "shelter", "medical", "psychosocial", "legal_aid", "interpretation", "repatriation",
    "reintegration", "compensation_support", "witness_support", "family_tracing",
}


def test_every_member_reads_the_taxonomy(team):
    response = client_for(team["viewer"]).get(URL, {"page_size": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert STARTING_SERVICES <= {row["code"] for row in rows}
    for row in rows:
        assert set(row) == {"code", "name", "description"}
        assert row["name"]


def test_one_service_by_code(team):
    response = client_for(team["viewer"]).get(f"{URL}legal_aid/")
    assert response.status_code == 200
    assert response.json()["code"] == "legal_aid"
    assert response.json()["name"] == "Legal aid"


@pytest.mark.parametrize("code", ["teleportation", "sh%00elter", "shel ter", "s" * 5000])
def test_unknown_service_is_404(team, code):
    response = client_for(team["viewer"]).get(f"{URL}{code}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_anonymous_is_401(api, reference_data):
    response = api.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_taxonomy_cannot_be_written(team, staff, who):
    client = client_for(staff if who == "staff" else team["admin"])
    before = ServiceType.objects.count()
    created = client.post(URL, {"code": "teleportation", "name": "Teleportation"})
    assert created.status_code in (403, 405)
    assert created["Content-Type"] == "application/problem+json"
    changed = client.patch(f"{URL}shelter/", {"name": "Renamed"})
    assert changed.status_code in (403, 405)
    deleted = client.delete(f"{URL}shelter/")
    assert deleted.status_code in (403, 405)
    assert ServiceType.objects.count() == before
    assert ServiceType.objects.get(code="shelter").name == "Safe accommodation"
