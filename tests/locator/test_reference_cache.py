"""Reference data kept per web worker: reused while nothing changes, dropped at once when anything does,
whichever worker made the change (portal.reference_cache)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal import reference_cache
from portal.locator import services
from portal.locator.models import CollectionPoint
from portal.models import db
from tests.catalogue.fixtures import make_item  # noqa: F401 - fixture
from tests.conftest import another_worker_commits_a_change, csrf_token, write_behind_the_portals_back

pytestmark = pytest.mark.usefixtures("points")

BEGLES = "/collection-points?q=begles"


def generation() -> int | None:
    return db.session.scalar(sa.select(reference_cache.generation_column()))


def test_the_points_are_kept_until_another_worker_changes_reference_data(client, login_as):
    login_as("employee")
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)
    write_behind_the_portals_back("UPDATE collection_point SET name = 'Hôtel de ville de Bègles' WHERE code = '33039'")
    # Kept: the page did not read the points again (it would have seen the new name).
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)
    another_worker_commits_a_change()
    html = client.get(BEGLES).get_data(as_text=True)
    assert "Hôtel de ville de Bègles" in html and "Mairie de Bègles" not in html


def test_an_admins_edit_is_on_the_list_at_the_next_request(client, login_as, points):
    login_as("admin")
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)
    point = points["33039"]
    form = {
        "code": point.code,
        "insee": point.commune_insee,
        "name": "Hôtel de ville de Bègles",
        "address": point.address,
        "postcode": point.postcode,
        "lat": str(point.lat),
        "lon": str(point.lon),
        "hours": point.hours,
        "closures": point.closures,
        "accepted": point.accepted_items,
        "access_notes": point.access_notes,
        "contact": point.contact,
        "active": "y",
        "csrf_token": csrf_token(client),
    }
    response = client.post(f"/admin/collection-points/{point.id}", data=form, follow_redirects=True)
    assert response.status_code == 200
    listed = f'<a href="/collection-points/{point.id}">Hôtel de ville de Bègles</a>'
    assert listed in client.get(BEGLES).get_data(as_text=True)


def test_the_years_returns_are_counted_again_after_each_declaration(client, login_as, points, make_user, clock):
    clock(2026, 12, 2, 10, 0)
    login_as("employee")
    assert "En 2026, les agents ont déclaré 0 appareil" in client.get(BEGLES).get_data(as_text=True)
    services.declare_return(points["33039"], user=make_user(), item="smartphone", quantity=3)
    db.session.commit()
    assert "En 2026, les agents ont déclaré 3 appareils" in client.get(BEGLES).get_data(as_text=True)


def test_only_changes_of_reference_rows_change_the_generation(points, make_user, make_item):  # noqa: F811
    db.session.commit()  # the factors make_item seeded
    before = generation()
    make_user(email="someone@example.org")
    db.session.commit()
    assert generation() == before, "an account is not reference data"

    points["33039"].name = "Mairie"
    db.session.commit()
    after_edit = generation()
    assert after_edit != before

    db.session.execute(sa.update(CollectionPoint).where(CollectionPoint.code == "33039").values(contact="05"))
    db.session.commit()
    after_statement = generation()
    assert after_statement != after_edit

    points["33039"].name = points["33039"].name  # set to the same value: nothing to write
    db.session.commit()
    assert generation() == after_statement

    item = make_item()
    after_item = generation()
    assert after_item != after_statement
    item.price_eur = Decimal("900")
    db.session.commit()
    assert generation() != after_item


def test_a_change_rolled_back_is_never_kept(points, app):
    names = {p.code: p.name for p in services.shared_points()}
    assert names["33039"] == "Mairie de Bègles"
    points["33039"].name = "Nom jamais validé"
    db.session.flush()
    # This session sees its own change (and keeps nothing while it is pending)...
    assert {p.code: p.name for p in services.shared_points()}["33039"] == "Nom jamais validé"
    db.session.rollback()
    # ...which is gone with the rollback, from the database and from what the worker keeps.
    assert {p.code: p.name for p in services.shared_points()}["33039"] == "Mairie de Bègles"


def test_kept_values_are_detached_from_every_request(points):
    kept = services.shared_points()
    db.session.commit()  # expires what the request's session holds; kept values are not in it
    assert all(point not in db.session for point in kept)
    assert kept[0].commune.name  # eagerly loaded: readable without a session


def test_zero_seconds_turns_the_cache_off(client, login_as, monkeypatch, app):
    monkeypatch.setitem(app.config, "PORTAL_REFERENCE_CACHE_SECONDS", 0)
    login_as("employee")
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)
    write_behind_the_portals_back("UPDATE collection_point SET name = 'Hôtel de ville de Bègles' WHERE code = '33039'")
    assert "Hôtel de ville de Bègles" in client.get(BEGLES).get_data(as_text=True)


def test_without_a_generation_row_nothing_is_kept(client, login_as):
    write_behind_the_portals_back("DELETE FROM reference_generation")
    login_as("employee")
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)
    write_behind_the_portals_back("UPDATE collection_point SET name = 'Hôtel de ville de Bègles' WHERE code = '33039'")
    assert "Hôtel de ville de Bègles" in client.get(BEGLES).get_data(as_text=True)


def generation_seen_by_another_worker() -> int | None:
    with db.engine.connect() as connection:
        return connection.execute(sa.select(reference_cache.generation_column())).scalar()


def test_in_autocommit_mode_the_generation_follows_each_change_at_once(points):
    """PostgreSQL pages run in autocommit mode: a change there is committed by itself, and the new generation
    right after it (written before it, a worker could keep the old data under the new generation)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL pages run in autocommit mode (portal.database)")
    db.session.commit()
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    before = generation_seen_by_another_worker()
    points["33039"].name = "Mairie"
    db.session.flush()
    after_flush = generation_seen_by_another_worker()
    assert after_flush != before
    with db.engine.connect() as connection:  # the change itself is committed too
        name = connection.execute(sa.text("SELECT name FROM collection_point WHERE code = '33039'")).scalar()
    assert name == "Mairie"
    db.session.execute(sa.update(CollectionPoint).where(CollectionPoint.code == "33039").values(contact="05"))
    assert generation_seen_by_another_worker() != after_flush
