"""Builders for the notice tests: the JMA notice, publications in each state, uploads."""

import io
import zipfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from announcements.models import Publication
from announcements.services import notice_jma_ensure
from tests import factories

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE2_BYTES = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def ooxml_bytes(folder: str = "word/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str = "案内チラシ.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def publication(
    prefecture: str = "東京都",
    *,
    state: str = "live",
    with_notice: bool = True,
    **fields,
) -> Publication:
    """state: draft, live (published an hour ago), scheduled (in a day) or withdrawn."""
    now = timezone.now()
    values = {
        "association": factories.association(prefecture),
        "notice": notice_jma_ensure() if with_notice else None,
        "title": f"{prefecture}医師会からのご案内",
        "cover_message": "日頃より本会の事業にご協力を賜り、厚く御礼申し上げます。",
        "contact": f"{prefecture}医師会 事務局",
        "body": "" if with_notice else "独自のお知らせの本文です。",
    }
    if state == "live":
        values |= {"status": "published", "publish_at": now - timedelta(hours=1)}
    elif state == "scheduled":
        values |= {"status": "published", "publish_at": now + timedelta(days=1)}
    elif state == "withdrawn":
        values |= {
            "status": "withdrawn",
            "publish_at": now - timedelta(hours=2),
            "withdrawn_at": now - timedelta(hours=1),
        }
    return Publication.objects.create(**(values | fields))
