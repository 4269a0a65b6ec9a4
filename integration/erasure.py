"""Copies of a referral kept outside the domain (webhook bodies, stored idempotent responses)
lose its free text and case key when the referral does (consent withdrawn, retention)."""

from api.idempotency import records_erase

from .models import WebhookDelivery

FREE_TEXT_KEYS = {"notes", "close_reason", "reason", "note"}
CASE_KEYS = {"subject_key", "possible_duplicate_of"}


def without_free_text(value):
    if isinstance(value, dict):
        return {
            key: "" if key in FREE_TEXT_KEYS else None if key in CASE_KEYS else without_free_text(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [without_free_text(item) for item in value]
    return value


def copies_erase_content(*, referral_id, **_) -> None:
    """Receiver of referrals.signals.referral_content_erased."""
    for delivery in WebhookDelivery.objects.filter(event__referral_id=referral_id).only("id", "body"):
        delivery.body = without_free_text(delivery.body)
        delivery.save(update_fields=["body"])
    records_erase(object_id=referral_id, redact=without_free_text)
