"""Idempotency-Key for POSTs that create things (referrals, outcomes).

A repeat with the same key and body gets the first response (status and body) and writes nothing;
the same key with another body is refused (422); a repeat while the first is still running gets
409. Keys are kept for 24 hours per scope, which the view names (`idempotency_scope(request)`:
the caller's organisation, say). The first response is stored in the same
transaction as the write it describes, so there is never one without the other.

A record keeps nothing the object it describes does not keep itself: the request body (which holds
the case reference and exact coordinates that the referral never stores) is kept only as an HMAC
with a server secret (settings.IDEMPOTENCY_KEY_SECRET), so that it cannot be recovered by hashing
guesses, and so is the caller's key (a client may well build it from its case id). The response
is what the referral or outcome shows anyway, and is redacted with it (records_erase)."""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, gettext_lazy
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .errors import Conflict
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
IN_FLIGHT_SECONDS = 120


class KeyReused(exceptions.APIException):
    status_code = 422
    default_detail = gettext_lazy("This Idempotency-Key was used with a different request body.")
    default_code = "idempotency_key_reused"


# Purposes of the keyed hashes: one secret, a distinct key per use (salted_hmac derives it).
FINGERPRINT_PURPOSE = "api.idempotency.request_hash"
KEY_PURPOSE = "api.idempotency.key"


def _keyed(purpose: str, value: str) -> str:
    return salted_hmac(purpose, value, secret=settings.IDEMPOTENCY_KEY_SECRET, algorithm="sha256").hexdigest()


def request_digest(plain_sha256: str) -> str:
    """The stored fingerprint of a request whose canonical form hashes to `plain_sha256`: keyed,
    so that nobody holding the table can test guesses of the body against it. (A function of the
    plain digest so that records written before the key was used could be converted in place.)"""
    return _keyed(FINGERPRINT_PURPOSE, plain_sha256)


def key_digest(key: str) -> str:
    """What is stored (and locked) for a caller's Idempotency-Key."""
    return _keyed(KEY_PURPOSE, key)


def lock_name(scope, key: str) -> str:
    return f"idempotency:{scope}:{key_digest(key)}"


def _fingerprint(request) -> str:
    canonical = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return request_digest(hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest())


def idempotency_prune(*, before) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created__lt=before - KEEP_FOR).delete()
    return deleted


def records_erase(*, object_id, redact) -> int:
    """Rewrite every stored response about one object (its id in the request path, or the body's
    `id`) with `redact(body)`: for whoever must erase copies of an object's content."""
    about_it = Q(path__contains=str(object_id)) | Q(response_body__id=str(object_id))
    records = list(IdempotencyRecord.objects.filter(about_it).only("id", "response_body"))
    for record in records:
        record.response_body = redact(record.response_body)
        record.save(update_fields=["response_body"])
    return len(records)


def idempotent(view_method):
    """Decorate a view method of a view that defines `idempotency_scope(request)` (the UUID the
    caller's keys are kept under, or None: no replay) and `check_idempotent_replay(request, ...)`."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        scope = self.idempotency_scope(request)
        if key is None or scope is None or request.method != "POST":  # reads are never replayed
            return view_method(self, request, *args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise exceptions.ValidationError({HEADER: gettext("must be 1 to 255 printable characters")})
        fingerprint = _fingerprint(request)
        key = key_digest(key)  # the caller's key itself is never stored
        record = IdempotencyRecord.objects.filter(
            scope=scope, key=key, created__gte=timezone.now() - KEEP_FOR
        ).first()
        if record is not None:
            if not constant_time_compare(record.request_hash, fingerprint):
                raise KeyReused()
            # A stored response goes only to a caller who may still do what it did: the view
            # re-checks visibility (404) and role (403) first.
            self.check_idempotent_replay(request, *args, **kwargs)
            response = Response(record.response_body, status=record.response_status, headers=record.response_headers)
            response["Idempotent-Replayed"] = "true"
            return response

        lock = f"idempotency:{scope}:{key}"  # key is its digest by now: lock_name(scope, <the caller's key>)
        if not cache.add(lock, 1, timeout=IN_FLIGHT_SECONDS):
            raise Conflict(gettext("A request with this Idempotency-Key is still being processed; retry later."))
        stored = False
        try:
            response = view_method(self, request, *args, **kwargs)
            if response.status_code < 500:
                body = json.loads(JSONRenderer().render(response.data) or b"null")
                headers = {name: response[name] for name in ("ETag", "Location") if response.has_header(name)}
                IdempotencyRecord.objects.filter(
                    scope=scope, key=key, created__lt=timezone.now() - KEEP_FOR
                ).delete()
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(
                            scope=scope, key=key, path=request.path[:300],
                            request_hash=fingerprint,
                            response_status=response.status_code, response_body=body, response_headers=headers,
                        )
                except IntegrityError as error:  # a twin got past the lock (cache lost): undo this one
                    raise Conflict(
                        gettext("A request with this Idempotency-Key was processed concurrently.")) from error
                stored = True
                transaction.on_commit(lambda: cache.delete(lock))
            return response
        finally:
            if not stored:
                cache.delete(lock)

    return wrapper
