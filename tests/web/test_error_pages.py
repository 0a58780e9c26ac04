"""Error pages a person can act on, in Japanese and English: 403 says what the role may do
instead, 404, 405 (and the language switch never leads to one), 413 says the limit."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token

MB = 1024 * 1024


def links_offered(page: str) -> list[str]:
    """The labels of the "instead" links of a 403 page."""
    block = re.search(r'data-testid="error-instead">(.*?)</ul>', page, re.S)
    return re.findall(r'href="[^"]+">([^<]+)</a>', block.group(1)) if block else []


def message_of(page: str, testid: str = "error-message") -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    assert found, page
    return found.group(1).replace("&#39;", "'")


@pytest.mark.parametrize(
    ("lang", "says", "offered"),
    [
        ("en", "Your role (Auditor) may read but not change", ["Dashboard", "Audit trail"]),
        (
            "ja",
            "あなたのロール（監査人）は閲覧のみ可能で、変更はできません。",
            ["ダッシュボード", "監査ログ"],
        ),
    ],
)
def test_the_auditor_is_told_they_only_read_and_where_they_may_go(signed_in, lang, says, offered):
    client, _ = signed_in("auditor", locale=lang)
    response = client.get("/inspections/review")  # the review queue is for managers
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert says in message_of(page, "error-role")
    links = links_offered(page)
    assert all(label in links for label in offered), links
    # Never a page the role is refused: the auditor performs no inspection.
    assert ("My inspections" if lang == "en" else "担当の点検") not in links


@pytest.mark.parametrize(
    ("lang", "says", "offered", "not_offered"),
    [
        ("en", "Your role (Inspector) may use the pages below.", "My inspections", "Dashboard"),
        (
            "ja",
            "あなたのロール（点検担当者）では次のページを使えます。",
            "担当の点検",
            "ダッシュボード",
        ),
    ],
)
def test_an_inspector_refused_the_dashboard_is_offered_their_own_work(
    signed_in, lang, says, offered, not_offered
):
    client, _ = signed_in("inspector", locale=lang)
    response = client.get("/dashboard")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert says in message_of(page, "error-role")
    assert offered in links_offered(page)
    assert not_offered not in links_offered(page)


def test_a_refusal_asked_for_as_json_stays_json(signed_in):
    client, _ = signed_in("inspector")
    response = client.get("/dashboard", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json() == {"error": "You do not have permission to open this page."}


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "The page was not found. The address may be mistyped"),
        ("ja", "ページが見つかりません。アドレスが間違っているか"),
    ],
)
def test_a_missing_page_says_so(signed_in, lang, says):
    client, _ = signed_in("responsible", locale=lang)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert says in message_of(page)
    assert ("Back to the start page" if lang == "en" else "トップページに戻る") in page


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "cannot be opened directly. Go back to the previous page and try again."),
        ("ja", "直接開くことはできません。前のページに戻って、もう一度操作してください。"),
    ],
)
def test_opening_a_form_address_directly_says_to_go_back(signed_in, lang, says):
    client, _ = signed_in("responsible", locale=lang)
    response = client.get("/language")  # only takes the language switch's form
    assert response.status_code == 405
    assert says in message_of(response.get_data(as_text=True))


@pytest.mark.parametrize("settings_env", [{"MAX_UPLOAD_MB": "1"}])
@pytest.mark.parametrize(
    ("lang", "says"),
    [("en", "larger than the maximum of 1 MB"), ("ja", "アップロードが上限の1 MBを超えています。")],
)
def test_too_large_a_request_says_the_limit(signed_in, lang, says):
    client, _ = signed_in("responsible", locale=lang)
    # A form body over the limit is refused before any view runs (no file left to close).
    response = client.post(
        "/register/import",
        data="note=" + "x" * (2 * MB),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert says in message_of(response.get_data(as_text=True))


def switch(client, next_path: str, referrer: str | None = None):
    headers = {"Referer": f"http://localhost{referrer}"} if referrer else {}
    token = csrf_token(client, "/")
    return client.post(
        "/language", data={"lang": "ja", "next": next_path, "csrf_token": token}, headers=headers
    )


def test_the_language_switch_returns_to_the_page(signed_in):
    client, _ = signed_in("responsible")
    response = switch(client, "/inspections?status=overdue")
    assert response.status_code == 302
    assert response.headers["Location"] == "/inspections?status=overdue"


def test_the_language_switch_on_a_page_reached_by_post_goes_back_to_the_form(signed_in):
    # A page shown in answer to a POST (a form with errors) has an address that takes no GET:
    # going back there would be a 405, so the switch returns to the page the form was on.
    client, _ = signed_in("responsible")
    response = switch(client, "/account/password", referrer="/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    assert client.get(response.headers["Location"]).status_code == 200


def test_the_language_switch_without_a_page_to_return_to_goes_home(signed_in):
    client, _ = signed_in("responsible")
    for referrer in (None, "/account/password"):
        response = switch(client, "/account/password", referrer=referrer)
        assert response.headers["Location"] == "/"
    # Another site's page is never a place to return to.
    response = client.post(
        "/language",
        data={"lang": "en", "next": "/account/password", "csrf_token": csrf_token(client, "/")},
        headers={"Referer": "https://elsewhere.example/account/"},
    )
    assert response.headers["Location"] == "/"
