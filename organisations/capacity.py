"""Reads about beds: when a capacity figure is fresh, and free beds per country over time. The
writes are in organisations.services.

One definition runs through all of it (provider search's SQL says the same):
- a figure is fresh when `capacity_updated` is at most CAPACITY_STALE_HOURS old; a stale figure,
  or none, counts as unknown, never as free;
- an organisation is full for a person when it has shelters (facilities of kind `shelter`) that
  accept the person and every one of them reported, freshly, no free bed."""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Facility, FacilityKind

SHELTER_NEED = "shelter"  # the service code of a bed


def stale_before(now: datetime | None = None) -> datetime:
    """Figures updated before this instant are stale."""
    return (now or timezone.now()) - timedelta(hours=settings.CAPACITY_STALE_HOURS)


def capacity_is_stale(facility: Facility, now: datetime | None = None) -> bool:
    return facility.capacity_updated is None or facility.capacity_updated < stale_before(now)


# Free beds per country, day by day: for each day of the month, each shelter's latest record
# before the end of that day (now, for today). A record older than CAPACITY_STALE_HOURS at that
# moment counts as unknown: its shelter is counted, its beds are not. A deleted facility's last
# record is 0 of 0, so it drops out from then on.
CAPACITY_SERIES_SQL = """
WITH days AS (
    SELECT d::date AS day, least(d + interval '1 day', now()) AS at
      FROM generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day', interval '1 day') AS d
     WHERE d <= now()
)
SELECT r.country, d.day,
       coalesce(sum(r.capacity_available) FILTER (WHERE r.fresh), 0) AS free_beds,
       coalesce(sum(r.capacity_total), 0) AS total_beds,
       count(*) AS shelters,
       count(*) FILTER (WHERE NOT r.fresh) AS shelters_stale
  FROM days d
 CROSS JOIN LATERAL (
       SELECT DISTINCT ON (h.facility_id) h.kind, h.country, h.capacity_available, h.capacity_total,
              h.recorded >= d.at - %(stale)s AS fresh
         FROM organisations_facilitycapacityrecord h
        WHERE h.recorded < d.at
        ORDER BY h.facility_id, h.recorded DESC, h.id DESC
       ) r
 WHERE r.kind = %(shelter_kind)s AND r.capacity_total > 0
   AND (%(country)s::varchar IS NULL OR r.country = %(country)s)
 GROUP BY r.country, d.day
 ORDER BY r.country, d.day
"""


def free_beds_by_country(*, month: date, country: str | None = None) -> list[dict]:
    """[{"country", "days": [{"date", "free_beds", "total_beds", "shelters", "shelters_stale"}]}]
    for the days of `month` (its first day) up to today, in UTC."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    params = {
        "start": start, "end": end, "country": country, "shelter_kind": FacilityKind.SHELTER.value,
        "stale": timedelta(hours=settings.CAPACITY_STALE_HOURS),
    }
    with connection.cursor() as cursor:
        cursor.execute(CAPACITY_SERIES_SQL, params)
        rows = cursor.fetchall()
    series: dict[str, list] = {}
    for code, day, free, total, shelters, stale in rows:
        series.setdefault(code, []).append({
            "date": day, "free_beds": free, "total_beds": total, "shelters": shelters, "shelters_stale": stale,
        })
    return [{"country": code, "days": days} for code, days in series.items()]
