"""Writes of notices: the national notice loaded from data, publications (draft, publish now or
at a date, withdraw), attachments (type checked by content, size limited), read receipts, the
e-mails to members and the staff's reminders."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path, PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clinics.models import Association
from clinics.normalize import fit, fit_file_name
from eligibility.selectors import rule_set_for, rule_version_published

from .models import Attachment, Email, Notice, Publication, ReadReceipt, Reminder
from .outbox import absolute_url, emails_queue, emails_retry
from .selectors import members_to_follow_up, publication_latest_live, unread_forget

JMA_NOTICE_FILE = Path(__file__).resolve().parent / "jma_notice.json"
NOTICE_FIELDS = (
    "number",
    "issued_on",
    "issued_on_text",
    "addressee",
    "sender_organization",
    "sender_officers",
    "seal_note",
    "title",
    "paragraphs",
    "website",
    "contact",
    "closing",
    "attachments",
    "source",
)


# --- the national notice -----------------------------------------------------------------------


def jma_notice_fields() -> tuple[str, dict]:
    """The JMA notice's key and fields, as written in announcements/jma_notice.json."""
    document = json.loads(JMA_NOTICE_FILE.read_text(encoding="utf-8"))
    return document["key"], {name: document[name] for name in NOTICE_FIELDS}


def notice_jma_ensure() -> Notice:
    """Create or refresh the JMA notice from its data file (safe to run again)."""
    key, fields = jma_notice_fields()
    fields["issued_on"] = date.fromisoformat(fields["issued_on"])
    notice = Notice.objects.filter(key=key).first() or Notice(key=key)
    for name, value in fields.items():
        setattr(notice, name, value)
    notice.full_clean()
    notice.save()
    return notice


# --- publications ------------------------------------------------------------------------------


def association_contact_text(association: Association) -> str:
    """The association's contact lines for a cover message (送付状)."""
    lines = [f"{association.name} 事務局"]
    if association.contact_phone:
        lines.append(f"電話：{association.contact_phone}")
    if association.contact_email:
        lines.append(f"メール：{association.contact_email}")
    if association.contact_address:
        lines.append(f"所在地：{association.contact_address}")
    return "\n".join(lines)


def who_qualifies() -> str:
    """医療法人・社会福祉法人は常時使用する従業員300人以下、個人開業医は100人以下で対象になります。
    from the published version's legal forms and size table ("" before one is published)."""
    version = rule_version_published()
    if version is None:
        return ""
    rules = rule_set_for(version=version)
    names_by_limit: dict[int, list[str]] = {}
    for form in rules.legal_forms.values():
        limit = rules.size_categories[form.size_category].employees_max
        names_by_limit.setdefault(limit, []).append(form.name)
    parts = [f"{'・'.join(names)}は{limit}人以下" for limit, names in names_by_limit.items()]
    return f"常時使用する従業員が{'、'.join(parts)}で対象になります。"


def publication_initial(*, association: Association, notice: Notice | None) -> dict:
    """What a new publication's form starts with: the cover message and contact prefilled."""
    if notice is not None:
        title = fit(
            notice.title, Publication._meta.get_field("title").max_length, before="【ご案内】"
        )
        message = (
            "日頃より本会の事業にご協力を賜り、厚く御礼申し上げます。\n\n"
            f"このたび、日本医師会より「{notice.title}」（{notice.number}）が届きましたので、"
            "ご案内いたします。\n\n"
            f"{who_qualifies()}補助金ナビの「申請可否の確認」で、申請できる枠と補助額の目安をご確認ください。\n\n"
            "ご不明な点は、下記の事務局までお問い合わせください。"
        )
    else:
        title = ""
        message = "日頃より本会の事業にご協力を賜り、厚く御礼申し上げます。\n\n"
    return {
        "title": title,
        "notice": notice,
        "cover_message": message,
        "contact": association_contact_text(association),
    }


def publication_create(
    *,
    association: Association,
    by: User,
    title: str,
    cover_message: str,
    contact: str = "",
    body: str = "",
    notice: Notice | None = None,
) -> Publication:
    publication = Publication(
        association=association,
        notice=notice,
        title=title,
        cover_message=cover_message,
        contact=contact,
        body=body,
        created_by=by,
    )
    publication.full_clean()
    publication.save()
    return publication


def _require_draft(publication: Publication) -> None:
    if not publication.is_draft:
        raise ValidationError("公開・取り下げ済みのお知らせは変更できません。")


def publication_update(*, publication: Publication, **fields) -> Publication:
    _require_draft(publication)
    for name, value in fields.items():
        setattr(publication, name, value)
    publication.full_clean()
    publication.save()
    return publication


@transaction.atomic
def publication_publish(*, publication: Publication, at: datetime | None = None) -> int:
    """Publish a draft now (``at`` None: the members' e-mail is queued at once) or at ``at``
    (scheduled: ``manage.py send_due_notices`` queues it once it is due). Returns the e-mails
    queued for the task worker (announcements.tasks)."""
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    _require_draft(publication)
    now = timezone.now()
    if at is not None and at <= now:
        raise ValidationError("公開日時は現在より後の日時を指定してください。")
    publication.status = Publication.Status.PUBLISHED
    publication.publish_at = at or now
    publication.full_clean()
    publication.save(update_fields=["status", "publish_at", "updated_at"])
    # members see it (and their menus recount) once publication_notify claims it: now, or
    # when cron finds it due
    return 0 if at is not None else publication_notify(publication=publication)


def publication_withdraw(*, publication: Publication) -> Publication:
    """Members no longer see it (nor its files); a scheduled one is never sent."""
    if publication.status == Publication.Status.WITHDRAWN:
        return publication
    publication.status = Publication.Status.WITHDRAWN
    publication.withdrawn_at = timezone.now()
    publication.save(update_fields=["status", "withdrawn_at", "updated_at"])
    _forget_members_unread(publication.association_id)
    return publication


def _forget_members_unread(association_id: int) -> None:
    """The members' menus count their unread notices again."""
    user_ids = list(
        User.objects.filter(clinic__association_id=association_id).values_list("pk", flat=True)
    )
    _forget_unread(user_ids)


def _forget_unread(user_ids: list[int]) -> None:
    """Now, and again once committed: a page counting in between would cache the old figure."""
    unread_forget(user_ids=user_ids)
    transaction.on_commit(lambda: unread_forget(user_ids=user_ids))


def _signature(association: Association) -> str:
    phone = f"（電話 {association.contact_phone}）" if association.contact_phone else ""
    return f"{association.name} 事務局{phone}"


def _member_users(association: Association):
    return User.objects.filter(clinic__association=association, is_active=True).select_related(
        "clinic"
    )


@transaction.atomic
def publication_notify(*, publication: Publication) -> int:
    """E-mail every clinic user of the association a link to the notice, once: the first call
    claims ``notified_at``; later calls (a second click, the next cron run) send nothing.
    Returns the number of e-mails queued for the task worker."""
    now = timezone.now()
    claimed = Publication.objects.filter(
        pk=publication.pk,
        status=Publication.Status.PUBLISHED,
        publish_at__lte=now,
        notified_at__isnull=True,
    ).update(notified_at=now)
    if not claimed:
        return 0
    _forget_members_unread(publication.association_id)
    users = _member_users(publication.association)
    return emails_queue(_notice_emails(publication, users))


def _notice_emails(publication: Publication, users) -> list[Email]:
    """The notice's e-mail to each of these users: a link to it."""
    association = publication.association
    link = absolute_url(reverse("notice_detail", args=[publication.pk]))
    title = " ".join(publication.title.splitlines())  # a subject is one line
    return [
        Email(
            publication=publication,
            user=user,
            to=user.email,
            subject=f"【補助金ナビ】{association.name}からのお知らせ：{title}",
            body=f"{user.clinic.name} ご担当者様\n\n"
            f"{association.name}から、会員の皆さまへのお知らせを掲載しました。\n\n"
            f"「{title}」\n\n"
            f"次のリンクからご覧ください（補助金ナビへのログインが必要です）。\n{link}\n\n"
            f"{_signature(association)}",
        )
        for user in users
    ]


@transaction.atomic
def publication_resend(*, publication: Publication) -> int:
    """Queue the notice's failed e-mails again, once (a second click finds none failed). Only
    while members can see it, and only to those who are still active members. Returns the
    e-mails queued."""
    if not publication.is_live:
        return 0
    members = _member_users(publication.association)
    return emails_retry(publication.emails.filter(user__in=members))


def due_publications_notify() -> list[tuple[Publication, int]]:
    """E-mail the members of every scheduled notice that has become due (run from cron)."""
    due = Publication.objects.filter(
        status=Publication.Status.PUBLISHED,
        publish_at__lte=timezone.now(),
        notified_at__isnull=True,
    ).select_related("association")
    return [(p, publication_notify(publication=p)) for p in due]


# --- attachments -------------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # .doc .xls .ppt (Compound File Binary)
ZIP_MAGIC = b"PK\x03\x04"  # .docx .xlsx .pptx (Office Open XML)
ATTACHMENT_TYPES = {
    # suffix: (what the content must be, the folder an OOXML file has, content type, name)
    ".pdf": ("pdf", "", "application/pdf", "PDF"),
    ".doc": ("ole2", "", "application/msword", "Word"),
    ".xls": ("ole2", "", "application/vnd.ms-excel", "Excel"),
    ".ppt": ("ole2", "", "application/vnd.ms-powerpoint", "PowerPoint"),
    ".docx": (
        "ooxml",
        "word/",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
    ),
    ".xlsx": (
        "ooxml",
        "xl/",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel",
    ),
    ".pptx": (
        "ooxml",
        "ppt/",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
    ),
}
ALLOWED_SUFFIXES = " ".join(ATTACHMENT_TYPES)


def _ooxml_has(upload, folder: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def attachment_check(upload) -> str:
    """The content type of an uploaded PDF or Office file, decided by its content (magic bytes),
    not its name; a Japanese message names the problem otherwise."""
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise ValidationError(
            f"「{name}」は添付できない種類のファイルです。PDF、Word、Excel、PowerPoint の"
            f"ファイル（{ALLOWED_SUFFIXES}）を選んでください。"
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            f"「{name}」は{upload.size / 1024 / 1024:.1f}MBあります。添付できるのは1ファイル"
            f"{ATTACHMENT_MAX_BYTES // 1024 // 1024}MBまでです。PDFを圧縮するか、分けて添付してください。"
        )
    if upload.size == 0:
        raise ValidationError(f"「{name}」は空のファイルです。")
    kind, folder, content_type, label = ATTACHMENT_TYPES[suffix]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    ok = {
        "pdf": head.startswith(PDF_MAGIC),
        "ole2": head.startswith(OLE2_MAGIC),
        "ooxml": head.startswith(ZIP_MAGIC) and _ooxml_has(upload, folder),
    }[kind]
    upload.seek(0)
    if not ok:
        raise ValidationError(
            f"「{name}」は拡張子が {suffix} ですが、中身が{label}のファイルではありません。"
            f"元のアプリで{label}として保存し直してから添付してください。"
        )
    return content_type


def attachment_add(*, publication: Publication, upload, by: User) -> Attachment:
    _require_draft(publication)
    content_type = attachment_check(upload)
    name = PurePath(upload.name).name
    attachment = Attachment(
        publication=publication,
        original_name=fit_file_name(name, Attachment._meta.get_field("original_name").max_length),
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_remove(*, attachment: Attachment) -> None:
    _require_draft(attachment.publication)
    attachment.file.delete(save=False)
    attachment.delete()


# --- reading -----------------------------------------------------------------------------------


def read_receipt_record(*, publication: Publication, user: User) -> ReadReceipt:
    """Record that this person opened the notice; the first opening counts, once."""
    receipt = ReadReceipt.objects.filter(publication=publication, user=user).first()
    if receipt is not None:
        return receipt
    try:
        with transaction.atomic():
            receipt = ReadReceipt.objects.create(publication=publication, user=user)
    except IntegrityError:  # the same person opened it twice at the same moment
        return ReadReceipt.objects.get(publication=publication, user=user)
    _forget_unread([user.pk])
    return receipt


# --- reminders ---------------------------------------------------------------------------------


REMINDER_PAUSE = timedelta(minutes=10)


class ReminderTooSoon(Exception):
    """The association's last reminder went out less than REMINDER_PAUSE ago."""

    def __init__(self, last: Reminder):
        super().__init__(f"last reminder at {last.sent_at}")
        self.last = last


@transaction.atomic
def reminders_send(*, association: Association, by) -> tuple[int, int, int]:
    """E-mail the clinic users of members that have not read the latest notice or have not
    screened yet, and record it (Reminder). Returns (members reached, e-mails queued, members
    without any user). Within REMINDER_PAUSE of the association's last reminder it sends
    nothing and raises ReminderTooSoon: a double click, or two colleagues at once, must not
    mail the same members twice (the association's row is locked while sending)."""
    Association.objects.select_for_update().filter(pk=association.pk).first()
    last = association.reminders.order_by("-sent_at").first()
    if last is not None and last.sent_at > timezone.now() - REMINDER_PAUSE:
        raise ReminderTooSoon(last)
    publication = publication_latest_live(association=association)
    members = members_to_follow_up(association=association, publication=publication)
    by_id = {clinic.pk: clinic for clinic in members}
    users = User.objects.filter(clinic_id__in=list(by_id), is_active=True).order_by("clinic_id")
    screenings_link = absolute_url(reverse("screenings"))
    reminder = Reminder(association=association, sent_by=by, emails=0)
    emails, reached = [], set()
    for user in users:
        clinic = by_id[user.clinic_id]
        todo = []
        if publication is not None and not clinic.has_read:
            link = absolute_url(reverse("notice_detail", args=[publication.pk]))
            todo.append(f"・お知らせ「{publication.title}」をお読みください。\n  {link}")
        if not clinic.has_screened:
            todo.append(
                "・補助金ナビの「申請可否の確認」で、申請できる枠と補助額の目安を"
                f"ご確認ください。\n  {screenings_link}"
            )
        emails.append(
            Email(
                reminder=reminder,
                user=user,
                to=user.email,
                subject=f"【補助金ナビ】{association.name}より：デジタル化・AI導入補助金2026のご案内",
                body=f"{clinic.name} ご担当者様\n\n"
                f"{association.name}事務局です。デジタル化・AI導入補助金2026について、"
                "補助金ナビで次のことがまだお済みでないようです。\n\n"
                + "\n".join(todo)
                + f"\n\n申請の締切は枠ごとに決まっています。お早めにご確認ください。\n\n"
                f"{_signature(association)}",
            )
        )
        reached.add(clinic.pk)
    if emails:
        reminder.emails = len(emails)
        reminder.save()
        reminder.clinics.set(reached)
        emails_queue(emails)
    return len(reached), len(emails), len(by_id) - len(reached)
