"""Small helpers shared by the referral API tests (no fixtures: those live in conftest.py)."""

from django.utils import timezone

from referrals import services

REFERRALS = "/api/v1/referrals/"


def url(referral, action: str = "") -> str:
    """/api/v1/referrals/{id}/ or /api/v1/referrals/{id}/{action}/"""
    pk = getattr(referral, "pk", referral)
    return f"{REFERRALS}{pk}/" + (f"{action}/" if action else "")


def message_for(response, field: str) -> str:
    """The error messages for the field, joined."""
    return " ".join(e["message"] for e in response.json()["errors"] if e["field"] == field)


def accept(referral, by):
    """Accept the offer the caller's organisation holds; the referral, refreshed."""
    services.offer_accept(referral=referral, by=by)
    referral.refresh_from_db()
    return referral


def record_outcome(referral, by, type_: str = "safe_accommodation", note: str = ""):
    return services.outcome_record(referral=referral, by=by, type=type_, date=timezone.localdate(), note=note)
