"""The only way to change a referral (writes). Each write service is atomic, keyword-only and
typed; the rules of who may do what are in referrals.permissions.

- submission: submit, update, the case hash, screening of free text, the ETag
- lifecycle: route, accept, decline, expire, withdraw, outcomes, close
- consent: consent withdrawal and retention (erasure)
- events: the audit trail and the outbox
- onward: onward referrals (a child referral of an accepted one)"""

from ..exceptions import InvalidTransition, StaleVersion
from .consent import referral_reduce, referral_withdraw_consent, referrals_reduce_expired
from .events import OUTBOX_TYPES, event_record, referral_record_read
from .lifecycle import (
    MAX_OFFERS_AT_ONCE,
    OPEN_STATUSES,
    offer_accept,
    offer_decline,
    offer_expire,
    offer_ttl,
    offers_expire_due,
    outcome_record,
    referral_close,
    referral_route,
    referral_withdraw,
)
from .onward import descendants_of, referral_refer_onward
from .submission import EDITABLE_FIELDS, referral_submit, referral_update, referral_version, screen_fields, subject_hash

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_OFFERS_AT_ONCE",
    "OPEN_STATUSES",
    "OUTBOX_TYPES",
    "InvalidTransition",
    "StaleVersion",
    "descendants_of",
    "event_record",
    "offer_accept",
    "offer_decline",
    "offer_expire",
    "offer_ttl",
    "offers_expire_due",
    "outcome_record",
    "referral_close",
    "referral_record_read",
    "referral_reduce",
    "referral_refer_onward",
    "referral_route",
    "referral_submit",
    "referral_update",
    "referral_version",
    "referral_withdraw",
    "referral_withdraw_consent",
    "referrals_reduce_expired",
    "screen_fields",
    "subject_hash",
]
