"""Share links: a clinic hands one screening's result to its IT導入支援事業者 (vendor) as a
read-only page and PDF that open without logging in, until the link expires or is revoked."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


def token_digest(token: str) -> str:
    """What is stored of a link's token: its SHA-256 (hex). The token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class ShareLink(models.Model):
    """One link to one screening's result. ``view_count`` counts the openings of the page and
    ``download_count`` the PDF downloads; ``last_opened_at`` is the latest of either."""

    screening = models.ForeignKey(
        "eligibility.Screening",
        verbose_name="申請可否の確認",
        on_delete=models.CASCADE,
        related_name="share_links",
    )
    token_hash = models.CharField("トークンのSHA-256", max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="発行した人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("発行日時", auto_now_add=True)
    expires_at = models.DateTimeField("有効期限")
    revoked_at = models.DateTimeField("無効にした日時", null=True, blank=True)
    view_count = models.PositiveIntegerField("ページを開いた回数", default=0)
    download_count = models.PositiveIntegerField("PDFをダウンロードした回数", default=0)
    last_opened_at = models.DateTimeField("最後に開かれた日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "共有リンク"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"共有リンク {self.pk}（{self.screening_id}）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired
