"""E-mail that follows a clinic from "we qualify" to "we applied" (issue 22):

- before a round closes (the rule version's ``reminder_days``, e.g. 14 and 3 days before), the
  clinic users whose latest result qualifies for the frame and who have not recorded 申請済み
  for it hear what the frame is worth to them and what to prepare (``deadline_reminders_send``,
  from cron: ``manage.py send_deadline_reminders``);
- a clinic that asked to hear of a new round is told when a version with one is published
  (``new_round_notices_send``, from ``rule_version_publish``).

Both go through the outbox (announcements.outbox). A user stops the reminders with the signed
link each one carries (``opt_out_token``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse

from accounts.models import User
from clinics.models import Clinic
from eligibility.engine.format import jdate, yen
from eligibility.engine.types import FrameRules, Round, RuleSet
from eligibility.models import ApplicationRecord, Screening, ScreeningOutcome

from .models import DeadlineReminder, Email
from .outbox import absolute_url, emails_queue

OPT_OUT_SALT = "deadline-reminders-opt-out"
QUALIFIES = ("eligible", "confirm")  # 申請可能 and 要確認: both should hear of the deadline


@dataclass(frozen=True)
class Due:
    frame: FrameRules
    round: Round
    days_before: int


def reminders_due(rules: RuleSet, as_of: date) -> list[Due]:
    """The reminders whose day has come: ``N`` days before a round closes, up to the next
    smaller reminder's day (a day cron missed is caught up, but never two reminders at once)."""
    due = []
    days = rules.reminder_days  # largest first
    for frame in rules.frames.values():
        for round_ in frame.rounds:
            for i, n in enumerate(days):
                starts = round_.closes_on - timedelta(days=n)
                ends = round_.closes_on - timedelta(days=days[i + 1]) if i + 1 < len(days) else None
                if starts <= as_of and (as_of < ends if ends else as_of <= round_.closes_on):
                    due.append(Due(frame, round_, n))
    return due


def opt_out_token(user: User) -> str:
    """The stop link's credential: the user's id, signed (it does not expire: a reminder read
    months later still stops them)."""
    return signing.Signer(salt=OPT_OUT_SALT).sign(str(user.pk))


def opt_out_user(token: str) -> User | None:
    """The user a stop link was made for; None if the link is not one of ours."""
    try:
        pk = signing.Signer(salt=OPT_OUT_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


def _latest_results(frame_code: str):
    """Each clinic's latest completed screening's outcome for the frame, if it qualifies."""
    latest = (
        Screening.objects.filter(clinic=OuterRef("screening__clinic"), completed_at__isnull=False)
        .order_by("-completed_at", "-id")
        .values("pk")[:1]
    )
    reminded = User.objects.filter(is_active=True, deadline_reminders=True)
    return (
        ScreeningOutcome.objects.filter(
            frame_code=frame_code, verdict__in=QUALIFIES, screening_id=Subquery(latest)
        )
        .select_related("screening__clinic__association")
        .prefetch_related(Prefetch("screening__clinic__users", reminded, to_attr="reminded"))
        .order_by("screening__clinic_id")
    )


def _applied(programme: str, frame_code: str) -> set[int]:
    """Clinics whose current stage for the frame counts as applied."""
    current: dict[int, bool] = {}
    records = ApplicationRecord.objects.filter(programme=programme, frame_code=frame_code)
    for clinic_id, applied in records.order_by("-id").values_list("clinic_id", "applied"):
        current.setdefault(clinic_id, applied)
    return {clinic_id for clinic_id, applied in current.items() if applied}


def deadline_reminders_send(*, rules: RuleSet, as_of: date) -> tuple[int, int]:
    """Send the reminders due on ``as_of``; returns (clinics reminded, e-mails queued)."""
    clinics = emails = 0
    for due in reminders_due(rules, as_of):
        applied = _applied(rules.programme, due.frame.code)
        for outcome in _latest_results(due.frame.code):
            clinic = outcome.screening.clinic
            if clinic.pk in applied:
                continue
            users = clinic.reminded
            if not users:
                continue
            try:
                with transaction.atomic():
                    reminder = DeadlineReminder.objects.create(
                        clinic=clinic,
                        programme=rules.programme,
                        frame_code=due.frame.code,
                        round_number=due.round.number,
                        closes_on=due.round.closes_on,
                        days_before=due.days_before,
                        emails=len(users),
                    )
                    emails_queue(
                        [_reminder_email(rules, due, outcome, user, as_of) for user in users]
                    )
            except IntegrityError:  # sent already (or by a run at the same moment)
                continue
            clinics, emails = clinics + 1, emails + reminder.emails
    return clinics, emails


def _reminder_email(rules: RuleSet, due: Due, outcome, user: User, as_of: date) -> Email:
    clinic, screening = outcome.screening.clinic, outcome.screening
    left = (due.round.closes_on - as_of).days
    prepare = [
        item.text
        for item in rules.checklist
        if item.frame_code in ("", due.frame.code) and item.condition == "always"
    ]
    result = absolute_url(reverse("screening_result", args=[screening.pk]))
    stop = absolute_url(reverse("deadline_reminders_stop", args=[opt_out_token(user)]))
    worth = (
        f"補助額の目安：{yen(outcome.subsidy_yen)}（確認「{screening.name}」の結果）"
        if outcome.subsidy_yen
        else f"確認「{screening.name}」の結果で申請の対象です（補助額は結果ページでご確認ください）"
    )
    body = "\n".join(
        [
            f"{clinic.name} ご担当者様",
            "",
            f"{rules.programme}の{due.frame.name} 第{due.round.number}次の申請締切は"
            f"{jdate(due.round.closes_on)}です（あと{left}日）。",
            worth + ("（要確認の点があります）" if outcome.verdict == "confirm" else "") + "。",
            "",
            "申請までに準備すること：",
            *[f"・{text}" for text in prepare],
            "",
            f"結果と根拠：{result}",
            "申請はIT導入支援事業者を通じて行います。申請したら、結果ページの「申請の状況」に"
            "記録してください。この枠のお知らせは届かなくなります。",
            "",
            f"{clinic.association.name}（補助金ナビ）",
            "",
            f"締切前のお知らせを今後受け取らない場合：{stop}",
        ]
    )
    return Email(
        user=user,
        to=user.email,
        subject=f"【補助金ナビ】{due.frame.name} 第{due.round.number}次の締切まであと{left}日です",
        body=body,
        headers={
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def new_rounds(previous: RuleSet | None, published: RuleSet, as_of: date) -> list[tuple]:
    """(frame, round) of the published version that the previous one did not have and that
    have not closed."""
    before = (
        {(code, r.number) for code, f in previous.frames.items() for r in f.rounds}
        if previous
        else set()
    )
    return [
        (frame, round_)
        for frame in published.frames.values()
        for round_ in frame.rounds
        if (frame.code, round_.number) not in before and round_.closes_on >= as_of
    ]


@transaction.atomic
def new_round_notices_send(*, previous: RuleSet | None, published: RuleSet, as_of: date) -> int:
    """Tell the clinics that asked (Clinic.new_round_notice) of the new rounds, once: the wish
    is cleared with the e-mails queued. Returns the e-mails queued."""
    rounds = new_rounds(previous, published, as_of)
    if not rounds:
        return 0
    lines = [f"・{f.name} 第{r.number}次 {jdate(r.closes_on)}締切" for f, r in rounds]
    emails = []
    waiting = Clinic.objects.select_for_update().filter(new_round_notice__isnull=False)
    active = Prefetch("users", User.objects.filter(is_active=True), to_attr="active")
    for clinic in waiting.select_related("association").prefetch_related(active):
        for user in clinic.active:
            emails.append(
                Email(
                    user=user,
                    to=user.email,
                    subject=f"【補助金ナビ】{published.programme}の新しい公募回が発表されました",
                    body="\n".join(
                        [
                            f"{clinic.name} ご担当者様",
                            "",
                            f"お知らせを希望された{published.programme}の新しい公募回が発表されました。",
                            "",
                            *lines,
                            "",
                            "補助金ナビで確認し直すと、今の条件での結果と締切がわかります。",
                            absolute_url(reverse("screenings")),
                            "",
                            f"{clinic.association.name}（補助金ナビ）",
                        ]
                    ),
                )
            )
    waiting.update(new_round_notice=None)
    return emails_queue(emails)
