"""referrals.permissions: `Referral.objects.restrict(user, action)`, the grant rules as data, the
named checks, and `events_visible_to`, the one rule for what an organisation learns of events."""

import pytest
from django.core.exceptions import PermissionDenied

from referrals import permissions, services
from referrals.models import OutboxEvent, Referral, ReferralGroupObjectPermission
from referrals.selectors import events_visible_to

pytestmark = pytest.mark.django_db


def restricted(user, action) -> set:
    return set(Referral.objects.restrict(user, action).values_list("pk", flat=True))


def test_each_party_holds_the_capability_of_its_part(cast, offered_referral):
    pk = offered_referral.pk
    assert restricted(cast.submitter_caseworker, "view") == {pk}
    assert restricted(cast.submitter_caseworker, "manage") == {pk}
    assert restricted(cast.submitter_caseworker, "change") == {pk}
    assert restricted(cast.submitter_caseworker, "respond") == set()
    assert restricted(cast.offered_caseworker, "accept") == {pk}
    assert restricted(cast.offered_caseworker, "respond_to_offer") == {pk}
    assert restricted(cast.offered_caseworker, "manage") == set()
    assert restricted(cast.offered_caseworker, "record") == set()


def test_viewers_and_outsiders_hold_no_capability_to_act(cast, offered_referral):
    for user in (cast.submitter_viewer, cast.offered_viewer):
        assert restricted(user, "view") == {offered_referral.pk}
        for action in ("manage", "respond", "record"):
            assert restricted(user, action) == set(), (user, action)
    for user in (cast.declined_caseworker, cast.other_ngo_caseworker, cast.platform_admin):
        for action in ("view", "manage", "respond", "record"):
            assert restricted(user, action) == set(), (user, action)


def test_acceptance_swaps_respond_for_record(cast, offered_referral):
    services.offer_accept(referral=offered_referral, by=cast.offered_caseworker)
    user = type(cast.offered_caseworker).objects.get(pk=cast.offered_caseworker.pk)  # a fresh request's cache
    assert restricted(user, "respond") == set()
    assert restricted(user, "record") == restricted(user, "close") == {offered_referral.pk}


def test_restrict_filters_the_queryset_it_is_given(cast, offered_referral):
    assert not Referral.objects.exclude(pk=offered_referral.pk).restrict(cast.submitter_caseworker).exists()
    annotated = Referral.objects.restrict(cast.submitter_caseworker).get()
    assert annotated.access_created == annotated.created


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError, match="no such action"):
        Referral.objects.restrict(cast.submitter_caseworker, "delete_everything")


def test_the_grants_follow_the_published_rules(cast, offered_referral):
    held = set(
        ReferralGroupObjectPermission.objects.filter(content_object=offered_referral)
        .values_list("group__role_group__organisation_id", "group__role_group__role", "permission__codename")
    )
    expected = set()
    for organisation, rules in ((cast.government.pk, permissions.SUBMITTER_GRANTS),
                                (cast.offered.pk, permissions.OFFER_GRANTS)):
        for codename, roles in rules.items():
            for role in roles or ("admin", "caseworker", "viewer"):
                expected.add((organisation, role, codename))
    assert held == expected


def test_the_named_checks(cast, offered_referral):
    with pytest.raises(PermissionDenied, match="Viewers read referrals"):
        permissions.require_acting_role(cast.offered_viewer, offered_referral)
    rights = permissions.require_acting_role(cast.offered_caseworker, offered_referral)
    assert rights.organisation == cast.offered
    permissions.require_respond_to_offer(rights, "accept")
    with pytest.raises(PermissionDenied, match="Only the submitting organisation"):
        permissions.require_manage_referral(rights)
    with pytest.raises(PermissionDenied, match="Only the accepting organisation"):
        permissions.require_record_outcome(rights)
    assert permissions.may_see_matches(cast.submitter_viewer, offered_referral)
    assert not permissions.may_see_matches(cast.offered_caseworker, offered_referral)
    assert permissions.require_may_submit(cast.submitter_caseworker) == cast.government
    with pytest.raises(PermissionDenied, match="Only admins and caseworkers"):
        permissions.require_may_submit(cast.submitter_viewer)


def test_events_visible_to_hides_other_offers_from_an_offered_organisation(cast, offered_referral):
    mine = events_visible_to(offered_referral.events.all(), referral=offered_referral, organisation_id=cast.offered.pk)
    assert {e.subject_organisation_id for e in mine} <= {None, cast.offered.pk}
    assert {e.organisation_id for e in mine} <= {None, cast.offered.pk, cast.government.pk}
    everything = events_visible_to(
        offered_referral.events.all(), referral=offered_referral, organisation_id=cast.government.pk
    )
    assert everything.count() == offered_referral.events.count()
    assert cast.declined.pk in {e.subject_organisation_id for e in everything}


def test_events_visible_to_judges_a_batch_of_outbox_events_by_their_own_referral(cast, offered_referral):
    batch = OutboxEvent.objects.filter(referral=offered_referral)
    assert set(events_visible_to(batch, organisation_id=cast.government.pk)) == set(batch)
    heard = events_visible_to(batch, organisation_id=cast.offered.pk)
    assert {e.subject_organisation_id for e in heard} <= {None, cast.offered.pk}
    assert {e.type for e in heard} >= {"referral.submitted", "referral.offered"}
    assert cast.declined.pk not in {e.subject_organisation_id for e in heard}


def test_the_permission_ids_are_read_once_per_process_and_who_holds_them_every_request(cast, offered_referral):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fresh(user):  # a new request's user: nothing cached on it
        return User.objects.get(pk=user.pk)

    restricted(fresh(cast.offered_caseworker), "view")  # the id of the permission is now known
    with CaptureQueriesContext(connection) as queries:
        assert restricted(fresh(cast.offered_caseworker), "view") == {offered_referral.pk}
    assert not [q for q in queries.captured_queries if "auth_permission" in q["sql"]]
    # A revocation takes effect at the next request, the cached permission id notwithstanding.
    services.offer_decline(referral=offered_referral, by=cast.offered_caseworker, reason="No place free.")
    assert restricted(fresh(cast.offered_caseworker), "view") == set()


def test_post_migrate_forgets_the_permission_ids(cast, offered_referral):
    """A flush (as transactional tests do) sends post_migrate and may make the permission rows
    again under other ids: the cache must not outlive them."""
    from django.core.management.sql import emit_post_migrate_signal

    restricted(cast.submitter_caseworker, "view")
    assert permissions._PERMISSION_IDS
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert permissions._PERMISSION_IDS == {}
    assert restricted(cast.submitter_caseworker, "view") == {offered_referral.pk}
