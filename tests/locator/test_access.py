"""Every locator page needs a login; the admin pages need the admin role; nothing is public."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token


def _locator_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("locator.")]


def _url(rule, ids):
    return rule.rule.replace("<int:point_id>", str(ids["point"])).replace("<int:return_id>", str(ids["return"]))


def test_no_locator_view_is_public(app):
    rules = _locator_rules(app)
    assert len(rules) >= 15
    for rule in rules:
        assert not getattr(app.view_functions[rule.endpoint], "is_public", False), rule.rule


def test_admin_views_require_the_admin_role_and_only_them(app):
    for rule in _locator_rules(app):
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", ())
        assert (roles == ("admin",)) == rule.rule.startswith("/admin/"), rule.rule


def test_anonymous_visitors_are_sent_to_the_login_page(app, client, points):
    ids = {"point": points["33039"].id, "return": 1}
    token = csrf_token(client)
    for rule in _locator_rules(app):
        if "POST" in rule.methods:
            response = client.post(_url(rule, ids), data={"csrf_token": token})
        else:
            response = client.get(_url(rule, ids))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule


@pytest.mark.parametrize("role", ["employee", "manager", "comms"])
def test_admin_pages_answer_403_to_other_roles(app, client, login_as, points, role):
    login_as(role)
    token = csrf_token(client)
    ids = {"point": points["33039"].id, "return": 1}
    for rule in _locator_rules(app):
        if not rule.rule.startswith("/admin/"):
            continue
        if "POST" in rule.methods:
            response = client.post(_url(rule, ids), data={"csrf_token": token})
        else:
            response = client.get(_url(rule, ids))
        assert response.status_code == 403, rule.rule


def test_admin_pages_open_for_admins(client, login_as, points):
    login_as("admin")
    point_id = points["33039"].id
    for path in (
        "/admin/collection-points",
        "/admin/collection-points/new",
        f"/admin/collection-points/{point_id}",
        "/admin/collection-points/import",
        "/admin/collection-points/returns",
        "/admin/collection-points/statistics",
        "/admin/collection-points/export.csv",
        "/admin/collection-points/export.geojson",
    ):
        assert client.get(path).status_code == 200, path


def test_home_offers_the_locator_to_everyone_and_its_admin_to_admins(client, login_as):
    login_as("employee")
    home = client.get("/").get_data(as_text=True)
    assert "/collection-points" in home and "/admin/collection-points" not in home
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as("admin")
    assert "/admin/collection-points" in client.get("/pages/admin").get_data(as_text=True)  # the menu's hub


def test_help_page_explains_the_collection_points(client, login_as):
    login_as("employee")
    page = client.get("/help").get_data(as_text=True)
    assert 'id="collection-points"' in page
    assert "Avant de déposer un appareil" in page


def test_posts_without_csrf_token_are_refused(client, login_as, points, make_asset):
    user = login_as("employee")
    asset = make_asset(user)
    response = client.post(f"/collection-points/{points['33039'].id}/return", data={"device": str(asset.id)})
    assert response.status_code == 400
    assert "Votre formulaire a expiré" in response.get_data(as_text=True)
