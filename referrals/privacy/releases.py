"""Stored releases: a network-wide query is answered once per calendar month.

The key is the query's kind and normalised parameters plus the month. It holds no fingerprint of
the data, on purpose: if new referrals (or a changed status) made a new release, a reader could
wait for any change and ask again for fresh noise to average. Instead the month's release stands
until the month ends; the next month's release is new noise, paid from the next month's budget.
The key holds no reader either: whoever asks a query already released this month gets the same
release, so two analysts (or two accounts of one) cannot average their answers.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from referrals.models import StatisticsRelease

from . import budget


@dataclass(frozen=True)
class Computed:
    body: dict
    mechanism: str
    delta: float


def release_key(kind: str, parameters: dict, month) -> str:
    canonical = json.dumps({"kind": kind, "parameters": parameters, "month": month.isoformat()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _answer(release: StatisticsRelease, user, month) -> dict:
    return {**release.body, "privacy": {
        "mechanism": release.mechanism,
        "epsilon": float(release.epsilon),
        "delta": release.delta,
        **budget.summary(user, month),
    }}


def obtain(user, *, kind: str, parameters: dict, compute: Callable[[float], Computed]) -> dict:
    """The month's release of this query: the stored one, free; or a new one, computed by
    `compute(epsilon)` and paid for by `user`, refused (BudgetExhausted) once the month's budget
    cannot pay, with nothing recorded."""
    month = budget.month_of()
    key = release_key(kind, parameters, month)
    release = StatisticsRelease.objects.filter(key=key).first()
    if release is not None:
        return _answer(release, user, month)
    with transaction.atomic():
        account = budget.lock(user, month)
        # Someone may have released it while this transaction waited for the lock.
        release = StatisticsRelease.objects.filter(key=key).first()
        if release is not None:
            return _answer(release, user, month)
        budget.ensure_affordable(user, month)
        cost = budget.per_query()
        computed = compute(float(cost))
        try:
            with transaction.atomic():
                release = StatisticsRelease.objects.create(
                    key=key, kind=kind, parameters=parameters, month=month, body=computed.body,
                    mechanism=computed.mechanism, epsilon=cost, delta=computed.delta, released_by=user,
                )
        except IntegrityError:
            # Another reader released the same query concurrently (it waited on the unique key):
            # theirs is the release; this reader pays nothing and the noise computed here is dropped.
            release = StatisticsRelease.objects.get(key=key)
            return _answer(release, user, month)
        budget.charge(account, release)
    return _answer(release, user, month)
