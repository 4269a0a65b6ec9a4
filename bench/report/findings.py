"""Where the time goes (the profiler's breakdown) and, for every target the run did not meet, a
paragraph of what bounds it, written from figures of the same run only."""

from .cells import find, ms, ratio
from .overview import MEMORY_TARGET_MIB


def breakdown(size: dict) -> list[str]:
    block = size.get("suites", {}).get("breakdown")
    if not block:
        return []
    out = ["### Where a request's time goes (pyinstrument)", "",
           "Requests made in-process (Django's test client: the whole middleware, authentication, throttling and "
           "view stack, without gunicorn and the socket) under a sampling profiler at 0.5 ms; each sample goes to "
           "the first part, in the order of the table, that a frame on its stack belongs to (`bench/suites/"
           "breakdown.py`), so the broker nudge made while committing counts once, as the nudge.", ""]
    for name in ("submission", "matching", "ping"):
        result = block.get(name)
        if not result:
            continue
        requests = result["requests"]
        out += [f"**{name}** ({requests} requests, {result['seconds'] / requests * 1000:.1f} ms each):", "",
                "| part | share | per request |", "| --- | ---: | ---: |"]
        for part, seconds, share in result["parts"]:
            if share >= 0.005:
                out.append(f"| {part} | {share:.0%} | {ms(seconds / requests * 1000)} ms |")
        out.append("")
    return out


def _ms_of(size, section, fragment, key=None):
    figure = find(size, section, fragment, key)
    return figure["value"] if figure else None


def _top_parts(size: dict, name: str, count: int = 3) -> str:
    result = (size.get("suites", {}).get("breakdown") or {}).get(name)
    if not result:
        return ""
    parts = [f"{part} {share:.0%}" for part, _, share in result["parts"][:count]]
    return f" The profile of one {name} request puts its time in: {', '.join(parts)}."


def _spatial(size: dict, figure: dict, what: str) -> str:
    floor, http = figure["baseline"], figure["value"]
    ping = _ms_of(size, "matching", "HTTP GET /bench/ping/")
    bare = _ms_of(size, "matching", "HTTP GET /bench/bare/")
    text = (f"{what}: HTTP takes {ms(http)} ms for a query of {ms(floor)} ms (the probes added up), so the stack adds "
            f"{ms(http - floor)} ms.")
    if ping is not None:
        text += (f" A trivial authenticated request alone costs {ms(ping)} ms over the same probes (a bare Django "
                 f"view {ms(bare)} ms): with nothing but that fixed cost the ratio would be "
                 f"{ratio((floor + ping) / floor)}, so what remains above it, {ms(http - floor - ping)} ms, is the "
                 "view's own work (reading the referral, recording the read, serialising the candidates).")
    return text + (_top_parts(size, "matching") if what == "Matching" else "")


def _listing(size: dict, figure: dict, key: str) -> str:
    block = size["suites"]["list"][key]
    queries, sizes = block.get("queries", {}), block.get("bytes", {})
    return (f"The list for {block['label']}: {ms(figure['value'])} ms against {ms(figure['baseline'])} ms unfiltered. "
            f"The two pages are not the same work: the caseworker's page is {sizes.get('filtered', 0) / 1024:.0f} KiB "
            f"in {queries.get('page of 25', '?')} queries, the unfiltered one {sizes.get('unfiltered', 0) / 1024:.0f} "
            f"KiB in {queries.get('unfiltered page of 25', '?')} queries, because a caseworker's referrals carry "
            "offers and outcomes that the newest referrals of the network mostly do not have yet; the access filter "
            "itself costs the SQL figures above.")


def _submission(size: dict, figure: dict) -> str:
    load = size["suites"]["submission"]["load"]
    return (f"Submission throughput: {load['submit']['rps']:.1f} req/s against {load['ping']['rps']:.1f} req/s for "
            "the trivial endpoint. A submission is a write transaction (the referral, its grants, its audit row and "
            "outbox event, the duplicate check, the screening of the notes) and commits once per request; the "
            "trivial endpoint reads one token." + _top_parts(size, "submission", 5))


def _tail(size: dict, figure: dict) -> str:
    load = size["suites"]["submission"]["load"]["submit"]
    return (f"Submission latency under load: p50 {ms(load['p50_ms'])} ms, p95 {ms(load['p95_ms'])} ms, p99 "
            f"{ms(load['p99_ms'])} ms with {size['suites']['submission']['concurrency']} clients on 2 sync "
            "workers: requests queue behind the workers, so the tail is the queue's.")


def _statistics(size: dict, figure: dict) -> str:
    grouping = figure["name"].split(":")[0].removeprefix("statistics ")
    its_sql = find(size, "statistics", f"statistics {grouping}: its SQL")
    text = (f"Statistics by {grouping}: {ms(figure['value'])} ms over HTTP against {ms(figure['baseline'])} ms for "
            "the plain GROUP BY.")
    if its_sql:
        text += (f" The statement the endpoint runs alone takes {ms(its_sql['value'])} ms "
                 f"({ratio(its_sql['ratio'])} of the plain GROUP BY): besides the cells it computes every margin "
                 "and the total in the same pass (a filtered count of each referral's first row, for a field "
                 "with several values), and keeps at most STATS_MAX_VALUES_PER_FIELD values of each referral, "
                 "which the noise calibration needs; the rest is the noise, the budget and the stored release.")
    return text


def unmet(size: dict, headlines) -> list[str]:
    paragraphs = []
    for label, section, key, fragment in headlines:
        figure = find(size, section, fragment, key)
        if not figure or figure.get("met") is not False:
            continue
        if section == "matching":
            paragraphs.append(_spatial(size, figure, "Matching" if "matching" in label else "Provider search"))
        elif section == "list" and "HTTP" in fragment:
            paragraphs.append(_listing(size, figure, key))
        elif section == "submission" and "p99" in fragment:
            paragraphs.append(_tail(size, figure))
        elif section == "submission":
            paragraphs.append(_submission(size, figure))
        elif section == "statistics":
            paragraphs.append(_statistics(size, figure))
        else:
            paragraphs.append(f"{label}: {ratio(figure.get('ratio'))} against a target of {figure['target']}.")
    memory = size.get("memory", {})
    if memory.get("peak_worker_mib", 0) > MEMORY_TARGET_MIB:
        paragraphs.append(_memory(memory))
    if not paragraphs:
        return []
    return ["## Targets not met: what bounds them", "", *(line for text in paragraphs for line in (text, ""))]


def _memory(memory: dict) -> str:
    peak = memory["peak_worker_mib"]
    text = f"Peak memory of a web worker: {peak:.0f} MiB (VmHWM over the whole run, which includes the largest page " \
           "and the statistics)."
    booted = [w for w in memory.get("at_start", {}).get("workers", []) if w.get("rss_mib")]
    if booted:
        start = max(booted, key=lambda w: w["rss_mib"])
        text += (f" Before any request, a booted worker already holds {start['rss_mib']:.0f} MiB: "
                 f"{start['anonymous_mib']:.0f} MiB of anonymous pages (the Python objects of every module Django, "
                 f"DRF, GeoDjango, Celery, OpenDP and the apps import) and {start['file_mib']:.0f} MiB of file-backed "
                 "pages (the shared libraries: GDAL, GEOS, PROJ, OpenDP's, numpy's, libpython), which every process "
                 f"mapping them shares; so the requests of the run add {peak - start['rss_mib']:.0f} MiB.")
    measured = memory.get("imports")
    if measured:
        layers = sorted(measured["layers"], key=lambda layer: -layer["mib"])
        listed = "; ".join(f"{layer['layer']} {layer['mib']:.0f} MiB" for layer in layers)
        text += (f" A new interpreter importing what a worker imports, layer by layer, reaches "
                 f"{measured['total_mib']:.0f} MiB ({measured['modules']:,} modules; the interpreter alone "
                 f"{measured['interpreter_mib']:.0f} MiB): {listed}. No single layer the application could do "
                 f"without comes near the {peak - MEMORY_TARGET_MIB:.0f} MiB above the target; numpy is the one it "
                 "never calls (only shapely, which the boundaries' package requires, needs it).")
    now = memory.get("workers", [])
    if now and now[0].get("pss_mib"):
        worst = max(now, key=lambda w: w["private_mib"])
        text += (f" At the end, its private pages (what a further worker costs the machine) are "
                 f"{worst['private_mib']:.0f} MiB and its proportional share {worst['pss_mib']:.0f} MiB.")
    return text
