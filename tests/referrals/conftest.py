"""The cast of a referral: a submitting government agency and NGOs in every relation to it."""

from dataclasses import dataclass

import pytest

from referrals import services
from tests.organisations.factories import OrganisationFactory, member

from .factories import cover_country, submit


@dataclass
class Cast:
    government: object
    submitter_admin: object
    submitter_caseworker: object
    submitter_viewer: object
    offered: object  # an NGO holding an offer
    offered_caseworker: object
    offered_viewer: object
    declined: object
    declined_caseworker: object
    other_ngo_caseworker: object
    other_government_caseworker: object
    platform_admin: object


@pytest.fixture
def cast(reference_data, django_user_model):
    government = OrganisationFactory(name="Anti-Trafficking Police", kind="government", country="TH")
    offered = OrganisationFactory(name="Safe Haven", kind="ngo", country="TH")
    declined = OrganisationFactory(name="Harbour House", kind="ngo", country="TH")
    other_ngo = OrganisationFactory(name="Unrelated NGO", kind="ngo", country="TH")
    other_government = OrganisationFactory(name="Labour Inspectorate", kind="government", country="TH")
    for ngo in (offered, declined, other_ngo):
        cover_country(ngo)
    staff = django_user_model.objects.create_user("platform-admin", password="x", is_staff=True)
    return Cast(
        government=government,
        submitter_admin=member(government, "admin"),
        submitter_caseworker=member(government, "caseworker"),
        submitter_viewer=member(government, "viewer"),
        offered=offered,
        offered_caseworker=member(offered, "caseworker"),
        offered_viewer=member(offered, "viewer"),
        declined=declined,
        declined_caseworker=member(declined, "caseworker"),
        other_ngo_caseworker=member(other_ngo, "caseworker"),
        other_government_caseworker=member(other_government, "caseworker"),
        platform_admin=staff,
    )


@pytest.fixture
def offered_referral(cast):
    """Submitted by the government, offered to two NGOs, one of which has declined."""
    referral = submit(cast.submitter_caseworker)
    services.referral_route(
        referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk, cast.declined.pk]
    )
    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason="No space this week.")
    referral.refresh_from_db()
    return referral
