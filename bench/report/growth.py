"""How the figures, and the queries per request, grow with the number of referrals."""

from .cells import find, ms, ratio

CURVE = [
    # (label, section, key, figure-name fragment, "value" or "ratio")
    ("list page SQL, typical NGO (ms)", "list", "ngo_typical", "page SQL of GET", "value"),
    ("  ratio to the unfiltered page SQL", "list", "ngo_typical", "page SQL of GET", "ratio"),
    ("list HTTP, typical NGO (ms)", "list", "ngo_typical", "HTTP GET /api/v1/referrals/", "value"),
    ("  ratio to the unfiltered page through HTTP", "list", "ngo_typical", "HTTP GET /api/v1/referrals/", "ratio"),
    ("list HTTP, busiest NGO (ms)", "list", "ngo_busiest", "HTTP GET /api/v1/referrals/", "value"),
    ("  ratio to the unfiltered page through HTTP", "list", "ngo_busiest", "HTTP GET /api/v1/referrals/", "ratio"),
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
    ("provider search HTTP, all probes (ms)", "matching", None, "provider search: HTTP", "value"),
    ("  ratio to the raw SQL", "matching", None, "provider search: HTTP", "ratio"),
    ("statistics country,status raw GROUP BY (ms)", "statistics", None, "statistics country,status: raw", "value"),
    ("statistics country,status HTTP (ms)", "statistics", None, "statistics country,status: HTTP", "value"),
    ("  ratio to the raw GROUP BY", "statistics", None, "statistics country,status: HTTP", "ratio"),
    ("console inbox HTTP (ms)", "console", None, "GET /app/inbox/", "value"),
    ("  ratio to the API's list", "console", None, "GET /app/inbox/", "ratio"),
    ("console referral page HTTP (ms)", "console", None, "GET /app/referrals/{id}/", "value"),
    ("  ratio to the API's detail", "console", None, "GET /app/referrals/{id}/", "ratio"),
    ("submission throughput (req/s)", "submission", None, "POST /api/v1/referrals/", "value"),
    ("  ratio to the trivial endpoint", "submission", None, "POST /api/v1/referrals/", "ratio"),
]


def _columns(first: str, sizes: list[dict]) -> list[str]:
    return [f"| {first} | " + " | ".join(f"{size['counts'].get('referrals', 0):,}" for size in sizes) + " |",
            "| --- |" + " ---: |" * len(sizes)]


def curve(sizes: list[dict]) -> list[str]:
    if not sizes:
        return []
    out = ["## How the figures grow with the number of referrals", "", *_columns("figure", sizes)]
    for label, section, key, fragment, field in CURVE:
        cells = []
        for size in sizes:
            figure = find(size, section, fragment, key)
            value = None if figure is None else figure.get(field)
            cells.append(ratio(value) if field == "ratio" else ms(value))
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    p99, memory, visible = [], [], []
    for size in sizes:
        load = (size.get("suites", {}).get("submission") or {}).get("load", {})
        p99.append(ms(load.get("submit", {}).get("p99_ms")) if load else "-")
        memory.append(f"{size.get('memory', {}).get('peak_worker_mib', 0):.0f}" if size.get("memory") else "-")
        listing = size.get("suites", {}).get("list", {})
        visible.append(" / ".join(f"{listing[k]['visible']:,}" for k in ("ngo_typical", "ngo_busiest")
                                  if k in listing) or "-")
    out.append("| submission p99 latency (ms) | " + " | ".join(p99) + " |")
    out.append("| peak web worker memory so far (MiB) | " + " | ".join(memory) + " |")
    out.append("| referrals the typical / busiest NGO sees | " + " | ".join(visible) + " |")
    out.append("")
    return out


def queries(sizes: list[dict]) -> list[str]:
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
           *_columns("request", sizes)]
    for label, cells in rows.items():
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    return out
