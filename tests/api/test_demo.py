import io

import pytest
from django.core.management import call_command

from organisations.models import CoverageArea, Facility, Membership, Organisation
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (Organisation, Membership, Facility, CoverageArea, Referral)]


def test_load_demo_is_idempotent_and_shows_every_state(reference_data):
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    first = counts()
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    assert counts() == first
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "offered", "in_progress", "closed", "withdrawn"}
    assert Organisation.objects.filter(verified=False).exists()
