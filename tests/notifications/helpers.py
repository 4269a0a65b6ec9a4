"""Driving the notification pipeline by hand (the task bodies, without a worker)."""

from notifications import services
from referrals import services as referral_services
from tests.referrals.factories import referral_data, submit

# What the referral of `routed` says about the person: none of it may appear in a message.
CASE_REFERENCE = "CASE-HARBOUR-7731"
NOTE = "Met at the harbour clinic after the night shift on the pier."
CASE_CONTENT = (CASE_REFERENCE, NOTE, "harbour", "labour", "deception", "medical", "psychosocial", "18-20",
                "female", "MM", "Myanmar")


def routed(parties, **overrides):
    """A referral of the police, offered to the shelter NGO."""
    referral = submit(parties["police_caseworker"], case_reference=CASE_REFERENCE, notes=NOTE,
                      needs=["medical", "psychosocial"], **overrides)
    referral_services.referral_route(referral=referral, by=parties["police_caseworker"],
                                     organisation_ids=[parties["shelter"].pk])
    referral.refresh_from_db()
    return referral


def deliver() -> int:
    """Take the outbox in and send what is due at once, as the tasks would; returns how many
    notifications were sent now."""
    sent = 0
    while True:
        taken, due = services.outbox_intake()
        for notification_id in due:
            services.notification_send(notification_id)
            sent += 1
        if not taken:
            return sent


def assert_no_case_content(text: str, referral) -> None:
    for word in (*CASE_CONTENT, referral.subject_hash):
        assert word not in text, word


__all__ = ["deliver", "referral_data", "routed"]
