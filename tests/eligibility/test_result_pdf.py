"""The result as a PDF: same numbers as the page, cached, and only for the right people."""

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.test import override_settings
from pypdf import PdfReader

from eligibility import pdf, result_pdf
from eligibility.selectors import rule_version_published, today
from eligibility.services import (
    rule_version_clone,
    rule_version_publish,
    screening_complete,
    screening_create,
    screening_save_step,
)
from tests import factories
from tests.factories import param_of

pytestmark = pytest.mark.django_db

ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["normal", "invoice", "security"],
    "normal": {
        "tools": ["web_reservation", "emr_integration"],
        "purchase_yen": 1_200_000,
        "cloud_monthly_yen": 30_000,
        "cloud_months": 36,
    },
    "invoice": {"tools": ["accounting", "cashless"], "purchase_yen": 1_000_000},
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "minimum_wage_near": False,
    "tools_done": True,
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def screening():
    clinic = factories.clinic(name="医療法人 髙橋会 髙橋内科クリニック", employees=40)
    user = factories.clinic_user(clinic)
    screening = screening_create(clinic=clinic, name="A社の見積り", by=user)
    screening.answers = ANSWERS
    screening.save()
    screening_complete(screening=screening, as_of=date(2026, 6, 1))
    screening.user = user
    return screening


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_the_same_numbers_as_the_result_page(client, screening):
    client.force_login(screening.user)
    page = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    text = pdf_text(client.get(f"/screenings/{screening.pk}/result.pdf"))
    flat = text.replace("\n", "").replace(" ", "")
    assert "医療法人髙橋会髙橋内科クリニック" in flat
    assert "デジタル化・AI導入補助金2026申請可否の確認結果" in flat
    assert f"HN-{screening.pk:06d}" in flat
    for amount in ("960,000円", "722,222円", "240,000円"):  # 通常枠, インボイス, セキュリティ
        assert amount in page and amount in flat
    # on 2026-12-01 every round has closed: the frames qualify, but none can be applied for now
    assert "申請可能" not in flat.replace("申請可否", "")
    assert flat.count("要件を満たす（受付中の回なし）") >= 3
    assert "受付終了（次回は未発表）" in flat and "未発表" in flat
    assert "IT導入支援事業者" in flat and "公募要領で要確認" in flat
    assert "ページ" in flat  # page numbers in the running footer
    drawn = pdf.primary_characters()
    missing = {c for c in flat if c not in drawn and c.isprintable() and not c.isspace()}
    assert not missing  # every character is in the shipped font: no tofu


def test_an_old_result_keeps_its_numbers_in_the_pdf(client, screening):
    client.force_login(screening.user)
    draft = rule_version_clone(version=rule_version_published(), label="2026.2")
    param_of(draft.document, "security", "rate")["value"] = "2/3"
    draft.save()
    rule_version_publish(version=draft)
    flat = pdf_text(client.get(f"/screenings/{screening.pk}/result.pdf")).replace("\n", "")
    assert "240,000円" in flat and "320,000円" not in flat
    assert "2026.1" in flat


def test_a_repeat_download_comes_from_the_cache_until_the_screening_changes(
    client, screening, monkeypatch
):
    client.force_login(screening.user)
    url = f"/screenings/{screening.pk}/result.pdf"
    renders = []
    render_pdf = pdf.render_pdf
    monkeypatch.setattr(
        pdf, "render_pdf", lambda *a, **kw: renders.append(1) or render_pdf(*a, **kw)
    )
    first = client.get(url).content
    assert client.get(url).content == first
    assert len(renders) == 1
    screening.name = "B社の見積り"
    screening.save()
    flat = pdf_text(client.get(url)).replace("\n", "")
    assert "B社の見積り" in flat
    assert len(renders) == 2


def test_a_new_code_version_makes_the_pdf_again(client, screening, monkeypatch):
    """A deploy that changes a template or the engine never serves a PDF made before it."""
    client.force_login(screening.user)
    url = f"/screenings/{screening.pk}/result.pdf"
    client.get(url)
    renders = []
    render_pdf = pdf.render_pdf
    monkeypatch.setattr(
        pdf, "render_pdf", lambda *a, **kw: renders.append(1) or render_pdf(*a, **kw)
    )
    monkeypatch.setattr(result_pdf, "code_version", lambda: "next-deploy")
    client.get(url)
    assert len(renders) == 1


def test_the_code_version_changes_with_a_file_that_shapes_the_pdf(tmp_path, monkeypatch):
    stylesheet = tmp_path / "pdf.css"
    stylesheet.write_bytes(pdf.PDF_CSS.read_bytes())
    monkeypatch.setattr(pdf, "PDF_CSS", stylesheet)
    result_pdf.code_version.cache_clear()
    try:
        before = result_pdf.code_version()
        assert result_pdf.code_version() == before  # once per process
        stylesheet.write_text(stylesheet.read_text() + "\nh1 { color: black; }")
        result_pdf.code_version.cache_clear()
        assert result_pdf.code_version() != before
    finally:
        result_pdf.code_version.cache_clear()


def test_the_page_and_the_pdf_show_a_renamed_clinic_at_once(client, screening):
    """A change of the clinic is part of the PDF's cache key."""
    client.force_login(screening.user)
    page, pdf_url = f"/screenings/{screening.pk}/result/", f"/screenings/{screening.pk}/result.pdf"
    assert screening.clinic.name in client.get(page).content.decode()
    client.get(pdf_url)
    clinic = screening.clinic
    clinic.name = "医療法人 改名会 かいめいクリニック"
    clinic.save()
    assert "かいめいクリニック" in client.get(page).content.decode()
    assert "かいめいクリニック" in pdf_text(client.get(pdf_url))


def test_only_the_clinic_and_its_associations_staff_can_download(client, screening):
    url = f"/screenings/{screening.pk}/result.pdf"
    client.force_login(factories.staff("東京都"))
    assert client.get(url).status_code == 200
    for other in (factories.staff("大阪府"), factories.clinic_user(), factories.rule_admin()):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(screening.user)
    assert client.post(url).status_code == 405


def test_the_result_page_shows_the_answers_as_saved_now(client, screening):
    client.force_login(screening.user)
    page = f"/screenings/{screening.pk}/result/"
    assert "中小企業等に該当しません" not in client.get(page).content.decode()
    screening_save_step(screening=screening, values={"employees": 400}, next_step="result")
    html = client.get(page).content.decode()
    assert "中小企業等に該当しません" in html  # 医療法人 over 300 staff


@override_settings(
    PDF_PRERENDER=True, TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
)
def test_the_worker_renders_the_pdf_of_a_completed_screening_before_the_first_click(
    client, monkeypatch, run_ready_tasks, django_capture_on_commit_callbacks
):
    clinic = factories.clinic(employees=40)
    user = factories.clinic_user(clinic)
    screening = screening_create(clinic=clinic, name="A社の見積り", by=user)
    screening.answers = ANSWERS
    screening.save()
    with django_capture_on_commit_callbacks(execute=True):
        screening_complete(screening=screening, as_of=today())
    renders = []
    render_pdf = pdf.render_pdf
    monkeypatch.setattr(
        pdf, "render_pdf", lambda *a, **kw: renders.append(1) or render_pdf(*a, **kw)
    )
    assert [task.status for task in run_ready_tasks()] == ["SUCCESSFUL"]
    assert renders == [1]  # by the worker

    client.force_login(user)
    response = client.get(f"/screenings/{screening.pk}/result.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert renders == [1]  # the first click is a cache hit


@override_settings(
    PDF_PRERENDER=True, TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
)
def test_a_screening_reopened_before_the_worker_runs_is_not_rendered(
    run_ready_tasks, django_capture_on_commit_callbacks
):
    clinic = factories.clinic(employees=40)
    user = factories.clinic_user(clinic)
    screening = screening_create(clinic=clinic, name="A社の見積り", by=user)
    screening.answers = ANSWERS
    screening.save()
    with django_capture_on_commit_callbacks(execute=True):
        screening_complete(screening=screening, as_of=today())
    screening_save_step(screening=screening, values={"employees": 41}, next_step="tools")
    (result,) = run_ready_tasks()
    assert result.status == "SUCCESSFUL" and result.return_value == {"rendered": False}
