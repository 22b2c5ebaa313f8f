import pytest

from tests import factories

pytestmark = pytest.mark.django_db

URL = "/clinic/profile/"


def form_data(**overrides):
    return {
        "name": "医療法人社団　青葉会　青葉内科",
        "name_kana": "ｱｵﾊﾞﾅｲｶ",
        "legal_form": "medical_corporation",
        "corporate_number": "７０００－０１２０－５０００２",
        "representative": "青葉 太郎",
        "postal_code": "〒１６０ー００２３",
        "prefecture": "東京都",
        "address": "新宿区西新宿１－２－３",
        "phone": "０３（１２３４）５６７８",
        "employees": "４０",
        "insurance_code": "",
    } | overrides


def test_it_saves_full_width_input_in_canonical_form(client):
    user = factories.clinic_user()
    client.force_login(user)
    response = client.post(URL, form_data())
    assert response.status_code == 302
    clinic = user.clinic
    clinic.refresh_from_db()
    assert clinic.name == "医療法人社団 青葉会 青葉内科"
    assert clinic.name_kana == "アオバナイカ"
    assert clinic.corporate_number == "7000012050002"
    assert clinic.postal_code == "160-0023"
    assert clinic.phone == "03-1234-5678"
    assert clinic.address == "新宿区西新宿1-2-3"
    assert clinic.employees == 40
    assert clinic.profile_complete


def test_it_shows_errors_by_the_field_and_keeps_what_was_typed(client):
    user = factories.clinic_user()
    client.force_login(user)
    response = client.post(
        URL, form_data(postal_code="12345", employees="-1", address="港区芝公園")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    assert "郵便番号は7桁の数字で入力してください" in html
    assert 'id="id_postal_code_error"' in html and 'aria-invalid="true"' in html
    assert 'value="港区芝公園"' in html and 'value="12345"' in html
    user.clinic.refresh_from_db()
    assert user.clinic.address == "千代田区千代田1-1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"corporate_number": ""},
            "法人の場合は法人番号（13桁）を入力してください",
            id="法人で空欄",
        ),
        pytest.param(
            {"corporate_number": "8000012050002"}, "法人番号が正しくありません", id="検査用数字"
        ),
        pytest.param(
            {"legal_form": "individual"},
            "個人開業医の場合、法人番号は空欄にしてください",
            id="個人で入力",
        ),
        pytest.param({"employees": "四十"}, "人数は0以上の整数で入力してください", id="人数が文字"),
        pytest.param(
            {"employees": "1,2,3"}, "人数は0以上の整数で入力してください", id="区切りの位置"
        ),
        pytest.param({"employees": "1_000"}, "人数は0以上の整数で入力してください", id="下線"),
        pytest.param({"employees": "٣"}, "人数は0以上の整数で入力してください", id="アラビア数字"),
        pytest.param(
            {"name_kana": "青葉"}, "フリガナはカタカナで入力してください", id="漢字のフリガナ"
        ),
        pytest.param({"phone": "12-34"}, "電話番号は0から始まる10桁または11桁", id="電話番号"),
    ],
)
def test_it_names_the_bad_field(client, overrides, message):
    client.force_login(factories.clinic_user())
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_an_individual_needs_no_corporate_number(client):
    user = factories.clinic_user()
    client.force_login(user)
    response = client.post(URL, form_data(legal_form="individual", corporate_number=""))
    assert response.status_code == 302
    user.clinic.refresh_from_db()
    assert user.clinic.legal_form == "individual" and user.clinic.corporate_number == ""


def test_it_validates_one_field_inline_with_htmx(client):
    client.force_login(factories.clinic_user())
    response = client.post(
        URL,
        form_data(postal_code="1600023", _validate="postal_code"),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="field-slot" id="slot-postal_code"')
    assert "「160-0023」として保存します" in html
    assert "<html" not in html
    bad = client.post(
        URL, form_data(postal_code="16", _validate="postal_code"), headers={"HX-Request": "true"}
    )
    assert "郵便番号は7桁の数字で入力してください" in bad.content.decode()


def test_it_prefills_the_saved_profile(client):
    user = factories.clinic_user()
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert f'value="{user.clinic.name}"' in html
    assert "常時使用する従業員" in html and "公募要領で要確認" in html


def test_it_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_is_for_clinic_users_only(client):
    client.force_login(factories.staff())
    assert client.get(URL).status_code == 403


def test_it_rejects_other_methods(client):
    client.force_login(factories.clinic_user())
    assert client.put(URL).status_code == 405


def test_half_width_furigana_is_measured_after_folding(client):
    """200 katakana typed as 400 half-width characters (ｶﾞ: a kana and a voicing mark) fit."""
    user = factories.clinic_user()
    client.force_login(user)
    assert client.post(URL, form_data(name_kana="ｶﾞ" * 200)).status_code == 302
    user.clinic.refresh_from_db()
    assert user.clinic.name_kana == "ガ" * 200
    too_long = client.post(URL, form_data(name_kana="ｶﾞ" * 201))
    assert too_long.status_code == 200
    assert 'id="id_name_kana_error">この値は 200 文字以下' in too_long.content.decode()


OTHER_PREFECTURE_WARNING = (
    "貴院は東京都医師会の会員として登録されています（所在地は大阪府になっています）。"
    "所属する医師会が違う場合は、東京都医師会にご連絡ください。"
)


def test_it_saves_another_prefecture_and_warns_about_the_association(client):
    user = factories.clinic_user()
    client.force_login(user)
    response = client.post(URL, form_data(prefecture="大阪府"), follow=True)
    html = response.content.decode()
    assert "医療機関の情報を保存しました。" in html
    assert OTHER_PREFECTURE_WARNING in html
    user.clinic.refresh_from_db()
    assert user.clinic.prefecture == "大阪府"
    assert OTHER_PREFECTURE_WARNING in client.get(URL).content.decode()


def test_it_gives_no_warning_for_the_associations_own_prefecture(client):
    client.force_login(factories.clinic_user())
    html = client.post(URL, form_data(prefecture="東京都"), follow=True).content.decode()
    assert "医療機関の情報を保存しました。" in html
    assert "所在地は" not in html and "ご連絡ください" not in html
    assert "ご連絡ください" not in client.get(URL).content.decode()


def test_invisible_characters_never_reach_the_saved_profile(client):
    user = factories.clinic_user()
    client.force_login(user)
    typed = form_data(
        name="青葉\u202e内科\x1b\x07", representative="青葉\u200b太郎", employees="1,234"
    )
    assert client.post(URL, typed).status_code == 302
    user.clinic.refresh_from_db()
    assert (user.clinic.name, user.clinic.representative) == ("青葉内科", "青葉太郎")
    assert user.clinic.employees == 1234
