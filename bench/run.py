"""Run the benchmarks and write their results.

    python -m bench.run            # full: 10,000 organisations, 100,000 facilities,
                                   # 10,000 / 100,000 / 1,000,000 referrals -> bench/RESULTS.md
    python -m bench.run --quick    # smoke test (CI): 300 organisations, 5,000 / 20,000 referrals,
                                   # under two minutes -> bench/out/RESULTS-quick.md

For each size of the curve: generate the data (bench.generate), then measure every benchmark
(bench.suites) against a gunicorn started once for the run. Exits non-zero on errors only (a
failed request, an exception, two filters disagreeing), never because of a timing."""

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from bench import db, imports

HERE = Path(__file__).resolve().parent


def _sizes(text: str) -> list[int]:
    return [int(part.strip().replace("_", "")) for part in text.split(",") if part.strip()]


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small, fast smoke run (CI)")
    parser.add_argument("--sizes", type=_sizes, help="referral counts of the curve, comma-separated "
                                                      "(default 10000,100000,1000000; quick 5000,20000)")
    parser.add_argument("--orgs", type=int, help="organisations (default 10,000; quick 300)")
    parser.add_argument("--facilities", type=int, help="facilities (default 10 per organisation)")
    parser.add_argument("--repeat", type=int, help="repetitions per figure (default 11; quick 5)")
    parser.add_argument("--concurrency", type=int, help="client threads of the load test (default 16; quick 4)")
    parser.add_argument("--seconds", type=float, help="duration of each load phase (default 15; quick 3)")
    parser.add_argument("--probes", type=int, help="matching probes (default 4; quick 2)")
    parser.add_argument("--no-generate", action="store_true",
                        help="measure the data already in the database (one size) instead of generating")
    parser.add_argument("--merge", type=Path, metavar="RESULTS_JSON",
                        help="the raw results of an earlier run (bench/out/results.json): its sizes join this "
                             "run's in the report, e.g. a 10,000,000 run merged with the default curve")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, help="default bench/RESULTS.md; quick bench/out/RESULTS-quick.md")
    parser.add_argument("--database-url", help=f"default: $BENCH_DATABASE_URL or {db.DEFAULT_DATABASE_URL}")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "sizes": [5_000, 20_000] if quick else [10_000, 100_000, 1_000_000],
        "orgs": 300 if quick else 10_000,
        "repeat": 5 if quick else 11,
        "concurrency": 4 if quick else 16,
        "seconds": 3.0 if quick else 15.0,
        "probes": 2 if quick else 4,
        "output": HERE / "out" / "RESULTS-quick.md" if quick else HERE / "RESULTS.md",
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.perf_counter()
    load_before = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    url = db.setup(args.database_url)

    from bench import report, suites
    from bench.generate import Scale, generate, recorded
    from bench.server import Gunicorn

    print(f"Benchmark database: {db.redacted(url)}", flush=True)
    results = {
        "command": " ".join(["python -m bench.run", shlex.join(sys.argv[1:] if argv is None else argv)]).strip(),
        "quick": args.quick, "repeat": args.repeat, "machine": report.machine(), "load_before": load_before,
        "sizes": [], "errors": [],
    }
    server = Gunicorn(url, workers=2)
    explain = None
    try:
        plan = [None] if args.no_generate else args.sizes
        for number, size in enumerate(plan, start=1):
            print(f"\n=== {'existing data' if size is None else f'{size:,} referrals'} "
                  f"({number}/{len(plan)}) ===", flush=True)
            entry = {}
            if size is not None:
                summary = generate(Scale(orgs=args.orgs, referrals=size, facilities=args.facilities, seed=args.seed))
                entry["counts"] = summary["counts"]
                entry["generation_seconds"] = summary["seconds"]
            else:
                entry["counts"] = _counts()
                made = recorded()
                if made and made["referrals"] == entry["counts"]["referrals"]:
                    entry["generation_seconds"] = made["seconds"]
            if server.process is None:
                server.start()
                print(f"gunicorn (2 sync workers) on 127.0.0.1:{server.port}", flush=True)
            ctx = suites.Context(port=server.port, repeat=args.repeat, concurrency=args.concurrency,
                                 seconds=args.seconds)
            try:
                accounts = suites.pick_accounts(ctx, probes=args.probes, submitters=max(8, 2 * args.concurrency))
            except Exception as error:
                ctx.error("choosing accounts", error)
                accounts = None
            if accounts is not None:
                entry["suites"] = suites.run_all(ctx, accounts)
                matching = entry["suites"].get("matching")
                if number == len(plan) and matching and matching.get("explain_sql"):
                    probe = matching["probes"][0]
                    explain = {"sql": matching["explain_sql"], "plan": suites.explain(matching["explain_sql"]),
                               "probe": f"{probe['country']}, referral {probe['referral']}"}
            entry["memory"] = {**server.memory(), "at_start": server.at_start}
            if number == len(plan):
                try:
                    entry["memory"]["imports"] = imports.costs(url)
                except Exception as error:
                    ctx.error("measuring the imports' memory", error)
            print(f"  peak web worker memory so far: {entry['memory']['peak_worker_mib']:.0f} MiB", flush=True)
            results["errors"].extend(ctx.errors)
            results["sizes"].append(entry)
    except Exception as error:
        import traceback

        results["errors"].append("".join(traceback.format_exception(error)))
        print(results["errors"][-1], file=sys.stderr)
    finally:
        server.stop()
    if args.merge:
        _merge(results, json.loads(args.merge.read_text()))
    results["explain"] = explain
    results["seconds"] = time.perf_counter() - started
    results["load_after"] = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    results["finished"] = report.now()
    report.write(results, args.output)
    raw = HERE / "out" / ("results-quick.json" if args.quick else "results.json")
    raw.parent.mkdir(exist_ok=True)
    raw.write_text(json.dumps(results, indent=1, default=str))
    print(f"\nWrote {args.output} (raw figures: {raw}) in {results['seconds']:.0f} s", flush=True)
    if results["errors"]:
        print(f"{len(results['errors'])} error(s): the run FAILED", file=sys.stderr)
        return 1
    return 0


def _merge(results: dict, earlier: dict) -> None:
    """Put the sizes of an earlier run beside this run's, smallest first; each size keeps the
    figures and baselines measured together in its own run."""
    measured = {size["counts"].get("referrals") for size in results["sizes"]}
    kept = [size for size in earlier.get("sizes", []) if size["counts"].get("referrals") not in measured]
    results["sizes"] = sorted(kept + results["sizes"], key=lambda size: size["counts"].get("referrals", 0))
    results["merged"] = {"sizes": [size["counts"].get("referrals", 0) for size in kept],
                         "command": earlier.get("command"), "finished": earlier.get("finished"),
                         "commit": earlier.get("machine", {}).get("commit")}
    results["errors"].extend(f"(merged run) {error}" for error in earlier.get("errors", []))


def _counts() -> dict:
    from django.db import connection

    tables = {"referrals": "referrals_referral", "organisations": "organisations_organisation",
              "facilities": "organisations_facility", "coverage": "organisations_coveragearea",
              "offers": "referrals_offer", "outcomes": "referrals_outcome", "events": "referrals_referralevent",
              "referral_grants": "referrals_referralgroupobjectpermission"}
    with connection.cursor() as cursor:
        counts = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    return counts


if __name__ == "__main__":
    sys.exit(main())
