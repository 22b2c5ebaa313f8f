import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from . import charts
from .past_results import TABLE_NAMES, comparison, past_results


def _own_prefecture(user) -> str | None:
    """The prefecture to highlight: the clinic's, else the association's, else none."""
    if user.clinic_id:
        return user.clinic.prefecture
    if user.association_id:
        return user.association.prefecture
    return None


@login_required
@require_GET
def past_results_page(request):
    """IT導入補助金2024・2025 results: charts drawn on the server, each with its table and CSV."""
    results = past_results()
    prefecture = _own_prefecture(request.user)
    svgs = charts.all_charts(results, highlight=prefecture)
    marks = {"prefectures": prefecture, "industries": charts.HEALTHCARE}
    sections = [
        {"table": comparison(name, results), "svg": mark_safe(svgs[name]), "mark": marks.get(name)}
        for name in ("frames", "industries", "prefectures", "amounts", "headcounts")
    ]  # the SVG text is escaped in charts
    ctx = {"results": results, "sections": sections, "prefecture": prefecture}
    return render(request, "announcements/past_results.html", ctx)


@login_required
@require_GET
def past_results_csv(request, table: str):
    """One table as CSV for Excel: UTF-8 with BOM, Japanese headers, CRLF line ends."""
    if table not in TABLE_NAMES:
        raise Http404("その表はありません。")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(comparison(table).csv_rows())
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    filename = f"it_hojokin_2024_2025_{table}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
