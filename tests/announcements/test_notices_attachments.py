"""Attachments: PDF and Office files only (checked by content), 10 MB at most, stored outside
the web root, downloaded only by the association's clinic users and staff."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError

from announcements.models import Attachment, Publication
from announcements.services import ATTACHMENT_MAX_BYTES, attachment_add, attachment_check
from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("案内.pdf", nf.PDF_BYTES, "application/pdf"),
        ("案内.PDF", nf.PDF_BYTES, "application/pdf"),
        ("旧形式.doc", nf.OLE2_BYTES, "application/msword"),
        ("旧形式.xls", nf.OLE2_BYTES, "application/vnd.ms-excel"),
        ("旧形式.ppt", nf.OLE2_BYTES, "application/vnd.ms-powerpoint"),
        ("文書.docx", nf.ooxml_bytes("word/"), "application/vnd.openxmlformats-officedocument"),
        ("表.xlsx", nf.ooxml_bytes("xl/"), "application/vnd.openxmlformats-officedocument"),
        ("資料.pptx", nf.ooxml_bytes("ppt/"), "application/vnd.openxmlformats-officedocument"),
    ],
    ids=["pdf", "pdf-upper", "doc", "xls", "ppt", "docx", "xlsx", "pptx"],
)
def test_pdf_and_office_files_are_accepted(name, content, content_type):
    assert attachment_check(nf.upload(name, content)).startswith(content_type)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", nf.EXE_BYTES, "添付できない種類のファイルです"),
        ("案内.pdf", nf.EXE_BYTES, "中身がPDFのファイルではありません"),
        ("案内.pdf", b"<html><script>alert(1)</script>", "中身がPDFのファイルではありません"),
        ("文書.docx", b"PK\x03\x04not really a zip", "中身がWordのファイルではありません"),
        ("表.xlsx", nf.ooxml_bytes("word/"), "中身がExcelのファイルではありません"),
        ("旧形式.doc", nf.PDF_BYTES, "中身がWordのファイルではありません"),
        ("画像.png", b"\x89PNG\r\n\x1a\n", "添付できない種類のファイルです"),
        ("空.pdf", b"", "空のファイルです"),
    ],
    ids=[
        "exe",
        "exe-renamed-pdf",
        "html-renamed-pdf",
        "broken-zip",
        "word-renamed-xlsx",
        "pdf-renamed-doc",
        "png",
        "empty",
    ],
)
def test_other_files_are_refused_with_a_japanese_message(name, content, message):
    with pytest.raises(ValidationError) as error:
        attachment_check(nf.upload(name, content))
    assert message in error.value.messages[0]


def test_a_file_over_10_mb_is_refused():
    big = nf.upload("大きな資料.pdf", nf.PDF_BYTES + b"0" * ATTACHMENT_MAX_BYTES)
    with pytest.raises(ValidationError) as error:
        attachment_check(big)
    assert "添付できるのは1ファイル10MBまでです" in error.value.messages[0]
    exactly = nf.upload("ちょうど.pdf", nf.PDF_BYTES.ljust(ATTACHMENT_MAX_BYTES, b"0"))
    assert attachment_check(exactly) == "application/pdf"


def test_staff_attach_a_file_stored_outside_the_web_root(client, settings):
    draft = nf.publication(state="draft")
    client.force_login(factories.staff())
    response = client.post(
        f"/staff/notices/{draft.pk}/attachments/", {"file": nf.upload("案内チラシ.pdf")}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "案内チラシ.pdf" and attachment.size == len(nf.PDF_BYTES)
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(settings.MEDIA_ROOT) and stored.read_bytes() == nf.PDF_BYTES
    assert "案内チラシ" not in stored.name  # a random name on disk
    assert not stored.is_relative_to(Path(settings.BASE_DIR) / "static")


def test_a_renamed_exe_is_refused_by_the_page(client):
    draft = nf.publication(state="draft")
    client.force_login(factories.staff())
    response = client.post(
        f"/staff/notices/{draft.pk}/attachments/", {"file": nf.upload("案内.pdf", nf.EXE_BYTES)}
    )
    assert response.status_code == 400
    assert "中身がPDFのファイルではありません" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_published_notice_takes_no_new_files(client):
    live = nf.publication(state="live")
    client.force_login(factories.staff())
    response = client.post(f"/staff/notices/{live.pk}/attachments/", {"file": nf.upload()})
    assert response.status_code == 400 and not Attachment.objects.exists()


def test_staff_remove_a_file_from_a_draft(client):
    draft = nf.publication(state="draft")
    staff = factories.staff()
    attachment = attachment_add(publication=draft, upload=nf.upload(), by=staff)
    path = Path(attachment.file.path)
    client.force_login(staff)
    url = f"/staff/notices/{draft.pk}/attachments/{attachment.pk}/delete/"
    assert client.post(url).status_code == 302
    assert not Attachment.objects.exists() and not path.exists()


def _attached(prefecture="東京都", state="live"):
    """A file attached while the notice was a draft, then the notice put in ``state``."""
    publication = nf.publication(prefecture, state=state)
    wanted = {f: getattr(publication, f) for f in ("status", "publish_at", "withdrawn_at")}
    Publication.objects.filter(pk=publication.pk).update(status="draft")
    publication.status = "draft"
    attachment = attachment_add(
        publication=publication,
        upload=nf.upload("デジタル化・AI導入補助金2026 案内チラシ.pdf"),
        by=factories.staff(prefecture),
    )
    Publication.objects.filter(pk=publication.pk).update(**wanted)
    return publication, attachment


def test_a_member_downloads_it_as_an_attachment_with_its_japanese_name(client):
    publication, attachment = _attached()
    client.force_login(factories.clinic_user(factories.clinic()))
    response = client.get(f"/notices/{publication.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == nf.PDF_BYTES
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("デジタル化・AI導入補助金2026 案内チラシ.pdf") in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("who", "state", "status"),
    [
        ("tokyo_clinic", "live", 200),
        ("tokyo_staff", "live", 200),
        ("tokyo_staff", "draft", 200),
        ("tokyo_clinic", "draft", 404),
        ("tokyo_clinic", "scheduled", 404),
        ("tokyo_clinic", "withdrawn", 404),
        ("osaka_clinic", "live", 404),
        ("osaka_staff", "live", 404),
        ("rule_admin", "live", 404),
        ("anonymous", "live", 302),
    ],
)
def test_only_the_associations_people_download_it(client, who, state, status):
    publication, attachment = _attached(state=state)
    people = {
        "tokyo_clinic": lambda: factories.clinic_user(factories.clinic()),
        "tokyo_staff": lambda: factories.staff("東京都"),
        "osaka_clinic": lambda: factories.clinic_user(factories.clinic(prefecture="大阪府")),
        "osaka_staff": lambda: factories.staff("大阪府"),
        "rule_admin": factories.rule_admin,
    }
    if who in people:
        client.force_login(people[who]())
    response = client.get(f"/notices/{publication.pk}/attachments/{attachment.pk}/")
    assert response.status_code == status


def test_the_file_is_not_reachable_through_another_notices_url(client):
    _, attachment = _attached()
    other = nf.publication()
    client.force_login(factories.clinic_user(factories.clinic()))
    assert client.get(f"/notices/{other.pk}/attachments/{attachment.pk}/").status_code == 404


def test_no_url_serves_the_upload_folder(client):
    _, attachment = _attached()
    client.force_login(factories.staff())
    assert client.get("/" + attachment.file.name).status_code == 404
    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_download_rejects_post(client):
    publication, attachment = _attached()
    client.force_login(factories.clinic_user(factories.clinic()))
    url = f"/notices/{publication.pk}/attachments/{attachment.pk}/"
    assert client.post(url).status_code == 405
