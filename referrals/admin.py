"""Referrals, offers, outcomes and their events have no admin, on purpose.

The API shows a referral only to the organisations it was submitted by, offered to or accepted
by; platform administrators run the network, not cases, and see none. An admin page would be a
second window onto them for every member of staff (and every superuser): even "non-content"
columns (status, urgency, dates, which organisations) tell who is being helped where and when,
and a change form would write around the services that keep the trail and the grants. Network
questions are answered by the statistics (`/api/v1/stats/`); tests/security/test_admin.py checks
that no page of the admin shows a referral's content.
"""
