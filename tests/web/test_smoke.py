"""The app starts and its pages render for a signed-in user."""

from __future__ import annotations


def test_signed_in_admin_sees_every_page(client, login_as):
    user = login_as("admin")
    for path in (
        "/",
        "/audit/",
        "/admin/users",
        f"/admin/users/{user.id}",
        "/admin/users/new",
        "/account/",
        "/account/two-factor",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:2000])
