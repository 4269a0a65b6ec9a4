"""The people the benchmarks act as, chosen from the generated data."""

from .common import Account, Context, User, rows, token_of


def pick_accounts(ctx: Context, *, probes: int, submitters: int) -> dict:
    """NGO caseworkers with a typical and with the largest share of referrals, submitting agencies
    for matching probes and for the load test, an analyst."""
    from referrals.permissions import VIEW

    shares = rows(
        """SELECT m.user_id, u.username, rg.organisation_id, count(g.id) AS visible
             FROM organisations_rolegroup rg
             JOIN organisations_organisation o ON o.id = rg.organisation_id AND o.kind = 'ngo' AND o.verified
             JOIN organisations_membership m ON m.organisation_id = o.id AND m.role = 'caseworker'
             JOIN auth_user u ON u.id = m.user_id
             JOIN referrals_referralgroupobjectpermission g ON g.group_id = rg.group_id
              AND g.permission_id = (SELECT p.id FROM auth_permission p JOIN django_content_type ct
                                      ON ct.id = p.content_type_id
                                     WHERE ct.app_label = 'referrals' AND p.codename = %s)
            WHERE rg.role = 'caseworker'
            GROUP BY 1, 2, 3 ORDER BY 4, 1""",
        [VIEW],
    )
    if not shares:
        raise AssertionError("no NGO caseworker sees any referral: generate data first")
    accounts = {
        key: Account(user_id, username, token_of(user_id), {"visible": visible})
        for key, (user_id, username, _, visible) in (("ngo_typical", shares[len(shares) // 2]),
                                                                   ("ngo_busiest", shares[-1]))
    }
    # Matching probes: open referrals of government agencies in the countries with the most
    # providers (the heaviest searches), at a point inside the country's boundary.
    countries = [code for (code,) in rows(
        """SELECT a.code FROM organisations_coveragearea_areas ca
             JOIN geo_administrativearea a ON a.id = ca.administrativearea_id
            GROUP BY a.code ORDER BY count(*) DESC, a.code LIMIT %s""", [probes])]
    found = rows(
        """SELECT DISTINCT ON (a.code) r.id, a.code, m.user_id, u.username, ST_X(r.location), ST_Y(r.location), r.needs
             FROM referrals_referral r
             JOIN organisations_organisation o ON o.id = r.submitting_organisation_id
                  AND o.kind = 'government' AND o.verified
             JOIN geo_administrativearea a ON a.id = r.area_id
             JOIN organisations_membership m ON m.organisation_id = o.id AND m.role = 'caseworker'
             JOIN auth_user u ON u.id = m.user_id
            WHERE r.status = 'submitted' AND a.code = ANY(%s)
              AND EXISTS (SELECT 1 FROM geo_areapiece p
                           WHERE p.area_id = r.area_id AND ST_Covers(p.geometry, r.location))
            ORDER BY a.code, r.created DESC""",
        [countries],
    )
    accounts["probes"] = [
        Account(user_id, username, token_of(user_id),
                {"referral": str(referral_id), "country": code, "lon": x, "lat": y, "needs": list(needs)})
        for referral_id, code, user_id, username, x, y, needs in found
    ]
    # Submitting agencies for the load test, each with a point inside its country.
    agencies = rows(
        """SELECT m.user_id, u.username, o.country,
                  (SELECT ST_X(ST_PointOnSurface(p.geometry)) || ' ' || ST_Y(ST_PointOnSurface(p.geometry))
                     FROM geo_areapiece p JOIN geo_administrativearea a ON a.id = p.area_id
                    WHERE a.level = 0 AND a.code = o.country ORDER BY ST_Area(p.geometry) DESC LIMIT 1)
             FROM organisations_organisation o
             JOIN organisations_membership m ON m.organisation_id = o.id AND m.role = 'caseworker'
             JOIN auth_user u ON u.id = m.user_id
            WHERE o.kind = 'government' AND o.verified
            ORDER BY o.id LIMIT %s""",
        [submitters],
    )
    accounts["submitters"] = [
        Account(user_id, username, token_of(user_id),
                {"country": country, "lon": float(point.split()[0]), "lat": float(point.split()[1])})
        for user_id, username, country, point in agencies if point
    ]
    analyst = User.objects.get(username="bench.analyst")
    accounts["analyst"] = Account(analyst.pk, analyst.username, token_of(analyst.pk))
    return accounts
