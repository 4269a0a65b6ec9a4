"""The cast of a return: the referral's cast (tests/network.py), its offered NGO having accepted
the offered referral, and Myanmar's national focal point (its caseworker and viewer)."""

from dataclasses import dataclass

import pytest

from referrals.models import Referral
from returns import services
from returns.models import ReturnCase
from tests.network import Network, build_network, offer_to_two
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.helpers import accept

CONSENT = {"given": True, "basis": "informed_consent"}


@dataclass
class Destination:
    focal_point: object
    caseworker: object
    viewer: object


@pytest.fixture
def cast(reference_data) -> Network:
    return build_network(cases=False)


@pytest.fixture
def offered_referral(cast):
    return offer_to_two(cast)


@pytest.fixture
def accepted(cast: Network, offered_referral) -> Referral:
    """Submitted by the government agency, accepted by the offered NGO (Safe Haven)."""
    return accept(offered_referral, cast.offered_caseworker)


@pytest.fixture
def destination(reference_data) -> Destination:
    focal_point = OrganisationFactory(name="Myanmar focal point", kind="government", country="MM", focal_point=True)
    return Destination(focal_point=focal_point, caseworker=member(focal_point, "caseworker"),
                       viewer=member(focal_point, "viewer"))


def open_return(referral, by, **overrides) -> ReturnCase:
    data = {"destination_country": "MM", "services_requested": ["family_tracing", "reintegration"],
            "consent": dict(CONSENT), **overrides}
    return services.return_open(referral=referral, by=by, **data)


@pytest.fixture
def return_case(cast, accepted, destination) -> ReturnCase:
    """Opened by the accepting NGO."""
    return open_return(accepted, cast.offered_caseworker)


def walk_to(case, status: str, by) -> ReturnCase:
    """Take the destination's steps until the return is `status`."""
    from returns.models import NEXT_STATUS

    while case.status != status:
        case = services.return_transition(case=case, by=by, to=NEXT_STATUS[case.status])
    return case
