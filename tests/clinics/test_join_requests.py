import pytest
from django.core import mail

from clinics.models import Association, JoinRequest
from tests import factories

pytestmark = pytest.mark.django_db


def ask(client, prefecture="東京都"):
    return client.post(
        "/join/",
        {
            "association": Association.objects.get(prefecture=prefecture).pk,
            "clinic_name": "ひかり眼科",
            "contact_name": "光 一郎",
            "email": "Hikari@Example.jp",
            "phone": "０３－９８７６－５４３２",
            "message": "",
        },
    )


def test_a_clinic_asks_to_join_its_association(client):
    response = ask(client)
    assert response.status_code == 200
    assert "お申し出を受け付けました" in response.content.decode()
    join_request = JoinRequest.objects.get()
    assert (join_request.email, join_request.phone) == ("hikari@example.jp", "03-9876-5432")


def test_staff_see_and_approve_their_own_requests(client):
    ask(client)
    join_request = JoinRequest.objects.get()
    client.force_login(factories.staff("東京都"))
    assert "ひかり眼科" in client.get("/staff/join-requests/").content.decode()
    client.post(f"/staff/join-requests/{join_request.pk}/decide/", {"decision": "approve"})
    join_request.refresh_from_db()
    assert join_request.status == "approved"
    assert mail.outbox[-1].to == ["hikari@example.jp"] and "/invite/" in mail.outbox[-1].body


def test_staff_reject_and_the_person_is_told(client):
    ask(client)
    join_request = JoinRequest.objects.get()
    client.force_login(factories.staff("東京都"))
    client.post(f"/staff/join-requests/{join_request.pk}/decide/", {"decision": "reject"})
    join_request.refresh_from_db()
    assert join_request.status == "rejected"
    assert "承認されませんでした" in mail.outbox[-1].body


def test_another_associations_staff_see_nothing_and_cannot_decide(client):
    ask(client)
    join_request = JoinRequest.objects.get()
    client.force_login(factories.staff("大阪府"))
    assert "ひかり眼科" not in client.get("/staff/join-requests/").content.decode()
    response = client.post(
        f"/staff/join-requests/{join_request.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == "pending" and not mail.outbox


def test_deciding_needs_post(client):
    ask(client)
    client.force_login(factories.staff())
    join_request = JoinRequest.objects.get()
    assert client.get(f"/staff/join-requests/{join_request.pk}/decide/").status_code == 405


def test_a_bad_phone_is_named_and_the_rest_is_kept(client):
    response = client.post(
        "/join/",
        {"clinic_name": "ひかり眼科", "contact_name": "光", "email": "a@b.jp", "phone": "123"},
    )
    html = response.content.decode()
    assert "電話番号は0から始まる10桁または11桁" in html
    assert "所属する医師会" in html and 'value="ひかり眼科"' in html
