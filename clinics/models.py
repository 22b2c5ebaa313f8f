"""Associations (都道府県医師会) and their member clinics, invitations and requests to join."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from eligibility.models import LegalFormCode

from . import prefectures
from .prefectures import PREFECTURE_CHOICES


class Association(models.Model):
    prefecture_code = models.PositiveSmallIntegerField("都道府県コード", unique=True)
    prefecture = models.CharField(
        "都道府県", max_length=10, unique=True, choices=PREFECTURE_CHOICES
    )
    name = models.CharField("名称", max_length=50, unique=True)
    contact_email = models.EmailField("連絡先メールアドレス", blank=True)
    contact_phone = models.CharField("連絡先電話番号", max_length=20, blank=True)
    contact_address = models.CharField("所在地", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "医師会"
        ordering = ["prefecture_code"]

    def __str__(self) -> str:
        return self.name


class Clinic(models.Model):
    """A member clinic. Legal form and headcount decide whether it is an SME for the programme."""

    LegalFormCode = LegalFormCode

    association = models.ForeignKey(
        Association, verbose_name="所属医師会", on_delete=models.PROTECT, related_name="clinics"
    )
    name = models.CharField("医療機関名", max_length=100)
    name_kana = models.CharField("医療機関名（フリガナ）", max_length=200, blank=True)
    legal_form = models.CharField("開設主体", max_length=40, choices=LegalFormCode, blank=True)
    corporate_number = models.CharField("法人番号", max_length=13, blank=True)
    representative = models.CharField("開設者・代表者", max_length=100, blank=True)
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    prefecture = models.CharField("都道府県", max_length=10, choices=PREFECTURE_CHOICES, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    phone = models.CharField("電話番号", max_length=20, blank=True)
    employees = models.PositiveIntegerField("常時使用する従業員数", null=True, blank=True)
    insurance_code = models.CharField("保険医療機関コード", max_length=10, blank=True)
    new_round_notice = models.DateTimeField(
        "新しい公募回のお知らせの希望",
        null=True,
        blank=True,
        editable=False,  # set from a result page (clinics.services), not in the profile forms
        help_text="受付中の回がないときに「新しい回が発表されたら知らせてほしい」と希望した日時"
        "（空欄：希望なし）。",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "医療機関"
        ordering = ["name_kana", "id"]
        indexes = [models.Index(fields=["association", "name_kana"])]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "corporate_number"],
                condition=~models.Q(corporate_number=""),
                name="unique_corporate_number_per_association",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def profile_complete(self) -> bool:
        """Members imported or invited may lack details until the clinic fills its profile."""
        required = [self.name_kana, self.legal_form, self.representative, self.postal_code]
        required += [self.prefecture, self.address, self.phone]
        if self.legal_form and self.legal_form != LegalFormCode.INDIVIDUAL:
            required.append(self.corporate_number)
        return all(required) and self.employees is not None

    @property
    def prefecture_warning(self) -> str:
        """For staff: "" unless the clinic's prefecture is not its association's."""
        return prefectures.prefecture_warning(
            prefecture=self.prefecture, association=self.association, wording="member"
        )


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class Invitation(models.Model):
    """A single-use, expiring link that staff send to a clinic's e-mail address."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="invitations"
    )
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("メールアドレス")
    clinic_name = models.CharField("医療機関名", max_length=100, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "招待"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class JoinRequest(models.Model):
    """A clinic's request to join its association; staff approve or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", "承認待ち"
        APPROVED = "approved", "承認済み"
        REJECTED = "rejected", "却下"

    association = models.ForeignKey(
        Association, verbose_name="医師会", on_delete=models.CASCADE, related_name="join_requests"
    )
    clinic_name = models.CharField("医療機関名", max_length=100)
    contact_name = models.CharField("ご担当者名", max_length=100)
    email = models.EmailField("メールアドレス")
    phone = models.CharField("電話番号", max_length=20)
    message = models.TextField("ひとこと", blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "入会の申し出"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.clinic_name}（{self.get_status_display()}）"


class MemberImport(models.Model):
    """An uploaded member list (会員名簿), read and checked row by row, kept on the server between
    the preview and the confirmation so that the confirmation never trusts resubmitted data.

    ``rows`` holds, for each data row of the file, its row number, the name as written, the
    cleaned values of the cells that were filled in, and the reasons it cannot be imported.
    Matching with the association's members is done again when the preview is shown and when it
    is confirmed, against the members as they are then."""

    association = models.ForeignKey(
        Association, verbose_name="医師会", on_delete=models.CASCADE, related_name="member_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("読み込み日時", auto_now_add=True)
    file_name = models.CharField("ファイル名", max_length=255)
    columns = models.JSONField("見出し", default=dict)
    rows = models.JSONField("行", default=list)
    confirmed_at = models.DateTimeField("取り込み日時", null=True, blank=True)
    result = models.JSONField("取り込み結果", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会員名簿の取り込み"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
