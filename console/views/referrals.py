"""The referral pages: the list of own and accepted referrals, the new-referral form and the
referral page. Reads go through referrals.selectors, writes through referrals.services; what a
person may do comes from referrals.permissions.may_act_on."""

from datetime import timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from geo.models import AdministrativeArea
from geo.selectors import area_outlines, smallest_area_containing
from organisations.models import ServiceType
from organisations.selectors import facility_location_shown
from referrals import permissions, selectors, services
from referrals.models import EventAction, ExploitationType, Indicator, Referral

from ..forms import DeclineForm, ListFilterForm, OutcomeForm, ReasonForm, ReferralForm, words
from .base import ConsoleView, not_found_page, refused_page
from .refusals import field_errors, is_refusal, refusal_messages, refusal_status

LAST_VISIT_KEY = "console_referrals_seen"
READ_ACTIONS = {EventAction.VIEWED, EventAction.LISTED, EventAction.MATCHES_VIEWED}
NOT_FOUND = _("This referral does not exist, or your organisation cannot see it (any more). "
              "Go back to your inbox or your referrals.")


class ReferralListView(ConsoleView):
    """Own submitted and accepted referrals, with filters, and what changed since the last visit."""

    def get(self, request):
        filters = ListFilterForm(request.GET or None)
        referrals = selectors.own_referrals_for(request.user)
        if filters.is_valid():
            data = filters.cleaned_data
            if data["status"]:
                referrals = referrals.filter(status=data["status"])
            if data["urgency"]:
                referrals = referrals.filter(urgency=data["urgency"])
            if data["period"]:
                referrals = referrals.filter(created__gte=timezone.now() - timedelta(days=int(data["period"])))
        page = Paginator(referrals, 25).get_page(request.GET.get("page"))
        seen = parse_datetime(request.session.get(LAST_VISIT_KEY, "") or "")
        for referral in page:
            referral.changed_since_visit = seen is not None and referral.updated > seen
        services.referral_record_read(referrals=list(page), by=request.user, action=EventAction.LISTED)
        request.session[LAST_VISIT_KEY] = timezone.now().isoformat()
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "console/referral_list.html", {
            "page": page, "filters": filters if filters.is_bound else ListFilterForm(),
            "last_visit": seen, "query": query.urlencode(),
        })


class ReferralNewView(ConsoleView):
    """The form for those who may submit (admins and caseworkers of a verified organisation)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            try:
                permissions.require_may_submit(request.user)
            except PermissionDenied as denied:
                return refused_page(request, denied)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._page(request, ReferralForm())

    def post(self, request):
        form = ReferralForm(request.POST)
        if form.is_valid():
            try:
                referral = services.referral_submit(by=request.user, data=form.payload())
            except Exception as error:
                if not is_refusal(error):
                    raise
                self._attach(form, error)
                return self._page(request, form, status=refusal_status(error))
            return redirect("console:referral-detail", pk=referral.pk)
        return self._page(request, form, status=400)

    @staticmethod
    def _attach(form: ReferralForm, error: Exception) -> None:
        """A screening error (or any field the service names) next to its field."""
        if not isinstance(error, ValidationError):
            form.add_error(None, refusal_messages(error))
            return
        for field, messages in field_errors(error).items():
            form.add_error(field if field in form.fields else None, messages)

    def _page(self, request, form: ReferralForm, status: int = 200):
        self._point_to_area(form)
        return render(request, "console/referral_new.html",
                      {"form": form, "map_tile_url": settings.MAP_TILE_URL, "outlines": outlines()}, status=status)

    @staticmethod
    def _point_to_area(form: ReferralForm) -> None:
        """A point clicked on the map comes back as its area, never as the coordinates."""
        if not form.is_bound or not hasattr(form, "cleaned_data"):
            return
        data = form.cleaned_data
        if data.get("lat") is not None and data.get("lon") is not None and data.get("area") is None:
            area = smallest_area_containing(point=Point(data["lon"], data["lat"], srid=4326))
            form.data = form.data.copy()
            if area is not None:
                form.data["area"] = str(area.pk)
        form.data = form.data.copy()
        form.data["lat"] = form.data["lon"] = ""


def outlines() -> list[dict]:
    """The countries' simplified outlines for the map, computed once an hour (boundaries rarely
    change; reloaded ones have new ids, hence the key)."""
    latest = AdministrativeArea.objects.filter(level=0).aggregate(Max("pk"), Count("pk"))
    key = f"console:area-outlines:{latest['pk__max']}:{latest['pk__count']}"
    return cache.get_or_set(key, area_outlines, 3600)


def referral_or_404(request, pk) -> Referral | None:
    try:
        return selectors.referral_for(request.user, pk)
    except Referral.DoesNotExist:
        return None


def detail_context(request, referral: Referral, **extra) -> dict:
    """Everything the referral page shows, as the user's organisation may see it."""
    user = request.user
    organisation = selectors.acting_organisation(user)
    organisation_id = organisation.pk if organisation else None
    rights = permissions.may_act_on(user, referral)
    offers = selectors.offers_visible_to(
        referral.offers.select_related("organisation"), referral=referral, organisation_id=organisation_id)
    events = [event for event in selectors.referral_events_for(user, referral).order_by("created", "id")
              if event.action not in READ_ACTIONS]
    for event in events:
        event.shown_actor = event.actor.username if permissions.sees_actor(organisation_id, event) else None
    matches = selectors.referral_matches(referral) if rights.see_matches else []
    viewer = [organisation_id] if organisation_id else []
    match_points = [
        {"name": match.organisation.name, "lat": point.y, "lon": point.x,
         "services": ", ".join(match.services_matched)}
        for match in matches if match.facility is not None
        for point in [facility_location_shown(match.facility, viewer)[0]]
    ]
    service_names = dict(ServiceType.objects.values_list("code", "name"))
    return {
        "referral": referral,
        "rights": rights,
        "offers": offers,
        "events": events,
        "outcomes": referral.outcomes.select_related("organisation"),
        "matches": matches,
        "match_points": match_points,
        "outlines": outlines() if match_points else [],
        "needs": [service_names.get(code, code) for code in referral.needs],
        "exploitation": [words(ExploitationType.choices).get(code, code) for code in referral.exploitation_types],
        "indicators": [words(Indicator.choices).get(code, code) for code in referral.indicators],
        "service_names": service_names,
        "outcome_form": OutcomeForm(),
        "decline_form": DeclineForm(),
        "close_form": ReasonForm(),
        "errors": [],
        **extra,
    }


class ReferralDetailView(ConsoleView):
    def get(self, request, pk):
        referral = referral_or_404(request, pk)
        if referral is None:
            return not_found_page(request, NOT_FOUND)
        services.referral_record_read(referrals=[referral], by=request.user)
        context = detail_context(request, referral)
        if context["rights"].see_matches:
            services.referral_record_read(referrals=[referral], by=request.user, action=EventAction.MATCHES_VIEWED)
        return render(request, "console/referral_detail.html", context)
