"""A request that waits for one person's decision (an equipment order, a service's access request).

The rules are the same everywhere: only the person who may decide does, only a submitted request is decided,
a refusal says why, and the decision is recorded with who took it and when. Each domain raises its own error
type and names who may decide (`not_allowed`: "not_approver", "not_owner"…).
"""

from __future__ import annotations

from typing import Any

from portal.domain_error import DomainError
from portal.models import db, utcnow

SUBMITTED, APPROVED, REFUSED = "submitted", "approved", "refused"


def lock(request: Any) -> None:
    """Read the request's row again, locked until the transaction ends (PostgreSQL `SELECT … FOR UPDATE`): of two
    decisions sent at once (a double click, two tabs), the second waits and then sees the first one's status.
    SQLite writes one transaction at a time."""
    # OF the request's table only: its eagerly joined relations are outer joins, which PostgreSQL cannot lock.
    db.session.refresh(request, with_for_update={"of": type(request)})


def record_decision(
    request: Any,
    approver: Any,
    approve: bool,
    comment: str,
    *,
    allowed: bool,
    error: type[DomainError],
    not_allowed: str,
) -> None:
    """Approve or refuse a submitted request (its `status`, `decided_by`, `decided_at`, `decision_comment`);
    raises `error` with `not_allowed`, "not_submitted" or "comment_required" (a refusal without a comment)."""
    if not allowed:
        raise error(not_allowed)
    lock(request)
    if request.status != SUBMITTED:
        raise error("not_submitted")
    if not approve and not comment.strip():
        raise error("comment_required")
    request.status = APPROVED if approve else REFUSED
    request.decided_by, request.decided_at, request.decision_comment = approver, utcnow(), comment.strip()
