"""Roles, CSRF and the admin's list of employees."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from portal.models import db
from tests.conftest import csrf_token


@pytest.mark.parametrize("role", ["employee", "manager", "comms"])
def test_admin_pages_refuse_other_roles_with_a_403_page(client, login_as, role):
    login_as(role)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)


def test_admin_finds_an_employee_by_name_and_pages_the_list(client, login_as, make_user):
    login_as("admin", last_name="Zadmin")
    make_user(first_name="Bérénice", last_name="Lacoste", email="berenice.lacoste@test.example")
    for n in range(25):
        make_user(last_name=f"Durand{n:02d}")
    page = client.get("/admin/users?q=lacoste").get_data(as_text=True)
    assert "Bérénice Lacoste" in page
    assert "1 agent trouvé" in page
    assert "Durand00" not in page

    first = client.get("/admin/users").get_data(as_text=True)
    assert "27 agents trouvés" in first
    assert "Page 1 sur 2" in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Zadmin" in second and "Durand00" not in second


def test_admin_search_answers_htmx_with_the_fragment_only(client, login_as, make_user):
    login_as("admin")
    make_user(last_name="Lacoste")
    response = client.get("/admin/users?q=lacoste", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="users-results"')
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_admin_deactivates_an_account_and_its_session_ends(app, client, login_as, make_user, login):
    target = make_user()
    target_client = app.test_client()
    target_client.post(
        "/login",
        data={"email": target.email, "password": "correct horse battery", "csrf_token": csrf_token(target_client)},
    )
    assert target_client.get("/").status_code == 200

    login_as("admin")
    response = client.post(f"/admin/users/{target.id}/active", data={"active": "0", "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert "est désactivé" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert target_client.get("/").status_code == 302
    assert db.session.get(User, target.id).active is False


def test_admin_cannot_deactivate_themself(client, login_as):
    admin = login_as("admin")
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0", "csrf_token": csrf_token(client)})
    assert db.session.get(User, admin.id).active is True
    assert client.get("/").status_code == 200


def test_unknown_user_id_gives_404(client, login_as):
    login_as("admin")
    response = client.post("/admin/users/999999/active", data={"active": "0", "csrf_token": csrf_token(client)})
    assert response.status_code == 404


def test_post_without_csrf_token_is_refused_with_a_clear_400(client, login_as, make_user):
    login_as("admin")
    target = make_user()
    response = client.post(f"/admin/users/{target.id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert "Votre formulaire a expiré" in response.get_data(as_text=True)
    assert db.session.get(User, target.id).active is True


def test_htmx_requests_carry_the_token_in_a_header(client, login_as, make_user):
    login_as("admin")
    target = make_user()
    response = client.post(
        f"/admin/users/{target.id}/active",
        data={"active": "0"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 303
    assert db.session.get(User, target.id).active is False


def test_home_offers_the_admin_area_only_to_admins(client, login_as):
    login_as("employee")
    assert "/admin/users" not in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as("admin")
    assert "/admin/users" in client.get("/pages/admin").get_data(as_text=True)  # the menu's hub


def test_an_admin_cannot_deactivate_their_own_account_and_is_told_so(client, login_as):


    admin = login_as("admin", locale="en")
    response = client.post(f"/admin/users/{admin.id}/active", data={"csrf_token": csrf_token(client), "active": "0"},
                           follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active
