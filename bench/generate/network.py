"""The network: organisations over the member states, their role groups, members and
organisation-level grants, their facilities, and the areas they cover."""

import math
import random

from bench import regional

from .rows import DAY, ROLES, YEARS, Chooser, Org, Progress, Scale, array, copy_rows, iso, line, uuid_from

PASSWORD = "bench-password-2026"  # noqa: S105 - the generated accounts of a throwaway database


# --- the plan -----------------------------------------------------------------------------------


def _allocate(total: int, shares: dict[str, float], present: set[str]) -> dict[str, int]:
    """Largest-remainder allocation of `total` over the countries present, at least one each when
    there are enough to go round."""
    shares = {code: share for code, share in shares.items() if code in present}
    whole = sum(shares.values())
    exact = {code: total * share / whole for code, share in shares.items()}
    counts = {code: int(value) for code, value in exact.items()}
    if total >= 2 * len(shares):
        counts = {code: max(count, 2) for code, count in counts.items()}
    remainder = total - sum(counts.values())
    by_fraction = sorted(exact, key=lambda code: exact[code] - int(exact[code]), reverse=True)
    index = 0
    while remainder > 0:
        counts[by_fraction[index % len(by_fraction)]] += 1
        remainder -= 1
        index += 1
    while remainder < 0:  # the minimum of two overshot: take from the largest
        largest = max(counts, key=counts.get)
        counts[largest] -= 1
        remainder += 1
    return counts


def plan_organisations(scale: Scale, countries: set[str], services: list[str], rng: random.Random) -> list[Org]:
    counts = _allocate(scale.orgs, regional.ORGANISATION_SHARE, countries)
    kinds = Chooser.of(regional.KIND_SHARE)
    orgs: list[Org] = []
    for country, count in sorted(counts.items()):
        for position in range(count):
            if position == 0:
                kind = "government"
            elif position == 1:
                kind = "ngo"
            else:
                kind = kinds.one(rng)
            # A long tail: a few large organisations, many small ones.
            weight = min(rng.paretovariate(1.3), 60.0)
            if kind == "international":
                weight *= 2
            orgs.append(Org(index=len(orgs), id=uuid_from(rng), country=country, kind=kind,
                            verified=position < 2 or rng.random() < 0.96, weight=weight))
    for org in orgs:
        offers_services = org.kind != "government" or rng.random() < 0.25  # social welfare departments
        if not offers_services:
            continue
        chosen = tuple(code for code in services if rng.random() < regional.SERVICE_SHARE.get(code, 0.2))
        if org.kind == "government":
            chosen = ("shelter", "psychosocial")
        org.services = chosen or (rng.choice(services),)
        if org.kind == "international":
            region = [c for c in regional.REGIONS[regional.REGION_OF[org.country]] if c in countries]
            others = rng.sample(region, min(len(region), rng.randint(2, 7)))
            org.covers = tuple(dict.fromkeys([org.country, *others]))
            org.drawn = rng.random() < 0.1
        else:
            roll = rng.random()
            org.covers = (org.country,) if roll < 0.75 else ()
            org.drawn = roll >= 0.6  # 60% the country only, 15% both, 25% a drawn area only
    return orgs


def point_pools(cursor, countries: list[str], per_hub: int, seed: int) -> dict[str, list[tuple[float, float]]]:
    """Points on land in each country, clustered around a few 'towns' (random points of the
    boundary), so that facilities and referrals gather where people do."""
    hubs = [max(2, min(40, round(regional.ORGANISATION_SHARE.get(code, 0.3) * 3))) for code in countries]
    cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
    cursor.execute(
        """
        WITH source AS (
            SELECT a.id, a.code, a.geometry, hubs.n,
                   greatest(0.02, least(0.6, sqrt(ST_Area(a.geometry)) / 15)) AS spread
              FROM geo_administrativearea a
              JOIN unnest(%(codes)s::text[], %(hubs)s::int[]) AS hubs(code, n) ON hubs.code = a.code
             WHERE a.level = 0
        ),
        hub AS MATERIALIZED (
            SELECT s.id, s.code, s.spread, (ST_Dump(ST_GeneratePoints(s.geometry, s.n, %(seed)s))).geom AS geom
              FROM source s
            UNION ALL  -- ST_GeneratePoints gives nothing for some archipelagos with few points asked
            SELECT s.id, s.code, s.spread, ST_PointOnSurface(s.geometry) FROM source s
        ),
        candidate AS (
            SELECT h.id, h.code, ST_SetSRID(ST_MakePoint(
                       ST_X(h.geom) + (random() + random() + random() - 1.5) * h.spread,
                       ST_Y(h.geom) + (random() + random() + random() - 1.5) * h.spread), 4326) AS geom
              FROM hub h CROSS JOIN generate_series(1, %(per_hub)s)
        )
        SELECT c.code, ST_X(c.geom), ST_Y(c.geom) FROM candidate c
         WHERE EXISTS (SELECT 1 FROM geo_areapiece p WHERE p.area_id = c.id AND ST_Covers(p.geometry, c.geom))
        UNION ALL
        SELECT h.code, ST_X(h.geom), ST_Y(h.geom) FROM hub h
        """,
        {"codes": countries, "hubs": hubs, "seed": max(1, seed), "per_hub": per_hub},
    )
    pools: dict[str, list[tuple[float, float]]] = {code: [] for code in countries}
    for code, x, y in cursor.fetchall():
        pools[code].append((round(x, 6), round(y, 6)))
    return pools


def polygon_around(x: float, y: float, radius: float, rng: random.Random) -> str:
    """A drawn service area: an irregular 10-gon around a point."""
    points = []
    for k in range(10):
        angle = 2 * math.pi * k / 10
        r = radius * rng.uniform(0.6, 1.0)
        points.append(f"{x + r * math.cos(angle):.5f} {max(-89.9, min(89.9, y + r * math.sin(angle))):.5f}")
    points.append(points[0])
    return f"SRID=4326;MULTIPOLYGON((({', '.join(points)})))"


# --- the load -----------------------------------------------------------------------------------


def load_organisations(cursor, orgs: list[Org], reference: dict, now: float, progress: Progress) -> dict[str, int]:
    """Organisations, one role group and one user per role, memberships, the grants each role
    holds on its organisation (organisations.permissions.ROLE_CAPABILITIES), and an analyst."""
    from django.contrib.auth.hashers import make_password

    from organisations.permissions import ROLE_CAPABILITIES

    password = make_password(PASSWORD)
    created = iso(now - YEARS * 365 * DAY - 30 * DAY)
    organisations = [line(org.id, f"{org.country} {org.kind} organisation {org.index:05d}", org.kind, org.country,
                          "t" if org.verified else "f", "", "", created, created, "f", "f") for org in orgs]
    copy_rows(cursor, "organisations_organisation",
              ("id", "name", "kind", "country", "verified", "description", "website", "created", "updated",
               "identifies_victims", "focal_point"),
              organisations)

    groups, users, user_groups, role_groups, memberships, grants = [], [], [], [], [], []
    permission_ids = reference["permissions"]
    for org in orgs:
        for role in ROLES:
            number = org.group_id(role)
            groups.append(line(number, f"organisation:{org.id}:{role}"))
            users.append(line(number, password, "f", f"org{org.index:05d}.{role}", "", "", "", "f", "t", created))
            user_groups.append(line(number, number, number))
            role_groups.append(line(number, role, number, org.id))
            memberships.append(line(number, role, created, number, org.id))
            for capability in ROLE_CAPABILITIES[role]:
                grants.append(line(org.id, number, permission_ids[capability]))
    analyst = 3 * len(orgs) + 1
    users.append(line(analyst, password, "f", "bench.analyst", "", "", "", "t", "t", created))
    copy_rows(cursor, "auth_group", ("id", "name"), groups)
    copy_rows(cursor, "auth_user", ("id", "password", "is_superuser", "username", "first_name", "last_name",
                                    "email", "is_staff", "is_active", "date_joined"), users)
    copy_rows(cursor, "auth_user_groups", ("id", "user_id", "group_id"), user_groups)
    copy_rows(cursor, "organisations_rolegroup", ("id", "role", "group_id", "organisation_id"), role_groups)
    copy_rows(cursor, "organisations_membership", ("id", "role", "created", "user_id", "organisation_id"),
              memberships)
    copy_rows(cursor, "organisations_organisationgroupobjectpermission",
              ("content_object_id", "group_id", "permission_id"), grants)
    progress.done(f"{len(orgs):,} organisations, {len(groups):,} role groups, {len(users):,} users, "
                  f"{len(grants):,} organisation grants")
    return {"organisations": len(organisations), "groups": len(groups), "users": len(users),
            "organisation_grants": len(grants)}


def load_facilities(cursor, orgs: list[Org], reference: dict, pools, scale: Scale, rng: random.Random,
                    now: float, progress: Progress) -> dict[str, int]:
    """Facilities (shelters with capacities, service points, offices) of the organisations that
    offer services, and their coverage: country boundaries and drawn polygons."""
    providers = [org for org in orgs if org.services]
    facility_total = max(scale.facility_count, len(providers))
    total_weight = sum(org.weight ** 0.8 for org in providers)
    facilities, coverage, coverage_areas = [], [], []
    areas = reference["areas"]
    for org in providers:
        share = (facility_total - len(providers)) * org.weight ** 0.8 / total_weight
        count = 1 + int(share) + (rng.random() < share - int(share))
        languages = regional.LANGUAGES.get(org.country, ("en",))
        homes = [c for c in org.covers if pools.get(c)] or [org.country]
        for number in range(count):
            country = org.country if number == 0 or rng.random() < 0.8 else rng.choice(homes)
            x, y = rng.choice(pools[country])
            if "shelter" in org.services and rng.random() < 0.5:
                kind = "shelter"
                total = rng.randint(4, 80)
                available = rng.randint(0, total)
            else:
                kind = "service_point" if rng.random() < 0.7 else "office"
                total = rng.randint(0, 30) if kind == "service_point" else 0
                available = rng.randint(0, total)
            offered = tuple(s for s in org.services if rng.random() < 0.7) or org.services[:1]
            genders = rng.choice((("female",), ("female", "male", "transgender"), ("female", "transgender"),
                                  ("male",), ("female", "male", "transgender")))
            ages = rng.choice((("adult",), ("child",), ("child", "adult"), ("adult",)))
            spoken = tuple(dict.fromkeys(languages[:2] + (("en",) if rng.random() < 0.5 else ())))
            stamp = iso(now - rng.uniform(30, YEARS * 365) * DAY)
            facilities.append(line(
                f"{org.country} {kind.replace('_', ' ')} {org.index:05d}-{number}", kind,
                f"SRID=4326;POINT({x} {y})", array(offered), total, available, array(genders), array(ages),
                array(spoken), stamp, stamp, areas[country], org.id,
            ))
        stamp = iso(now - YEARS * 365 * DAY)
        if org.covers:
            coverage_id = len(coverage) + 1
            coverage.append(line(coverage_id, array(org.services), None, stamp, stamp, org.id))
            for country in org.covers:
                coverage_areas.append(line(len(coverage_areas) + 1, coverage_id, areas[country]))
        if org.drawn:
            x, y = rng.choice(pools[org.country])
            radius = rng.uniform(0.05, 0.8)
            served = tuple(s for s in org.services if rng.random() < 0.8) or org.services[:1]
            coverage.append(line(len(coverage) + 1, array(served), polygon_around(x, y, radius, rng), stamp, stamp,
                                 org.id))
    copy_rows(cursor, "organisations_facility",
              ("name", "kind", "location", "services", "capacity_total", "capacity_available", "accepts_genders",
               "accepts_age_groups", "languages", "created", "updated", "area_id", "organisation_id"), facilities)
    copy_rows(cursor, "organisations_coveragearea", ("id", "services", "geometry", "created", "updated",
                                                     "organisation_id"), coverage)
    copy_rows(cursor, "organisations_coveragearea_areas", ("id", "coveragearea_id", "administrativearea_id"),
              coverage_areas)
    progress.done(f"{len(facilities):,} facilities, {len(coverage):,} coverage rows "
                  f"({sum(1 for org in providers if org.drawn):,} drawn polygons), "
                  f"{len(coverage_areas):,} links to boundaries")
    return {"facilities": len(facilities), "coverage": len(coverage), "coverage_area_links": len(coverage_areas)}
