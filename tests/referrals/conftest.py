"""The cast of a referral (tests/network.py): a submitting government agency and NGOs in every relation to it."""

import pytest

from tests.network import Network, build_network, offer_to_two


@pytest.fixture
def cast(reference_data) -> Network:
    return build_network(cases=False)


@pytest.fixture
def offered_referral(cast):
    """Submitted by the government, offered to two NGOs, one of which has declined."""
    return offer_to_two(cast)
