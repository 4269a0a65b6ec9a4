import io

import pytest
from django.core.management import call_command

from organisations.models import CoverageArea, Facility, Membership, Organisation
from organisations.permissions import is_platform_admin
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


def test_the_demo_platform_administrator_is_staff_but_not_superuser(reference_data, django_user_model):
    """Superusers hold every permission, each organisation's own included: the platform
    administrator is staff (organisations.permissions.is_platform_admin) and no more."""
    django_user_model.objects.create_user("platform.admin", is_staff=True, is_superuser=True)

    call_command("load_demo", verbosity=0, stdout=io.StringIO())

    admin = django_user_model.objects.get(username="platform.admin")
    assert is_platform_admin(admin)
    assert admin.is_staff
    assert not admin.is_superuser
