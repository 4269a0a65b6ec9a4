"""Referrals made the way the API makes them: through the services."""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import MultiPolygon, Polygon

from geo.models import AdministrativeArea
from organisations import services as organisation_services
from referrals import services
from tests.organisations.factories import PASSWORD

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


def analyst(username: str | None = None):
    """A user whose group holds referrals.view_all_statistics, member of no organisation."""
    user_model = get_user_model()
    username = username or f"analyst-{user_model.objects.count() + 1}"
    group, _ = Group.objects.get_or_create(name="platform analysts")
    group.permissions.add(Permission.objects.get(content_type__app_label="referrals", codename="view_all_statistics"))
    user = user_model.objects.create_user(username, password=PASSWORD, email=f"{username}@example.org")
    user.groups.add(group)
    return user
