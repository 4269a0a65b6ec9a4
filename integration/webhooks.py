"""Signed webhooks: registering subscriptions, relaying the outbox to them, delivering.

Relay: pending outbox events are taken with SELECT ... FOR UPDATE SKIP LOCKED (under an advisory
lock, so one relay runs at a time and deliveries keep the events' order), each becomes one
delivery per subscriber whose organisation could see the referral when the event happened and
still can, with the body that organisation may read, and the events are marked relayed in the same transaction.

Delivery: one subscription at a time (its row locked), oldest event first, so a subscriber gets
events in order. A failure is retried with exponential backoff, then marked failed. Before each
attempt the subscriber's right to see the referral is checked again."""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

from organisations.models import Organisation
from referrals.models import OutboxEvent, Referral
from referrals.selectors import events_visible_to, organisation_may_view

from .models import DeliveryStatus, WebhookDelivery, WebhookSubscription, new_signing_secret

logger = logging.getLogger(__name__)

RELAY_LOCK_ID = 0x5EF3_0001  # pg advisory lock: one relay at a time
RELAY_BATCH = 200


# --- registration -------------------------------------------------------------------------------

def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global also excludes shared address space (100.64.0.0/10, where some clouds serve their
    # instance metadata, e.g. 100.100.100.200), which is neither private nor reserved.
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified
    )


def resolve_webhook_url(url: str) -> list[str]:
    """The addresses the URL's host resolves to, resolved once and checked: https only, and public
    addresses only (no SSRF into the network the API runs in), unless WEBHOOK_ALLOW_PRIVATE_URLS is
    on (development and the demo). A delivery connects to one of exactly these addresses, so a
    name that resolves elsewhere the next time it is asked (DNS rebinding) gains nothing."""
    parts = urlsplit(url)
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_URLS
    if parts.scheme not in (("http", "https") if allow_private else ("https",)):
        raise ValidationError(
            {"url": _("must be an http or https URL") if allow_private else _("must be an https URL")})
    if not parts.hostname:
        raise ValidationError({"url": _("has no host")})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError({"url": _("host %(host)s does not resolve") % {"host": repr(parts.hostname)}}) from error
    except ValueError as error:  # a port out of range
        raise ValidationError({"url": str(error)}) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise ValidationError({"url": _("host %(host)s does not resolve") % {"host": repr(parts.hostname)}})
    if not allow_private and not all(_address_is_public(address) for address in addresses):
        raise ValidationError({"url": _("must not point to a private, loopback or link-local address")})
    return addresses


def validate_webhook_url(url: str) -> None:
    """At registration. Where private URLs are allowed (development, the demo) the host need not
    resolve yet: a receiver may be started later. Every delivery resolves it and checks again."""
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValidationError({"url": _("must be an http or https URL")})
        return
    resolve_webhook_url(url)


@transaction.atomic
def webhook_create(*, organisation: Organisation, url: str, events: list[str]) -> WebhookSubscription:
    validate_webhook_url(url)
    return WebhookSubscription.objects.create(organisation=organisation, url=url, events=sorted(set(events)))


@transaction.atomic
def webhook_update(*, subscription: WebhookSubscription, data: dict) -> WebhookSubscription:
    if "url" in data:
        validate_webhook_url(data["url"])
        subscription.url = data["url"]
    if "events" in data:
        subscription.events = sorted(set(data["events"]))
    if "active" in data:
        subscription.active = data["active"]
    subscription.save()
    return subscription


@transaction.atomic
def webhook_rotate_secret(*, subscription: WebhookSubscription) -> WebhookSubscription:
    subscription.secret = new_signing_secret()
    subscription.save(update_fields=["secret"])
    return subscription


# --- relay --------------------------------------------------------------------------------------

def may_still_read(event: OutboxEvent, organisation_id) -> bool:
    """Does the organisation see what the event is about right now: the return for a return's
    event (returns.permissions), else the referral?"""
    if event.return_case_id is not None:
        from returns.models import ReturnCase
        from returns.permissions import organisation_may_read

        case = ReturnCase.objects.filter(pk=event.return_case_id).first()
        return case is not None and organisation_may_read(case, organisation_id)
    return organisation_may_view(event.referral_id, organisation_id)


def _return_body(event: OutboxEvent, organisation_id) -> dict:
    """A return's event: the return as the organisation's own API view shows it, never the referral."""
    from returns.api.serializers import ReturnCaseSerializer
    from returns.selectors import returns_with_details

    case = returns_with_details().get(pk=event.return_case_id)
    return {"return": ReturnCaseSerializer(case, context={"organisation_id": organisation_id}).data}


def event_body(event: OutboxEvent, organisation_id) -> dict:
    """The event as the organisation may read it: the referral (or the return) as its own API view shows it."""
    from referrals.api.serializers import ReferralSerializer

    if event.return_case_id is not None:
        return json.loads(json.dumps(
            {"id": str(event.public_id), "type": event.type, "created": event.created.isoformat(),
             "data": _return_body(event, organisation_id)},
            default=str,
        ))

    referral = (
        Referral.objects.select_related("submitting_organisation", "accepted_by", "area", "parent")
        .defer("area__geometry")
        .prefetch_related("offers__organisation", "outcomes__organisation", "children__accepted_by",
                          "children__outcomes")
        .get(pk=event.referral_id)
    )
    data = {"referral": ReferralSerializer(referral, context={"organisation_id": organisation_id}).data}
    if event.subject_organisation_id and organisation_id in (
        event.subject_organisation_id, referral.submitting_organisation_id
    ):
        data["organisation"] = str(event.subject_organisation_id)
    return json.loads(json.dumps(
        {"id": str(event.public_id), "type": event.type, "created": event.created.isoformat(), "data": data},
        default=str,
    ))


def outbox_relay() -> tuple[int, set]:
    """Relay one batch of pending events; returns (events relayed, subscriptions to deliver to)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RELAY_LOCK_ID])
            if not cursor.fetchone()[0]:
                return 0, set()
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("referral")
            .filter(relayed__isnull=True)
            .order_by("id")[:RELAY_BATCH]
        )
        if not events:
            return 0, set()
        subscriptions = list(WebhookSubscription.objects.filter(active=True))
        batch = OutboxEvent.objects.filter(pk__in=[event.pk for event in events])
        visible_to: dict = {}  # organisation id -> the batch's events it may learn of (one rule: referrals')
        deliveries = []
        for event in events:
            for subscription in subscriptions:
                if event.type not in subscription.events:
                    continue
                # Only organisations that could see the referral when the event happened, and
                # still can now, hear of it.
                if subscription.organisation_id not in event.audience:
                    continue
                # Offered organisations never learn who else was offered, nor who declined.
                organisation_id = subscription.organisation_id
                if organisation_id not in visible_to:
                    visible_to[organisation_id] = set(
                        events_visible_to(batch, organisation_id=organisation_id).values_list("pk", flat=True)
                    )
                if event.pk not in visible_to[organisation_id]:
                    continue
                if not may_still_read(event, subscription.organisation_id):
                    continue
                deliveries.append(WebhookDelivery(
                    subscription=subscription, event=event, body=event_body(event, subscription.organisation_id)
                ))
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        OutboxEvent.objects.filter(pk__in=[event.pk for event in events]).update(relayed=timezone.now())
        return len(events), {delivery.subscription_id for delivery in deliveries}


# --- delivery -----------------------------------------------------------------------------------

def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to one given address instead of resolving the URL's host again. The request still
    names the host: the Host header, the TLS server name (SNI) and the name the certificate must be
    valid for are the URL's, so the receiver and its certificate are checked as usual."""

    def __init__(self, hostname: str, address: str):
        self.hostname = hostname.lower()
        self.address = f"[{address}]" if ":" in address else address
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if (host_params.get("host") or "").lower() != self.hostname:
            # Only the checked host is pinned (redirects are not followed anyway).
            raise requests.exceptions.InvalidURL(f"not the checked host: {host_params.get('host')}")
        host_params = {**host_params, "host": self.address}
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": self.hostname, "assert_hostname": self.hostname}
        return host_params, pool_kwargs


def pinned_session(url: str, address: str) -> requests.Session:
    """A session that sends requests for the URL's host to `address`, and nowhere else."""
    parts = urlsplit(url)
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: a proxy would resolve the name again
    session.headers["Host"] = parts.netloc.rpartition("@")[2]
    adapter = PinnedAddressAdapter(parts.hostname, address)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> dict:
    body = json.dumps(delivery.body, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    started = time.monotonic()
    attempt = {"at": timezone.now().isoformat(), "status_code": None, "error": ""}
    try:
        # Checked again (the name may resolve elsewhere by now), and sent to the checked address.
        address = resolve_webhook_url(subscription.url)[0]
        with pinned_session(subscription.url, address) as session:
            response = session.post(
                subscription.url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "referral-network-webhooks/1",
                    "X-Event-Id": delivery.body["id"],
                    "X-Event-Type": delivery.body["type"],
                    "X-Signature": sign(subscription.secret, timestamp, body),
                },
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        attempt["status_code"] = response.status_code
    except ValidationError as error:
        attempt["error"] = "; ".join(error.messages)
    except requests.RequestException as error:
        attempt["error"] = type(error).__name__
    attempt["duration_ms"] = round((time.monotonic() - started) * 1000)
    return attempt


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def subscription_deliver(subscription_id) -> timedelta | None:
    """Deliver the subscription's pending events in order. Returns when to try again after an
    attempt that failed and will be retried, else None."""
    while True:
        with transaction.atomic():
            subscription = (
                WebhookSubscription.objects.select_for_update(skip_locked=True).filter(pk=subscription_id).first()
            )
            if subscription is None or not subscription.active:
                return None  # gone, paused, or another worker is delivering to it
            delivery = subscription.deliveries.filter(status=DeliveryStatus.PENDING).order_by("event_id").first()
            if delivery is None:
                return None
            now = timezone.now()
            if delivery.next_attempt and delivery.next_attempt > now:
                return None  # a retry is already scheduled (and the sweep resumes it if that is lost)
            if not may_still_read(delivery.event, subscription.organisation_id):
                delivery.status = DeliveryStatus.CANCELLED
                delivery.save(update_fields=["status"])
                continue
            attempt = _post(subscription, delivery)
            delivery.attempts = [*delivery.attempts, attempt]
            if attempt["status_code"] is not None and 200 <= attempt["status_code"] < 300:
                delivery.status = DeliveryStatus.SUCCEEDED
                delivery.delivered = timezone.now()
                delivery.next_attempt = None
            elif len(delivery.attempts) >= settings.WEBHOOK_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt = None
                logger.warning("webhook delivery %s failed for good", delivery.pk)
            else:
                delay = retry_delay(len(delivery.attempts))
                delivery.next_attempt = timezone.now() + delay
                delivery.save(update_fields=["attempts", "status", "next_attempt", "delivered"])
                return delay
            delivery.save(update_fields=["attempts", "status", "next_attempt", "delivered"])


def subscriptions_due() -> list:
    """Subscriptions with a pending delivery whose time has come (for the periodic sweep). Only the
    oldest pending delivery of a subscription counts: the ones behind it wait for it (order), so a
    subscription backing off is not due, however many events queue behind the failing one."""
    now = timezone.now()
    heads = (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, subscription__active=True)
        .order_by("subscription_id", "event_id")
        .distinct("subscription_id")
        .values_list("subscription_id", "next_attempt")
    )
    return [subscription_id for subscription_id, next_attempt in heads if next_attempt is None or next_attempt <= now]

