"""What the HTTP toolkit itself keeps: the responses of idempotent requests."""

from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, per scope (the view names it: the
    caller's organisation), kept 24 hours. It holds nothing the referral does not keep: the key and
    the request only as keyed hashes, the response as the referral shows itself (api.idempotency)."""

    scope = models.UUIDField(help_text="Whose key this is (the view's idempotency_scope: an organisation).")
    key = models.CharField(max_length=255, help_text="HMAC of the caller's Idempotency-Key (never the key).")
    path = models.CharField(max_length=300, default="", help_text="The request path (names the referral).")
    request_hash = models.CharField(
        max_length=64, help_text="HMAC of the request (server secret): the body cannot be recovered by guessing."
    )
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    response_headers = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_record_per_key"),
        ]

    def __str__(self):
        return f"idempotency {self.key}"
