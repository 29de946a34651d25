"""Reference data kept per web worker: reused while nothing changes, dropped at once when anything does,
whichever worker made the change (portal.reference_cache)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal import reference_cache
from portal.locator import services
from portal.locator.models import CollectionPoint, DeviceReturn
from portal.models import db
from portal.org.models import Commune
from tests.catalogue.fixtures import make_item  # noqa: F401 - fixture
from tests.conftest import another_worker_commits_a_change, csrf_token, write_behind_the_portals_back
from tests.locator.test_routes import heading

pytestmark = pytest.mark.usefixtures("points")

BEGLES = "/collection-points?q=begles"


def generation() -> int | None:
    return db.session.scalar(sa.select(reference_cache.generation_column()))


def declared_this_year(html: str) -> str:
    return html.split("En 2026, les agents ont déclaré ", 1)[1].split(" appareil", 1)[0]


def test_the_years_returns_are_kept_until_another_worker_changes_reference_data(
    client, login_as, make_user, clock, points
):
    clock(2026, 12, 2, 10, 0)
    login_as("employee")
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "0"
    user = make_user()
    db.session.commit()
    declare_behind_the_portals_back(points["33039"], user.id, 4)
    # Kept: the page did not count the returns again (it would have seen the new one).
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "0"
    another_worker_commits_a_change()
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "4"


def test_a_declaration_made_through_another_worker_shows_at_the_next_request(
    client, login_as, make_user, clock, points
):
    clock(2026, 12, 2, 10, 0)
    user = make_user()
    db.session.commit()
    login_as("employee")
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "0"
    other_worker = sa.orm.Session(db.engine)
    other_worker.add(
        DeviceReturn(
            point_id=points["33039"].id,
            user_id=user.id,
            item="tablet",
            quantity=2,
            declared_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
        )
    )
    other_worker.commit()  # commits the return and a new generation with it
    other_worker.close()
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "2"


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


def test_a_change_rolled_back_is_never_kept(points, make_user, clock):
    clock(2026, 12, 2, 10, 0)
    assert services.returns_in_year(2026).items == 0
    services.declare_return(points["33039"], user=make_user(), item="smartphone", quantity=3)
    db.session.flush()
    # This session sees its own change (and keeps nothing while it is pending)...
    assert services.returns_in_year(2026).items == 3
    db.session.rollback()
    # ...which is gone with the rollback, from the database and from what the worker keeps.
    assert services.returns_in_year(2026).items == 0


def declare_behind_the_portals_back(point: CollectionPoint, user_id: int, quantity: int) -> None:
    with db.engine.begin() as connection:  # no session, so no new generation
        connection.execute(
            sa.insert(DeviceReturn.__table__).values(
                point_id=point.id,
                user_id=user_id,
                item="smartphone",
                quantity=quantity,
                declared_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
            )
        )


def test_zero_seconds_turns_the_cache_off(client, login_as, monkeypatch, app, points, make_user, clock):
    monkeypatch.setitem(app.config, "PORTAL_REFERENCE_CACHE_SECONDS", 0)
    clock(2026, 12, 2, 10, 0)
    user = make_user()
    db.session.commit()
    login_as("employee")
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "0"
    declare_behind_the_portals_back(points["33039"], user.id, 4)
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "4"


def test_without_a_generation_row_nothing_is_kept(client, login_as, points, make_user, clock):
    clock(2026, 12, 2, 10, 0)
    user = make_user()
    db.session.commit()
    write_behind_the_portals_back("DELETE FROM reference_generation")
    login_as("employee")
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "0"
    declare_behind_the_portals_back(points["33039"], user.id, 4)
    assert declared_this_year(client.get(BEGLES).get_data(as_text=True)) == "4"


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


# The active points and the communes are kept per worker as plain values (services.active_points, all_communes).


def another_worker_edits(model: type, key: str, **values: object) -> None:
    """A change committed by another worker's session: it renews the generation with it."""
    other_worker = sa.orm.Session(db.engine)
    row = (
        other_worker.get(model, key)
        if model is Commune
        else other_worker.scalar(sa.select(CollectionPoint).where(CollectionPoint.code == key))
    )
    for name, value in values.items():
        setattr(row, name, value)
    other_worker.commit()
    other_worker.close()


def test_the_points_are_kept_until_another_worker_changes_reference_data(client, login_as):
    login_as("employee")
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)
    write_behind_the_portals_back("UPDATE collection_point SET name = 'Hôtel de ville' WHERE code = '33039'")
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)  # kept: the list was not read again
    another_worker_commits_a_change()
    assert "Hôtel de ville" in client.get(BEGLES).get_data(as_text=True)


def test_a_point_changed_through_another_worker_shows_at_the_next_request(client, login_as, points):
    login_as("employee")
    assert "Mairie de Bègles" in client.get(BEGLES).get_data(as_text=True)
    another_worker_edits(CollectionPoint, "33039", name="Hôtel de ville de Bègles")
    assert "Hôtel de ville de Bègles" in client.get(BEGLES).get_data(as_text=True)
    another_worker_edits(CollectionPoint, "33039", active=False)
    assert f'href="/collection-points/{points["33039"].id}"' not in client.get(BEGLES).get_data(as_text=True)


def test_a_commune_renamed_through_another_worker_shows_at_the_next_request(client, login_as):
    login_as("employee")
    assert "33130 Bègles – " in client.get(BEGLES).get_data(as_text=True)
    another_worker_edits(Commune, "33039", name="Bègles-sur-Garonne")
    html = client.get("/collection-points?q=garonne").get_data(as_text=True)
    assert "les plus proches de Bègles-sur-Garonne d’abord" in html  # the communes searched
    assert "33130 Bègles-sur-Garonne – " in html  # the points' address lines


def test_the_points_and_communes_are_kept_as_plain_values(points):
    kept = services.active_points()
    assert kept is services.active_points()
    assert not any(isinstance(value, db.Model) for value in (*kept, *services.all_communes()))


def test_the_list_is_kept_for_a_minute_and_the_statuses_change_on_the_minute(client, login_as, clock, points):
    login_as("employee")
    clock(2026, 12, 2, 12, 29, 0)  # Wednesday: some points close at 12:30
    first = client.get(BEGLES + "&open=1").get_data(as_text=True)
    assert "Ouvert jusqu’à 12\u202fh\u202f30" in first
    clock(2026, 12, 2, 12, 29, 59)
    assert client.get(BEGLES + "&open=1").get_data(as_text=True).count(
        "Ouvert jusqu’à 12\u202fh\u202f30"
    ) == first.count("Ouvert jusqu’à 12\u202fh\u202f30")
    clock(2026, 12, 2, 12, 30, 0)
    closed = client.get(BEGLES + "&open=1").get_data(as_text=True)
    assert "Ouvert jusqu’à 12\u202fh\u202f30" not in closed
    assert int(heading(closed).split()[0]) < int(heading(first).split()[0])  # open now: fewer points


def test_the_list_is_rendered_in_each_language(client, login_as, clock, points):
    clock(2026, 12, 2, 10, 0)
    user = login_as("employee")
    assert "Ouvert jusqu’à" in client.get(BEGLES).get_data(as_text=True)
    user.locale = "en"
    db.session.commit()
    english = client.get(BEGLES).get_data(as_text=True)
    assert "Open until" in english
    assert "Ouvert jusqu’à" not in english
