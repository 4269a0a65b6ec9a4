"""E-mails of the national referral mechanism's steps (issue 14), through the loopback SMTP
server, the task bodies called directly: identification decided, reflection period ending,
return requested, a return's step, a follow-up due. Each reaches the right people once, with no
case content; a return's destination never learns the referral's id; lost access, no message."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from identification.services import identification_decide, reflection_reminders_due
from notifications import services
from notifications.models import Notification, NotificationKind, NotificationStatus
from organisations import services as organisation_services
from organisations.models import Membership
from referrals import services as referral_services
from returns import services as return_services
from returns.models import NEXT_STATUS, ReturnStatus
from tests.network import Network, build_network
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.factories import submit
from tests.referrals.helpers import accept

from .helpers import CASE_REFERENCE, NOTE, assert_no_case_content, deliver

pytestmark = pytest.mark.django_db
CONSOLE = "https://console.example.org"


@dataclass
class Mechanism:
    cast: Network
    referral: object
    focal_point: object
    focal_admin: object
    focal_caseworker: object
    focal_viewer: object


@pytest.fixture
def mechanism(reference_data, smtp, settings) -> Mechanism:
    """The agency's referral (with case content), accepted by Safe Haven, which may identify
    victims; a focal point of the destination country; the messages so far sent and forgotten."""
    settings.CONSOLE_BASE_URL = CONSOLE
    cast = build_network(cases=False)
    cast.offered.identifies_victims = True
    cast.offered.save(update_fields=["identifies_victims"])
    referral = submit(cast.submitter_caseworker, case_reference=CASE_REFERENCE, notes=NOTE,
                      needs=["medical", "psychosocial"])
    referral_services.referral_route(referral=referral, by=cast.submitter_caseworker,
                                     organisation_ids=[cast.offered.pk])
    referral = accept(referral, cast.offered_caseworker)
    focal_point = OrganisationFactory(name="Yangon Return Desk", kind="government", country="MM", focal_point=True)
    deliver()
    Notification.objects.all().delete()
    smtp.collector.received.clear()
    return Mechanism(cast=cast, referral=referral, focal_point=focal_point, focal_admin=member(focal_point, "admin"),
                     focal_caseworker=member(focal_point, "caseworker"), focal_viewer=member(focal_point, "viewer"))


def recipients(kind) -> list:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def names(*users) -> list:
    return sorted(user.username for user in users)


def digest_of(user):
    """The user's digest, sent as if its time had come (a day later)."""
    assert services.digest_send(user, now=timezone.now() + timedelta(days=1)) >= 1


def open_return(m: Mechanism):
    return return_services.return_open(
        referral=m.referral, by=m.cast.offered_caseworker, destination_country="MM",
        services_requested=["family_tracing"], consent={"given": True, "basis": "informed_consent"})


def assert_no_referral_id(message, referral):
    assert str(referral.pk) not in message.subject + message.text
    assert "/app/referrals/" not in message.text
    assert f"{CONSOLE}/app/inbox/" in message.text


def test_an_identification_decision_reaches_the_submitter_not_the_deciding_organisation(mechanism, smtp):
    m, cast = mechanism, mechanism.cast
    identification_decide(referral=m.referral, by=cast.offered_caseworker, decision="presumed",
                          basis="Screened at intake.", decided_on=timezone.localdate())
    assert deliver() == 0  # the digest is this kind's default
    deliver()
    assert recipients(NotificationKind.IDENTIFICATION_DECIDED) == names(cast.submitter_admin,
                                                                       cast.submitter_caseworker)
    digest_of(cast.submitter_caseworker)
    [message] = smtp.to(cast.submitter_caseworker.email)
    assert "Safe Haven" in message.text  # the deciding organisation, shown on the referral
    assert f"{CONSOLE}/app/referrals/{m.referral.pk}/" in message.text
    assert "presumed" not in message.text.lower()
    assert "Screened" not in message.text
    assert_no_case_content(message.subject + message.text, m.referral)


def test_an_identification_decision_at_once_for_who_chose_it(mechanism, smtp):
    m, cast = mechanism, mechanism.cast
    choices = {kind: "digest" for kind in NotificationKind.values} | {"identification_decided": "immediate"}
    services.preferences_set(user=cast.submitter_admin, choices=choices, digest_time="08:00")
    identification_decide(referral=m.referral, by=cast.offered_caseworker, decision="identified",
                          decided_on=timezone.localdate())
    assert deliver() == 1
    [message] = smtp.messages()
    assert message.recipients == [cast.submitter_admin.email]
    assert "identification decision" in message.subject
    assert_no_case_content(message.subject + message.text, m.referral)


def test_a_reflection_period_ending_reaches_the_submitter_and_the_acceptor_once(mechanism, smtp, settings):
    m, cast = mechanism, mechanism.cast
    settings.REFLECTION_PERIOD_DAYS = 5
    identification_decide(referral=m.referral, by=cast.offered_caseworker, decision="presumed",
                          decided_on=timezone.localdate())
    assert reflection_reminders_due() == 1
    assert reflection_reminders_due() == 0
    assert deliver() == 3
    assert deliver() == 0
    for notification_id in Notification.objects.values_list("pk", flat=True):
        services.notification_send(notification_id)  # a task run twice sends nothing more
    expected = names(cast.submitter_admin, cast.submitter_caseworker, cast.offered_caseworker)
    assert recipients(NotificationKind.REFLECTION_ENDING) == expected
    told = sorted(address for message in smtp.messages() for address in message.recipients)
    assert told == sorted(f"{name}@example.org" for name in expected)
    for message in smtp.messages():
        assert "5 days" in message.subject
        assert f"{CONSOLE}/app/referrals/{m.referral.pk}/" in message.text
        assert_no_case_content(message.subject + message.text, m.referral)


def test_a_return_request_reaches_the_destination_without_the_referral(mechanism, smtp):
    m = mechanism
    open_return(m)
    assert deliver() == 2
    assert deliver() == 0
    assert recipients(NotificationKind.RETURN_REQUESTED) == names(m.focal_admin, m.focal_caseworker)
    for message in smtp.messages():
        assert "Safe Haven" in message.text  # the origin, which the return shows its destination
        assert "Urgent" not in message.subject + message.text  # the referral's urgency is not the destination's
        assert_no_referral_id(message, m.referral)
        assert_no_case_content(message.subject + message.text, m.referral)


def test_a_returns_step_reaches_the_other_party(mechanism, smtp):
    m, cast = mechanism, mechanism.cast
    case = open_return(m)
    deliver()
    case = return_services.return_transition(case=case, by=m.focal_caseworker, to=ReturnStatus.ASSESSING)
    deliver()
    # The destination's step: the origin hears of it (digest), the destination does not.
    assert recipients(NotificationKind.RETURN_STATUS_CHANGED) == names(cast.offered_caseworker)
    digest_of(cast.offered_caseworker)
    [message] = smtp.to(cast.offered_caseworker.email)
    assert "now assessing" in message.text
    assert_no_case_content(message.subject + message.text, m.referral)
    # The origin's step (cancelling): the destination's focal point hears of it, without the referral.
    return_services.return_transition(case=case, by=cast.offered_caseworker, to=ReturnStatus.CANCELLED)
    deliver()
    assert recipients(NotificationKind.RETURN_STATUS_CHANGED) == names(
        cast.offered_caseworker, m.focal_admin, m.focal_caseworker)
    digest_of(m.focal_admin)
    _requested, message = smtp.to(m.focal_admin.email)  # the request, at once; then the digest
    assert "Since your last summary" in message.text
    assert "now Cancelled" in message.text
    assert "Safe Haven" in message.text
    assert_no_referral_id(message, m.referral)
    assert_no_case_content(message.subject + message.text, m.referral)


def test_a_follow_up_due_reaches_the_destination_once(mechanism, smtp):
    m = mechanism
    case = open_return(m)
    while case.status != ReturnStatus.HANDED_OVER:
        case = return_services.return_transition(case=case, by=m.focal_caseworker, to=NEXT_STATUS[case.status])
    deliver()
    smtp.collector.received.clear()
    three_months = timezone.now() + relativedelta(months=3) - timedelta(days=10)
    assert return_services.follow_ups_remind_due(now=three_months) == 1
    assert deliver() == 2
    assert deliver() == 0
    assert recipients(NotificationKind.FOLLOW_UP_DUE) == names(m.focal_admin, m.focal_caseworker)
    assert len(smtp.messages()) == 2
    for message in smtp.messages():
        assert "is due in" in message.subject
        assert_no_referral_id(message, m.referral)
        assert_no_case_content(message.subject + message.text, m.referral)


def test_a_recipient_who_lost_access_to_the_return_gets_nothing(mechanism, smtp):
    m = mechanism
    open_return(m)
    _taken, due = services.outbox_intake()
    assert len(due) == 2
    # Before the messages leave: the caseworker leaves the focal point, which then loses its mark.
    organisation_services.member_remove(membership=Membership.objects.get(user=m.focal_caseworker), by=m.focal_admin)
    m.focal_point.focal_point = False
    m.focal_point.save(update_fields=["focal_point"])
    for notification_id in due:
        services.notification_send(notification_id)
    assert smtp.messages() == []
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.CANCELLED}


def test_a_recipient_who_lost_the_referral_gets_no_reflection_reminder(mechanism, smtp, settings):
    m, cast = mechanism, mechanism.cast
    settings.REFLECTION_PERIOD_DAYS = 5
    identification_decide(referral=m.referral, by=cast.offered_caseworker, decision="presumed",
                          decided_on=timezone.localdate())
    reflection_reminders_due()
    _taken, due = services.outbox_intake()
    assert len(due) == 3
    organisation_services.member_change_role(membership=Membership.objects.get(user=cast.submitter_admin),
                                             role="viewer")
    for notification_id in due:
        services.notification_send(notification_id)
    assert sorted(a for message in smtp.messages() for a in message.recipients) == sorted(
        [cast.submitter_caseworker.email, cast.offered_caseworker.email])
