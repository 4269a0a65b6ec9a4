"""Progress indicators per country and year (Bali Process Action Item 7): a list of measure
definitions, each a value per referral, and the exact answer over an organisation's own referrals.
The differentially private answer for readers of the whole network is referrals.privacy.indicators,
from the same rows.

The measures live in a registry so that apps above this one add theirs without this app knowing
them (referrals imports neither identification nor returns): an app's AppConfig.ready() calls
`register_measure(Measure(...))` with an expression over its own models. The built-in three are
computed from referrals, offers and outcomes.

A measure's `value()` is an expression annotated on each referral:
- COUNT: true when the referral counts;
- SHARE: true or false, null when the referral is outside the denominator;
- MEDIAN: a duration (or a number of days), null when the referral has none.
The privacy unit is one referral: every value is per referral, so a referral's country and year
(of its area and of its submission, UTC) put it in exactly one row.

A measure that depends on when it is read (`as_of=True`: "handed over at least 12 months ago")
gets `value(as_of=<date>)`: today, or the last day of the year asked when that is earlier."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median

from django.conf import settings
from django.db.models import (
    Case,
    DurationField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from .models import Offer, OfferStatus, Outcome
from .statistics import Scope

COUNT, SHARE, MEDIAN = "count", "share", "median"


@dataclass(frozen=True)
class Measure:
    name: str
    kind: str  # COUNT, SHARE or MEDIAN
    description: str
    value: Callable[[], Expression]  # called at query time (models loaded)
    unit: str = ""  # of a median
    # A COUNT of every referral in the row: the row's own count (the private answer does not
    # spend budget on it twice).
    every_referral: bool = False
    # value(as_of=date) instead of value(): the date the figure is taken at.
    as_of: bool = False


def as_of_date(year: int | None):
    today = timezone.localdate()
    return today if year is None else min(today, date(year, 12, 31))


def _first_acceptance():
    return Subquery(Offer.objects.filter(referral=OuterRef("pk"), status=OfferStatus.ACCEPTED, responded__isnull=False)
                    .order_by("responded").values("responded")[:1])


def _first_outcome():
    return Subquery(Outcome.objects.filter(referral=OuterRef("pk")).order_by("created").values("created")[:1])


def _accepted_within():
    """True if accepted within the window; null while the window is still open and it is not
    accepted yet (too early to tell); false otherwise."""
    window = timedelta(hours=settings.INDICATOR_ACCEPTED_WITHIN_HOURS)
    return Case(
        When(Q(Exists(Offer.objects.filter(referral=OuterRef("pk"), status=OfferStatus.ACCEPTED,
                                           responded__lte=OuterRef("created") + window))), then=Value(True)),
        When(created__gt=timezone.now() - window, then=Value(None)),
        default=Value(False),
    )


def _days_to_first_outcome():
    return ExpressionWrapper(_first_outcome() - F("created"), output_field=DurationField())


RECEIVED = "referrals_received"
MEASURES: list[Measure] = [
    Measure(RECEIVED, COUNT, "Referrals submitted in the country (of their area) and year.",
            lambda: Value(True), every_referral=True),
    Measure("accepted_within_72_hours", SHARE,
            "Share of the referrals accepted within INDICATOR_ACCEPTED_WITHIN_HOURS (72) hours of submission "
            "(referrals still inside that window and not accepted are left out).", _accepted_within),
    Measure("median_days_to_first_outcome", MEDIAN,
            "Median days from submission to the first outcome recorded, over the referrals with one.",
            _days_to_first_outcome, unit="days"),
]


def register_measure(measure: Measure) -> None:
    """Add a measure (from an app's AppConfig.ready()); registering the same name again is a no-op."""
    if measure.kind not in (COUNT, SHARE, MEDIAN):
        raise ValueError(f"unknown measure kind {measure.kind!r}")
    if all(existing.name != measure.name for existing in MEASURES):
        MEASURES.append(measure)


def measures() -> list[Measure]:
    return list(MEASURES)


def definitions() -> list[dict]:
    return [{"name": m.name, "kind": m.kind, "description": m.description, "unit": m.unit or None}
            for m in measures()]


def _days(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return max(value.total_seconds() / 86400, 0.0)
    return max(float(value), 0.0)


def indicator_rows(*, scope: Scope, country: str | None = None, year: int | None = None) -> dict[tuple, list]:
    """Per (country, year): the values of each measure, one tuple per referral (in measures() order)."""
    chosen = measures()
    at = as_of_date(year)
    queryset = scope.referrals().order_by().annotate(
        indicator_country=Coalesce("area__country", Value("unknown")),
        indicator_year=ExtractYear("created", tzinfo=UTC),
        **{f"indicator_{index}": measure.value(as_of=at) if measure.as_of else measure.value()
           for index, measure in enumerate(chosen)},
    )
    if country is not None:
        queryset = queryset.filter(area__country=country)
    if year is not None:
        queryset = queryset.filter(created__gte=datetime(year, 1, 1, tzinfo=UTC),
                                   created__lt=datetime(year + 1, 1, 1, tzinfo=UTC))
    names = ["indicator_country", "indicator_year", *(f"indicator_{i}" for i in range(len(chosen)))]
    groups: dict[tuple, list] = {}
    for row in queryset.values_list(*names).iterator(chunk_size=2000):
        values = tuple(_days(v) if m.kind == MEDIAN else v for m, v in zip(chosen, row[2:], strict=True))
        groups.setdefault((row[0], row[1]), []).append(values)
    return groups


def published_cell(value, base: int | None, hidden: bool) -> dict:
    """One measure in one row: its value and the number of referrals it is taken over (`base`),
    both null when suppressed."""
    return {"value": None if hidden else value, "base": None if hidden else base, "suppressed": hidden}


def indicators(*, scope: Scope, country: str | None = None, year: int | None = None, k: int | None = None) -> dict:
    """Exact, over an organisation's own referrals: a row (country, year) of fewer than k
    referrals shows nothing; a share or median over fewer than k referrals, and a count below k,
    are suppressed."""
    k = settings.STATS_MIN_CELL if k is None else k
    chosen = measures()
    rows = []
    for (row_country, row_year), values in sorted(indicator_rows(scope=scope, country=country, year=year).items()):
        hidden_row = len(values) < k
        cells = {}
        for index, measure in enumerate(chosen):
            column = [value[index] for value in values]
            if measure.kind == COUNT:
                count = sum(1 for value in column if value)
                cells[measure.name] = published_cell(count, count, hidden_row or count < k)
            elif measure.kind == SHARE:
                base = [value for value in column if value is not None]
                share = round(sum(1 for value in base if value) / len(base), 3) if base else None
                cells[measure.name] = published_cell(share, len(base), hidden_row or len(base) < k)
            else:
                base = [value for value in column if value is not None]
                cells[measure.name] = published_cell(round(median(base), 1) if base else None, len(base),
                                                 hidden_row or len(base) < k)
        rows.append({"country": row_country, "year": row_year, "indicators": cells})
    return {"k": k, "country": country, "year": year, "measures": definitions(), "rows": rows, "privacy": None}
