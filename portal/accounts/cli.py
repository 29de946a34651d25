"""`flask users import FILE.csv`, `flask users set-password`, `flask users deactivate`."""

from __future__ import annotations

import io
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal import uploads
from portal.accounts import services
from portal.accounts.passwords import hash_password
from portal.models import db

REASONS = {
    "invalid_email": "invalid e-mail address",
    "duplicate_email": "e-mail address already on an earlier line",
    "missing_name": "first or last name missing",
    "unknown_org_unit": "unknown org unit code",
    "unknown_site": "unknown site code",
    "unknown_commune": "unknown INSEE code",
    "site_not_in_commune": "site is not in that commune",
    "own_manager": "an employee cannot be their own manager",
    "unknown_manager": "manager not found (neither in the file nor in the portal)",
    "unknown_role": "unknown role (employee, manager, comms, admin)",
}


@click.group()
def users() -> None:
    """Employees: directory import and account maintenance."""


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Create or update employees from a directory CSV export (idempotent)."""
    try:
        text = uploads.read_text_file(file)
        report = services.import_directory(services.read_directory_csv(io.StringIO(text, newline="")))
    except uploads.NotTextError as error:
        raise click.ClickException(error.message("en")) from error
    except services.DirectoryFormatError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created: {len(report.created)}")
    click.echo(f"updated: {len(report.updated)}")
    click.echo(f"unchanged: {len(report.unchanged)}")
    click.echo(f"rejected: {len(report.rejected)}")
    for rejected in report.rejected:
        click.echo(f"  line {rejected.line}: {REASONS[rejected.reason]} ({rejected.value})")


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
    services.set_active(user, False)
    db.session.commit()
    click.echo(f"deactivated {user.email}")


commands = [users]
