"""Differentially private network-wide statistics.

- mechanisms: the OpenDP measurements (noisy counts over keys the data holds, private medians),
  calibrated to what one referral can contribute;
- tables: the referral counts and response times answered through them;
- budget: the per-reader, per-calendar-month privacy budget and its append-only ledger;
- releases: one stored release per query and month (asked again, it is returned and costs nothing);
- answers: what the statistics views call: exact for an organisation's own referrals, private for
  readers of the whole network.
"""
