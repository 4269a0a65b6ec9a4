"""Every figure of the largest size, suite by suite."""

from .cells import figure_table, ms, ratio


def details(size: dict) -> list[str]:
    suites = size.get("suites", {})
    out = [f"## Figures at {size['counts'].get('referrals', 0):,} referrals", "",
           "Medians of the repetitions; each figure's baseline was measured alongside it, interleaved.", ""]
    if suites.get("list"):
        out += _listing(suites["list"])
    if suites.get("matching"):
        out += _matching(suites["matching"])
    if suites.get("statistics"):
        out += ["### Statistics over every referral (analyst)", "", *figure_table(suites["statistics"]["figures"]),
                ""]
    if suites.get("submission"):
        out += _submission(suites["submission"])
    if suites.get("console"):
        out += [f"### The console's pages against the API (`{suites['console']['user']}`, the same referral)", "",
                *figure_table(suites["console"]["figures"]), ""]
    memory = size.get("memory")
    if memory:
        workers = ", ".join(f"{w['peak_mib']:.0f} MiB peak ({w['rss_mib']:.0f} MiB now)" for w in memory["workers"])
        out += ["### Memory of the web workers", "",
                f"Peak resident memory (VmHWM) of each gunicorn worker since the run started: {workers}; "
                f"master {memory['master_peak_mib']:.0f} MiB.", ""]
    return out


def _listing(listing: dict) -> list[str]:
    out = ["### The referral list: `GET /api/v1/referrals/`, first page (25)", ""]
    for key in ("ngo_typical", "ngo_busiest"):
        block = listing.get(key)
        if not block:
            continue
        sizes = block.get("bytes", {})
        queries = block.get("queries", {})
        out += [f"**{block['label']}** (`{block['user']}`, whose organisation sees {block['visible']:,} referrals; "
                f"same first page from both filters: {'yes' if block['same_first_page'] else 'NO'}; its page is "
                f"{sizes.get('filtered', 0) / 1024:.0f} KiB in {queries.get('page of 25', '?')} queries, the "
                f"unfiltered page {sizes.get('unfiltered', 0) / 1024:.0f} KiB in "
                f"{queries.get('unfiltered page of 25', '?')} queries: a caseworker's referrals carry offers and "
                "outcomes that the newest referrals of the whole network mostly do not have yet):",
                "", *figure_table(block["figures"]), ""]
    return out


def _matching(matching: dict) -> list[str]:
    out = ["### Matching and provider search", "", *figure_table(matching["figures"]), "",
           "| probe | referral | candidates | matches: raw SQL | HTTP | ratio | search results | search: raw SQL "
           "| HTTP | ratio | ping |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    probes = matching["probes"]
    for row in probes:
        out.append(f"| {row['country']} | `{row['referral'][:8]}` | {row['matches']} | {ms(row['match_floor'])} ms | "
                   f"{ms(row['match_http'])} ms | {ratio(row['match_ratio'])} | {row['search_results']} | "
                   f"{ms(row['search_floor'])} ms | {ms(row['search_http'])} ms | {ratio(row['search_ratio'])} | "
                   f"{ms(row.get('ping'))} ms |")
    overhead = sum(row["match_http"] - row["match_floor"] for row in probes) / len(probes)
    search_overhead = sum(row["search_http"] - row["search_floor"] for row in probes) / len(probes)
    pings = [row["ping"] for row in probes if row.get("ping") is not None]
    out += ["", f"What the HTTP stack adds to the spatial query, per request (HTTP minus raw SQL, medians): matches "
            f"{ms(overhead)} ms, provider search {ms(search_overhead)} ms"
            + (f"; a trivial authenticated request costs {ms(sum(pings) / len(pings))} ms." if pings else ".")
            + " The ratio is that fixed cost over the query's own time: the faster the query, the higher the ratio.",
            ""]
    return out


def _submission(submission: dict) -> list[str]:
    out = [f"### Referral submission under load ({submission['concurrency']} concurrent clients, "
           f"{submission['seconds']:.0f} s each, gunicorn with 2 sync workers on loopback)", "",
           "| endpoint | requests | req/s | ratio | p50 | p95 | p99 | errors |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ping, submit = submission["load"]["ping"], submission["load"]["submit"]
    for label, summary in (("GET /bench/ping/ (authenticated, trivial)", ping), ("POST /api/v1/referrals/", submit)):
        share = summary["rps"] / ping["rps"] if ping["rps"] else None
        out.append(f"| {label} | {summary['requests']:,} | {summary['rps']:.1f} | {ratio(share)} | "
                   f"{ms(summary['p50_ms'])} ms | {ms(summary['p95_ms'])} ms | {ms(summary['p99_ms'])} ms | "
                   f"{summary['errors']} |")
    out.append("")
    return out
