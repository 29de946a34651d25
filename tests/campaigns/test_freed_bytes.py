"""What one employee freed (the home page) agrees with the figure computed for many at once."""

from __future__ import annotations

from portal.campaigns import services, steps
from portal.models import db
from tests.campaigns.conftest import paris


def test_one_employees_freed_bytes_match_the_batch_figure(active_campaign, make_user, measure):
    freeing, growing, unmeasured, late = (make_user() for _ in range(4))
    measure(freeing, 5, paris(2026, 2, 28))
    measure(freeing, 3.5, paris(2026, 3, 10))
    measure(growing, 1, paris(2026, 3, 2))
    measure(growing, 2, paris(2026, 3, 12))
    measure(late, 4, paris(2026, 4, 30))  # after the campaign: never measured during it
    for user in (freeing, growing, unmeasured, late):
        services.join(user, active_campaign, now=paris(2026, 3, 15))
    db.session.commit()
    ids = [freeing.id, growing.id, unmeasured.id, late.id]
    batch = steps.freed_bytes_by_user(active_campaign, ids)
    assert {user_id: steps.freed_bytes_of(active_campaign, user_id) for user_id in ids} == batch
    assert batch[unmeasured.id] is None and batch[freeing.id] > 0
