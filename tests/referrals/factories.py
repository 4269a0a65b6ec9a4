"""Referrals made the way the API makes them: through the services."""

import uuid

from django.contrib.gis.geos import MultiPolygon, Polygon

from geo.models import AdministrativeArea
from organisations import services as organisation_services
from referrals import services

BANGKOK = {"lat": 13.7563, "lon": 100.5018}


def referral_data(**overrides) -> dict:
    """The validated form of a submission, as the create serializer hands it to the service."""
    data = {
        "case_reference": f"CASE-{uuid.uuid4().hex[:8]}",
        "profile": {"age_band": "18-20", "gender": "female", "nationality": "MM", "languages": ["my"]},
        "exploitation_types": ["labour"],
        "indicators": ["deception"],
        "needs": ["shelter", "medical"],
        "urgency": "urgent",
        "location": dict(BANGKOK),
        "consent": {"given": True, "basis": "informed_consent"},
        "notes": "Found during a labour inspection of a fishing boat.",
    }
    data.update(overrides)
    return data


def referral_payload(**overrides) -> dict:
    """The JSON body of POST /api/v1/referrals/."""
    return referral_data(**overrides)


def submit(by, **overrides):
    return services.referral_submit(by=by, data=referral_data(**overrides))


def cover_country(organisation, code: str = "TH", services_offered=("shelter", "medical", "psychosocial")):
    area = AdministrativeArea.objects.get(level=0, code=code)
    return organisation_services.coverage_create(
        organisation=organisation, data={"services": list(services_offered), "areas": [area]}
    )


def cover_polygon(organisation, ring, services_offered=("shelter",)):
    return organisation_services.coverage_create(
        organisation=organisation,
        data={"services": list(services_offered), "geometry": MultiPolygon(Polygon(ring), srid=4326)},
    )
