"""Referrals in every member state, with the offers and outcomes the lifecycle would have left
behind, made in worker processes and streamed with COPY."""

import multiprocessing
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

from bench import regional

from .rows import DAY, HOUR, YEARS, Chooser, Org, Progress, Scale, array, copy_rows, iso, line, uuid_from

CHUNK = 50_000
RETENTION = 730 * DAY

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
        self.fallback = Chooser(internationals or others, [org.weight for org in internationals or others])
        self.providers = {country: Chooser(found, [org.weight for org in found]) for country, found in
                          by_country.items()}
        self.origins = {region: Chooser([c for c in codes if c in regional.ORIGIN_SHARE] or codes,
                                        [regional.ORIGIN_SHARE.get(c, 1) for c in codes
                                         if c in regional.ORIGIN_SHARE] or [1] * len(codes))
                        for region, codes in regional.REGIONS.items()}
        self.age_band = Chooser.of(regional.AGE_BAND_SHARE)
        self.gender = Chooser.of(regional.GENDER_SHARE)
        self.exploitation = Chooser.of(regional.EXPLOITATION_SHARE)
        self.need = Chooser.of(regional.NEED_SHARE)
        self.urgency = Chooser.of(regional.URGENCY_SHARE)
        self.consent = Chooser.of(regional.CONSENT_SHARE)
        self.outcome = Chooser.of(regional.OUTCOME_SHARE)
        self.status = [(limit, Chooser.of(shares)) for limit, shares in regional.STATUS_BY_AGE]
        self.recent_hashes: dict[int, list[str]] = {}

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

        providers = self.providers.get(country) or self.fallback
        taken = {submitter.id}

        def pick(count: int) -> list[Org]:
            chosen = [org for org in providers.distinct(rng, count) if org.id not in taken]
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
                offers.append(line("pending", "", iso(offered), None, org.id, referral_id))
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
            offers.append(line(how, reason, iso(offered), iso(responded), org.id, referral_id))
            updated = max(updated, responded)

        if accepted_by is not None:
            offered = at(created, 0.1 * HOUR, 24 * HOUR)
            accepted = at(offered, 0.5 * HOUR, 48 * HOUR)
            offers.append(line("accepted", "", iso(offered), iso(accepted), accepted_by.id, referral_id))
            updated = max(updated, accepted)
            if status in ("in_progress", "closed"):
                last = accepted
                for _ in range(rng.randint(1, 3 if status == "in_progress" else 4)):
                    last = at(last, 2 * HOUR, 20 * DAY)
                    outcomes.append(line(self.outcome.one(rng), iso(last)[:10], "", iso(last), accepted_by.id,
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
        if status in ("closed", "withdrawn") and now - updated > RETENTION:
            reduced = iso(updated + RETENTION + HOUR)
            notes = close_reason = subject = ""
        referrals.append(line(
            referral_id, subject, self.age_band.one(rng), self.gender.one(rng), nationality, array(languages),
            array(exploitation), array(indicators), array(needs), self.urgency.one(rng), location,
            self.consent.one(rng), notes, status, "t" if rng.random() < 0.1 else "f", close_reason,
            iso(created), iso(updated), accepted_by.id if accepted_by else None, self.areas[country],
            submitter.user_id("caseworker"), submitter.id, consent_withdrawn, reduced,
        ))


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


def load_referrals(cursor, orgs: list[Org], reference: dict, pools, scale: Scale, rng: random.Random, now: float,
                   progress: Progress) -> dict[str, int]:
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
            copy_rows(cursor, "referrals_referral", REFERRAL_COLUMNS, referrals)
            copy_rows(cursor, "referrals_offer", OFFER_COLUMNS, offers)
            copy_rows(cursor, "referrals_outcome", OUTCOME_COLUMNS, outcomes)
            copying += time.perf_counter() - mark
            mark = time.perf_counter()
            counts["referrals"] += len(referrals)
            counts["offers"] += len(offers)
            counts["outcomes"] += len(outcomes)
            done = counts["referrals"]
            if done == scale.referrals or done % (20 * CHUNK) == 0:
                rate = done / (time.perf_counter() - began)
                progress.log(f"    referrals {done:>10,} / {scale.referrals:,} ({100 * done / scale.referrals:3.0f}%), "
                             f"{rate:,.0f}/s (COPY {copying:.1f} s, waiting for rows {waiting:.1f} s)", flush=True)
    progress.done(f"{counts['referrals']:,} referrals, {counts['offers']:,} offers, "
                  f"{counts['outcomes']:,} outcomes")
    return counts
