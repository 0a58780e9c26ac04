"""No 500 for any input: ids beyond the database's integer range, dates outside the supported
range, and what an evidence download says it is."""

from __future__ import annotations

import pytest

from article8.core import tokens
from article8.web.params import IdConverter
from tests.conftest import SYSTEM_ACTOR, csrf_token, sign_in
from tests.support.access import system_log
from tests.support.evidence import PDF, items, multipart

# Past INTEGER (PostgreSQL raises), past BIGINT (SQLite raises), past int()'s 4300 digits.
HUGE_IDS = ["2147483648", "99999999999999999999", "383424995333600469581824", "9" * 5000, "0"]
BAD_DAYS = ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01", "2026-13-01", "yesterday"]


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced and committed."""


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    assert sign_in(client, make_user("admin").email).status_code == 302
    return client


@pytest.fixture
def bearer(session, clock, make_user):
    _, raw = tokens.create_token(session, SYSTEM_ACTOR, make_user("admin"), "t", now=clock())
    session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _id_routes(app):
    """(endpoint, method, rule) of every route with an id in its path."""
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IdConverter) for c in rule._converters.values()):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, rule.rule


@pytest.mark.parametrize("value", HUGE_IDS)
def test_every_id_in_a_path_beyond_the_integer_range_is_a_404(
    app, admin_client, bearer, catalogue, value
):
    app.config["WTF_CSRF_ENABLED"] = False  # the walk is about routing, not forms
    routes = list(_id_routes(app))
    assert len(routes) >= 30  # every blueprint's <id:...> routes, not a few
    for endpoint, method, rule in routes:
        url = rule
        for name, converter in app.url_map._rules_by_endpoint[endpoint][0]._converters.items():
            if isinstance(converter, IdConverter):
                url = url.replace(f"<id:{name}>", value)
        headers = bearer if url.startswith("/api/") else {}
        response = admin_client.open(url, method=method, headers=headers, data={})
        assert response.status_code == 404, f"{method} {url[:80]}: {response.status_code}"
        if url.startswith("/api/"):
            assert response.get_json() == {"error": "The page was not found."}


@pytest.mark.parametrize(
    "url",
    [
        "/inspections/?assignee={}",
        "/evidence/?uploader={}",
        "/evidence/?inspection={}",
        "/evidence/upload?inspection={}",
        "/evidence/upload?replaces={}",
        "/controls/?owner={}",
        "/audit/?actor={}",
    ],
)
def test_an_id_parameter_beyond_the_integer_range_is_a_400_naming_it(admin_client, url):
    for value in ("99999999999999999999", "2147483648", "-1", "1e3", "١٢"):
        response = admin_client.get(url.format(value))
        assert response.status_code == 400, (url, value, response.status_code)
        name = url.split("?")[1].split("=")[0]
        assert f"{name}: &#39;{value}&#39; is not a number from 1 to 2147483647." in (
            response.get_data(as_text=True)
        )


def test_the_audit_trail_pages_back_by_a_bigint_sequence_number(admin_client):
    assert admin_client.get("/audit/?before=9223372036854775807").status_code == 200
    assert admin_client.get("/audit/?before=9223372036854775808").status_code == 400


def test_api_ids_beyond_the_integer_range_are_a_400_naming_the_field(
    client, session, bearer, catalogue
):
    listed = client.get("/api/v1/evidence?inspection_id=99999999999999999999", headers=bearer)
    assert listed.status_code == 400 and listed.get_json()["field"] == "inspection_id"
    for field in ("inspection_id", "replaces_id"):
        body = {"controls": "ORG-04", field: "383424995333600469581824"}
        response = client.post(
            "/api/v1/evidence", headers=bearer, **multipart(body, [(PDF, "a.pdf")], name="file")
        )
        assert response.status_code == 400, response.get_json()
        assert response.get_json()["field"] == field
        assert "is not a number from 1 to 2147483647" in response.get_json()["error"]
    for query in ("limit=0", "limit=501", "offset=-1", "status=deleted", "freshness=old"):
        response = client.get(f"/api/v1/evidence?{query}", headers=bearer)
        assert response.status_code == 400, query
        assert response.get_json()["field"] == query.split("=")[0]
    assert items(session) == []


def test_the_upload_form_refuses_an_id_beyond_the_integer_range(admin_client, session, catalogue):
    token = csrf_token(admin_client, "/evidence/upload")
    for field in ("inspection_id", "replaces_id"):
        body = {
            "csrf_token": token,
            "collected_on": "2026-11-20",
            "controls": "ORG-04",
            field: "99999999999999999999",
        }
        response = admin_client.post("/evidence/upload", **multipart(body, [(PDF, "a.pdf")]))
        assert response.status_code == 400
        assert "Expected a whole number from 1 to 2147483647." in response.get_data(as_text=True)
    assert items(session) == []


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard?as_of={}",
        "/exports/workbook?from={}",
        "/exports/workbook?to={}",
        "/inspections/?due_from={}",
        "/inspections/?due_to={}",
        "/access/anomalies/?from={}",
        "/access/anomalies/?to={}",
        "/audit/?from={}",
        "/audit/?to={}",
    ],
)
def test_a_date_parameter_outside_the_supported_range_is_a_400(admin_client, url):
    name = url.split("?")[1].split("=")[0]
    for value in BAD_DAYS:
        response = admin_client.get(url.format(value))
        assert response.status_code == 400, (url, value, response.status_code)
        assert (
            f"{name}: &#39;{value}&#39; is not a date (YYYY-MM-DD) from 2000-01-01 to 2099-12-31."
            in response.get_data(as_text=True)
        )


def test_the_refusal_is_in_the_users_language(app, make_user):
    client = app.test_client()
    sign_in(client, make_user("responsible", locale="ja").email)
    response = client.get("/dashboard?as_of=0001-01-01")
    assert response.status_code == 400
    japanese = "は 2000-01-01 から 2099-12-31 までの日付（YYYY-MM-DD）ではありません。"
    assert f"as_of: &#39;0001-01-01&#39; {japanese}" in response.get_data(as_text=True)


def test_dates_outside_the_supported_range_are_refused_in_forms_and_the_api(
    client, admin_client, session, bearer, catalogue
):
    for value in ("0001-01-01", "9999-12-31"):
        response = client.post(
            "/api/v1/evidence",
            headers=bearer,
            **multipart(
                {"controls": "ORG-04", "collected_on": value}, [(PDF, "a.pdf")], name="file"
            ),
        )
        assert response.status_code == 400 and response.get_json()["field"] == "collected_on"
        token = csrf_token(admin_client, "/evidence/upload")
        body = {"csrf_token": token, "collected_on": value, "controls": "ORG-04"}
        form = admin_client.post("/evidence/upload", **multipart(body, [(PDF, "a.pdf")]))
        assert form.status_code == 400
        assert "Enter a date from 2000-01-01 to 2099-12-31." in form.get_data(as_text=True)
    assert items(session) == []


# --- what a download says it is ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "sent"),
    [
        ("id,name\n1,山田\n".encode(), "roster.csv", "text/csv; charset=utf-8"),
        ("id,name\n1,山田\n".encode("cp932"), "roster.csv", "text/csv; charset=shift_jis"),
        ("点検メモ\n".encode(), "memo.txt", "text/plain; charset=utf-8"),
        (PDF, "policy.pdf", "application/pdf"),
    ],
)
def test_a_download_sends_one_content_type_with_the_files_real_charset(
    client, session, bearer, catalogue, content, name, sent
):
    created = client.post(
        "/api/v1/evidence",
        headers=bearer,
        **multipart({"controls": "ORG-04"}, [(content, name)], name="file"),
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["media_type"] == sent
    download = client.get(created.get_json()["links"]["content"], headers=bearer, buffered=True)
    assert download.headers.getlist("Content-Type") == [sent]
    assert download.get_data() == content
    document = client.get("/api/v1/openapi.json").get_json()
    described = document["paths"]["/evidence/{item_id}/content"]["get"]["responses"]["200"]
    assert sent.split(";")[0] in described["content"]


# --- control characters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/evidence/?q=%00",
        "/inspections/?control=a%00b",
        "/controls/?q=%1b[2J",
        "/audit/?action=%00",
        "/register/?q=%00",
        "/access/anomalies/?person=%00",
    ],
)
def test_a_control_character_in_a_parameter_is_a_400_naming_it(admin_client, url):
    # PostgreSQL refuses a NUL in any text (a 500 before); no other control character is text.
    response = admin_client.get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert f"{name}: control characters (such as NUL) are not accepted." in (
        response.get_data(as_text=True)
    )


def test_a_control_character_in_a_form_or_a_path_changes_nothing(
    app, client, admin_client, session, bearer, catalogue
):
    for fields, files in (
        ({"controls": "ORG-04", "title": "log\x00"}, [(PDF, "a.pdf")]),
        ({"controls": "ORG-04\x00"}, [(PDF, "a.pdf")]),
    ):
        response = client.post(
            "/api/v1/evidence", headers=bearer, **multipart(fields, files, name="file")
        )
        assert response.status_code == 400, response.get_json()
        assert "control characters" in response.get_json()["error"]
        assert response.get_json()["field"] in fields
    assert items(session) == []
    # A file name is only a label: its control characters go, the file is kept.
    named = client.post(
        "/api/v1/evidence",
        headers=bearer,
        **multipart({"controls": "ORG-04"}, [(PDF, "a\x00\x1b.pdf")], name="file"),
    )
    assert named.status_code == 201 and named.get_json()["original_name"] == "a.pdf"
    assert len(items(session)) == 1
    # An access log's name is stored as given: with a NUL, PostgreSQL refused it (a 500).
    log = system_log("2026-11-24T10:00:00+09:00,ghost,crm,view,5,,ok").encode()
    imported = client.post(
        "/api/v1/access-logs",
        headers=bearer,
        **multipart({"kind": "system"}, [(log, "crm\x00.csv")], name="file"),
    )
    assert imported.status_code == 201 and imported.get_json()["filename"] == "crm.csv"
    assert client.get("/api/v1/evidence?q=%00", headers=bearer).status_code == 400
    signin = app.test_client().post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert signin.status_code == 400
    assert admin_client.get("/controls/ORG%00-04").status_code == 404


def test_a_multipart_part_without_a_name_is_not_a_500(client, session, bearer, catalogue):
    body = (
        b"--b\r\nContent-Disposition: form-data\r\n\r\nnull\r\n--b\r\nContent-Disposition: "
        b'form-data; name="file"; filename="a.pdf"\r\n\r\n' + PDF + b"\r\n--b--\r\n"
    )
    response = client.post(
        "/api/v1/evidence",
        headers=bearer,
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 400 and response.get_json()["field"] == "controls"
    assert items(session) == []
