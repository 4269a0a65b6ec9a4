"""The per-referral grants, derived in SQL from the referrals and offers just loaded, by the grant
rules of `referrals.permissions` (never restated here)."""

from .rows import ROLES, Progress

GRANTS_SQL = """
INSERT INTO referrals_referralgroupobjectpermission (content_object_id, group_id, permission_id, referral_created)
SELECT x.referral_id, rg.group_id, rule.permission_id, x.created
  FROM (SELECT r.id AS referral_id, r.created, r.submitting_organisation_id AS organisation_id, 'submitter' AS party
          FROM referrals_referral r
        UNION ALL
        -- Declined, lapsed and expired offers were revoked; an accepting organisation loses its
        -- access when the person withdraws consent.
        SELECT o.referral_id, r.created, o.organisation_id, o.status
          FROM referrals_offer o JOIN referrals_referral r ON r.id = o.referral_id
         WHERE o.status = 'pending' OR (o.status = 'accepted' AND r.consent_withdrawn IS NULL)) x
  JOIN organisations_rolegroup rg ON rg.organisation_id = x.organisation_id
  JOIN unnest(%(parties)s::text[], %(roles)s::text[], %(permissions)s::int[]) AS rule(party, role, permission_id)
    ON rule.party = x.party AND rule.role = rg.role
 ORDER BY x.created, rg.group_id
"""


def grant_rules() -> list[tuple[str, str, str]]:
    """(party, role, codename) for each right a party's role group holds on a referral: the
    submitter's, a pending offer's, and an accepted offer's (the offer's rights but the right to
    respond, which acceptance revokes, plus the acceptance's)."""
    from referrals.permissions import ACCEPTANCE_GRANTS, OFFER_GRANTS, RESPOND, SUBMITTER_GRANTS

    accepted = {codename: roles for codename, roles in OFFER_GRANTS.items() if codename != RESPOND}
    parties = {"submitter": SUBMITTER_GRANTS, "pending": OFFER_GRANTS, "accepted": {**accepted, **ACCEPTANCE_GRANTS}}
    return [(party, role, codename)
            for party, grants in parties.items()
            for codename, roles in grants.items()
            for role in (ROLES if roles is None else roles)]


def load_grants(cursor, reference: dict, progress: Progress) -> int:
    rules = grant_rules()
    permissions = reference["permissions"]
    cursor.execute(GRANTS_SQL, {
        "parties": [party for party, _, _ in rules],
        "roles": [str(role) for _, role, _ in rules],
        "permissions": [permissions[f"referrals.{codename}"] for _, _, codename in rules],
    })
    progress.done(f"{cursor.rowcount:,} grant rows")
    return cursor.rowcount
