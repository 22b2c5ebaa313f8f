"""Every URL of the project, requested by every kind of person, with real object ids.

The URL list comes from the resolver, so a new view without a rule below fails this test. The
objects all belong to clinic A of association X (東京都医師会); B and Y (大阪府医師会) are the
other tenant. A refusal is a redirect to the login page, 403 or 404, and never shows A's data.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from announcements.deadlines import opt_out_token
from announcements.models import NationalTemplate, Publication
from announcements.services import attachment_add
from clinics.models import Invitation, JoinRequest, MemberImport
from eligibility.models import RescreenRun, Screening
from eligibility.selectors import rule_version_published
from eligibility.services import (
    rule_version_clone,
    screening_complete,
    screening_create,
)
from sharing.services import share_link_create, share_link_revoke
from tests import factories
from tests.announcements import notice_factories

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "clinic_a", "clinic_b", "staff_x", "staff_y", "rule_admin", "national")
SECRET = "機密テスト青葉内科"  # clinic A's name: must never reach another tenant

# Who may use each URL. Values: which roles are allowed, the HTTP method to use, and the
# URL kwargs (names of objects of the world below).
PUBLIC = set(ROLES)
LOGGED_IN = set(ROLES) - {"anonymous"}
CLINICS = {"clinic_a", "clinic_b"}
STAFF = {"staff_x", "staff_y"}


@dataclass
class Rule:
    allowed: set[str]
    method: str = "get"
    kwargs: dict | None = None


RULES = {
    "home": Rule(PUBLIC),
    "health": Rule(PUBLIC),
    "programme": Rule(PUBLIC),
    "login": Rule(PUBLIC),
    "logout": Rule(PUBLIC, "post"),
    "password_reset": Rule(PUBLIC),
    "password_reset_done": Rule(PUBLIC),
    "password_reset_confirm": Rule(PUBLIC, kwargs={"uidb64": "x", "token": "y"}),
    "password_reset_complete": Rule(PUBLIC),
    "password_change": Rule(LOGGED_IN),
    "password_change_done": Rule(LOGGED_IN),
    "join_request_new": Rule(PUBLIC),
    "invitation_accept": Rule(PUBLIC, kwargs={"token": "invitation_token"}),
    "past_results": Rule(LOGGED_IN),
    "past_results_csv": Rule(LOGGED_IN, kwargs={"table": "frames"}),
    # clinic users, their own clinic only
    "profile": Rule(CLINICS),
    "profile_reminders": Rule(CLINICS, "post"),
    # the stop link of a deadline reminder: whoever holds its signed token (the e-mail's reader)
    "deadline_reminders_stop": Rule(PUBLIC, kwargs={"token": "stop_token"}),
    "screenings": Rule(CLINICS),
    "notice_list": Rule(CLINICS),
    "wizard_step": Rule({"clinic_a"}, kwargs={"screening_id": "screening", "step": "goals"}),
    "wizard_preview": Rule(
        {"clinic_a"}, "post", kwargs={"screening_id": "screening", "step": "tools"}
    ),
    "screening_recheck": Rule({"clinic_a"}, "post", kwargs={"screening_id": "screening"}),
    "screening_rename": Rule({"clinic_a"}, "post", kwargs={"screening_id": "screening"}),
    "screening_new_round_notice": Rule({"clinic_a"}, "post", kwargs={"screening_id": "screening"}),
    "screening_stage": Rule(
        {"clinic_a"}, kwargs={"screening_id": "screening", "frame_code": "security"}
    ),
    # a clinic's results: its users and its association's staff
    "screening_result": Rule({"clinic_a", "staff_x"}, kwargs={"screening_id": "screening"}),
    "screening_pdf": Rule({"clinic_a", "staff_x"}, kwargs={"screening_id": "screening"}),
    "screening_calendar": Rule({"clinic_a", "staff_x"}, kwargs={"screening_id": "screening"}),
    "screening_compare": Rule({"clinic_a", "staff_x"}, kwargs={"screening_id": "screening"}),
    # notices of association X: its clinics and staff
    "notice_detail": Rule({"clinic_a"}, kwargs={"publication_id": "publication"}),
    "notice_attachment": Rule(
        {"clinic_a", "staff_x"},
        kwargs={"publication_id": "publication", "attachment_id": "attachment"},
    ),
    # association staff, their own association only
    "staff_dashboard": Rule(STAFF),
    "staff_follow_up_export": Rule(STAFF, kwargs={"fmt": "csv"}),
    "staff_funnel_export": Rule(STAFF, kwargs={"fmt": "csv"}),
    "staff_notice_from_template": Rule(STAFF, "post", kwargs={"template_id": "template"}),
    # the Japan Medical Association: per-prefecture counts and templates, nothing of a clinic
    "national_dashboard": Rule({"national"}),
    "national_export": Rule({"national"}),
    "national_template_new": Rule({"national"}),
    "national_template_publish": Rule({"national"}, "post", kwargs={"template_id": "template"}),
    "staff_reminders_send": Rule(STAFF, "post"),
    "members": Rule(STAFF),
    "member_export": Rule(STAFF, kwargs={"fmt": "csv"}),
    "member_import": Rule(STAFF),
    "invitation_new": Rule(STAFF),
    "join_requests": Rule(STAFF),
    "staff_notice_list": Rule(STAFF),
    "staff_notice_new": Rule(STAFF),
    "member_edit": Rule({"staff_x"}, kwargs={"clinic_id": "clinic"}),
    "member_import_preview": Rule({"staff_x"}, kwargs={"import_id": "member_import"}),
    "member_import_confirm": Rule({"staff_x"}, "post", kwargs={"import_id": "member_import"}),
    "member_import_invite": Rule({"staff_x"}, "post", kwargs={"import_id": "member_import"}),
    "join_request_decide": Rule({"staff_x"}, "post", kwargs={"request_id": "join_request"}),
    "staff_notice": Rule({"staff_x"}, kwargs={"publication_id": "publication"}),
    "staff_notice_edit": Rule({"staff_x"}, kwargs={"publication_id": "publication"}),
    "staff_notice_attach": Rule({"staff_x"}, "post", kwargs={"publication_id": "publication"}),
    "staff_notice_detach": Rule(
        {"staff_x"},
        "post",
        kwargs={"publication_id": "publication", "attachment_id": "attachment"},
    ),
    "staff_notice_publish": Rule({"staff_x"}, "post", kwargs={"publication_id": "publication"}),
    "staff_notice_withdraw": Rule({"staff_x"}, "post", kwargs={"publication_id": "publication"}),
    "staff_notice_resend": Rule({"staff_x"}, "post", kwargs={"publication_id": "publication"}),
    # national rule administrators
    "rules_admin": Rule({"rule_admin"}),
    "rules_admin_clone": Rule({"rule_admin"}, "post"),
    "rules_admin_import": Rule({"rule_admin"}, "post"),
    "rules_admin_version": Rule({"rule_admin"}, kwargs={"version_id": "draft"}),
    "rules_admin_section": Rule(
        {"rule_admin"}, "post", kwargs={"version_id": "draft", "section": "rounds-normal"}
    ),
    "rules_admin_impact": Rule({"rule_admin"}, kwargs={"version_id": "draft"}),
    "rules_admin_publish": Rule({"rule_admin"}, "post", kwargs={"version_id": "draft"}),
    "rules_admin_delete": Rule({"rule_admin"}, "post", kwargs={"version_id": "draft"}),
    "rules_admin_rescreen": Rule({"rule_admin"}, "post", kwargs={"version_id": "published"}),
    "rules_admin_export": Rule({"rule_admin"}, kwargs={"version_id": "draft"}),
    # share links of a result: the clinic's own users make, list and revoke them
    "share_links": Rule({"clinic_a"}, kwargs={"screening_id": "screening"}),
    "share_link_revoke": Rule(
        {"clinic_a"}, "post", kwargs={"screening_id": "screening", "link_id": "share_link"}
    ),
    # what a share link opens: anyone with its token, logged in or not (and nobody without:
    # test_a_share_link_opens_only_with_a_usable_token)
    "shared_result": Rule(PUBLIC, kwargs={"token": "share_token"}),
    "shared_result_pdf": Rule(PUBLIC, kwargs={"token": "share_token"}),
}


def url_names(patterns=None, namespace=""):
    """Every named URL of the project (Django's own admin site aside: superusers only)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"unnamed URL pattern {pattern.pattern}"
            yield pattern.name


def test_every_url_has_a_rule():
    names = set(url_names())
    assert names - set(RULES) == set(), "new views need a rule in the access matrix"
    assert set(RULES) - names == set(), "rules for URLs that no longer exist"


@pytest.fixture
def world():
    clinic_a = factories.clinic(name=SECRET, employees=40)
    clinic_b = factories.clinic(prefecture="大阪府", name="別テナント内科")
    users = {
        "clinic_a": factories.clinic_user(clinic_a),
        "clinic_b": factories.clinic_user(clinic_b),
        "staff_x": factories.staff("東京都"),
        "staff_y": factories.staff("大阪府"),
        "rule_admin": factories.rule_admin(),
        "national": factories.national_user(),  # 日本医師会: counts only, no clinic's data
    }
    screening = screening_create(clinic=clinic_a, name="A社の見積り", by=users["clinic_a"])
    screening.answers = {
        "legal_form": "medical_corporation",
        "employees": 40,
        "goals": ["security"],
        "security": {"service_monthly_yen": 20_000, "service_months": 24},
        "tools_done": True,
    }
    screening.save()
    screening_complete(screening=screening, as_of=date(2026, 6, 1))
    publication = notice_factories.publication(
        "東京都", state="draft", title=f"{SECRET}へのお知らせ"
    )
    attachment = attachment_add(
        publication=publication, upload=notice_factories.upload(), by=users["staff_x"]
    )
    Publication.objects.filter(pk=publication.pk).update(
        status="published", publish_at=timezone.now() - timedelta(hours=1)
    )
    published = rule_version_published()
    draft = rule_version_clone(version=published, label="2026.9")
    RescreenRun.objects.filter(version=draft).delete()
    share_link, share_token = share_link_create(screening=screening, by=users["clinic_a"])
    objects = {
        "clinic": clinic_a.pk,
        "screening": screening.pk,
        "publication": publication.pk,
        "attachment": attachment.pk,
        "draft": draft.pk,
        "published": published.pk,
        "share_link": share_link.pk,
        "share_token": share_token,
        "stop_token": opt_out_token(users["clinic_a"]),
        "template": NationalTemplate.objects.create(
            title="ひな形", cover_message="送付状", body="本文", published_at=timezone.now()
        ).pk,
        "invitation_token": Invitation.objects.create(
            association=clinic_a.association, email="invitee@example.jp"
        ).token,
        "join_request": JoinRequest.objects.create(
            association=clinic_a.association,
            clinic_name=SECRET,
            contact_name="担当",
            email="join@example.jp",
            phone="03-1234-5678",
        ).pk,
        "member_import": MemberImport.objects.create(
            association=clinic_a.association, file_name="名簿.csv", rows=[]
        ).pk,
    }
    return users, objects


def resolve_kwargs(rule: Rule, objects: dict) -> dict:
    return {k: objects.get(v, v) for k, v in (rule.kwargs or {}).items()}


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_url_answers_each_role_as_its_rule_says(client, world, name):
    users, objects = world
    rule = RULES[name]
    url = reverse(name, kwargs=resolve_kwargs(rule, objects))
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        response = getattr(client, rule.method)(url)
        status = response.status_code
        body = b"" if getattr(response, "streaming", False) else response.content
        where = f"{name} {rule.method.upper()} {url} as {role}: {status}"
        assert status < 500, where
        if role in rule.allowed:
            assert status not in (403, 404, 405), where
            if status == 302 and name != "logout":  # logging out lands on the login page
                assert not response.url.startswith("/accounts/login/"), where
        else:
            refused = status in (403, 404) or (
                status == 302 and response.url.startswith("/accounts/login/")
            )
            assert refused, where
            assert SECRET.encode() not in body, where


@pytest.mark.parametrize("name", ["shared_result", "shared_result_pdf"])
def test_a_share_link_opens_only_with_a_usable_token(client, world, name):
    """Unknown, revoked and expired tokens open nothing for anyone, logged in or not."""
    users, objects = world
    screening = Screening.objects.get(pk=objects["screening"])
    revoked, revoked_token = share_link_create(screening=screening, by=users["clinic_a"])
    share_link_revoke(link=revoked)
    expired, expired_token = share_link_create(screening=screening, by=users["clinic_a"])
    expired.expires_at = timezone.now() - timedelta(seconds=1)
    expired.save()
    tokens = {"unknown": "x" * 43, "revoked": revoked_token, "expired": expired_token}
    for kind, token in tokens.items():
        url = reverse(name, kwargs={"token": token})
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            response = client.get(url)
            where = f"{name} {kind} token as {role}: {response.status_code}"
            assert response.status_code == (404 if kind == "unknown" else 410), where
            assert SECRET.encode() not in response.content, where
