"""Import and export of an association's member list (会員名簿) as CSV or Excel.

Import, in three steps:

1. ``member_files`` reads the uploaded bytes into rows of cells and finds the header row
   (``read_table``, ``find_header``).
2. ``parse_member_file`` maps each row's cells to clinic fields and checks every row with the
   profile form's rules (``MemberRowForm``): only the name is required, since an imported list is
   often incomplete, but what is filled in must be valid.
3. ``plan_rows`` matches the rows with the association's members (法人番号 if present, else name +
   phone) and says for each row 新規, 更新, 変更なし or エラー. It runs when the preview is shown and
   again, inside the transaction, when staff confirm; what it compares is what the server stored.

Export writes the same columns under the same headers, so an exported file re-imports with no
changes. A blank cell never erases what is stored: imported lists are often incomplete.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from clinics.normalize import fit_file_name
from eligibility.models import LegalFormCode

from . import normalize, services
from .forms import ClinicProfileForm
from .member_files import (
    COLUMNS,
    FIELD_HEADERS,
    IMPORT_HEADERS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    UNREADABLE_CHARACTER,
    Header,
    ImportFileError,
    cell_text,
    find_header,
    read_table,
)
from .models import Association, Clinic, MemberImport
from .prefectures import PREFECTURES, prefecture_warning
from .selectors import clinic_list_for_staff

UNCONFIRMED_KEPT_DAYS = 7

LEGAL_FORM_VALUES = {
    "医療法人": LegalFormCode.MEDICAL_CORPORATION,
    "医療法人社団": LegalFormCode.MEDICAL_CORPORATION,
    "医療法人財団": LegalFormCode.MEDICAL_CORPORATION,
    "個人": LegalFormCode.INDIVIDUAL,
    "個人開業医": LegalFormCode.INDIVIDUAL,
    "個人立": LegalFormCode.INDIVIDUAL,
    "個人開設": LegalFormCode.INDIVIDUAL,
    "社会福祉法人": LegalFormCode.SOCIAL_WELFARE_CORPORATION,
} | {code.value: code for code in LegalFormCode}


PREFECTURE_VALUES = {name: name for name in PREFECTURES} | {
    name[:-1]: name for name in PREFECTURES if name != "北海道"
}  # 東京 -> 東京都, 京都 -> 京都府


class ImportRefused(Exception):
    """A confirmation that does nothing; the message says why, in Japanese."""


# --- step 2: cells to fields, and row checks --------------------------------------------------


class MemberRowForm(ClinicProfileForm):
    """One row of an imported list, checked by the profile form's rules. Only the name is
    required; a filled-in value must be valid. A 法人番号 without 開設主体 is still checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            form_field.required = name == "name"
            form_field.error_messages["max_length"] = (
                "%(limit_value)d文字以内にしてください（%(show_value)d文字あります）。"
            )
        self.fields["name"].error_messages["required"] = (
            "空欄です（医療機関名は必ず入れてください）。"
        )
        self.fields["legal_form"].error_messages["invalid_choice"] = (
            "「%(value)s」は使えません。医療法人・個人開業医・社会福祉法人のいずれかにしてください。"
        )
        self.fields["prefecture"].error_messages["invalid_choice"] = (
            "「%(value)s」は都道府県名として使えません（例：東京都）。"
        )
        employees = self.fields["employees"].error_messages
        employees["min_value"] = employees["max_value"] = employees["invalid"]

    def clean_name_kana(self):
        return super().clean_name_kana() if self.cleaned_data["name_kana"] else ""

    def clean_postal_code(self):
        return super().clean_postal_code() if self.cleaned_data["postal_code"] else ""

    def clean_phone(self):
        return super().clean_phone() if self.cleaned_data["phone"] else ""

    def clean(self):
        for name in self.fields:
            if UNREADABLE_CHARACTER in str(self.data.get(name) or ""):
                self.add_error(
                    name, "読み取れない文字（�）が含まれています。元のファイルを確認してください。"
                )
        legal_form = self.cleaned_data.get("legal_form")
        has_number = bool(normalize.digits(self.data.get("corporate_number") or ""))
        if not has_number and legal_form != LegalFormCode.INDIVIDUAL:
            self.cleaned_data["corporate_number"] = ""  # a corporation's number may be missing
            return forms.ModelForm.clean(self)
        if has_number and not legal_form and "legal_form" not in self.errors:
            # checked as the profile checks a corporation's number; the legal form stays unknown
            self.cleaned_data["legal_form"] = LegalFormCode.MEDICAL_CORPORATION
            cleaned = super().clean()
            cleaned["legal_form"] = ""
            return cleaned
        return super().clean()


def _row_data(cells: list, header: Header) -> dict[str, str]:
    """The cells of one row by field, with the file's words turned into the form's values."""
    data = {}
    for name, column in header.fields.items():
        data[name] = cell_text(cells[column] if column < len(cells) else None, name)
    if data.get("legal_form"):
        key = re.sub(r"\s", "", normalize.nfkc(data["legal_form"]))
        data["legal_form"] = LEGAL_FORM_VALUES.get(key, key)
    if data.get("prefecture"):
        key = re.sub(r"\s", "", normalize.nfkc(data["prefecture"]))
        data["prefecture"] = PREFECTURE_VALUES.get(key, key)
    address = normalize.text(data.get("address", ""))
    prefecture = next((p for p in PREFECTURES if address.startswith(p)), "")
    if prefecture and not data.get("prefecture"):
        # a 所在地 column without a 都道府県 column: the profile keeps the prefecture apart
        data["prefecture"] = prefecture
        data["address"] = address.removeprefix(prefecture).strip()
    return data


def _email(data: dict[str, str], header: Header) -> tuple[str, str]:
    """The row's e-mail address for invitations (lower-cased), or a note that it is unusable."""
    raw = normalize.visible(data.pop("email", "") or "").strip()
    if not raw:
        return "", ""
    address = normalize.nfkc(raw).lower()
    try:
        validate_email(address)
    except ValidationError:
        title = header.titles.get("email") or "メールアドレス"
        return "", f"{title}「{raw[:60]}」はメールアドレスの形ではないため、招待には使いません。"
    return address, ""


def _read_kanji_numbers(data: dict[str, str], header: Header) -> list[str]:
    """A headcount written in kanji (三十) is read as a number, with a note for the preview."""
    raw = data.get("employees", "")
    number = normalize.kanji_number(raw)
    if number is None:
        return []
    data["employees"] = str(number)
    title = header.titles.get("employees") or FIELD_HEADERS["employees"]
    return [
        f"{title}の「{raw.strip()}」を{number}人と読みました。違う場合はファイルを直してください。"
    ]


def check_row(data: dict[str, str], header: Header) -> tuple[dict, list[str]]:
    """(the cleaned values of the filled-in cells, the reasons the row cannot be imported)."""
    form = MemberRowForm(data)
    if not form.is_valid():
        errors = []
        order = list(FIELD_HEADERS)
        by_column = sorted(form.errors.items(), key=lambda item: _position(order, item[0]))
        for name, messages in by_column:
            title = header.titles.get(name) or FIELD_HEADERS.get(name, "")
            typed = (data.get(name) or "").strip()
            shown = f"（ファイルの値：「{typed[:40]}」）" if typed else ""
            errors += [
                f"{title}：{message}{shown}" if title else f"{message}{shown}"
                for message in messages
            ]
        return {}, errors
    values = {
        name: value
        for name, value in form.cleaned_data.items()
        if name in FIELD_HEADERS and value not in ("", None)
    }
    if form.cleaned_data.get("legal_form") == LegalFormCode.INDIVIDUAL:
        values["corporate_number"] = ""  # an individual has none: a stored one is cleared
    return values, []


def _position(items: list, item) -> int:
    return items.index(item) if item in items else len(items)


@dataclass
class ParsedFile:
    columns: dict
    rows: list[dict]


def parse_member_file(*, file_name: str, data: bytes) -> ParsedFile:
    """Read, map and check every row. Raises ImportFileError for a file that cannot be used."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_too_large_message(len(data)))
    table = read_table(file_name=file_name, data=data)
    header = find_header(table)
    rows = []
    for number, cells in table:
        if number <= header.row:
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                f"行が多すぎます。1回に取り込めるのは{MAX_ROWS:,}行までです。"
                "ファイルを分けて、順に取り込んでください。"
            )
        row_data = _row_data(cells, header)
        notes = _read_kanji_numbers(row_data, header)
        email, note = _email(row_data, header)
        values, errors = check_row(row_data, header)
        name = values.get("name") or normalize.text(row_data.get("name", ""))
        rows.append(
            {
                "row": number,
                "name": name,
                "values": values,
                "errors": errors,
                "notes": [*notes, note] if note else notes,
                "email": email,
            }
        )
    if not rows:
        raise ImportFileError("見出しの行のほかに、取り込む行がありません。")
    columns = {
        "header_row": header.row,
        "used": [[header.titles[name], IMPORT_HEADERS[name]] for name in header.fields],
        "ignored": header.ignored,
    }
    return ParsedFile(columns=columns, rows=rows)


def _too_large_message(size: int) -> str:
    return (
        f"ファイルが大きすぎます（{size / 1024 / 1024:.1f}MB）。"
        f"{MAX_FILE_BYTES // 1024 // 1024}MBまでのファイルにしてください。"
        "ファイルを分けて、順に取り込むこともできます。"
    )


# --- step 3: matching with the members --------------------------------------------------------

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
STATUS_LABELS = {NEW: "新規", UPDATE: "更新", UNCHANGED: "変更なし", ERROR: "エラー"}


@dataclass
class PlannedRow:
    row: int
    name: str
    status: str
    values: dict
    errors: list[str] = field(default_factory=list)
    clinic: Clinic | None = None
    updates: dict = field(default_factory=dict)
    warning: str = ""  # imported all the same, e.g. a prefecture not the association's
    email: str = ""  # for the invitation staff may send after the import

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(header, stored, from the file) for each field an update changes."""
        return [
            (FIELD_HEADERS[name], display_value(name, getattr(self.clinic, name)) or "（空欄）",
             display_value(name, value) or "（空欄）")
            for name, value in self.updates.items()
        ]  # fmt: skip

    @property
    def details(self) -> list[tuple[str, str]]:
        """(header, value) of what a new row brings, its name and kana aside."""
        skip = ("name", "name_kana")
        found = [
            (FIELD_HEADERS[name], display_value(name, value))
            for name, value in self.values.items()
            if name not in skip and value not in ("", None)
        ]
        return [*found, ("メールアドレス（招待用）", self.email)] if self.email else found


def display_value(name: str, value) -> str:
    if value in ("", None):
        return ""
    if name == "legal_form":
        return str(LegalFormCode(value).label)
    if name == "employees":
        return f"{value}人"
    return str(value)


def _match_key(name: str, phone: str) -> tuple[str, str]:
    return re.sub(r"\s", "", normalize.text(name)), normalize.digits(phone or "")


def plan_rows(
    rows: list[dict], clinics: list[Clinic], *, association: Association
) -> list[PlannedRow]:
    """What each checked row would do to the members: 新規, 更新, 変更なし, or エラー when the row is
    invalid, repeats an earlier row, or matches more than one member. A row that will be imported
    but whose prefecture is not the association's gets a warning."""
    by_number = {c.corporate_number: c for c in clinics if c.corporate_number}
    by_key = defaultdict(list)
    by_phone = defaultdict(list)
    for clinic in clinics:
        by_key[_match_key(clinic.name, clinic.phone)].append(clinic)
        if clinic.phone:
            by_phone[normalize.digits(clinic.phone)].append(clinic)
    seen_number, seen_key, seen_clinic = {}, {}, {}
    planned = []
    for row in rows:
        values = row["values"]
        plan = PlannedRow(
            row=row["row"],
            name=row["name"],
            status=ERROR,
            values=values,
            email=row.get("email", ""),
        )
        planned.append(plan)
        if row["errors"]:
            plan.errors = list(row["errors"])
            continue
        number = values.get("corporate_number", "")
        key = _match_key(values["name"], values.get("phone", ""))
        earlier, same = seen_number.get(number) if number else None, "法人番号"
        if earlier is None and key in seen_key:
            earlier_row, earlier_number = seen_key[key]
            if not (number and earlier_number and number != earlier_number):
                earlier, same = earlier_row, "医療機関名と電話番号"
        if earlier is not None:
            plan.errors = [f"{earlier}行目と同じ医療機関です（{same}が同じです）。"]
            continue
        clinic = by_number.get(number) if number else None
        if clinic is None:
            candidates = [c for c in by_key.get(key, []) if not (number and c.corporate_number)]
            if len(candidates) > 1:
                plan.errors = [
                    f"登録済みの会員に、医療機関名と電話番号が同じものが{len(candidates)}件あります。"
                    "どれを更新するか決められないため、会員一覧で重複を整理してください。"
                ]
                continue
            clinic = candidates[0] if candidates else None
        if clinic is not None and clinic.pk in seen_clinic:
            plan.errors = [
                f"{seen_clinic[clinic.pk]}行目と同じ登録済みの会員（{clinic.name}）に当たります。"
            ]
            continue
        if number:
            seen_number[number] = plan.row
        seen_key[key] = (plan.row, number)
        warnings = [*row.get("notes", [])]
        warnings.append(
            prefecture_warning(
                prefecture=values.get("prefecture", ""), association=association, wording="import"
            )
        )
        phone = normalize.digits(values.get("phone", ""))
        others = [c for c in by_phone.get(phone, []) if c is not clinic] if phone else []
        if others:
            warnings.append(
                f"電話番号 {values['phone']} は登録済みの会員（{'、'.join(c.name for c in others[:3])}）"
                "と同じです。別の医療機関なら、そのまま取り込めます。"
            )
        plan.warning = " ".join(w for w in warnings if w)
        if clinic is None:
            plan.status = NEW
            continue
        seen_clinic[clinic.pk] = plan.row
        plan.clinic = clinic
        plan.updates = {n: v for n, v in values.items() if getattr(clinic, n) != v}
        plan.status = UPDATE if plan.updates else UNCHANGED
    return planned


def count_statuses(planned: list[PlannedRow]) -> dict[str, int]:
    """The rows of each status, and under "warning" the rows with a warning."""
    counts = dict.fromkeys(STATUS_LABELS, 0) | {"warning": 0}
    for plan in planned:
        counts[plan.status] += 1
        counts["warning"] += bool(plan.warning)
    return counts


# --- reads and writes of imports --------------------------------------------------------------


def member_import_create(*, association: Association, by, file_name: str, data: bytes):
    """Read and check an uploaded file and keep the result for the preview. Raises
    ImportFileError. Previews left unconfirmed for a week are removed on the way."""
    parsed = parse_member_file(file_name=file_name, data=data)
    MemberImport.objects.filter(
        association=association,
        confirmed_at__isnull=True,
        created_at__lt=timezone.now() - timedelta(days=UNCONFIRMED_KEPT_DAYS),
    ).delete()
    member_import = MemberImport(
        association=association,
        created_by=by,
        file_name=fit_file_name(file_name, MemberImport._meta.get_field("file_name").max_length),
        columns=parsed.columns,
        rows=parsed.rows,
    )
    member_import.full_clean()
    member_import.save()
    return member_import


def member_import_get_for_staff(*, user, import_id: int) -> MemberImport:
    """An import of the staff member's own association; 404 otherwise."""
    member_import = (
        MemberImport.objects.filter(association_id=user.association_id, pk=import_id).first()
        if user.is_association_staff
        else None
    )
    if member_import is None:
        raise Http404("取り込みが見つかりません。")
    return member_import


def member_import_plan(*, member_import: MemberImport) -> list[PlannedRow]:
    clinics = list(Clinic.objects.filter(association_id=member_import.association_id))
    return plan_rows(member_import.rows, clinics, association=member_import.association)


@transaction.atomic
def member_import_confirm(*, member_import: MemberImport, skip_errors: bool) -> dict:
    """Save the new and changed members of a checked file, all or nothing. Rows with errors are
    left out only when staff said so; a second confirmation raises ImportRefused."""
    member_import = MemberImport.objects.select_for_update().get(pk=member_import.pk)
    if member_import.confirmed_at is not None:
        raise ImportRefused("この取り込みはすでに完了しています。")
    Association.objects.select_for_update().get(pk=member_import.association_id)
    planned = member_import_plan(member_import=member_import)
    counts = count_statuses(planned)
    if counts[ERROR] and not skip_errors:
        raise ImportRefused(
            f"エラーの行が{counts[ERROR]}行あるため、取り込みませんでした。ファイルを直して"
            "読み込み直すか、「エラーの行を除いて取り込む」にチェックを入れてください。"
        )
    if not counts[NEW] and not counts[UPDATE]:
        raise ImportRefused("取り込む行（新規・更新）がありません。")
    invitable = []
    for plan in planned:
        try:
            clinic = plan.clinic
            if plan.status == NEW:
                clinic = Clinic(association_id=member_import.association_id, **plan.values)
                clinic.full_clean()
                clinic.save()
            elif plan.status == UPDATE:
                services.clinic_update(clinic=plan.clinic, **plan.updates)
            if plan.email and clinic is not None:
                invitable.append({"clinic": clinic.pk, "email": plan.email, "name": clinic.name})
        except ValidationError as error:  # e.g. a stored member the profile rules now refuse
            raise ImportRefused(
                f"{plan.row}行目（{plan.name}）を保存できなかったため、何も取り込みませんでした"
                f"（{'／'.join(error.messages)}）。会員一覧でこの会員の情報を確認してください。"
            ) from None
    member_import.confirmed_at = timezone.now()
    member_import.result = {
        "created": counts[NEW],
        "updated": counts[UPDATE],
        "unchanged": counts[UNCHANGED],
        "skipped": counts[ERROR],
        "skipped_rows": [
            {"row": p.row, "name": p.name, "errors": p.errors} for p in planned if p.errors
        ],
        "invitable": invitable,
    }
    member_import.save(update_fields=["confirmed_at", "result"])
    return member_import.result


class MemberFileForm(forms.Form):
    file = forms.FileField(
        label="会員名簿のファイル（CSV または Excel）",
        help_text=(
            f"CSV（UTF-8 または Shift_JIS）か Excel（.xlsx）、{MAX_FILE_BYTES // 1024 // 1024}MB・"
            f"{MAX_ROWS:,}行までです。Excelは最初のシートを読み込みます。"
        ),
        error_messages={
            "required": "ファイルを選んでください。",
            "empty": "ファイルが空です。",
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_too_large_message(upload.size))
        return upload


# --- export -----------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")


def member_list_for_export(*, user) -> list[Clinic]:
    return list(clinic_list_for_staff(user=user))


def export_rows(clinics: list[Clinic]) -> list[list]:
    """The header row and one row per member, values as the importer reads them back."""
    rows: list[list] = [[header for _, header, _ in COLUMNS]]
    for clinic in clinics:
        rows.append([_export_value(name, getattr(clinic, name)) for name, _, _ in COLUMNS])
    return rows


def _export_value(name: str, value) -> str:
    if value in ("", None):
        return ""
    if name == "legal_form":
        return str(LegalFormCode(value).label)
    return str(value)


def export_names(*, association: Association, fmt: str, today: date) -> tuple[str, str]:
    """(members-東京都医師会-20261125.csv, members-13-20261125.csv): the file's name, and its
    ASCII stand-in for old clients."""
    stamp = today.strftime("%Y%m%d")
    return (
        f"members-{association.name}-{stamp}.{fmt}",
        f"members-{association.prefecture_code:02d}-{stamp}.{fmt}",
    )


def member_import_invite(*, member_import: MemberImport, by, accept_url_for) -> dict[str, int]:
    """Invite every member the import brought with an e-mail address, once: a member that
    already has a user, or an invitation to that address still open or accepted, is skipped
    (so a second click sends nothing again). The invitations are the record."""
    invitable = (member_import.result or {}).get("invitable", [])
    clinics = Clinic.objects.filter(
        association_id=member_import.association_id, pk__in=[i["clinic"] for i in invitable]
    ).prefetch_related("users", "invitations")
    by_pk = {clinic.pk: clinic for clinic in clinics}
    sent = skipped = 0
    for item in invitable:
        clinic = by_pk.get(item["clinic"])
        invited = clinic is not None and any(
            i.email == item["email"] and (i.accepted_at or i.is_usable)
            for i in clinic.invitations.all()
        )
        if clinic is None or clinic.users.exists() or invited:
            skipped += 1
            continue
        services.invitation_create(
            association=member_import.association,
            email=item["email"],
            clinic=clinic,
            by=by,
            accept_url_for=accept_url_for,
        )
        sent += 1
    return {"sent": sent, "skipped": skipped}
