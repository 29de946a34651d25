"""List pages issue a fixed number of queries whatever the number of rows (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from portal.models import db


@contextmanager
def count_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _queries(client, path: str) -> int:
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_catalogue_my_footprint_orders_and_approvals_do_not_grow_with_rows(
    client, make_user, make_item, make_asset, login
):
    from portal.catalogue.footprints import load_factor_set
    from portal.catalogue.orders import place_order

    manager = make_user(roles=("manager",))
    me = make_user(manager_id=manager.id)
    items = [make_item(name=f"I{n}") for n in range(3)]
    make_asset(user=me, item=items[0])
    place_order(
        requester=me,
        item=items[0],
        quantity=1,
        justification="for work",
        replaces=None,
        factor_set=load_factor_set(),
        additional_reason="a second one for the field team",
    )
    db.session.commit()
    login(me)
    paths = ["/catalogue", "/me/footprint", "/orders"]
    few = {p: _queries(client, p) for p in paths}

    for n in range(15):
        item = make_item(name=f"More {n}")
        make_asset(user=me, item=item)
        place_order(
            requester=me,
            item=item,
            quantity=1,
            justification="for work",
            replaces=None,
            factor_set=load_factor_set(),
            additional_reason="a second one for the field team",
        )
    db.session.commit()
    many = {p: _queries(client, p) for p in paths}
    assert many == few
