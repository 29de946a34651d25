"""What the accounts domain holds about a person (their profile), and the pseudonymisation of departed accounts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from portal.accounts.models import User
from portal.models import db
from portal.personal_data import Tables

#: What replaces a pseudonymised account's names (the same in every language: it is data, not interface).
PSEUDONYM_FIRST_NAME = "Agent"


def profile(user: User) -> Tables:
    """The account as the portal holds it."""
    return {
        "profile": [
            {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "language": user.locale,
                "org_unit": f"{user.org_unit.code} {user.org_unit.name}" if user.org_unit else None,
                "site": f"{user.site.code} {user.site.name}" if user.site else None,
                "manager": f"{user.manager.full_name} <{user.manager.email}>" if user.manager else None,
                "roles": ", ".join(sorted(user.roles)),
                "active": user.active,
                "created_at": user.created_at,
                "last_login_at": user.last_login_at,
                "deactivated_at": user.deactivated_at,
                "identity_provider": user.oidc_issuer,
                "identity_provider_subject": user.oidc_subject,
                "directory_id": user.directory_id,
                "has_portal_password": user.password_hash is not None,
            }
        ]
    }


def pseudonymise_departed(now: datetime, cutoff: datetime) -> int:
    """Replace the personal fields of accounts deactivated before `cutoff` (names, e-mail, password, links to
    the provider, the directory and the manager); the account itself stays, with its org unit and site, so
    that every figure counted with it (campaign totals, the estate's history) stays the same."""
    departed = list(db.session.scalars(
        sa.select(User).where(User.active.is_(False), User.deactivated_at < cutoff, User.pseudonymised_at.is_(None))
    ))
    for user in departed:
        user.email = f"pseudonymised-{user.id}@pseudonymised.invalid"
        user.first_name, user.last_name = PSEUDONYM_FIRST_NAME, f"#{user.id}"
        user.password_hash = None
        user.oidc_issuer = user.oidc_subject = user.directory_id = None
        user.manager = None
        user.last_login_at = None
        user.session_version += 1
        user.pseudonymised_at = now
    db.session.flush()
    return len(departed)
