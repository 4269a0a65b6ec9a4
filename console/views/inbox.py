"""The start page and the inbox of open offers."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals import selectors, services

from .base import ConsoleView


class HomeView(ConsoleView):
    def get(self, request):
        return redirect("console:inbox")


def time_left(offer, now) -> str:
    left = offer.created + services.offer_ttl(offer.referral.urgency) - now
    minutes = int(left.total_seconds() // 60)
    if minutes <= 0:
        return _("expiring now")
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min left") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min left") % {"minutes": minutes}


class InboxView(ConsoleView):
    """Open offers to the user's organisation, most urgent first, with the time left to answer."""

    def get(self, request):
        now = timezone.now()
        offers = list(selectors.inbox_for(request.user)[:100])
        for offer in offers:
            offer.time_left = time_left(offer, now)
        template = "console/_inbox_list.html" if request.htmx else "console/inbox.html"
        return render(request, template, {"offers": offers})
