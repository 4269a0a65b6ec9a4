"""Aggregate statistics over referrals. Never a single case. An organisation reads exact counts
over its own referrals, k-anonymised: every count below STATS_MIN_CELL is suppressed, and so is
whatever would let it be recomputed (referrals.disclosure). Network-wide readers (analysts, staff)
get differentially private answers instead (referrals.privacy), from the same counting code.

One SQL statement counts the cells and every margin, so that multi-valued dimensions
(exploitation type, need, outcome) count a referral once per value (count_referrals)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet

from config.db_router import read_alias, reads_from_replica

from . import permissions
from .disclosure import Item, Table, suppress
from .models import Referral

# name -> (SQL expression, join it needs)
DIMENSIONS: dict[str, tuple[str, str | None]] = {
    "country": ("COALESCE(a.country, 'unknown')", "area"),
    "area": ("a.id", "area"),
    "nationality": ("r.nationality", None),
    "gender": ("r.gender", None),
    "age_band": ("r.age_band", None),
    "exploitation_type": ("et.value", "exploitation_type"),
    "need": ("nd.value", "need"),
    "status": ("r.status", None),
    "outcome": ("COALESCE(oc.value, 'none')", "outcome"),
    "submitting_kind": ("o.kind", "organisation"),
    "month": ("to_char(date_trunc('month', r.created AT TIME ZONE 'UTC'), 'YYYY-MM')", None),
    "urgency": ("r.urgency", None),
}
JOINS = {
    "area": "LEFT JOIN geo_administrativearea a ON a.id = r.area_id",
    "organisation": "JOIN organisations_organisation o ON o.id = r.submitting_organisation_id",
    "exploitation_type": "CROSS JOIN LATERAL (SELECT DISTINCT unnest(r.exploitation_types)) AS et(value)",
    "need": "CROSS JOIN LATERAL (SELECT DISTINCT unnest(r.needs)) AS nd(value)",
    "outcome": "LEFT JOIN LATERAL (SELECT DISTINCT type AS value FROM referrals_outcome"
               " WHERE referral_id = r.id) oc ON true",
}
# The same joins keeping at most {limit} distinct values per referral (differentially private
# answers bound what one referral contributes). Which values are kept is a fixed pseudo-random
# choice per referral (a hash), so that no value is favoured and every query keeps the same ones.
CLAMPED_JOINS = {
    # An array within the limit is kept whole, without the per-referral sort (the writer keeps
    # its values distinct: referral_submit); a longer one keeps the hash's first {limit} values.
    # unnest() in a SELECT list streams its values; in FROM it is a function scan, which stores
    # them for every referral (a third slower at 10M referrals).
    # The second unnest() marks the first row of each referral: set-returning functions in one
    # SELECT list run in step, and the shorter is padded with NULL (an empty array would get a
    # row of its own, which is why count_referrals keeps only referrals with a value).
    "exploitation_type": "CROSS JOIN LATERAL (SELECT unnest(CASE WHEN cardinality(r.exploitation_types) <= {limit}"
                         " THEN r.exploitation_types ELSE ARRAY(SELECT v FROM (SELECT DISTINCT"
                         " unnest(r.exploitation_types) AS v) s ORDER BY md5(r.id::text || v) LIMIT {limit}) END),"
                         " unnest('{{true}}'::boolean[])) AS et(value, first)",
    "need": "CROSS JOIN LATERAL (SELECT unnest(CASE WHEN cardinality(r.needs) <= {limit} THEN r.needs ELSE ARRAY("
            "SELECT v FROM (SELECT DISTINCT unnest(r.needs) AS v) s ORDER BY md5(r.id::text || v) LIMIT {limit})"
            " END), unnest('{{true}}'::boolean[])) AS nd(value, first)",
    "outcome": "LEFT JOIN LATERAL (SELECT v FROM (SELECT DISTINCT type AS v FROM referrals_outcome"
               " WHERE referral_id = r.id) s ORDER BY md5(r.id::text || v) LIMIT {limit}) oc(value) ON true",
}
MAX_DIMENSIONS = 3
MULTI_VALUED = {"exploitation_type", "need", "outcome"}
# The multi-valued fields joined with CROSS JOIN: a referral without any value has no row.
ARRAY_COLUMNS = {"exploitation_type": "r.exploitation_types", "need": "r.needs"}
# The multi-valued fields joined from a table (LEFT JOIN LATERAL): only the grouping sets holding
# one join it (count_referrals).
TABLE_JOINED = MULTI_VALUED - ARRAY_COLUMNS.keys()
# A condition that holds on exactly one of a referral's rows of an array join (JOINS, CLAMPED_JOINS),
# so that a grouping set without the field counts each referral once in the same pass.
FIRST_ROW = {"exploitation_type": "et.value = r.exploitation_types[1]", "need": "nd.value = r.needs[1]"}
CLAMPED_FIRST_ROW = {"exploitation_type": "et.first", "need": "nd.first"}


@dataclass(frozen=True)
class Scope:
    """Which referrals the reader's statistics cover: all (analysts, administrators) or those an
    organisation submitted or accepted."""

    organisation_id: object = None  # None: every referral

    def where(self) -> tuple[str, list]:
        if self.organisation_id is None:
            return "TRUE", []
        return "(r.submitting_organisation_id = %s OR r.accepted_by_id = %s)", [
            self.organisation_id, self.organisation_id,
        ]

    def referrals(self) -> QuerySet[Referral]:
        """The same referrals as `where()`, as a queryset (the row-level export)."""
        referrals = Referral.objects.using(read_alias())  # aggregates tolerate a replica's lag
        if self.organisation_id is None:
            return referrals
        return referrals.filter(
            Q(submitting_organisation_id=self.organisation_id) | Q(accepted_by_id=self.organisation_id)
        )


def _fetch(sql: str, params: list) -> list[tuple]:
    """Statistics tolerate a replica's lag (config.db_router): they run there when there is one."""
    with reads_from_replica() as alias, connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def statistics_scope(user) -> Scope:
    """Analysts and platform administrators read over every referral; an organisation over the
    referrals it submitted or accepted; anyone else not at all (403)."""
    if permissions.reads_all_statistics(user):
        return Scope()
    return Scope(organisation_id=permissions.statistics_organisation(user).pk)


def _base(
    group_by: list[str], scope: Scope, start: datetime | None, end: datetime | None, *, extra_joins: tuple = (),
    limit: int | None = None, nonempty: tuple = (),
) -> tuple[str, list]:
    """The FROM and WHERE clauses: joins and conditions are constants of this module; every value
    is a parameter. With `limit`, a referral keeps at most that many values of a multi-valued field.
    `nonempty`: array fields (ARRAY_COLUMNS) whose referrals without a value are left out (a
    clamped join would give each of them a row of padding)."""
    joins = []
    for name in group_by:
        join = DIMENSIONS[name][1]
        if limit is not None and join in CLAMPED_JOINS:
            join_sql = CLAMPED_JOINS[join].format(limit=int(limit))
        else:
            join_sql = JOINS[join] if join else None
        if join_sql and join_sql not in joins:
            joins.append(join_sql)
    joins.extend(extra_joins)
    where, params = scope.where()
    for name in nonempty:
        where += f" AND cardinality({ARRAY_COLUMNS[name]}) > 0"
    if start is not None:
        where += " AND r.created >= %s"
        params.append(start)
    if end is not None:
        where += " AND r.created < %s"
        params.append(end)
    return f"FROM referrals_referral r {' '.join(joins)} WHERE {where}", params


TIMES_JOINS = (
    "LEFT JOIN (SELECT referral_id, min(responded) AS at FROM referrals_offer"
    " WHERE status = 'accepted' GROUP BY referral_id) acc ON acc.referral_id = r.id",
    "LEFT JOIN (SELECT referral_id, min(created) AS at FROM referrals_outcome"
    " GROUP BY referral_id) fo ON fo.referral_id = r.id",
)


@dataclass
class Counts:
    """Exact counts of distinct referrals: per combination, per value of each field (with two or
    more fields) and in all."""

    cells: dict[tuple, int]
    margins: dict[str, dict[object, int]]
    total: int


# Leads the counting statement, so that it can be told apart in pg_stat_statements and in the logs.
STATEMENT_MARK = "/* referral statistics */"


def count_referrals(
    *, group_by: list[str], scope: Scope, start=None, end=None, limit: int | None = None
) -> Counts:
    """One SQL statement for the cells, every margin and the total, in one pass over the referrals
    when no outcome is grouped (two when one is).

    Every array field grouped is joined, so a row is one referral and one value of each (only the
    referrals with a value of each are counted, in the margins and the total too). A grouping set
    counts the rows that are the first of their referral (FIRST_ROW) in each array field it does
    not hold: count(*) FILTER there counts referrals exactly, with no count(DISTINCT) and its sort
    over every joined row. The rows group by all the fields at once, one hash aggregate, and each
    coarser set is summed from them here: the counts add up. Outcomes join a table (TABLE_JOINED),
    not an array: the sets with one and those without are two branches (UNION ALL), the second
    without the join."""
    sets = [tuple(group_by), ()]
    if len(group_by) > 1:
        sets[1:1] = [(name,) for name in group_by]
    branches: dict[frozenset, list[tuple]] = {}
    for grouping_set in sets:
        branches.setdefault(frozenset(grouping_set) & TABLE_JOINED, []).append(grouping_set)
    members_of = list(branches.values())
    arrays = [name for name in group_by if name in ARRAY_COLUMNS]
    first_row = FIRST_ROW if limit is None else CLAMPED_FIRST_ROW
    statements, params, count_of = [], [], []  # count_of[branch][set]: the column counting the set
    for number, members in enumerate(members_of):
        present = [name for name in group_by
                   if name not in TABLE_JOINED or any(name in member for member in members)]
        columns = [DIMENSIONS[name][0] if name in present else "NULL" for name in group_by]
        conditions = [" AND ".join(first_row[name] for name in arrays if name not in member) for member in members]
        distinct = list(dict.fromkeys(conditions))
        count_of.append([len(columns) + 1 + distinct.index(condition) for condition in conditions])
        counts_sql = [f"count(*) FILTER (WHERE {condition})" if condition else "count(*)" for condition in distinct]
        base, base_params = _base(present, scope, start, end, limit=limit, nonempty=tuple(arrays))
        select = ", ".join([str(number), *columns, *counts_sql])
        grouped = f" GROUP BY {', '.join(DIMENSIONS[name][0] for name in present)}" if present else ""
        statements.append(f"SELECT {select} {base}{grouped}")
        params += base_params
    rows = _fetch(STATEMENT_MARK + " " + " UNION ALL ".join(statements), params)
    counts = Counts(cells={}, margins={name: {} for name in group_by} if len(group_by) > 1 else {}, total=0)
    whole = tuple(group_by)
    for row in rows:
        number, values = row[0], row[1:len(group_by) + 1]
        for grouping_set, column in zip(members_of[number], count_of[number], strict=True):
            count = row[column]
            if not count:  # none of the group's rows is its referral's first in a field the set lacks
                continue
            if grouping_set == whole:
                counts.cells[tuple(values)] = counts.cells.get(tuple(values), 0) + count
            elif not grouping_set:
                counts.total += count
            else:
                (name,) = grouping_set
                value = values[group_by.index(name)]
                counts.margins[name][value] = counts.margins[name].get(value, 0) + count
    return counts


def referral_statistics(*, group_by: list[str], scope: Scope, start=None, end=None, k: int | None = None) -> dict:
    """Exact counts with k-anonymity suppression: an organisation's statistics over its own referrals."""
    k = settings.STATS_MIN_CELL if k is None else k
    counts = count_referrals(group_by=group_by, scope=scope, start=start, end=end)
    table = Table(
        dimensions=group_by,
        cells={key: Item(count) for key, count in counts.cells.items()},
        margins={name: {value: Item(count) for value, count in margin.items()}
                 for name, margin in counts.margins.items()},
        total=Item(counts.total),
    )
    suppress(table, k)

    def published(item: Item) -> dict:
        return {"count": None if item.suppressed else item.count, "suppressed": item.suppressed}

    return {
        "group_by": group_by,
        "k": k,
        "cells": [
            {**dict(zip(group_by, key, strict=True)), **published(item)}
            for key, item in sorted(table.cells.items(), key=lambda pair: [str(v) for v in pair[0]])
        ],
        "margins": {
            name: [{"value": value, **published(item)} for value, item in sorted(margin.items(), key=str)]
            for name, margin in table.margins.items()
        },
        "total": published(table.total),
        "privacy": None,
    }


def response_times(*, scope: Scope, start=None, end=None, k: int | None = None) -> dict:
    """Median hours from submission to acceptance and to the first outcome, per country and
    urgency; a group below k shows neither its count nor its medians."""
    k = settings.STATS_MIN_CELL if k is None else k
    base, params = _base(["country"], scope, start, end, extra_joins=TIMES_JOINS)
    sql = f"""
        SELECT COALESCE(a.country, 'unknown'), r.urgency, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acc.at - r.created)) / 3600,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fo.at - r.created)) / 3600
          {base}
         GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608 - constants of this module; values are parameters
    rows = _fetch(sql, params)
    table = Table(dimensions=["country", "urgency"], cells={(c, u): Item(n) for c, u, n, _, _ in rows},
                  total=Item(sum(n for _, _, n, _, _ in rows)))
    suppress(table, k)
    groups = []
    for country, urgency, _, to_acceptance, to_outcome in rows:
        item = table.cells[(country, urgency)]
        hidden = item.suppressed
        groups.append({
            "country": country,
            "urgency": urgency,
            "count": None if hidden else item.count,
            "suppressed": hidden,
            "median_hours_to_acceptance": None if hidden or to_acceptance is None else round(to_acceptance, 1),
            "median_hours_to_first_outcome": None if hidden or to_outcome is None else round(to_outcome, 1),
        })
    return {"k": k, "groups": groups, "total": {"count": None if table.total.suppressed else table.total.count,
                                                 "suppressed": table.total.suppressed}, "privacy": None}


def response_time_rows(*, scope: Scope, start=None, end=None) -> list[tuple]:
    """Per referral: country, urgency and hours to acceptance and to the first outcome (None when
    not yet), for the private medians (referrals.privacy.tables)."""
    base, params = _base(["country"], scope, start, end, extra_joins=TIMES_JOINS)
    sql = f"""
        SELECT COALESCE(a.country, 'unknown'), r.urgency,
               extract(epoch FROM acc.at - r.created) / 3600, extract(epoch FROM fo.at - r.created) / 3600
          {base}"""  # noqa: S608 - constants of this module; values are parameters
    return [(c, u, None if a is None else float(a), None if o is None else float(o))
            for c, u, a, o in _fetch(sql, params)]
