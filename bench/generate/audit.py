"""The audit trail, derived in SQL from the referrals, offers and outcomes just loaded: the events
the lifecycle would have written."""

from .rows import Progress

EVENTS_SQL = """
INSERT INTO referrals_referralevent (referral_id, action, actor_id, organisation_id, subject_organisation_id,
                                     detail, created)
WITH caseworker AS (SELECT organisation_id, user_id FROM organisations_membership WHERE role = 'caseworker')
SELECT * FROM (
    SELECT r.id, 'submitted', r.submitted_by_id, r.submitting_organisation_id, NULL::uuid, '{}'::jsonb, r.created
      FROM referrals_referral r
    UNION ALL
    SELECT o.referral_id, 'offered', cw.user_id, r.submitting_organisation_id, o.organisation_id, '{}', o.created
      FROM referrals_offer o JOIN referrals_referral r ON r.id = o.referral_id
      LEFT JOIN caseworker cw ON cw.organisation_id = r.submitting_organisation_id
    UNION ALL
    SELECT o.referral_id, o.status,
           CASE WHEN o.status IN ('accepted', 'declined') THEN cw.user_id END,
           CASE WHEN o.status IN ('accepted', 'declined') THEN o.organisation_id END,
           o.organisation_id, '{}', o.responded
      FROM referrals_offer o LEFT JOIN caseworker cw ON cw.organisation_id = o.organisation_id
     WHERE o.status <> 'pending'
    UNION ALL
    SELECT oc.referral_id, 'outcome_recorded', oc.recorded_by_id, oc.organisation_id, NULL,
           jsonb_build_object('type', oc.type), oc.created
      FROM referrals_outcome oc
    UNION ALL
    SELECT r.id, 'closed', cw.user_id, r.accepted_by_id, NULL, '{}', r.updated
      FROM referrals_referral r LEFT JOIN caseworker cw ON cw.organisation_id = r.accepted_by_id
     WHERE r.status = 'closed' AND r.consent_withdrawn IS NULL
    UNION ALL
    SELECT r.id, 'consent_withdrawn', r.submitted_by_id, r.submitting_organisation_id, NULL, '{}', r.consent_withdrawn
      FROM referrals_referral r WHERE r.consent_withdrawn IS NOT NULL
    UNION ALL
    SELECT r.id, 'withdrawn', r.submitted_by_id, r.submitting_organisation_id, NULL, '{}', r.updated
      FROM referrals_referral r WHERE r.status = 'withdrawn'
    UNION ALL
    SELECT r.id, 'reduced', NULL, NULL, NULL, '{}', r.reduced FROM referrals_referral r WHERE r.reduced IS NOT NULL
) e (referral_id, action, actor_id, organisation_id, subject_organisation_id, detail, created)
ORDER BY created
"""


def load_events(cursor, progress: Progress) -> int:
    cursor.execute(EVENTS_SQL)
    progress.done(f"{cursor.rowcount:,} events")
    return cursor.rowcount
