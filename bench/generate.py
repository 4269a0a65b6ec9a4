"""Build a realistic referral network directly in the benchmark database, fast.

    python -m bench.generate --orgs 10000 --referrals 1000000 [--facilities 100000] [--seed 2026]

Organisations are spread over the Bali Process member states (bench.regional), each with its
three role groups, members and organisation-level grants; NGOs and international organisations
publish facilities (shelters with capacities, service points, offices) and coverage over the real
country boundaries and over drawn polygons; referrals are in every state, with the offers,
outcomes, audit events and per-referral grants the lifecycle would have left behind.

How it is fast: one transaction truncates what it generates (boundaries and the taxonomy stay),
drops the secondary indexes of the big tables, streams rows with COPY (FREEZE) from Python, derives
the grants and the audit trail from them in SQL (INSERT ... SELECT), then rebuilds the indexes
with a sort each instead of millions of inserts into them, and finally VACUUM ANALYZEs. Foreign
keys are not checked row by row during the load (session_replication_role = replica): the
generator writes consistent rows by construction. A failure rolls everything back."""

import argparse
import math
import multiprocessing
import os
import random
import sys
import time
import uuid
from bisect import bisect_left
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

from bench import db, regional

PASSWORD = "bench-password-2026"  # noqa: S105 - the generated accounts of a throwaway database
ROLES = ("admin", "caseworker", "viewer")
CHUNK = 50_000
YEARS = 3
DAY = 86_400.0
HOUR = 3_600.0

# Tables whose secondary indexes are dropped during the load and rebuilt after it.
BULK_TABLES = (
    "referrals_referral",
    "referrals_offer",
    "referrals_outcome",
    "referrals_referralevent",
    "referrals_referralgroupobjectpermission",
    "organisations_facility",
)
# Tables given explicit ids, whose identity sequences are moved past them afterwards.
EXPLICIT_ID_TABLES = (
    "auth_group", "auth_user", "auth_user_groups", "organisations_rolegroup", "organisations_membership",
    "organisations_coveragearea", "organisations_coveragearea_areas",
)


@dataclass(frozen=True)
class Scale:
    orgs: int
    referrals: int
    facilities: int | None = None
    seed: int = 2026

    @property
    def facility_count(self) -> int:
        return self.facilities if self.facilities is not None else 10 * self.orgs


@dataclass(eq=False)
class Org:
    index: int
    id: str
    country: str
    kind: str
    verified: bool
    weight: float
    services: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()  # countries covered through their boundary
    drawn: bool = False  # has a drawn coverage polygon

    def user_id(self, role: str) -> int:
        return 3 * self.index + ROLES.index(role) + 1

    def group_id(self, role: str) -> int:
        return self.user_id(role)


@dataclass
class Progress:
    log: object = print
    started: float = field(default_factory=time.perf_counter)
    timings: dict = field(default_factory=dict)
    _step: tuple[str, float] | None = None

    def step(self, name: str) -> None:
        self.done()
        self._step = (name, time.perf_counter())
        self.log(f"  {name}...", flush=True)

    def done(self, detail: str = "") -> None:
        if self._step is not None:
            name, began = self._step
            elapsed = time.perf_counter() - began
            self.timings[name] = elapsed
            self.log(f"    {elapsed:6.1f} s  {detail}".rstrip(), flush=True)
        self._step = None


def uuid_from(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_DAYS: dict[float, str] = {}


def iso(seconds: float) -> str:
    """A UTC timestamp PostgreSQL reads, several times faster than datetime.isoformat()."""
    day, rest = divmod(seconds, DAY)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")
    hours, rest = divmod(rest, HOUR)
    minutes, rest = divmod(rest, 60.0)
    return f"{date} {int(hours):02d}:{int(minutes):02d}:{rest:09.6f}+00"


def array(values) -> str:
    return "{" + ",".join(values) + "}"


def weighted(mapping: dict[str, float]) -> tuple[list[str], list[float]]:
    keys = list(mapping)
    return keys, list(accumulate(mapping[k] for k in keys))


class Chooser:
    """Weighted choice with precomputed cumulative weights (random.choices without the set-up)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    def __bool__(self) -> bool:
        return bool(self.items)

    def one(self, rng: random.Random):
        return self.items[bisect_left(self.cumulative, rng.random() * self.total)]

    def distinct(self, rng: random.Random, count: int, exclude=()) -> list:
        chosen: list = []
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            item = self.one(rng)
            if item not in chosen and item not in exclude:
                chosen.append(item)
        return chosen


def _copy(cursor, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    if not lines:
        return
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FREEZE)"
    with cursor.copy(statement) as copy:
        for start in range(0, len(lines), 20_000):
            copy.write("".join(lines[start:start + 20_000]))


def _line(*values) -> str:
    return "\t".join("\\N" if value is None else str(value) for value in values) + "\n"


# --- the plan: organisations, their services and coverage ---------------------------------------


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
    kinds, kind_weights = weighted(regional.KIND_SHARE)
    orgs: list[Org] = []
    for country, count in sorted(counts.items()):
        for position in range(count):
            if position == 0:
                kind = "government"
            elif position == 1:
                kind = "ngo"
            else:
                kind = rng.choices(kinds, cum_weights=kind_weights)[0]
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


# --- the load ---------------------------------------------------------------------------------


def _bulk_indexes(cursor, tables) -> list[tuple[str, str]]:
    """Drop the secondary indexes and the unique/primary constraints no foreign key depends on;
    returns the statements that rebuild them."""
    rebuild: list[tuple[str, str]] = []
    for table in tables:
        cursor.execute(
            """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u')
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)""",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append((f"{table}.{name}", f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        cursor.execute(
            """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = %s::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            rebuild.append((f"{table}.{name}", definition))
    return rebuild


def _reference(cursor) -> dict:
    cursor.execute("SELECT code, id FROM geo_administrativearea WHERE level = 0")
    areas = dict(cursor.fetchall())
    cursor.execute("SELECT code FROM organisations_servicetype ORDER BY code")
    services = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """SELECT ct.app_label || '.' || p.codename, p.id FROM auth_permission p
             JOIN django_content_type ct ON ct.id = p.content_type_id
            WHERE ct.app_label IN ('organisations', 'referrals')"""
    )
    permissions = dict(cursor.fetchall())
    return {"areas": areas, "services": services, "permissions": permissions}


def _load_organisations(cursor, orgs, reference, pools, scale, rng, now, progress) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password

    from organisations.permissions import ROLE_CAPABILITIES

    counts: dict[str, int] = {}
    password = make_password(PASSWORD)
    created = iso(now - YEARS * 365 * DAY - 30 * DAY)
    lines = [_line(org.id, f"{org.country} {org.kind} organisation {org.index:05d}", org.kind, org.country,
                   "t" if org.verified else "f", "", "", created, created) for org in orgs]
    _copy(cursor, "organisations_organisation",
          ("id", "name", "kind", "country", "verified", "description", "website", "created", "updated"), lines)
    counts["organisations"] = len(lines)

    groups, users, user_groups, role_groups, memberships, grants = [], [], [], [], [], []
    permission_ids = reference["permissions"]
    for org in orgs:
        for role in ROLES:
            number = org.group_id(role)
            groups.append(_line(number, f"organisation:{org.id}:{role}"))
            users.append(_line(number, password, "f", f"org{org.index:05d}.{role}", "", "", "", "f", "t", created))
            user_groups.append(_line(number, number, number))
            role_groups.append(_line(number, role, number, org.id))
            memberships.append(_line(number, role, created, number, org.id))
            for capability in ROLE_CAPABILITIES[role]:
                grants.append(_line(org.id, number, permission_ids[capability]))
    analyst = 3 * len(orgs) + 1
    users.append(_line(analyst, password, "f", "bench.analyst", "", "", "", "t", "t", created))
    _copy(cursor, "auth_group", ("id", "name"), groups)
    _copy(cursor, "auth_user", ("id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                                "is_staff", "is_active", "date_joined"), users)
    _copy(cursor, "auth_user_groups", ("id", "user_id", "group_id"), user_groups)
    _copy(cursor, "organisations_rolegroup", ("id", "role", "group_id", "organisation_id"), role_groups)
    _copy(cursor, "organisations_membership", ("id", "role", "created", "user_id", "organisation_id"), memberships)
    _copy(cursor, "organisations_organisationgroupobjectpermission",
          ("content_object_id", "group_id", "permission_id"), grants)
    counts.update(groups=len(groups), users=len(users), organisation_grants=len(grants))
    progress.done(f"{len(orgs):,} organisations, {len(groups):,} role groups, {len(users):,} users, "
                  f"{len(grants):,} organisation grants")

    progress.step("facilities and coverage")
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
            facilities.append(_line(
                f"{org.country} {kind.replace('_', ' ')} {org.index:05d}-{number}", kind,
                f"SRID=4326;POINT({x} {y})", array(offered), total, available, array(genders), array(ages),
                array(spoken), stamp, stamp, areas[country], org.id,
            ))
        stamp = iso(now - YEARS * 365 * DAY)
        if org.covers:
            coverage_id = len(coverage) + 1
            coverage.append(_line(coverage_id, array(org.services), None, stamp, stamp, org.id))
            for country in org.covers:
                coverage_areas.append(_line(len(coverage_areas) + 1, coverage_id, areas[country]))
        if org.drawn:
            x, y = rng.choice(pools[org.country])
            radius = rng.uniform(0.05, 0.8)
            served = tuple(s for s in org.services if rng.random() < 0.8) or org.services[:1]
            coverage.append(_line(len(coverage) + 1, array(served), polygon_around(x, y, radius, rng), stamp, stamp,
                                  org.id))
    _copy(cursor, "organisations_facility",
          ("name", "kind", "location", "services", "capacity_total", "capacity_available", "accepts_genders",
           "accepts_age_groups", "languages", "created", "updated", "area_id", "organisation_id"), facilities)
    _copy(cursor, "organisations_coveragearea", ("id", "services", "geometry", "created", "updated",
                                                 "organisation_id"), coverage)
    _copy(cursor, "organisations_coveragearea_areas", ("id", "coveragearea_id", "administrativearea_id"),
          coverage_areas)
    counts.update(facilities=len(facilities), coverage=len(coverage), coverage_area_links=len(coverage_areas))
    progress.done(f"{len(facilities):,} facilities, {len(coverage):,} coverage rows "
                  f"({sum(1 for org in providers if org.drawn):,} drawn polygons), "
                  f"{len(coverage_areas):,} links to boundaries")
    return counts


REFERRAL_COLUMNS = (
    "id", "subject_hash", "age_band", "gender", "nationality", "languages", "exploitation_types", "indicators",
    "needs", "urgency", "location", "consent_basis", "notes", "status", "auto_route", "close_reason", "created",
    "updated", "accepted_by_id", "area_id", "submitted_by_id", "submitting_organisation_id", "consent_withdrawn",
    "reduced",
)
OFFER_COLUMNS = ("status", "reason", "created", "responded", "organisation_id", "referral_id")
OUTCOME_COLUMNS = ("type", "date", "note", "created", "organisation_id", "recorded_by_id", "referral_id")


class ReferralMaker:
    """One referral at a time, with its offers and outcomes, as the lifecycle would leave them."""

    def __init__(self, orgs: list[Org], reference: dict, pools, rng: random.Random, now: float):
        self.rng = rng
        self.now = now
        self.areas = reference["areas"]
        self.pools = pools
        active = [org for org in orgs if org.verified]
        government = [org for org in active if org.kind == "government"]
        others = [org for org in active if org.kind != "government"]
        self.submitters = Chooser(government + others,
                                  [org.weight for org in government] + [org.weight * 0.3 for org in others])
        by_country: dict[str, list[Org]] = {}
        for org in active:
            if org.services:
                for country in {*org.covers, org.country}:
                    by_country.setdefault(country, []).append(org)
        internationals = [org for org in active if org.kind == "international" and org.services]
        fallback = Chooser(internationals or others, [org.weight for org in internationals or others])
        self.providers = {country: Chooser(found, [org.weight for org in found]) for country, found in
                          by_country.items()}
        self.fallback = fallback
        self.origins = {region: Chooser([c for c in codes if c in regional.ORIGIN_SHARE] or codes,
                                        [regional.ORIGIN_SHARE.get(c, 1) for c in codes
                                         if c in regional.ORIGIN_SHARE] or [1] * len(codes))
                        for region, codes in regional.REGIONS.items()}
        self.age_band = Chooser(*zip(*regional.AGE_BAND_SHARE.items(), strict=True))
        self.gender = Chooser(*zip(*regional.GENDER_SHARE.items(), strict=True))
        self.exploitation = Chooser(*zip(*regional.EXPLOITATION_SHARE.items(), strict=True))
        self.need = Chooser(*zip(*regional.NEED_SHARE.items(), strict=True))
        self.urgency = Chooser(*zip(*regional.URGENCY_SHARE.items(), strict=True))
        self.consent = Chooser(*zip(*regional.CONSENT_SHARE.items(), strict=True))
        self.outcome = Chooser(*zip(*regional.OUTCOME_SHARE.items(), strict=True))
        self.status = [(limit, Chooser(*zip(*shares.items(), strict=True))) for limit, shares in
                       regional.STATUS_BY_AGE]
        self.recent_hashes: dict[int, list[str]] = {}
        self.retention = 730 * DAY

    def providers_for(self, country: str) -> Chooser:
        return self.providers.get(country) or self.fallback

    def make(self, created: float, referrals: list, offers: list, outcomes: list) -> None:
        rng, now = self.rng, self.now
        submitter: Org = self.submitters.one(rng)
        country = submitter.country
        x, y = rng.choice(self.pools[country])
        location = f"SRID=4326;POINT({round(x, 1)} {round(y, 1)})"
        roll = rng.random()
        if roll < 0.6:
            nationality = country
        elif roll < 0.95:
            nationality = self.origins[regional.REGION_OF.get(country, "south-east asia")].one(rng)
        else:
            nationality = ""
        languages = list(regional.LANGUAGES.get(nationality, ())[:1])
        if rng.random() < 0.15 and "en" not in languages:
            languages.append("en")
        exploitation = self.exploitation.distinct(rng, 1 if rng.random() < 0.85 else 2)
        indicators = rng.sample(regional.INDICATORS, rng.randint(1, 4))
        needs = self.need.distinct(rng, rng.choice((1, 2, 2, 3, 3, 4)))
        hashes = self.recent_hashes.setdefault(submitter.index, [])
        if hashes and rng.random() < 0.04:
            subject = rng.choice(hashes)  # the same person referred again by the same agency
        else:
            subject = f"{rng.getrandbits(256):064x}"
            hashes.append(subject)
            if len(hashes) > 20:
                del hashes[0]
        referral_id = uuid_from(rng)
        age_days = (now - created) / DAY
        for limit, chooser in self.status:
            if age_days < limit:
                status = chooser.one(rng)
                break
        notes = rng.choice(regional.NOTES) if rng.random() < 0.4 else ""

        providers = self.providers_for(country)
        taken = {submitter.id}

        def pick(count: int) -> list[Org]:
            chosen = [org for org in providers.distinct(rng, count, exclude=()) if org.id not in taken]
            taken.update(org.id for org in chosen)
            return chosen

        def at(start: float, low: float, high: float) -> float:
            return min(now - 60, start + rng.uniform(low, high))

        updated = created
        accepted_by = None
        ended = []  # (org, status) of offers that ended without acceptance
        if status == "submitted":
            if rng.random() < 0.25:
                ended = [(org, rng.choice(("declined", "declined", "expired"))) for org in pick(1)]
        elif status == "offered":
            pending = pick(rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3)))
            if not pending:
                status = "submitted"
            for org in pending:
                offered = at(created, 0.1 * HOUR, 24 * HOUR)
                offers.append(_line("pending", "", iso(offered), None, org.id, referral_id))
                updated = max(updated, offered)
            if rng.random() < 0.2:
                ended = [(org, "declined") for org in pick(1)]
        elif status in ("accepted", "in_progress", "closed"):
            chosen = pick(1)
            if not chosen:
                status = "submitted"
            else:
                accepted_by = chosen[0]
                if rng.random() < 0.25:
                    ended.extend((org, "lapsed") for org in pick(1))
                if rng.random() < 0.2:
                    ended.extend((org, "declined") for org in pick(1))
        elif status == "withdrawn" and rng.random() < 0.3:
            ended = [(org, "lapsed") for org in pick(1)]

        for org, how in ended:
            offered = at(created, 0.1 * HOUR, 48 * HOUR)
            responded = at(offered, 0.5 * HOUR, 72 * HOUR)
            reason = "No place free for this profile." if how == "declined" else ""
            offers.append(_line(how, reason, iso(offered), iso(responded), org.id, referral_id))
            updated = max(updated, responded)

        if accepted_by is not None:
            offered = at(created, 0.1 * HOUR, 24 * HOUR)
            accepted = at(offered, 0.5 * HOUR, 48 * HOUR)
            offers.append(_line("accepted", "", iso(offered), iso(accepted), accepted_by.id, referral_id))
            updated = max(updated, accepted)
            if status in ("in_progress", "closed"):
                last = accepted
                for _ in range(rng.randint(1, 3 if status == "in_progress" else 4)):
                    last = at(last, 2 * HOUR, 20 * DAY)
                    outcomes.append(_line(self.outcome.one(rng), iso(last)[:10], "", iso(last), accepted_by.id,
                                          accepted_by.user_id("caseworker"), referral_id))
                updated = max(updated, last)
                if status == "closed":
                    updated = at(last, 1 * DAY, 60 * DAY)
        if status == "withdrawn":
            updated = at(updated, 1 * HOUR, 10 * DAY)

        close_reason = rng.choice(regional.CLOSE_REASONS) if status == "closed" else ""
        consent_withdrawn = reduced = None
        if status == "closed" and rng.random() < 0.003:
            consent_withdrawn = iso(updated)
            notes = close_reason = subject = ""
        if status in ("closed", "withdrawn") and now - updated > self.retention:
            reduced = iso(updated + self.retention + HOUR)
            notes = close_reason = subject = ""
        referrals.append(_line(
            referral_id, subject, self.age_band.one(rng), self.gender.one(rng), nationality, array(languages),
            array(exploitation), array(indicators), array(needs), self.urgency.one(rng), location,
            self.consent.one(rng), notes, status, "t" if rng.random() < 0.1 else "f", close_reason,
            iso(created), iso(updated), accepted_by.id if accepted_by else None, self.areas[country],
            submitter.user_id("caseworker"), submitter.id, consent_withdrawn, reduced,
        ))


GRANT_RULES = (
    # (party, role, permission): who holds what, as referrals.permissions grants it.
    ("submitter", "admin", "view_referral"), ("submitter", "caseworker", "view_referral"),
    ("submitter", "viewer", "view_referral"), ("submitter", "admin", "manage_referral"),
    ("submitter", "caseworker", "manage_referral"),
    ("pending", "admin", "view_referral"), ("pending", "caseworker", "view_referral"),
    ("pending", "viewer", "view_referral"), ("pending", "admin", "respond_to_offer"),
    ("pending", "caseworker", "respond_to_offer"),
    ("accepted", "admin", "view_referral"), ("accepted", "caseworker", "view_referral"),
    ("accepted", "viewer", "view_referral"), ("accepted", "admin", "record_outcome"),
    ("accepted", "caseworker", "record_outcome"),
)

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


_MAKER: ReferralMaker | None = None  # set before the worker processes fork


def _make_chunk(task: tuple[int, int, list[float]]) -> tuple[list[str], list[str], list[str]]:
    """Rows of one chunk of referrals, in a worker process; each chunk has its own random stream,
    so the data depends on the seed only, not on how the chunks were spread over processes."""
    seed, number, created = task
    maker = _MAKER
    maker.rng = random.Random(seed * 1_000_003 + number)
    maker.recent_hashes = {}
    referrals, offers, outcomes = [], [], []
    for moment in created:
        maker.make(moment, referrals, offers, outcomes)
    return referrals, offers, outcomes


def _load_referrals(cursor, orgs, reference, pools, scale, rng, now, progress) -> dict[str, int]:
    global _MAKER
    _MAKER = ReferralMaker(orgs, reference, pools, rng, now)
    span = YEARS * 365 * DAY
    # More referrals lately than three years ago (the network grows); oldest first, as they came.
    created = sorted(now - max(span * rng.random() ** 1.3, 120.0) for _ in range(scale.referrals))
    tasks = [(scale.seed, number, created[start:start + CHUNK])
             for number, start in enumerate(range(0, scale.referrals, CHUNK))]
    counts = {"referrals": 0, "offers": 0, "outcomes": 0}
    began = time.perf_counter()
    workers = max(1, min(len(tasks), (os.cpu_count() or 1)))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunks = pool.map(_make_chunk, tasks) if workers > 1 else map(_make_chunk, tasks)
        copying = waiting = 0.0
        mark = time.perf_counter()
        for referrals, offers, outcomes in chunks:
            waiting += time.perf_counter() - mark
            mark = time.perf_counter()
            _copy(cursor, "referrals_referral", REFERRAL_COLUMNS, referrals)
            _copy(cursor, "referrals_offer", OFFER_COLUMNS, offers)
            _copy(cursor, "referrals_outcome", OUTCOME_COLUMNS, outcomes)
            copying += time.perf_counter() - mark
            mark = time.perf_counter()
            counts["referrals"] += len(referrals)
            counts["offers"] += len(offers)
            counts["outcomes"] += len(outcomes)
        done = counts["referrals"]
        rate = done / (time.perf_counter() - began)
        progress.log(f"    referrals {done:>10,} / {scale.referrals:,} ({100 * done / scale.referrals:3.0f}%), "
                     f"{rate:,.0f}/s (COPY {copying:.1f} s, waiting for rows {waiting:.1f} s)", flush=True)
    progress.done(f"{counts['referrals']:,} referrals, {counts['offers']:,} offers, "
                  f"{counts['outcomes']:,} outcomes")

    progress.step("per-referral grants (guardian's direct foreign-key table)")
    permissions = reference["permissions"]
    cursor.execute(GRANTS_SQL, {
        "parties": [party for party, _, _ in GRANT_RULES],
        "roles": [role for _, role, _ in GRANT_RULES],
        "permissions": [permissions[f"referrals.{codename}"] for _, _, codename in GRANT_RULES],
    })
    counts["referral_grants"] = cursor.rowcount
    progress.done(f"{cursor.rowcount:,} grant rows")

    progress.step("audit trail")
    cursor.execute(EVENTS_SQL)
    counts["events"] = cursor.rowcount
    progress.done(f"{cursor.rowcount:,} events")
    return counts


def generate(scale: Scale, *, log=print) -> dict:
    """Replace the generated data with a network of the given scale; returns counts and timings."""
    from django.db import connection, transaction

    progress = Progress(log=log)
    rng = random.Random(scale.seed)
    now = time.time()
    log(f"Generating {scale.orgs:,} organisations, {scale.facility_count:,} facilities, "
        f"{scale.referrals:,} referrals (seed {scale.seed})", flush=True)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        progress.step("truncating generated tables (boundaries and taxonomy stay)")
        cursor.execute(
            "TRUNCATE organisations_organisation, auth_group, auth_user, referrals_referral RESTART IDENTITY CASCADE"
        )
        rebuild = _bulk_indexes(cursor, BULK_TABLES)
        progress.done(f"{len(rebuild)} indexes and constraints of the big tables set aside")

        reference = _reference(cursor)
        countries = sorted(code for code in reference["areas"] if code in regional.ORGANISATION_SHARE)
        progress.step("points on land (clustered around towns) per country")
        pools = point_pools(cursor, countries, per_hub=60 if scale.referrals > 50_000 else 25, seed=scale.seed)
        progress.done(f"{sum(map(len, pools.values())):,} points in {len(pools)} countries")

        progress.step("organisations, role groups, members and their grants")
        orgs = plan_organisations(scale, set(countries), reference["services"], rng)
        counts = _load_organisations(cursor, orgs, reference, pools, scale, rng, now, progress)

        progress.step("referrals, offers and outcomes (COPY)")
        counts.update(_load_referrals(cursor, orgs, reference, pools, scale, rng, now, progress))

        progress.step(f"rebuilding {len(rebuild)} indexes and constraints")
        for _, statement in rebuild:
            cursor.execute(statement)
        for table in EXPLICIT_ID_TABLES:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        progress.done()
    progress.step("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for table in (*BULK_TABLES, *EXPLICIT_ID_TABLES, "organisations_organisation",
                      "organisations_organisationgroupobjectpermission"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    progress.done()
    total = time.perf_counter() - progress.started
    log(f"Generated in {total:.1f} s", flush=True)
    return {"counts": counts, "timings": progress.timings, "seconds": total, "scale": scale}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000, help="organisations (default 10,000)")
    parser.add_argument("--referrals", type=int, default=1_000_000, help="referrals (default 1,000,000)")
    parser.add_argument("--facilities", type=int, default=None, help="facilities (default 10 per organisation)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help=f"default: $BENCH_DATABASE_URL or {db.DEFAULT_DATABASE_URL}")
    args = parser.parse_args(argv)
    if args.orgs < 10 or args.referrals < 1:
        parser.error("at least 10 organisations and 1 referral")
    url = db.setup(args.database_url)
    print(f"Database: {db.redacted(url)}")
    generate(Scale(orgs=args.orgs, referrals=args.referrals, facilities=args.facilities, seed=args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
