"""Demo data for `make run`: the 2026 rules, two associations with staff, a rule administrator
and three clinics. Safe to run again; the logins are printed at the end."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from announcements.services import notice_jma_ensure
from clinics.models import Association, Clinic

PASSWORD = "demo-2026-navi"

CLINICS = [
    {
        "email": "aoba@example.jp",
        "association": "東京都",
        "name": "医療法人社団青葉会 青葉内科クリニック",
        "name_kana": "イリョウホウジンシャダンアオバカイ アオバナイカクリニック",
        "legal_form": "medical_corporation",
        "corporate_number": "8011105000001",
        "representative": "青葉 太郎",
        "postal_code": "160-0023",
        "prefecture": "東京都",
        "address": "新宿区西新宿1-2-3",
        "phone": "03-1234-5678",
        "employees": 40,
    },
    {
        "email": "sakura@example.jp",
        "association": "東京都",
        "name": "さくら耳鼻咽喉科",
        "name_kana": "サクラジビインコウカ",
        "legal_form": "individual",
        "corporate_number": "",
        "representative": "桜井 花子",
        "postal_code": "150-0001",
        "prefecture": "東京都",
        "address": "渋谷区神宮前4-5-6",
        "phone": "03-2345-6789",
        "employees": 3,
    },
    {
        "email": "naniwa@example.jp",
        "association": "大阪府",
        "name": "医療法人なにわ会 なにわ総合病院",
        "name_kana": "イリョウホウジンナニワカイ ナニワソウゴウビョウイン",
        "legal_form": "medical_corporation",
        "corporate_number": "6120005000003",
        "representative": "浪速 一郎",
        "postal_code": "530-0001",
        "prefecture": "大阪府",
        "address": "大阪市北区梅田7-8-9",
        "phone": "06-3456-7890",
        "employees": 320,
    },
]

STAFF = [
    ("staff-tokyo@example.jp", "東京都", "東京 事務子", "03-3946-2121"),
    ("staff-osaka@example.jp", "大阪府", "大阪 事務男", "06-6763-7000"),
]


class Command(BaseCommand):
    help = (
        "デモ用のデータ（ルール2026.1、医師会2つ、事務局、ルール管理者、医療機関3件）を作ります。"
    )

    @transaction.atomic
    def handle(self, *args, **options):
        call_command("load_rules", "2026.1", stdout=self.stdout)
        notice_jma_ensure()  # the JMA notice (日医発第390号), restored after a flush
        logins = []
        for email, prefecture, name, phone in STAFF:
            association = Association.objects.get(prefecture=prefecture)
            if not association.contact_email:
                association.contact_email = email
                association.contact_phone = phone
                association.save()
            self._user(email, name=name, association=association)
            logins.append((f"{association.name} 事務局", email))
        self._user("rules@example.jp", name="日本医師会 ルール管理者", is_rule_admin=True)
        logins.append(("ルール管理者（全国）", "rules@example.jp"))
        self._user("jma@example.jp", name="日本医師会 事務局", is_national=True)
        logins.append(("日本医師会（都道府県別の集計・ひな形）", "jma@example.jp"))
        for data in CLINICS:
            data = dict(data)
            email = data.pop("email")
            association = Association.objects.get(prefecture=data.pop("association"))
            clinic, _ = Clinic.objects.get_or_create(
                association=association, name=data["name"], defaults=data
            )
            self._user(email, name=f"{clinic.name} 事務長", clinic=clinic)
            logins.append((f"{clinic.name}（{association.name}）", email))
        if not User.objects.filter(email="admin@example.jp").exists():
            User.objects.create_superuser("admin@example.jp", PASSWORD, name="システム管理者")
        logins.append(("Django 管理画面（/admin/）", "admin@example.jp"))

        self.stdout.write("")
        self.stdout.write(f"デモ用のログイン（パスワードはすべて {PASSWORD}）:")
        for who, email in logins:
            self.stdout.write(f"  {email:<28} {who}")
        self.stdout.write("")

    def _user(self, email: str, **fields) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, PASSWORD, **fields)
        return user
