"""The top of the report: how it was run, on what, on which data, and the targets."""

from .cells import headline_rows, number

HEADLINES = [
    # (label, section, key, figure-name fragment): the targets, in its order
    ("matching HTTP vs raw SQL", "matching", None, "matching: HTTP"),
    ("provider search HTTP vs raw SQL", "matching", None, "provider search: HTTP"),
    ("list HTTP vs unfiltered, busiest NGO caseworker", "list", "ngo_busiest", "HTTP GET /api/v1/referrals/"),
    ("list HTTP vs unfiltered, typical NGO caseworker", "list", "ngo_typical", "HTTP GET /api/v1/referrals/"),
    ("guardian vs referral_list_for, typical NGO", "list", "ngo_typical", "guardian get_objects_for_user"),
    ("submission throughput vs trivial authenticated endpoint", "submission", None, "POST /api/v1/referrals/,"),
    ("submission p99 / p50 under load", "submission", None, "POST /api/v1/referrals/ p99"),
    ("statistics exploitation_type,gender vs raw GROUP BY", "statistics", None,
     "statistics exploitation_type,gender: HTTP"),
    ("statistics country,status vs raw GROUP BY", "statistics", None, "statistics country,status: HTTP"),
    ("statistics month,urgency vs raw GROUP BY", "statistics", None, "statistics month,urgency: HTTP"),
    ("list SQL, typical NGO caseworker", "list", "ngo_typical", "page SQL of GET"),
    ("list SQL, busiest NGO caseworker", "list", "ngo_busiest", "page SQL of GET"),
    ("guardian vs referral_list_for, busiest NGO", "list", "ngo_busiest", "guardian get_objects_for_user"),
    ("ping (authenticated, trivial) vs a bare Django view", "matching", None, "HTTP GET /bench/ping/"),
]
MEMORY_TARGET_MIB = 150
GENERATION_TARGET = (10_000_000, 30 * 60)  # referrals, seconds


def header(results: dict) -> list[str]:
    info = results["machine"]
    return [
        "# Benchmark results",
        "",
        f"Written by the benchmark itself (`bench/run.py`) on {results['finished']}; do not edit by hand. "
        f"Commit {info['commit']}.",
        "",
        f"Command: `{results['command']}` ({'quick smoke run' if results['quick'] else 'full run'}, "
        f"{results['seconds'] / 60:.1f} minutes including data generation).",
        "",
        *([f"The sizes {', '.join(f'{n:,}' for n in results['merged']['sizes'])} come from another run, merged in "
           f"(`--merge`): `{results['merged']['command']}`, "
           f"finished {results['merged']['finished']}, commit {results['merged']['commit']}; each size's figures "
           "were measured beside their baselines within its own run.", ""] if results.get("merged") else []),
        "Full run: `make bench` (`python -m bench.run`: 10,000 organisations, 100,000 facilities, "
        "10,000 / 100,000 / 1,000,000 referrals). CI smoke test: `make bench-quick` "
        "(`python -m bench.run --quick`, writes `bench/out/RESULTS-quick.md`).",
        "",
    ]


def machine(results: dict) -> list[str]:
    info = results["machine"]
    return [
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {info['cpu']}, {info['cores']} cores |",
        f"| memory | {info['memory_gib']:.1f} GiB |" if info.get("memory_gib") else "| memory | unknown |",
        f"| PostgreSQL | {info['postgres']}, PostGIS {info['postgis']} ({info['postgres_settings']}) |",
        f"| software | Python {info['python']}, Django {info['django']}, DRF {info['drf']}, "
        f"gunicorn {info['gunicorn']}, {info['os']} |",
        f"| load average | {results['load_before']} before, {results['load_after']} after (1, 5, 15 min) |",
        "",
        "Everything runs on this one machine: PostgreSQL, the two gunicorn workers and the client threads "
        "share its cores, so absolute figures are those of a small box; the ratios, measured side by side "
        "in the same run and interleaved repetition by repetition, are the point.",
        "",
    ]


def _seconds(value) -> str:
    return "-" if value is None else f"{value:,.0f} s"


def data(sizes: list[dict]) -> list[str]:
    out = [
        "## Data",
        "",
        "| referrals | organisations | facilities | coverage rows | offers | outcomes | audit events | "
        "referral grant rows | generated in |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        c = size.get("counts", {})
        out.append(f"| {number(c.get('referrals'))} | {number(c.get('organisations'))} | "
                   f"{number(c.get('facilities'))} | {number(c.get('coverage'))} | {number(c.get('offers'))} | "
                   f"{number(c.get('outcomes'))} | {number(c.get('events'))} | {number(c.get('referral_grants'))} | "
                   f"{_seconds(size.get('generation_seconds'))} |")
    out += [
        "",
        "Organisations are spread over the 45 Bali Process member states by a plausible weight (Indonesia, "
        "India, Thailand, the Philippines most); about 20% are government agencies (who submit most "
        "referrals), 72% NGOs, 8% international organisations covering several countries of their region. "
        "Coverage is over the real country boundaries (Natural Earth) and over drawn polygons; facilities "
        "gather around towns inside the boundaries. Referrals span three years, growing; recent ones are "
        "open (submitted, offered, accepted, in progress), old ones closed or withdrawn, and those past the "
        "retention period reduced. Grants are what `referrals.permissions` would have left, by its own grant "
        "rules (`SUBMITTER_GRANTS`, `OFFER_GRANTS`, `ACCEPTANCE_GRANTS`): five rows per organisation that may "
        "see a referral (view for its three role groups, one acting right for admin and caseworker).",
        "",
    ]
    return out


def targets(size: dict) -> list[str]:
    out = [f"## Targets at {size['counts'].get('referrals', 0):,} referrals", "",
           "| benchmark | figure | baseline | ratio | target |", "| --- | ---: | ---: | ---: | --- |"]
    out += headline_rows(size, HEADLINES)
    memory = size.get("memory", {})
    if memory:
        peak = memory.get("peak_worker_mib", 0)
        verdict = "met" if peak <= MEMORY_TARGET_MIB else "**not met**"
        out.append(f"| peak memory of a web worker | {peak:.0f} MiB | | | <= {MEMORY_TARGET_MIB} MiB: {verdict} |")
    referrals, seconds = size["counts"].get("referrals", 0), size.get("generation_seconds")
    if seconds is not None and referrals >= GENERATION_TARGET[0]:
        verdict = "met" if seconds < GENERATION_TARGET[1] else "**not met**"
        out.append(f"| `bench.generate`, {referrals:,} referrals | {seconds / 60:.1f} min | | | "
                   f"< {GENERATION_TARGET[1] // 60} min: {verdict} |")
    out.append("")
    listing = size.get("suites", {}).get("list", {})
    counts = [block.get("count_queries") for block in listing.values() if isinstance(block, dict)]
    if counts:
        out += [f"`COUNT(*)` statements per page of `GET /api/v1/referrals/`: {max(counts)} (cursor pagination: "
                "the list grows without bound and no page counts it).", ""]
    return out
