"""python -m bench.load: a bounded, headless locust run of mixed caseworker traffic against
gunicorn on 127.0.0.1, written up as a markdown report (default bench/LOAD.md).

    python -m bench.load [--referrals N] [--no-generate] [--users 16] [--seconds 60]
                         [--database-url URL] [--output bench/LOAD.md]

Exits non-zero when any request failed (a non-2xx that is not the one expected refusal)."""

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from bench import db

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out"


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--no-generate", action="store_true", help="reuse the data already in the database")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--database-url")
    parser.add_argument("--output", type=Path, default=HERE.parent / "LOAD.md")
    return parser.parse_args(argv)


def pick(ctx_port: int) -> dict:
    """NGO caseworkers of organisations that accepted referrals (with pages they may and may not
    see) and submitting government caseworkers (bench.suites.accounts) with their own referrals."""
    from bench.suites import Context, pick_accounts
    from bench.suites.common import rows, token_of

    chosen = pick_accounts(Context(port=ctx_port, repeat=1, concurrency=1, seconds=1), probes=4, submitters=8)
    ngos = rows(
        """SELECT DISTINCT ON (r.accepted_by_id) r.accepted_by_id, m.user_id, rg.group_id
             FROM referrals_referral r
             JOIN organisations_membership m ON m.organisation_id = r.accepted_by_id AND m.role = 'caseworker'
             JOIN organisations_rolegroup rg ON rg.organisation_id = r.accepted_by_id AND rg.role = 'caseworker'
            WHERE r.status IN ('accepted', 'in_progress') ORDER BY r.accepted_by_id LIMIT 8""")
    ngo = []
    for org, user_id, group in ngos:
        accepted = [str(i) for (i,) in rows(
            "SELECT id FROM referrals_referral WHERE accepted_by_id = %s AND status IN ('accepted', 'in_progress')"
            " LIMIT 20", [org])]
        visible = [str(i) for (i,) in rows(
            "SELECT content_object_id FROM referrals_referralgroupobjectpermission WHERE group_id = %s LIMIT 50",
            [group])] or accepted
        hidden = rows(
            """SELECT r.id FROM referrals_referral r WHERE NOT EXISTS (
                 SELECT 1 FROM referrals_referralgroupobjectpermission g
                  WHERE g.content_object_id = r.id AND g.group_id = %s) LIMIT 1""", [group])[0][0]
        ngo.append({"token": token_of(user_id), "accepted": accepted, "visible": visible, "hidden": str(hidden)})
    government = []
    for agency in chosen["submitters"]:
        own = [str(i) for (i,) in rows(
            """SELECT r.id FROM referrals_referral r JOIN organisations_membership m
                 ON m.organisation_id = r.submitting_organisation_id WHERE m.user_id = %s LIMIT 50""",
            [agency.user_id])]
        if own:
            government.append({"token": agency.token, "visible": own, **agency.detail})
    points = [probe.detail for probe in chosen["probes"]]
    if not ngo or not government or not points:
        raise AssertionError("the data has no accepting NGO, submitting agency or probe point")
    return {"ngo": ngo, "government": government, "points": points}


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def write_report(path: Path, stats: list[dict], meta: dict) -> None:
    from bench import report

    lines = ["# Load test (locust, mixed caseworker traffic)", "",
             f"Written by `{meta['command']}` on {report.now()}.", "",
             f"- data: {meta['counts']}",
             f"- {meta['users']} locust users (NGO : government = 3 : 1), {meta['seconds']} s, "
             f"gunicorn {meta['workers']} sync workers on 127.0.0.1, all on one machine",
             "- machine: " + ", ".join(f"{k} {v}" for k, v in report.machine().items()),
             f"- load average before / after: {meta['load_before']} / {meta['load_after']} (shared machine)", "",
             "| request | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in stats:
        name = "**total**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
                     f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |")
    lines += ["", "Failures are non-2xx answers other than the expected 404 of a referral the caller may not see."]
    path.write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    args = parse(argv)
    load_before = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    url = db.setup(args.database_url)
    from bench.generate import Scale, generate
    from bench.run import _counts
    from bench.server import Gunicorn

    if not args.no_generate:
        generate(Scale(orgs=args.orgs, referrals=args.referrals, seed=2026))
    counts = _counts()
    OUT.mkdir(exist_ok=True)
    accounts_file = OUT / "load-accounts.json"
    server = Gunicorn(url, workers=args.workers)
    server.start()
    try:
        accounts_file.write_text(json.dumps(pick(server.port)))
        prefix = OUT / "load"
        command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
                   "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
                   "--host", f"http://127.0.0.1:{server.port}", "--csv", str(prefix), "--only-summary",
                   "--stop-timeout", "10"]
        env = {**os.environ, "BENCH_LOAD_ACCOUNTS": str(accounts_file)}
        # Bounded: locust stops itself after -t; the timeout guards against a hang.
        subprocess.run(command, env=env, timeout=args.seconds + 120, check=False)  # noqa: S603
    finally:
        server.stop()
    stats = read_stats(prefix)
    meta = {"command": " ".join(["python -m bench.load", *(sys.argv[1:] if argv is None else argv)]),
            "counts": ", ".join(f"{v:,} {k}" for k, v in counts.items()), "users": args.users,
            "seconds": args.seconds, "workers": args.workers, "load_before": load_before,
            "load_after": ", ".join(f"{v:.1f}" for v in os.getloadavg())}
    write_report(args.output, stats, meta)
    failures = sum(int(row["Failure Count"]) for row in stats if row["Name"] == "Aggregated")
    print(f"Wrote {args.output}; {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
