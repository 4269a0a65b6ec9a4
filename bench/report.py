"""bench/RESULTS.md, written from the results of a run (and only from them)."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), postgis_lib_version(), current_setting('shared_buffers'), "
                       "current_setting('work_mem'), current_setting('max_parallel_workers_per_gather')")
        postgres, postgis, shared_buffers, work_mem, parallel = cursor.fetchone()
    import django
    import gunicorn
    import rest_framework

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory_gib,
        "postgres": postgres.split(" on ")[0], "postgis": postgis,
        "postgres_settings": f"shared_buffers {shared_buffers}, work_mem {work_mem}, "
                             f"max_parallel_workers_per_gather {parallel}",
        "python": platform.python_version(), "django": django.get_version(),
        "drf": rest_framework.VERSION, "gunicorn": gunicorn.__version__,
        "os": f"{platform.system()} {platform.release()}",
        "commit": _commit(),
    }


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,  # noqa: S607
                              timeout=5, check=False, cwd=Path(__file__).resolve().parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,  # noqa: S607
                               timeout=5, check=False, cwd=Path(__file__).resolve().parent).stdout.strip()
        return f"{head}{' (with uncommitted changes)' if dirty else ''}" if head else "unknown"
    except OSError:
        return "unknown"


def _ms(value) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _met(figure) -> str:
    if figure.get("met") is None:
        return ""
    return "met" if figure["met"] else "**not met**"


def _figure(size: dict, section: str, prefix: str, key: str | None = None) -> dict | None:
    block = size.get("suites", {}).get(section)
    if not block:
        return None
    if key is not None:
        block = block.get(key) or {}
    for figure in block.get("figures", []):
        if figure["name"].startswith(prefix) or prefix in figure["name"]:
            return figure
    return None


def _figure_table(figures: list[dict]) -> list[str]:
    lines = ["| figure | median | baseline | ratio | target |", "| --- | ---: | --- | ---: | --- |"]
    for figure in figures:
        unit = "" if figure["unit"] == "ms" else f" {figure['unit']}"
        value = f"{figure['value']:,.1f}{unit}" if figure["unit"] != "ms" else f"{_ms(figure['value'])} ms"
        target = f"{figure['target']} {_met(figure)}" if figure.get("target") else ""
        lines.append(f"| {figure['name']} | {value} | {figure.get('baseline_name') or ''} | "
                     f"{_ratio(figure.get('ratio'))} | {target} |")
    return lines


def _number(value) -> str:
    return "-" if value is None else f"{value:,}"


HEADLINES = [
    # (label, section, key, figure-name fragment)
    ("list SQL, typical NGO caseworker", "list", "ngo_typical", "page SQL of GET"),
    ("list HTTP, typical NGO caseworker", "list", "ngo_typical", "HTTP GET /api/v1/referrals/"),
    ("guardian vs referral_list_for, typical NGO", "list", "ngo_typical", "guardian get_objects_for_user"),
    ("list SQL, busiest NGO caseworker", "list", "ngo_busiest", "page SQL of GET"),
    ("list HTTP, busiest NGO caseworker", "list", "ngo_busiest", "HTTP GET /api/v1/referrals/"),
    ("guardian vs referral_list_for, busiest NGO", "list", "ngo_busiest", "guardian get_objects_for_user"),
    ("matching HTTP vs raw SQL", "matching", None, "matching: HTTP"),
    ("provider search HTTP vs raw SQL", "matching", None, "provider search: HTTP"),
    ("statistics country,status HTTP vs raw GROUP BY", "statistics", None, "statistics country,status: HTTP"),
    ("submission throughput vs trivial endpoint", "submission", None, "POST /api/v1/referrals/"),
]
WHAT_IF = [
    ("list HTTP, typical NGO caseworker", "list", "ngo_typical", "what-if, HTTP GET /referrals/"),
    ("list HTTP, busiest NGO caseworker", "list", "ngo_busiest", "what-if, HTTP GET /referrals/"),
    ("matching HTTP vs raw SQL", "matching", None, "matching: what-if"),
]


def _headline_rows(size: dict, rows) -> list[str]:
    out = []
    for label, section, key, fragment in rows:
        figure = _figure(size, section, fragment, key)
        if figure is None:
            continue
        unit = " ms" if figure["unit"] == "ms" else f" {figure['unit']}"
        target = f"{figure['target']}: {_met(figure)}" if figure.get("target") else "(reported)"
        out.append(f"| {label} | {_ms(figure['value'])}{unit} | {_ms(figure.get('baseline'))}{unit} "
                   f"({figure.get('baseline_name')}) | {_ratio(figure.get('ratio'))} | {target} |")
    return out


def render(results: dict) -> str:
    sizes = results["sizes"]
    largest = sizes[-1] if sizes else {}
    info = results["machine"]
    out: list[str] = []
    add = out.append
    add("# Benchmark results")
    add("")
    add(f"Written by the benchmark itself (`bench/run.py`) on {results['finished']}; do not edit by hand. "
        f"Commit {info['commit']}.")
    add("")
    add(f"Command: `{results['command']}` ({'quick smoke run' if results['quick'] else 'full run'}, "
        f"{results['seconds'] / 60:.1f} minutes including data generation).")
    add("")
    add("Full run: `make bench` (`python -m bench.run`: 10,000 organisations, 100,000 facilities, "
        "10,000 / 100,000 / 1,000,000 referrals). CI smoke test: `make bench-quick` "
        "(`python -m bench.run --quick`, writes `bench/out/RESULTS-quick.md`).")
    add("")
    add("## Machine")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| CPU | {info['cpu']}, {info['cores']} cores |")
    add(f"| memory | {info['memory_gib']:.1f} GiB |" if info.get("memory_gib") else "| memory | unknown |")
    add(f"| PostgreSQL | {info['postgres']}, PostGIS {info['postgis']} ({info['postgres_settings']}) |")
    add(f"| software | Python {info['python']}, Django {info['django']}, DRF {info['drf']}, "
        f"gunicorn {info['gunicorn']}, {info['os']} |")
    add(f"| load average | {results['load_before']} before, {results['load_after']} after (1, 5, 15 min) |")
    add("")
    add("Everything runs on this one machine: PostgreSQL, the two gunicorn workers and the client threads "
        "share its cores, so absolute figures are those of a small box; the ratios, measured side by side "
        "in the same run and interleaved repetition by repetition, are the point.")
    add("")
    add("## Data")
    add("")
    add("| referrals | organisations | facilities | coverage rows | offers | outcomes | audit events | "
        "referral grant rows | generated in |")
    add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        c = size.get("counts", {})
        add(f"| {_number(c.get('referrals'))} | {_number(c.get('organisations'))} | {_number(c.get('facilities'))} | "
            f"{_number(c.get('coverage'))} | {_number(c.get('offers'))} | {_number(c.get('outcomes'))} | "
            f"{_number(c.get('events'))} | {_number(c.get('referral_grants'))} | "
            f"{size.get('generation_seconds', 0):.0f} s |")
    add("")
    add("Organisations are spread over the 45 Bali Process member states by a plausible weight (Indonesia, "
        "India, Thailand, the Philippines most); about 20% are government agencies (who submit most "
        "referrals), 72% NGOs, 8% international organisations covering several countries of their region. "
        "Coverage is over the real country boundaries (Natural Earth) and over drawn polygons; facilities "
        "gather around towns inside the boundaries. Referrals span three years, growing; recent ones are "
        "open (submitted, offered, accepted, in progress), old ones closed or withdrawn, and those past the "
        "retention period reduced. Grants are what `referrals.permissions` would have left: five rows per "
        "organisation that may see a referral (view for its three role groups, one acting right for admin "
        "and caseworker).")
    add("")
    if largest:
        add(f"## Targets at {largest['counts'].get('referrals', 0):,} referrals")
        add("")
        add("| benchmark | figure | baseline | ratio | target |")
        add("| --- | ---: | ---: | ---: | --- |")
        out.extend(_headline_rows(largest, HEADLINES))
        memory = largest.get("memory", {})
        if memory:
            add(f"| peak memory of a web worker | {memory.get('peak_worker_mib', 0):.0f} MiB | | | (reported) |")
        add("")
        what_if = _headline_rows(largest, WHAT_IF)
        if what_if:
            add("What the change recommended for `referrals/api/views.py` would give (bench-only variants of the "
                "same views, `/bench/what-if/...`, that do not load each referral's country outline; measured in "
                "the same run):")
            add("")
            add("| what-if | figure | baseline | ratio | target |")
            add("| --- | ---: | ---: | ---: | --- |")
            out.extend(what_if)
            add("")
        add(_count_line(largest))
        add("")
        out.extend(_details(largest))
    out.extend(_curve(sizes))
    out.extend(_queries(sizes))
    if results.get("explain"):
        add("## Query plan of the matching query")
        add("")
        add(f"`EXPLAIN (ANALYZE, BUFFERS)` of the statement `GET /referrals/{{id}}/matches/` ran for the first "
            f"probe ({results['explain'].get('probe', '')}), at {largest['counts'].get('referrals', 0):,} "
            "referrals:")
        add("")
        add("```sql")
        add(results["explain"]["sql"].strip())
        add("```")
        add("")
        add("```text")
        add(results["explain"]["plan"])
        add("```")
        add("")
    out.extend(_method(results))
    if results.get("errors"):
        add("## Errors")
        add("")
        for error in results["errors"]:
            add("```text")
            add(error)
            add("```")
        add("")
    return "\n".join(out).rstrip() + "\n"


def _count_line(size: dict) -> str:
    listing = size.get("suites", {}).get("list", {})
    counts = [block.get("count_queries") for block in listing.values() if isinstance(block, dict)]
    if not counts:
        return ""
    return (f"`COUNT(*)` statements per page of `GET /api/v1/referrals/`: {max(counts)} (cursor pagination: "
            "the list grows without bound and no page counts it).")


def _details(size: dict) -> list[str]:
    out: list[str] = []
    add = out.append
    suites = size.get("suites", {})
    add(f"## Figures at {size['counts'].get('referrals', 0):,} referrals")
    add("")
    add("Medians of the repetitions; each figure's baseline was measured alongside it, interleaved.")
    add("")
    listing = suites.get("list")
    if listing:
        add("### The referral list: `GET /api/v1/referrals/`, first page (25)")
        add("")
        for key in ("ngo_typical", "ngo_busiest"):
            block = listing.get(key)
            if not block:
                continue
            sizes = block.get("bytes", {})
            queries = block.get("queries", {})
            add(f"**{block['label']}** (`{block['user']}`, whose organisation sees {block['visible']:,} referrals; "
                f"same first page from both filters: {'yes' if block['same_first_page'] else 'NO'}; its page is "
                f"{sizes.get('filtered', 0) / 1024:.0f} KiB in {queries.get('page of 25', '?')} queries, the "
                f"unfiltered page {sizes.get('unfiltered', 0) / 1024:.0f} KiB in "
                f"{queries.get('unfiltered page of 25', '?')} queries: a caseworker's referrals carry offers and "
                "outcomes that the newest referrals of the whole network mostly do not have yet):")
            add("")
            out.extend(_figure_table(block["figures"]))
            add("")
    matching = suites.get("matching")
    if matching:
        add("### Matching and provider search")
        add("")
        out.extend(_figure_table(matching["figures"]))
        add("")
        add("| probe | referral | candidates | matches: raw SQL | HTTP | ratio | search results | search: raw SQL "
            "| HTTP | ratio | ping |")
        add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in matching["probes"]:
            add(f"| {row['country']} | `{row['referral'][:8]}` | {row['matches']} | {_ms(row['match_floor'])} ms | "
                f"{_ms(row['match_http'])} ms | {_ratio(row['match_ratio'])} | {row['search_results']} | "
                f"{_ms(row['search_floor'])} ms | {_ms(row['search_http'])} ms | {_ratio(row['search_ratio'])} | "
                f"{_ms(row.get('ping'))} ms |")
        add("")
        probes = matching["probes"]
        overhead = sum(row["match_http"] - row["match_floor"] for row in probes) / len(probes)
        search_overhead = sum(row["search_http"] - row["search_floor"] for row in probes) / len(probes)
        pings = [row["ping"] for row in probes if row.get("ping") is not None]
        add(f"What the HTTP stack adds to the spatial query, per request (HTTP minus raw SQL, medians): matches "
            f"{_ms(overhead)} ms, provider search {_ms(search_overhead)} ms"
            + (f"; a trivial authenticated request costs {_ms(sum(pings) / len(pings))} ms." if pings else ".")
            + " The ratio is that fixed cost over the query's own time: the faster the query, the higher the ratio.")
        add("")
    statistics = suites.get("statistics")
    if statistics:
        add("### Statistics over every referral (analyst)")
        add("")
        out.extend(_figure_table(statistics["figures"]))
        add("")
    submission = suites.get("submission")
    if submission:
        add(f"### Referral submission under load ({submission['concurrency']} concurrent clients, "
            f"{submission['seconds']:.0f} s each, gunicorn with 2 sync workers on loopback)")
        add("")
        add("| endpoint | requests | req/s | ratio | p50 | p95 | p99 | errors |")
        add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        ping, submit = submission["load"]["ping"], submission["load"]["submit"]
        for label, summary in (("GET /bench/ping/ (authenticated, trivial)", ping),
                               ("POST /api/v1/referrals/", submit)):
            ratio = summary["rps"] / ping["rps"] if ping["rps"] else None
            add(f"| {label} | {summary['requests']:,} | {summary['rps']:.1f} | {_ratio(ratio)} | "
                f"{_ms(summary['p50_ms'])} ms | {_ms(summary['p95_ms'])} ms | {_ms(summary['p99_ms'])} ms | "
                f"{summary['errors']} |")
        add("")
    memory = size.get("memory")
    if memory:
        add("### Memory of the web workers")
        add("")
        workers = ", ".join(f"{w['peak_mib']:.0f} MiB peak ({w['rss_mib']:.0f} MiB now)" for w in memory["workers"])
        add(f"Peak resident memory (VmHWM) of each gunicorn worker since the run started: {workers}; "
            f"master {memory['master_peak_mib']:.0f} MiB.")
        add("")
    return out


CURVE = [
    ("list page SQL, typical NGO (ms)", "list", "ngo_typical", "page SQL of GET", "value"),
    ("  ratio to the unfiltered page SQL", "list", "ngo_typical", "page SQL of GET", "ratio"),
    ("list HTTP, typical NGO (ms)", "list", "ngo_typical", "HTTP GET /api/v1/referrals/", "value"),
    ("  ratio to the unfiltered page through HTTP", "list", "ngo_typical", "HTTP GET /api/v1/referrals/", "ratio"),
    ("  what-if without area outlines: ratio", "list", "ngo_typical", "what-if, HTTP GET /referrals/", "ratio"),
    ("list HTTP, busiest NGO (ms)", "list", "ngo_busiest", "HTTP GET /api/v1/referrals/", "value"),
    ("  ratio to the unfiltered page through HTTP", "list", "ngo_busiest", "HTTP GET /api/v1/referrals/", "ratio"),
    ("  what-if without area outlines: ratio", "list", "ngo_busiest", "what-if, HTTP GET /referrals/", "ratio"),
    ("access path SQL, typical NGO (ms)", "list", "ngo_typical", "access path alone, referral_list_for", "value"),
    ("  ratio to the newest 25 of all referrals", "list", "ngo_typical", "access path alone, referral_list_for",
     "ratio"),
    ("referral_list_for, typical NGO (ms)", "list", "ngo_typical", "referral_list_for(user)", "value"),
    ("get_objects_for_user, typical NGO (ms)", "list", "ngo_typical", "guardian get_objects", "value"),
    ("  guardian / ours", "list", "ngo_typical", "guardian get_objects", "ratio"),
    ("referral_list_for, busiest NGO (ms)", "list", "ngo_busiest", "referral_list_for(user)", "value"),
    ("get_objects_for_user, busiest NGO (ms)", "list", "ngo_busiest", "guardian get_objects", "value"),
    ("  guardian / ours", "list", "ngo_busiest", "guardian get_objects", "ratio"),
    ("matching raw SQL, all probes (ms)", "matching", None, "matching: raw SQL", "value"),
    ("matching HTTP, all probes (ms)", "matching", None, "matching: HTTP", "value"),
    ("  ratio to the raw SQL", "matching", None, "matching: HTTP", "ratio"),
    ("  what-if without the area outline: ratio", "matching", None, "matching: what-if", "ratio"),
    ("provider search HTTP, all probes (ms)", "matching", None, "provider search: HTTP", "value"),
    ("  ratio to the raw SQL", "matching", None, "provider search: HTTP", "ratio"),
    ("statistics country,status raw GROUP BY (ms)", "statistics", None, "statistics country,status: raw", "value"),
    ("statistics country,status HTTP (ms)", "statistics", None, "statistics country,status: HTTP", "value"),
    ("  ratio to the raw GROUP BY", "statistics", None, "statistics country,status: HTTP", "ratio"),
    ("submission throughput (req/s)", "submission", None, "POST /api/v1/referrals/", "value"),
    ("  ratio to the trivial endpoint", "submission", None, "POST /api/v1/referrals/", "ratio"),
]


def _curve(sizes: list[dict]) -> list[str]:
    if len(sizes) < 1:
        return []
    out = ["## How the figures grow with the number of referrals", ""]
    header = "| figure | " + " | ".join(f"{size['counts'].get('referrals', 0):,}" for size in sizes) + " |"
    out += [header, "| --- |" + " ---: |" * len(sizes)]
    for label, section, key, fragment, field in CURVE:
        cells = []
        for size in sizes:
            figure = _figure(size, section, fragment, key)
            value = None if figure is None else figure.get(field)
            cells.append(_ratio(value) if field == "ratio" else _ms(value))
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    p99 = []
    memory = []
    for size in sizes:
        load = (size.get("suites", {}).get("submission") or {}).get("load", {})
        p99.append(_ms(load.get("submit", {}).get("p99_ms")) if load else "-")
        memory.append(f"{size.get('memory', {}).get('peak_worker_mib', 0):.0f}" if size.get("memory") else "-")
    out.append("| submission p99 latency (ms) | " + " | ".join(p99) + " |")
    out.append("| peak web worker memory so far (MiB) | " + " | ".join(memory) + " |")
    visible = []
    for size in sizes:
        listing = size.get("suites", {}).get("list", {})
        visible.append(" / ".join(f"{listing[k]['visible']:,}" for k in ("ngo_typical", "ngo_busiest")
                                  if k in listing) or "-")
    out.append("| referrals the typical / busiest NGO sees | " + " | ".join(visible) + " |")
    out.append("")
    return out


def _queries(sizes: list[dict]) -> list[str]:
    rows: dict[str, list[str]] = {}

    def put(label: str, index: int, value) -> None:
        rows.setdefault(label, ["-"] * len(sizes))[index] = str(value)

    for index, size in enumerate(sizes):
        suites = size.get("suites", {})
        for block in (suites.get("list") or {}).values():
            for name, count in block.get("queries", {}).items():
                put(f"GET /api/v1/referrals/ ({block['label']}), {name}", index, count)
        for country, counts in ((suites.get("matching") or {}).get("queries") or {}).items():
            put(f"GET /referrals/{{id}}/matches/ ({country})", index, counts["matches"])
            put(f"GET /providers/search/ ({country})", index, counts["search"])
        for grouping in (suites.get("statistics") or {}).get("groupings", []):
            put(f"GET /stats/referrals/?group_by={grouping['group_by']}", index, grouping["queries"])
        submission = (suites.get("submission") or {}).get("queries")
        if submission:
            put("POST /api/v1/referrals/", index, submission["submission"])
    if not rows:
        return []
    out = ["## Queries per request", "",
           "Counted in-process (Django test client, same stack) at each size: they must not grow with the data "
           "or the page. The counts include the BEGIN and COMMIT of each request (ATOMIC_REQUESTS). A page where no "
           "referral has an outcome skips the prefetch of the outcomes' organisations (one query fewer).", "",
           "| request | " + " | ".join(f"{size['counts'].get('referrals', 0):,}" for size in sizes) + " |",
           "| --- |" + " ---: |" * len(sizes)]
    for label, cells in rows.items():
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def _method(results: dict) -> list[str]:
    return [
        "## Method",
        "",
        f"- Every figure is the median of {results['repeat']} repetitions (statistics: "
        f"{max(3, results['repeat'] // 2)}), after warm-up; the figure and its baseline run interleaved, "
        "repetition by repetition, so that changes in the machine's load hit both.",
        "- HTTP: a real gunicorn (`bench.wsgi`: the project's settings and URLs plus two baseline routes) with 2 "
        "sync workers on 127.0.0.1, driven by Python client threads (`bench/server.py`); one new connection per "
        "request, as sync workers close it. Latency figures are single-client, one request at a time.",
        "- Baselines: the raw SQL is the very statement the endpoint ran, captured in-process and replayed on a "
        "cursor; \"the same page unfiltered\" is `/bench/referrals-unfiltered/`, the referral list view with "
        "`Referral.objects` in place of `referral_list_for(user)` (same serializer, prefetches, pagination and "
        "audit of the read); the trivial endpoint is `/bench/ping/` (token authentication, throttling, JSON).",
        "- Throttling stays on, at a rate the load test cannot reach; the benchmark uses its own database "
        "(`referral_network_bench`) and its own Redis databases for the cache and the Celery broker.",
        "- Guardian: `get_objects_for_user(user, \"referrals.view_referral\", klass=Referral, "
        "accept_global_perms=False).order_by(\"-created\")[:25]` against "
        "`referral_list_for(user).order_by(\"-access_created\", \"-id\")[:25]`, both from a user as a new "
        "request has it, on the same direct foreign-key table; both return the same page.",
        "- Peak memory: VmHWM of each gunicorn worker from /proc, which covers the whole run so far.",
        "",
    ]


def write(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results))


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
