import pytest

from .factories import staff_user


@pytest.fixture
def staff(reference_data):
    """A platform administrator."""
    return staff_user()


@pytest.fixture
def team(ngo, members):
    """The admin, caseworker and viewer of `ngo`."""
    return members(ngo)


@pytest.fixture
def other_team(other_ngo, members):
    """The admin, caseworker and viewer of `other_ngo`."""
    return members(other_ngo)
