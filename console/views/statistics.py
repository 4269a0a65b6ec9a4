"""Statistics for analysts (and an organisation over its own referrals): a chart and a table of
the counts, suppressed cells shown as "< k", the answer's privacy statement, and the CSV export.
The same calls as the API's statistics views: referrals.privacy.answers and referrals.export, with
the API's own query validation."""

import csv
import io

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from referrals.api.statistics import StatisticsQuerySerializer
from referrals.export import FIELDNAMES, export_release
from referrals.privacy import answers
from referrals.privacy.budget import BudgetExhausted
from referrals.statistics import statistics_scope

from ..forms_admin import StatisticsForm
from .pages import ConsolePage

BAR_WIDTH = 400  # the chart's widest bar, in its own units (the SVG scales to the page)
BAR_HEIGHT = 22


def _query(form: StatisticsForm) -> dict:
    """The form in the API's query parameters (months as their first instant, UTC)."""
    data = {"group_by": form.cleaned_data["group_by"]}
    for field, name in (("start", "from"), ("end", "to")):
        if form.cleaned_data.get(field):
            data[name] = f"{form.cleaned_data[field]}-01T00:00:00Z"
    return data


def _bars(answer: dict, dimension: str) -> list[dict]:
    cells = answer["cells"]
    top = max((cell["count"] or 0 for cell in cells), default=0) or 1
    bars = []
    for index, cell in enumerate(cells):
        count = cell["count"]
        bars.append({
            "label": str(cell.get(dimension)), "count": count, "suppressed": cell["suppressed"],
            "y": index * (BAR_HEIGHT + 6), "text_y": index * (BAR_HEIGHT + 6) + 16,
            "width": 0 if count is None else max(1, round(BAR_WIDTH * count / top)),
            "value_x": 160 + (0 if count is None else max(1, round(BAR_WIDTH * count / top))) + 6,
        })
    return bars


class StatisticsView(ConsolePage):
    template = "console/statistics/page.html"

    def get(self, request):
        statistics_scope(request.user)  # 403 for whoever reads no statistics (nor an organisation's)
        form = StatisticsForm(request.GET or {"group_by": "country"})
        context = {"form": form, "k": settings.STATS_MIN_CELL}
        if not form.is_valid():
            return render(request, self.template, context, status=400)
        query = StatisticsQuerySerializer(data=_query(form))
        if not query.is_valid():
            for name, errors in query.errors.items():
                form.add_error({"from": "start", "to": "end"}.get(name, name) if name != "non_field_errors" else None,
                               [str(error) for error in errors])
            return render(request, self.template, context, status=400)
        data = query.validated_data
        try:
            answer = answers.referral_statistics(
                request.user, group_by=data["group_by"], start=data.get("from"), end=data.get("to"))
        except BudgetExhausted as refusal:
            return render(request, self.template, {**context, "refusal": str(refusal)}, status=429)
        dimension = data["group_by"][0]
        bars = _bars(answer, dimension)
        return render(request, self.template, {
            **context, "answer": answer, "dimension": dimension, "bars": bars, "k": answer["k"],
            "chart_height": max(len(bars), 1) * (BAR_HEIGHT + 6),
        })


class StatisticsExportView(ConsolePage):
    """The data-sharing export as CSV, as GET /api/v1/stats/export/?format=csv answers it."""

    def get(self, request):
        release = export_release(statistics_scope(request.user).referrals())
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDNAMES, lineterminator="\n")
        writer.writeheader()
        writer.writerows(release.rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="referrals-ctdc.csv"'
        response["X-Suppressed-Rows"] = str(release.suppressed)
        return response
