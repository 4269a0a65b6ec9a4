"""The cast of a referral (tests/network.py) and the mechanism's helpers."""

import pytest
from django.utils import timezone

from identification.services import regional_form_seed
from tests.network import Network, build_network, offer_to_two

PHONE_NOTE = "Call her brother on +66 81 234 5678."


@pytest.fixture
def cast(reference_data) -> Network:
    return build_network(cases=False)


@pytest.fixture
def offered_referral(cast):
    """Submitted by the government, offered to the offered NGO (pending) and the declined NGO (declined)."""
    return offer_to_two(cast)


@pytest.fixture
def regional_form(db):
    """The regional form, seeded by the data migration (again after a flush)."""
    return regional_form_seed()


@pytest.fixture
def competent(cast):
    """The offered NGO, marked by platform administrators as competent to identify victims."""
    cast.offered.identifies_victims = True
    cast.offered.save(update_fields=["identifies_victims"])
    return cast.offered


def today():
    return timezone.localdate()
