"""Notices: the national one (the JMA's 日医発第390号, kept as structured data) and what each
association publishes to its member clinics, with attachments and read receipts.

Domain terms, once:

- ``Notice``: a national notice (通知), e.g. from the Japan Medical Association.
- ``Publication``: an association's notice to its members (会員へのお知らせ): a cover message
  (送付状) with the national notice, or the staff's own text.
- ``ReadReceipt``: a clinic user opened a publication (既読), counted once per person.
- ``Reminder``: the staff's reminder e-mail to the members to follow up (リマインドメール).
"""

from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def subject_one_line(value: str) -> None:
    """A title that becomes an e-mail's subject is one line: a line break in a header stops the
    e-mail (CR, LF and Unicode's line breaks alike)."""
    if "".join(value.splitlines()) != value:
        raise ValidationError(
            "件名に改行は入れられません。1行で入力してください。", code="line_break"
        )


class Notice(models.Model):
    """A national notice, structured so that it reads as a letter on screen."""

    key = models.SlugField("キー", max_length=50, unique=True)
    number = models.CharField("文書番号", max_length=100)
    issued_on = models.DateField("発出日")
    issued_on_text = models.CharField("発出日（原文の表記）", max_length=50)
    addressee = models.JSONField("宛先（行ごと）", default=list)
    sender_organization = models.CharField("発信者", max_length=100)
    sender_officers = models.JSONField("発信者の役職・氏名（行ごと）", default=list)
    seal_note = models.CharField("公印の扱い", max_length=50, blank=True)
    title = models.CharField("件名", max_length=200)
    paragraphs = models.JSONField("本文（段落ごと）", default=list)
    website = models.JSONField("案内するWebサイト", default=dict, blank=True)
    contact = models.JSONField("問い合わせ先", default=dict, blank=True)
    closing = models.CharField("結語", max_length=20, blank=True)
    attachments = models.JSONField("添付資料の名前", default=list, blank=True)
    source = models.CharField("出典", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "全国の通知"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Publication(models.Model):
    """An association's notice to its member clinics.

    Draft, then published (``publish_at`` now, or later: scheduled), or withdrawn. Members see
    it from ``publish_at`` on; ``notified_at`` records that its e-mails were queued (one Email per
    member: staff see how many were sent, are pending and failed, and can send the failed again)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        PUBLISHED = "published", "公開"
        WITHDRAWN = "withdrawn", "取り下げ"

    association = models.ForeignKey(
        "clinics.Association",
        verbose_name="医師会",
        on_delete=models.CASCADE,
        related_name="publications",
    )
    notice = models.ForeignKey(
        Notice,
        verbose_name="添える全国の通知",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    title = models.CharField("件名", max_length=200, validators=[subject_one_line])
    cover_message = models.TextField("送付状（会員へのメッセージ）")
    contact = models.TextField("問い合わせ先", blank=True)
    body = models.TextField("本文", blank=True)
    status = models.CharField("状態", max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField("公開日時", null=True, blank=True)
    notified_at = models.DateTimeField("お知らせメールの送信日時", null=True, blank=True)
    withdrawn_at = models.DateTimeField("取り下げ日時", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "会員へのお知らせ"
        ordering = ["-publish_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["association", "status", "publish_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.notice_id is None and not self.body.strip():
            raise ValidationError(
                {"body": "全国の通知を添えない場合は、お知らせの本文を入力してください。"}
            )
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            raise ValidationError({"publish_at": "公開日時を指定してください。"})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def is_live(self) -> bool:
        """Members can see it now."""
        return self.status == self.Status.PUBLISHED and not self.is_scheduled

    @property
    def status_label(self) -> str:
        if self.is_scheduled:
            return "公開予約"
        if self.is_live:
            return "公開中"
        return self.get_status_display()


def _attachment_path(instance: "Attachment", filename: str) -> str:
    """A random name on disk (the person's file name is kept in ``original_name``)."""
    suffix = PurePath(filename).suffix.lower()
    return f"notices/{instance.publication_id}/{uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A PDF or Office file attached to a publication. Stored under MEDIA_ROOT (outside the web
    root, no URL route serves it); downloaded only through the access-checked view."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("ファイル", upload_to=_attachment_path, max_length=255)
    original_name = models.CharField("ファイル名", max_length=255)
    content_type = models.CharField("種類", max_length=100)
    size = models.PositiveBigIntegerField("大きさ（バイト）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("添付日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "添付ファイル"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind_label(self) -> str:
        suffix = PurePath(self.original_name).suffix.lower()
        return {
            ".pdf": "PDF",
            ".doc": "Word",
            ".docx": "Word",
            ".xls": "Excel",
            ".xlsx": "Excel",
            ".ppt": "PowerPoint",
            ".pptx": "PowerPoint",
        }.get(suffix, "ファイル")


class ReadReceipt(models.Model):
    """A clinic user opened a publication. One per person and publication."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_receipts"
    )
    read_at = models.DateTimeField("既読日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "既読"
        constraints = [
            models.UniqueConstraint(fields=["publication", "user"], name="one_receipt_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.publication} / {self.user}"


class Reminder(models.Model):
    """A reminder e-mail the staff sent to the members to follow up: when, by whom, to which
    members and how many e-mails. The dashboard shows the last one and each member's last."""

    association = models.ForeignKey(
        "clinics.Association", on_delete=models.CASCADE, related_name="reminders"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="送った人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)
    clinics = models.ManyToManyField(
        "clinics.Clinic", verbose_name="送った会員", related_name="reminders"
    )
    emails = models.PositiveIntegerField("メールの数")

    class Meta:
        verbose_name = verbose_name_plural = "リマインドメール"
        indexes = [models.Index(fields=["association", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.association} {self.sent_at:%Y-%m-%d %H:%M}"


class Email(models.Model):
    """One e-mail to one address: the outbox the task worker delivers (announcements.outbox).

    Marked sent only after the mail server has accepted it. A worker that dies while sending
    leaves its claimed e-mail ``sending`` and the rest ``pending``; the claim lapses after
    ``settings.EMAIL_CLAIM_SECONDS`` and the next delivery takes it up, so every member gets the
    e-mail once (twice only if the worker died between the server's acceptance and the next
    write, a window of milliseconds)."""

    class Status(models.TextChoices):
        PENDING = "pending", "送信待ち"
        SENDING = "sending", "送信中"
        SENT = "sent", "送信済み"
        FAILED = "failed", "送信失敗"

    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    reminder = models.ForeignKey(
        Reminder, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.EmailField("宛先")
    subject = models.TextField("件名")
    body = models.TextField("本文")
    headers = models.JSONField("追加のヘッダー", default=dict, blank=True)  # List-Unsubscribe…
    status = models.CharField("状態", max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("送信を試みた回数", default=0)
    error = models.TextField("最後の失敗の理由", blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    claimed_at = models.DateTimeField("送信を始めた日時", null=True, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "メール"
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["publication", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.to} {self.subject}"


class DeadlineReminder(models.Model):
    """A reminder of a round's deadline sent to one clinic (manage.py send_deadline_reminders):
    at most one per clinic, frame, round and reminder, however often and however many times at
    once the command runs (the unique constraint decides; the e-mails are written with it)."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.CASCADE, related_name="deadline_reminders"
    )
    programme = models.CharField("制度", max_length=100)
    frame_code = models.CharField("枠", max_length=20)
    round_number = models.PositiveSmallIntegerField("回")
    closes_on = models.DateField("締切日")
    days_before = models.PositiveSmallIntegerField("締切の何日前のお知らせか")
    emails = models.PositiveIntegerField("メールの数", default=0)
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "締切前のお知らせ"
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "programme", "frame_code", "round_number", "days_before"],
                name="one_deadline_reminder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic} {self.frame_code} 第{self.round_number}次 {self.days_before}日前"


class NationalTemplate(models.Model):
    """A notice the Japan Medical Association offers every association's staff as a template:
    once published, each association can make a draft of its own notice from it and adapt it."""

    title = models.CharField("件名", max_length=200, validators=[subject_one_line])
    cover_message = models.TextField("送付状（会員へのメッセージ）")
    body = models.TextField("本文")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    published_at = models.DateTimeField("医師会への公開日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "日本医師会からのひな形"
        ordering = ["-published_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
