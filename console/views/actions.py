"""The actions of the referral page: each a POST form that works without JavaScript. A done action
redirects to the referral page (or, when the organisation lost its access by it, to the inbox); a
refused one shows the referral page again with the service's message and its status."""

import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from referrals import permissions, services

from ..forms import DeclineForm, OutcomeForm, ReasonForm
from .base import ConsoleView, not_found_page
from .referrals import NOT_FOUND, detail_context, referral_or_404
from .refusals import is_refusal, refusal_messages, refusal_status


class ReferralActionView(ConsoleView):
    """POST only. `act` calls the service; it returns where to go next (None: the referral page)."""

    form_class = None
    form_name = ""  # the form's name on the referral page, re-shown with its errors
    confirm_template = None  # a confirmation step before the action (for those who may take it)
    confirm_right = ""

    def post(self, request, pk):
        referral = referral_or_404(request, pk)
        if referral is None:
            return not_found_page(request, NOT_FOUND)
        if (self.confirm_template and request.POST.get("confirm") != "yes"
                and getattr(permissions.may_act_on(request.user, referral), self.confirm_right)):
            return render(request, self.confirm_template, {"referral": referral})
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.refused(request, referral, status=400, form=form)
        try:
            target = self.act(request, referral, form.cleaned_data if form else {})
        except Exception as error:
            if not is_refusal(error):
                raise
            if refusal_status(error) == 404:
                return not_found_page(request, NOT_FOUND)
            return self.refused(request, referral, status=refusal_status(error), errors=refusal_messages(error),
                                form=form)
        return redirect(target or "console:referral-detail", **({} if target else {"pk": referral.pk}))

    def refused(self, request, referral, *, status: int, errors=(), form=None):
        referral.refresh_from_db()
        extra = {"errors": list(errors)}
        if form is not None and self.form_name:
            extra[self.form_name] = form
        return render(request, "console/referral_detail.html", detail_context(request, referral, **extra),
                      status=status)

    def act(self, request, referral, data):
        raise NotImplementedError


class RouteView(ReferralActionView):
    def act(self, request, referral, data):
        if request.POST.get("mode") == "auto":
            services.referral_route(referral=referral, by=request.user, auto=True)
        else:
            services.referral_route(referral=referral, by=request.user,
                                    organisation_ids=_uuids(request.POST.getlist("organisations")))


def _uuids(values: list[str]) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(value) for value in values]
    except ValueError:
        raise ValidationError({"organisations": "choose organisations from the list"}) from None


class AcceptView(ReferralActionView):
    def act(self, request, referral, data):
        services.offer_accept(referral=referral, by=request.user)


class DeclineView(ReferralActionView):
    form_class, form_name = DeclineForm, "decline_form"

    def act(self, request, referral, data):
        services.offer_decline(referral=referral, by=request.user, reason=data["reason"])
        return "console:inbox"  # declining ends the organisation's access


class WithdrawView(ReferralActionView):
    confirm_template, confirm_right = "console/confirm_withdraw.html", "withdraw"

    def act(self, request, referral, data):
        services.referral_withdraw(referral=referral, by=request.user)


class WithdrawConsentView(ReferralActionView):
    confirm_template, confirm_right = "console/confirm_withdraw_consent.html", "withdraw_consent"

    def act(self, request, referral, data):
        services.referral_withdraw_consent(referral=referral, by=request.user)


class OutcomeView(ReferralActionView):
    form_class, form_name = OutcomeForm, "outcome_form"

    def act(self, request, referral, data):
        services.outcome_record(referral=referral, by=request.user, **data)


class CloseView(ReferralActionView):
    form_class, form_name = ReasonForm, "close_form"

    def act(self, request, referral, data):
        services.referral_close(referral=referral, by=request.user, reason=data["reason"])
