"""`flask users import FILE.csv`, `flask users sync-directory`, `flask users set-password`, `flask users deactivate`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal import csvio
from portal.accounts import directory, services
from portal.accounts.display import DIRECTORY_MESSAGES
from portal.accounts.passwords import hash_password
from portal.models import db, utcnow


@click.group()
def users() -> None:
    """Employees: directory import and account maintenance."""


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Create or update employees from a directory CSV export (idempotent)."""
    csvio.import_command(
        lambda: services.import_directory(services.read_directory_csv(file.read_bytes())), DIRECTORY_MESSAGES
    )


@users.command("sync-directory")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@with_appcontext
def sync_directory_command(dry_run: bool) -> None:
    """Make the accounts follow the LDAP / Active Directory directory (LDAP_* settings)."""
    with force_locale("en"):
        run = directory.run_sync(current_app.extensions.get("portal_directory"), now=utcnow(), dry_run=dry_run)
        db.session.commit()
        error = directory.run_error(run)
        if error is not None:
            raise click.ClickException(error.message())
        click.echo(f"entries read: {run.entries_read}" + (" (dry run: nothing changed)" if dry_run else ""))
        for line in csvio.report_lines(directory.report_of(run), DIRECTORY_MESSAGES,
                                       extra={"deactivated": run.deactivated}):
            click.echo(line)


@users.command("set-password")
@click.argument("email")
@click.password_option()
@with_appcontext
def set_password_command(email: str, password: str) -> None:
    """Set an employee's password (ends their sessions)."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no employee with e-mail {email}")
    if len(password) < services.MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"at least {services.MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    services.end_sessions(user)
    db.session.commit()
    click.echo(f"password set for {user.email}")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email: str) -> None:
    """Deactivate an account: its sessions end at once."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no employee with e-mail {email}")
    services.set_active(user, False, by=None)
    db.session.commit()
    click.echo(f"deactivated {user.email}")


commands = [users]
