"""Small helpers shared by the referral API tests (no fixtures: those live in conftest.py)."""

from django.utils import timezone

from referrals import services

REFERRALS = "/api/v1/referrals/"
PROBLEM = "application/problem+json"


def url(referral, action: str = "") -> str:
    """/api/v1/referrals/{id}/ or /api/v1/referrals/{id}/{action}/"""
    pk = getattr(referral, "pk", referral)
    return f"{REFERRALS}{pk}/" + (f"{action}/" if action else "")


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json().get("errors", []) if error["field"]]


def assert_problem(response, status: int, field: str | None = None) -> dict:
    """The response is an RFC 9457 problem with this status and, when `field` is given, an entry
    in `errors` for that field (or one of its sub-fields: `profile` covers `profile.gender`)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    if field is not None:
        fields = error_fields(response)
        assert any(f == field or f.startswith((f"{field}.", f"{field}[")) for f in fields), (field, body)
    return body


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
