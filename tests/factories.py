"""Builders for the usual world: associations (already loaded by migration), clinics, people."""

from itertools import count

from django.forms import MultipleChoiceField

from accounts.models import User
from clinics.models import Association, Clinic
from eligibility.rules_forms import section_get
from eligibility.selectors import rule_version_document

_serial = count(1)
PASSWORD = "a-long-test-password-2026"


def association(prefecture: str = "東京都") -> Association:
    return Association.objects.get(prefecture=prefecture)


def clinic(*, prefecture: str = "東京都", **fields) -> Clinic:
    n = next(_serial)
    values = {
        "association": association(prefecture),
        "name": f"テスト内科クリニック{n}",
        "name_kana": f"テストナイカクリニック{n}",
        "legal_form": "medical_corporation",
        "corporate_number": "",
        "representative": "試験 太郎",
        "postal_code": "100-0001",
        "prefecture": prefecture,
        "address": "千代田区千代田1-1",
        "phone": "03-1234-5678",
        "employees": 40,
    } | fields
    return Clinic.objects.create(**values)


def clinic_user(clinic_obj: Clinic | None = None, **fields) -> User:
    clinic_obj = clinic_obj or clinic()
    return User.objects.create_user(
        f"clinic{next(_serial)}@example.jp", PASSWORD, clinic=clinic_obj, **fields
    )


def staff(prefecture: str = "東京都") -> User:
    return User.objects.create_user(
        f"staff{next(_serial)}@example.jp", PASSWORD, association=association(prefecture)
    )


def national_user() -> User:
    """A user of the Japan Medical Association (日本医師会)."""
    return User.objects.create_user(f"jma{next(_serial)}@example.jp", PASSWORD, is_national=True)


def rule_admin() -> User:
    return User.objects.create_user(
        f"rules{next(_serial)}@example.jp", PASSWORD, is_rule_admin=True
    )


def frame_of(document: dict, code: str) -> dict:
    """One frame of a rule document (to read or change in place)."""
    return next(f for f in document["frames"] if f["code"] == code)


def param_of(document: dict, code: str, key: str) -> dict:
    """One figure of a frame of a rule document (to read or change in place)."""
    return next(p for p in frame_of(document, code)["params"] if p["key"] == key)


def section_data(version, key) -> dict:
    """What the browser posts for a section left as shown."""
    document = rule_version_document(version=version)
    form = section_get(document, key).form(document)
    data = {}
    forms = getattr(form, "forms", None)
    if forms is not None:
        management = form.management_form
        data |= {management[name].html_name: management[name].value() for name in management.fields}
    for each in forms if forms is not None else [form]:
        for bound in each:
            value = bound.value()
            if isinstance(bound.field, MultipleChoiceField):  # checkboxes: only those ticked
                data[bound.html_name] = value or []
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = "" if value is None else value
    return data


# 通常枠 (300,000円) and セキュリティ対策推進枠 (240,000円) for a 医療法人 of 40: it qualifies
NORMAL_AND_SECURITY = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["normal", "security"],
    "normal": {"tools": ["web_reservation"], "purchase_yen": 600_000},
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "minimum_wage_near": False,
    "tools_done": True,
}


def completed_screening(user: User, answers: dict, *, name: str = "見積り", as_of=None):
    """A screening of ``user``'s clinic with these answers, completed (outcomes stored) as of
    ``as_of`` (today by default)."""
    from eligibility.selectors import today
    from eligibility.services import screening_complete, screening_create

    screening = screening_create(clinic=user.clinic, name=name, by=user)
    screening.answers = answers
    screening.save()
    screening_complete(screening=screening, as_of=as_of or today())
    return screening
