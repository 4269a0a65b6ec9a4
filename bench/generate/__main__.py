"""python -m bench.generate: build only the data (see bench.generate)."""

import argparse
import sys

import bench.generate as package
from bench import db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=package.__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000, help="organisations (default 10,000)")
    parser.add_argument("--referrals", type=int, default=1_000_000, help="referrals (default 1,000,000)")
    parser.add_argument("--facilities", type=int, default=None, help="facilities (default 10 per organisation)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help=f"default: $BENCH_DATABASE_URL or {db.DEFAULT_DATABASE_URL}")
    args = parser.parse_args(argv)
    if args.orgs < 10 or args.referrals < 1:
        parser.error("at least 10 organisations and 1 referral")
    url = db.setup(args.database_url)
    print(f"Database: {db.redacted(url)}")
    scale = package.Scale(orgs=args.orgs, referrals=args.referrals, facilities=args.facilities, seed=args.seed)
    package.generate(scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
