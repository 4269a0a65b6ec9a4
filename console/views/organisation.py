"""The organisation admin's pages: overview, facilities with the daily capacity update, coverage,
members and webhooks. Thin: the selectors read (restricted to the user), organisations.permissions
answers the questions, the services write (the same calls as the API's views)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from integration import webhooks
from integration.models import WebhookDelivery, WebhookSubscription
from organisations import permissions, selectors, services
from organisations.models import Membership

from ..forms_admin import CapacityForm, CoverageForm, MemberAddForm, MemberRoleForm, WebhookForm
from .directory import coverage_features, feature_collection
from .pages import ConsolePage, service_errors_onto


def _own(queryset, membership: Membership):
    return queryset.filter(organisation_id=membership.organisation_id)


class OrganisationOverviewView(ConsolePage):
    def get(self, request):
        membership = permissions.require_membership(request.user)
        organisation = membership.organisation
        return render(request, "console/organisation/overview.html", {
            "organisation": organisation, "membership": membership,
            "facility_count": _own(selectors.facility_list(), membership).count(),
            "coverage_count": _own(selectors.coverage_list(), membership).count(),
            "member_count": Membership.objects.filter(organisation=organisation).count(),
            "may_manage_members": permissions.may_manage_members(request.user, organisation),
            "may_manage_webhooks": permissions.may_manage_webhooks(request.user),
        })


# --- facilities and their free beds -------------------------------------------------------------

class FacilityListView(ConsolePage):
    template = "console/organisation/facilities.html"

    def page(self, request, membership, *, failed=None, form=None, status=200):
        facilities = list(_own(selectors.facility_list(), membership).restrict(request.user, "view"))
        for facility in facilities:
            facility.capacity_form = form if facility == failed else CapacityForm(
                initial={"capacity_available": facility.capacity_available}, auto_id=f"id_{facility.pk}_%s")
        return render(request, self.template, {
            "organisation": membership.organisation, "facilities": facilities,
            "may_update_capacity": permissions.may_manage_directory_of(request.user, membership.organisation),
        }, status=status)

    def get(self, request):
        return self.page(request, permissions.require_membership(request.user))


class FacilityCapacityView(FacilityListView):
    """One step: today's free beds of one of the organisation's facilities (POST, then back to the
    list). Another organisation's facility is not on these pages: 404."""

    http_method_names = ["post", "options"]

    def post(self, request, pk):
        membership = permissions.require_membership(request.user)
        facility = _own(selectors.facility_list(), membership).filter(pk=pk).first()
        if facility is None:
            raise Http404(_("No such facility of your organisation."))
        permissions.require_manage_directory_of(request.user, membership.organisation)
        form = CapacityForm(request.POST, auto_id=f"id_{facility.pk}_%s")
        if form.is_valid():
            try:
                services.facility_capacity_update(
                    facility=facility, capacity_available=form.cleaned_data["capacity_available"])
            except ValidationError as error:
                service_errors_onto(form, error)
            else:
                return redirect(f"{reverse('console:organisation-facilities')}?updated={facility.pk}")
        return self.page(request, membership, failed=facility, form=form, status=400)


# --- coverage -----------------------------------------------------------------------------------

class CoverageView(ConsolePage):
    template = "console/organisation/coverage.html"

    def page(self, request, membership, form, status=200):
        coverage = _own(selectors.coverage_list(), membership).restrict(request.user, "view")
        return render(request, self.template, {
            "organisation": membership.organisation, "coverage": coverage, "form": form,
            "may_manage_directory": permissions.may_manage_directory_of(request.user, membership.organisation),
        }, status=status)

    def get(self, request):
        return self.page(request, permissions.require_membership(request.user), CoverageForm())

    def post(self, request):
        membership = permissions.require_membership(request.user)
        permissions.require_manage_directory_of(request.user, membership.organisation)
        form = CoverageForm(request.POST)
        if form.is_valid():
            data = {"services": form.cleaned_data["services"], "areas": list(form.cleaned_data["areas"])}
            if form.cleaned_data["geometry"] is not None:
                data["geometry"] = form.cleaned_data["geometry"]
            try:
                services.coverage_create(organisation=membership.organisation, data=data)
            except ValidationError as error:
                service_errors_onto(form, error)
            else:
                return redirect("console:organisation-coverage")
        return self.page(request, membership, form, status=400)


class CoverageMapDataView(ConsolePage):
    """The organisation's coverage as GeoJSON, for the map on the coverage page."""

    def get(self, request):
        membership = permissions.require_membership(request.user)
        coverage = _own(selectors.coverage_list(), membership).restrict(request.user, "view")
        return feature_collection(coverage_features(coverage))


# --- members ------------------------------------------------------------------------------------

class MembersView(ConsolePage):
    template = "console/organisation/members.html"

    def page(self, request, membership, form=None, *, status=200, added=None, role_forms=None):
        organisation = membership.organisation
        members = list(Membership.objects.restrict(request.user, "view").filter(organisation=organisation)
                       .select_related("user").order_by("user__username"))
        for member in members:
            member.role_form = (role_forms or {}).get(member.pk) or MemberRoleForm(
                initial={"role": member.role}, auto_id=f"id_{member.pk}_%s")
        return render(request, self.template, {
            "organisation": organisation, "members": members, "form": form or MemberAddForm(), "added": added,
            "may_manage_members": permissions.may_manage_members(request.user, organisation),
        }, status=status)

    def get(self, request):
        return self.page(request, permissions.require_membership(request.user))

    def post(self, request):
        """Add a member: the API's onboarding (the login name lives in the organisation's namespace)."""
        membership = permissions.require_membership(request.user)
        permissions.require_manage_members(request.user, membership.organisation)
        form = MemberAddForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = services.member_onboard(
                    organisation=membership.organisation, name=data["username"], email=data["email"],
                    password=data["password"], role=data["role"], by=request.user)
            except ValidationError as error:
                service_errors_onto(form, error)
            else:
                return self.page(request, membership, status=201, added=added.user.username)
        return self.page(request, membership, form, status=400)


class MemberActionView(MembersView):
    """Change a member's role or remove them. A membership of another organisation is not on
    these pages (404); a member who may not manage members is refused (403)."""

    http_method_names = ["post", "options"]

    def target(self, request, pk):
        membership = permissions.require_membership(request.user)
        target = (Membership.objects.restrict(request.user, "view")
                  .filter(organisation_id=membership.organisation_id, pk=pk).select_related("user").first())
        if target is None:
            raise Http404(_("No such member of your organisation."))
        permissions.require_manage_members(request.user, membership.organisation)
        return membership, target


class MemberRoleView(MemberActionView):
    def post(self, request, pk):
        membership, target = self.target(request, pk)
        form = MemberRoleForm(request.POST, auto_id=f"id_{target.pk}_%s")
        if form.is_valid():
            try:
                services.member_change_role(membership=target, role=form.cleaned_data["role"], by=request.user)
            except ValidationError as error:
                service_errors_onto(form, error)
            else:
                return redirect("console:organisation-members")
        return self.page(request, membership, status=400, role_forms={target.pk: form})


class MemberRemoveView(MemberActionView):
    def post(self, request, pk):
        _membership, target = self.target(request, pk)
        services.member_remove(membership=target, by=request.user)  # refuses removing oneself (403)
        return redirect("console:organisation-members")


# --- webhooks -----------------------------------------------------------------------------------

class WebhooksView(ConsolePage):
    template = "console/organisation/webhooks.html"

    def page(self, request, membership, form=None, *, status=200, secret=None, shown=None):
        return render(request, self.template, {
            "organisation": membership.organisation, "form": form or WebhookForm(),
            "subscriptions": WebhookSubscription.objects.restrict(request.user, "view"),
            "secret": secret, "shown": shown,
        }, status=status)

    def get(self, request):
        membership = permissions.require_membership(request.user)
        permissions.require_manage_webhooks(request.user)
        return self.page(request, membership)

    def post(self, request):
        """Register: the signing secret is shown on this answer, and never again."""
        membership = permissions.require_membership(request.user)
        permissions.require_manage_webhooks(request.user)
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                subscription = webhooks.webhook_create(
                    organisation=membership.organisation, url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"])
            except ValidationError as error:
                service_errors_onto(form, error)
            else:
                return self.page(request, membership, status=201, secret=subscription.secret, shown=subscription)
        return self.page(request, membership, form, status=400)


class WebhookDetailView(ConsolePage):
    template = "console/organisation/webhook.html"

    def subscription(self, request, pk):
        permissions.require_membership(request.user)
        permissions.require_manage_webhooks(request.user)
        subscription = WebhookSubscription.objects.restrict(request.user, "view").filter(pk=pk).first()
        if subscription is None:
            raise Http404(_("No such webhook of your organisation."))
        return subscription

    def page(self, request, subscription, *, secret=None):
        deliveries = (WebhookDelivery.objects.filter(subscription=subscription).select_related("event")
                      .defer("body").order_by("-created")[:50])
        return render(request, self.template, {"subscription": subscription, "deliveries": deliveries,
                                               "secret": secret})

    def get(self, request, pk):
        return self.page(request, self.subscription(request, pk))


class WebhookRotateView(WebhookDetailView):
    http_method_names = ["post", "options"]

    def post(self, request, pk):
        subscription = webhooks.webhook_rotate_secret(subscription=self.subscription(request, pk))
        return self.page(request, subscription, secret=subscription.secret)
