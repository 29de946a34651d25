"""The digital services a person has, their activity on them, and their access requests."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.digital_services.models import AccessRequest, DigitalService, ServiceSubscription, ServiceUsage
from portal.models import db
from portal.personal_data import Tables


def services_and_activity(user: User) -> Tables:
    """The person's subscriptions, their activity of the last report, and the requests they made."""
    subscriptions = db.session.execute(
        sa.select(
            DigitalService.name,
            ServiceSubscription.started_on,
            ServiceSubscription.ended_on,
            ServiceSubscription.ended_reason,
            ServiceSubscription.saving_kgco2e,
        )
        .join(DigitalService, ServiceSubscription.service_id == DigitalService.id)
        .where(ServiceSubscription.user_id == user.id)
        .order_by(DigitalService.name)
    )
    usage = db.session.execute(
        sa.select(DigitalService.name, ServiceUsage.last_active_on, ServiceUsage.active_days)
        .join(DigitalService, ServiceUsage.service_id == DigitalService.id)
        .where(ServiceUsage.user_id == user.id)
        .order_by(DigitalService.name)
    )
    requests = db.session.scalars(
        sa.select(AccessRequest)
        .options(selectinload(AccessRequest.service), selectinload(AccessRequest.decided_by))
        .where(AccessRequest.requester_id == user.id)
        .order_by(AccessRequest.id)
    )
    return {
        "service_subscriptions": [
            {"service": name, "started_on": started, "ended_on": ended, "ended_reason": reason, "saving_kgco2e": saving}
            for name, started, ended, reason, saving in subscriptions
        ],
        "service_activity": [
            {"service": name, "last_active_on": last, "active_days_in_90": days} for name, last, days in usage
        ],
        "service_requests": [
            {
                "service": r.service.name,
                "justification": r.justification,
                "status": r.status,
                "requested_at": r.created_at,
                "decided_by": r.decided_by.full_name if r.decided_by else None,
                "decided_at": r.decided_at,
                "decision_comment": r.decision_comment,
            }
            for r in requests
        ],
    }
