"""The processing register for the data protection officer and the administrators."""

from __future__ import annotations

from flask import current_app, render_template

from portal.accounts.models import Role
from portal.privacy import bp, display, services
from portal.security import roles_required


@bp.get("/admin/privacy")
@roles_required(Role.ADMIN.value)
def admin_register() -> str:
    """The register extract: each processing activity, and the retention rules applied every night."""
    config = current_app.config
    rules = [(display.RETENTION_RULES.get(rule.key, rule.key), config[rule.setting], rule.unit, rule.setting)
             for rule in services.retention_rules()]
    return render_template(
        "privacy/admin_register.html",
        processing=display.PROCESSING,
        periods=display.retention_periods(config),
        rules=rules,
        dpo_contact=config["PORTAL_DPO_CONTACT"],
        retention_hour=config["PORTAL_RETENTION_HOUR"],
    )
