"""Retention: closed and withdrawn referrals untouched for REFERRAL_RETENTION_DAYS keep only what
statistics need (referrals.services.referrals_reduce_expired, the Celery task apply_retention)."""

import json
from datetime import timedelta

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from geo.models import AdministrativeArea
from geo.selectors import coarsen_point
from integration import webhooks
from integration.models import WebhookDelivery
from referrals import services
from referrals.models import EventAction, Referral, ReferralEvent
from referrals.tasks import apply_retention

from .factories import submit
from .helpers import accept, record_outcome

pytestmark = pytest.mark.django_db

DAYS = 30
NOTES = "Found in a karaoke bar during a joint raid, came by bus."
OUTCOME_NOTE = "Stayed three weeks in the shelter, then went to the family."
CLOSE_REASON = "Assistance completed, the family took her home."
DECLINE_REASON = "Our shelter only takes children."
REPORT_KEYS = {"referrals", "notes", "close_reason", "case_hash", "offer_reasons", "outcome_notes",
               "areas_generalised"}
KEPT = ["age_band", "gender", "nationality", "languages", "exploitation_types", "indicators", "needs", "urgency",
        "status", "consent_basis", "created", "submitting_organisation_id", "accepted_by_id", "consent_withdrawn"]



@pytest.fixture(autouse=True)
def _short_retention(settings):
    settings.REFERRAL_RETENTION_DAYS = DAYS


@pytest.fixture
def province(reference_data):
    """A level-1 area north of Bangkok, inside Thailand."""
    thailand = AdministrativeArea.objects.get(level=0, code="TH")
    ring = ((100.45, 13.75), (100.65, 13.75), (100.65, 13.95), (100.45, 13.95), (100.45, 13.75))
    area = AdministrativeArea.objects.create(
        country="TH", level=1, code="TH-TEST-10", name="Test Province", parent=thailand,
        geometry=MultiPolygon(Polygon(ring), srid=4326),
    )
    assert thailand.geometry.contains(area.geometry)
    return area


def in_country(code="TH") -> dict:
    return {"area": AdministrativeArea.objects.get(level=0, code=code)}


def routed(cast, **overrides) -> Referral:
    """Submitted with notes, offered to two NGOs, declined by one with a reason."""
    referral = submit(cast.submitter_caseworker, notes=NOTES, **overrides)
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason=DECLINE_REASON)
    referral.refresh_from_db()
    return referral


def in_progress(cast, **overrides) -> Referral:
    referral = accept(routed(cast, **overrides), cast.offered_caseworker)
    record_outcome(referral, cast.offered_caseworker, type_="medical_care", note=OUTCOME_NOTE)
    referral.refresh_from_db()
    return referral


def closed(cast, **overrides) -> Referral:
    referral = in_progress(cast, **overrides)
    services.referral_close(referral=referral, by=cast.offered_caseworker, reason=CLOSE_REASON)
    referral.refresh_from_db()
    return referral


def withdrawn(cast, **overrides) -> Referral:
    referral = routed(cast, **overrides)
    services.referral_withdraw(referral=referral, by=cast.submitter_caseworker)
    referral.refresh_from_db()
    return referral


def consent_withdrawn(cast, **overrides) -> Referral:
    referral = in_progress(cast, **overrides)
    services.referral_withdraw_consent(referral=referral, by=cast.submitter_caseworker)
    referral.refresh_from_db()
    return referral


def backdate(*referrals, days: int = DAYS + 1) -> None:
    """`updated` is auto_now: only a queryset update moves it back."""
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(updated=timezone.now() - timedelta(days=days))


def snapshot(referral: Referral) -> dict:
    referral = Referral.objects.select_related("area").get(pk=referral.pk)
    return {
        **{name: getattr(referral, name) for name in KEPT},
        "country": referral.area.country,
        "outcome_types": sorted(referral.outcomes.values_list("type", flat=True)),
        "offers": sorted(referral.offers.values_list("organisation_id", "status")),
    }


def content(referral: Referral) -> dict:
    referral = Referral.objects.select_related("area").get(pk=referral.pk)
    return {
        "notes": referral.notes, "close_reason": referral.close_reason, "subject_hash": referral.subject_hash,
        "offer_reasons": sorted(referral.offers.values_list("reason", flat=True)),
        "outcome_notes": sorted(referral.outcomes.values_list("note", flat=True)),
        "area": referral.area_id, "location": referral.location.coords, "reduced": referral.reduced,
    }


def assert_reduced(referral: Referral) -> None:
    referral.refresh_from_db()
    assert referral.reduced is not None
    assert referral.notes == ""
    assert referral.close_reason == ""
    assert referral.subject_hash == ""
    assert set(referral.offers.values_list("reason", flat=True)) <= {""}
    assert set(referral.outcomes.values_list("note", flat=True)) <= {""}


@pytest.fixture
def expired(cast, province):
    """A closed referral in a province, a withdrawn one, a consent-withdrawn one (all past retention);
    an open one as old and a closed one still recent."""
    referrals = {
        "closed": closed(cast, location={"area": province}),
        "withdrawn": withdrawn(cast, location=in_country()),
        "consent_withdrawn": consent_withdrawn(cast, location=in_country()),
        "open": in_progress(cast, location={"area": province}),
        "recent": closed(cast, location={"area": province}),
    }
    backdate(referrals["closed"], referrals["withdrawn"], referrals["consent_withdrawn"], referrals["open"])
    backdate(referrals["recent"], days=DAYS - 1)
    return referrals


def test_expired_referrals_lose_their_content(expired, province):
    report = services.referrals_reduce_expired()

    assert report["referrals"] == 3
    for name in ("closed", "withdrawn", "consent_withdrawn"):
        assert_reduced(expired[name])
    thailand = AdministrativeArea.objects.get(level=0, code="TH")
    reduced = Referral.objects.get(pk=expired["closed"].pk)
    assert reduced.area == thailand
    assert reduced.location == coarsen_point(thailand.geometry.point_on_surface)
    assert not province.geometry.contains(reduced.location)


def test_the_report_counts_exactly_what_was_erased(expired):
    # closed: notes, close reason, hash, a decline reason, an outcome note, a province;
    # withdrawn: notes, hash, a decline reason; consent withdrawn: nothing left to erase.
    assert services.referrals_reduce_expired() == {
        "referrals": 3, "notes": 2, "close_reason": 1, "case_hash": 2, "offer_reasons": 2, "outcome_notes": 1,
        "areas_generalised": 1,
    }


def test_what_statistics_need_is_kept(expired):
    before = {name: snapshot(referral) for name, referral in expired.items()}
    services.referrals_reduce_expired()
    after = {name: snapshot(referral) for name, referral in expired.items()}
    assert after == before
    assert after["closed"]["outcome_types"] == ["medical_care"]
    assert after["closed"]["status"] == "closed"
    assert after["withdrawn"]["status"] == "withdrawn"
    assert after["closed"]["country"] == "TH"


def test_open_and_recent_referrals_are_untouched(expired):
    before = {name: content(expired[name]) for name in ("open", "recent")}
    assert before["open"]["notes"] == NOTES
    assert before["recent"]["close_reason"] == CLOSE_REASON
    services.referrals_reduce_expired()
    assert {name: content(expired[name]) for name in ("open", "recent")} == before
    untouched = [expired["open"].pk, expired["recent"].pk]
    assert not Referral.objects.filter(pk__in=untouched, reduced__isnull=False).exists()


def test_running_it_again_erases_nothing_more(expired):
    first = services.referrals_reduce_expired()
    assert first["referrals"] == 3
    state = {name: content(referral) for name, referral in expired.items()}
    events = ReferralEvent.objects.filter(action=EventAction.REDUCED).count()
    assert events == 3

    second = services.referrals_reduce_expired()

    assert set(second) == REPORT_KEYS
    assert all(count == 0 for count in second.values()), second
    assert {name: content(referral) for name, referral in expired.items()} == state
    assert ReferralEvent.objects.filter(action=EventAction.REDUCED).count() == events


def test_a_reduced_referral_touched_again_later_is_not_reduced_twice(expired):
    services.referrals_reduce_expired()
    backdate(expired["closed"], days=DAYS * 10)
    assert services.referrals_reduce_expired()["referrals"] == 0


def test_the_audit_trail_records_the_reduction_without_content(expired):
    services.referrals_reduce_expired()
    for name in ("closed", "withdrawn", "consent_withdrawn"):
        event = ReferralEvent.objects.get(referral=expired[name], action=EventAction.REDUCED)
        assert event.detail == {}
        assert event.actor is None
    assert not ReferralEvent.objects.filter(referral=expired["open"], action=EventAction.REDUCED).exists()


def delivery_texts(referral) -> list[str]:
    return [json.dumps(body) for body in
            WebhookDelivery.objects.filter(event__referral=referral).values_list("body", flat=True)]


def test_the_stored_webhook_bodies_lose_the_content_too(cast, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    webhooks.webhook_create(organisation=cast.government, url="http://127.0.0.1:9/unused",
                            events=["referral.submitted", "referral.closed", "referral.outcome_recorded"])
    referral = closed(cast)
    webhooks.outbox_relay()
    bodies = delivery_texts(referral)
    assert any(NOTES in body for body in bodies)
    assert any(CLOSE_REASON in body for body in bodies)
    backdate(referral)

    services.referrals_reduce_expired()

    bodies = delivery_texts(referral)
    assert bodies
    assert not any(text in body for body in bodies for text in (NOTES, CLOSE_REASON, OUTCOME_NOTE))


def test_the_celery_task_returns_the_same_report(expired):
    report = apply_retention()
    assert set(report) == REPORT_KEYS
    assert report == {
        "referrals": 3, "notes": 2, "close_reason": 1, "case_hash": 2, "offer_reasons": 2, "outcome_notes": 1,
        "areas_generalised": 1,
    }
    assert_reduced(expired["closed"])
    assert apply_retention() == dict.fromkeys(REPORT_KEYS, 0)


def test_nothing_due_reports_zeros_and_touches_nothing(cast, province):
    open_old = in_progress(cast, location={"area": province})
    backdate(open_old, days=DAYS * 3)  # old, but open
    recent = closed(cast, location={"area": province})
    backdate(recent, days=DAYS - 1)  # closed, but not old enough
    before = {"open": content(open_old), "recent": content(recent)}
    assert before["open"]["notes"] == NOTES
    assert before["recent"]["close_reason"] == CLOSE_REASON

    assert services.referrals_reduce_expired() == dict.fromkeys(REPORT_KEYS, 0)
    assert apply_retention() == dict.fromkeys(REPORT_KEYS, 0)

    assert {"open": content(open_old), "recent": content(recent)} == before
    assert not Referral.objects.filter(reduced__isnull=False).exists()
    assert not ReferralEvent.objects.filter(action=EventAction.REDUCED).exists()


def test_a_reduced_referral_keeps_no_location_finer_than_its_country(cast):
    referral = closed(cast)  # submitted at Bangkok by coordinates: its area is Thailand, its point the grid cell
    thailand = AdministrativeArea.objects.get(level=0, code="TH")
    assert referral.area == thailand
    backdate(referral)
    services.referrals_reduce_expired()
    referral.refresh_from_db()
    assert referral.reduced is not None
    assert referral.location == coarsen_point(thailand.geometry.point_on_surface)
