"""Benchmarks at regional scale, on their own database (never the development or test data).

    python -m bench.generate --orgs 10000 --referrals 1000000   # build the data (COPY + SQL)
    python -m bench.run                                          # the full run: bench/RESULTS.md
    python -m bench.run --quick                                  # the CI smoke test (< 2 minutes)

`bench.db` prepares the database and Django; `bench.generate` builds the data (the network, the
referrals, their grants and audit trail); `bench.suites` holds the measurements, one module per
benchmark; `bench.urls` adds the baselines' routes; `bench.server` runs gunicorn on loopback and
drives it; `bench.report` writes the results, one module per part of the report."""
