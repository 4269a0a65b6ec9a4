"""organisations.permissions: restrict(user, action) per model, the named checks, the
manage_webhooks capability, the one rule for a shelter's shown location, and the base viewset's
check after a write."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection
from guardian.shortcuts import remove_perm

from geo.selectors import coarsen_point
from organisations import permissions
from organisations.api import views
from organisations.models import CoverageArea, Facility, Membership, Organisation, ServiceType
from organisations.permissions import MANAGE_WEBHOOKS
from organisations.selectors import (
    SHOWN_LOCATION_SQL,
    facility_location_shown,
    has_organisation_permission,
    shown_location_params,
)
from tests.conftest import client_for

from .factories import CoverageAreaFactory, FacilityFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def ids(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def drifter(reference_data):
    """Signed in, but nobody's member and no platform administrator."""
    return User.objects.create_user(username="drifter", password="x")


# Organisation.objects.restrict ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_every_member_views_every_organisation(ngo, other_ngo, team, role):
    assert ids(Organisation.objects.restrict(team[role], "view")) == ids(Organisation.objects.all())


def test_nobody_elses_user_views_no_organisation(ngo, drifter):
    assert not Organisation.objects.restrict(drifter, "view").exists()


def test_only_own_admins_and_platform_admins_change_an_organisation(ngo, other_ngo, team, other_team, staff):
    assert ids(Organisation.objects.restrict(team["admin"], "change")) == {ngo.pk}
    assert not Organisation.objects.restrict(team["caseworker"], "change").exists()
    assert not Organisation.objects.restrict(team["viewer"], "change").exists()
    assert ids(Organisation.objects.restrict(staff, "change")) == ids(Organisation.objects.all())


def test_only_platform_admins_add_organisations(ngo, team, staff):
    assert not Organisation.objects.restrict(team["admin"], "add").exists()
    assert Organisation.objects.restrict(staff, "add").exists()
    assert permissions.may_register_organisation(staff)
    assert not permissions.may_register_organisation(team["admin"])
    assert not Organisation.objects.restrict(staff, "delete").exists()


def test_member_lists_are_visible_to_own_members_and_platform_admins(ngo, other_ngo, team, staff):
    assert ids(Organisation.objects.restrict(team["viewer"], "view_members")) == {ngo.pk}
    assert {ngo.pk, other_ngo.pk} <= ids(Organisation.objects.restrict(staff, "view_members"))


def test_directory_is_managed_by_admins_and_caseworkers_only(ngo, team, staff):
    assert ids(Organisation.objects.restrict(team["admin"], "manage_directory")) == {ngo.pk}
    assert ids(Organisation.objects.restrict(team["caseworker"], "manage_directory")) == {ngo.pk}
    assert not Organisation.objects.restrict(team["viewer"], "manage_directory").exists()
    assert not Organisation.objects.restrict(staff, "manage_directory").exists()


def test_an_unknown_action_is_an_error_not_a_silent_grant(team):
    with pytest.raises(ValueError, match="unknown action"):
        Organisation.objects.restrict(team["admin"], "teleport")


# Membership, directory and taxonomy -----------------------------------------------------------


def test_memberships_view_own_organisation_change_with_manage_members(ngo, other_ngo, team, other_team, staff):
    own = ids(Membership.objects.filter(organisation=ngo))
    assert ids(Membership.objects.restrict(team["viewer"], "view")) == own
    for action in ("add", "change", "delete"):
        assert ids(Membership.objects.restrict(team["admin"], action)) == own
        assert not Membership.objects.restrict(team["caseworker"], action).exists()
    assert ids(Membership.objects.restrict(staff, "delete")) == ids(Membership.objects.all())


@pytest.mark.parametrize("model", [Facility, CoverageArea])
def test_directory_entries_are_read_by_all_and_written_by_their_managers(
    ngo, other_ngo, team, other_team, staff, area, model
):
    FacilityFactory(organisation=ngo)
    FacilityFactory(organisation=other_ngo)
    CoverageAreaFactory(organisation=ngo, areas=[area("TH")])
    CoverageAreaFactory(organisation=other_ngo, areas=[area("TH")])
    everything = ids(model.objects.all())
    own = ids(model.objects.filter(organisation=ngo))
    assert ids(model.objects.restrict(other_team["viewer"], "view")) == everything
    assert ids(model.objects.restrict(staff, "view")) == everything
    for action in ("add", "change", "delete"):
        assert ids(model.objects.restrict(team["caseworker"], action)) == own
        assert not model.objects.restrict(team["viewer"], action).exists()
        assert not model.objects.restrict(staff, action).exists()


def test_the_taxonomy_is_read_only(team, staff, drifter):
    assert ServiceType.objects.restrict(team["viewer"], "view").exists()
    assert not ServiceType.objects.restrict(drifter, "view").exists()
    assert not ServiceType.objects.restrict(staff, "change").exists()


def test_nobody_may_remove_themselves(ngo, team):
    admin = team["admin"]
    with pytest.raises(permissions.PermissionDenied):
        permissions.require_remove_member(admin, admin.membership)
    permissions.require_remove_member(admin, team["viewer"].membership)


def test_only_platform_admins_verify(team, staff):
    assert permissions.may_verify(staff)
    assert not permissions.may_verify(team["admin"])


# manage_webhooks ------------------------------------------------------------------------------


def test_manage_webhooks_is_granted_to_admins_only(ngo, team, staff):
    assert has_organisation_permission(team["admin"], MANAGE_WEBHOOKS, ngo.pk)
    assert permissions.may_manage_webhooks(team["admin"])
    for role in ("caseworker", "viewer"):
        assert not has_organisation_permission(team[role], MANAGE_WEBHOOKS, ngo.pk)
        assert not permissions.may_manage_webhooks(team[role])
    assert not permissions.may_manage_webhooks(staff)


def test_the_migration_grants_manage_webhooks_to_existing_admin_groups(ngo, other_ngo, members):
    migration = importlib.import_module("organisations.migrations.0003_manage_webhooks")
    for organisation in (ngo, other_ngo):
        for group in (rg.group for rg in organisation.role_groups.all()):
            remove_perm(MANAGE_WEBHOOKS, group, organisation)
    team = members(ngo)
    assert not permissions.may_manage_webhooks(team["admin"])

    migration.grant_to_admin_groups(apps, None)
    migration.grant_to_admin_groups(apps, None)  # twice: nothing granted twice

    team = {role: User.objects.get(pk=user.pk) for role, user in team.items()}  # no cached rights
    assert permissions.may_manage_webhooks(team["admin"])
    assert not permissions.may_manage_webhooks(team["caseworker"])
    assert not permissions.may_manage_webhooks(team["viewer"])
    assert ids(Organisation.objects.restrict(team["admin"], "manage_webhooks")) == {ngo.pk}


# What a viewer sees of a facility's location --------------------------------------------------

EXACT = Point(100.53317, 13.74629, srid=4326)


@pytest.mark.parametrize(
    ("kind", "own", "exact"),
    [("shelter", True, True), ("shelter", False, False), ("service_point", False, True), ("office", False, True)],
)
def test_facility_location_shown(ngo, kind, own, exact):
    facility = FacilityFactory(organisation=ngo, kind=kind, location=EXACT)
    point, shown_exact = facility_location_shown(facility, {ngo.pk} if own else ())
    assert shown_exact is exact
    assert point.coords == (EXACT.coords if exact else (100.5, 13.7))


@pytest.mark.parametrize("own", [True, False])
def test_the_sql_fragment_shows_what_the_selector_shows(ngo, own):
    facility = FacilityFactory(organisation=ngo, kind="shelter", location=EXACT)
    viewer = {ngo.pk} if own else set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(shown), ST_Y(shown) FROM (SELECT " + SHOWN_LOCATION_SQL  # noqa: S608 - a constant
            + " AS shown FROM organisations_facility fa WHERE fa.id = %(id)s) s",
            {**shown_location_params(viewer), "id": facility.pk},
        )
        x, y = cursor.fetchone()
    point, _ = facility_location_shown(facility, viewer)
    assert (x, y) == pytest.approx(point.coords, abs=1e-9)
    assert coarsen_point(EXACT).coords == (100.5, 13.7)


def test_viewers_see_their_own_organisations_shelters_exactly(ngo, team, other_team, staff):
    assert permissions.exact_locations_for(team["viewer"]) == {ngo.pk}
    assert ngo.pk not in permissions.exact_locations_for(other_team["admin"])
    assert permissions.exact_locations_for(staff) == frozenset()


# Writable related fields and the check after a write ------------------------------------------


def test_a_facilitys_organisation_is_chosen_among_those_the_user_manages(ngo, other_ngo, team):
    class Request:
        user = team["caseworker"]

    field = views.FacilitySerializer(context={"request": Request()}).fields["organisation"]
    assert ids(field.get_queryset()) == {ngo.pk}


def test_a_write_that_leaves_the_users_reach_is_rolled_back(ngo, other_ngo, team, monkeypatch):
    """A (buggy) service that hands the facility to another organisation: the base viewset finds
    the saved facility outside what the user may change, answers 403 and nothing is kept."""
    facility = FacilityFactory(organisation=ngo, name="Haven", capacity_available=5)
    real_update = views.services.facility_update

    def update_and_give_away(*, facility, data):
        facility = real_update(facility=facility, data=data)
        facility.organisation = other_ngo
        facility.save()
        return facility

    monkeypatch.setattr(views.services, "facility_update", update_and_give_away)
    response = client_for(team["admin"]).patch(f"/api/v1/facilities/{facility.pk}/", {"name": "Taken"})
    assert response.status_code == 403, response.content
    facility.refresh_from_db()
    assert (facility.organisation_id, facility.name) == (ngo.pk, "Haven")


def test_a_create_outside_the_users_reach_is_rolled_back(ngo, other_ngo, team, area, monkeypatch):
    real_create = views.services.coverage_create
    monkeypatch.setattr(
        views.services, "coverage_create", lambda *, organisation, data: real_create(organisation=other_ngo, data=data)
    )
    response = client_for(team["admin"]).post(
        "/api/v1/coverage-areas/",
        {"organisation": str(ngo.pk), "services": ["shelter"], "areas": [area("TH").pk]},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert not CoverageArea.objects.exists()


def test_a_new_organisation_gets_manage_webhooks_for_its_admins(staff, members):
    organisation = OrganisationFactory()
    team = members(organisation)
    assert permissions.may_manage_webhooks(team["admin"])
    assert not permissions.may_manage_webhooks(team["caseworker"])
