"""Accounts that follow a real LDAP directory (slapd, started by the tests): arrivals, changes and departures,
read page by page; the dry run; refused entries reported like every import; the page, the command and the
job that run it."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from jobs.schedule import jobs
from portal.accounts import directory
from portal.accounts.directory import DirectoryError, DirectorySettings
from portal.accounts.models import DirectorySyncRun, User
from portal.catalogue.models import Asset
from portal.models import db, utcnow


@pytest.fixture
def settings(directory_config) -> DirectorySettings:  # noqa: ANN001
    return DirectorySettings.from_config(directory_config(LDAP_PAGE_SIZE=2))


@pytest.fixture
def org(make_org_unit, make_site):  # noqa: ANN001, ANN201
    make_org_unit(code="DNUM", name="Direction du numérique")
    make_org_unit(code="DEAU", name="Direction de l'eau")
    make_site(code="CITE", name="Cité municipale")
    db.session.commit()


def sync(settings: DirectorySettings, *, dry_run: bool = False) -> directory.SyncResult:
    result = directory.sync_directory(directory.read_directory(settings), now=utcnow(), dry_run=dry_run,
                                      max_departure_share=settings.max_departure_share)
    db.session.commit()
    return result


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_arrivals_are_created_from_every_page_of_the_directory(ldap_directory, settings, org):
    ldap_directory.add_person("boss", mail="Boss@metropole.example", given_name="Anne", surname="Chef",
                              department="DNUM", office="CITE")
    for n in range(4):
        ldap_directory.add_person(f"agent{n}", mail=f"agent{n}@metropole.example", surname=f"Agent{n}",
                                  department="Direction du numérique", manager="boss")

    result = sync(settings)
    assert result.entries_read == 5  # three pages of two
    assert sorted(result.report.created) == ["agent0@metropole.example", "agent1@metropole.example",
                                             "agent2@metropole.example", "agent3@metropole.example",
                                             "boss@metropole.example"]
    agent = user("agent2@metropole.example")
    assert (agent.full_name, agent.org_unit.code, agent.manager.email) == ("Camille Agent2", "DNUM",
                                                                         "boss@metropole.example")
    assert user("boss@metropole.example").site.code == "CITE"
    assert agent.directory_id and agent.active and agent.password_hash is None

    again = sync(settings)
    assert (again.report.created, again.report.updated, len(again.report.unchanged)) == ([], [], 5)


def test_changes_are_applied_and_a_new_address_follows_the_same_person(ldap_directory, settings, org):
    ldap_directory.add_person("jdoe", mail="jean.doe@metropole.example", given_name="Jean", surname="Doe",
                              department="DNUM")
    sync(settings)
    first = user("jean.doe@metropole.example")

    ldap_directory.modify("jdoe", mail="jean.dupont@metropole.example", sn="Dupont", departmentNumber="DEAU")
    result = sync(settings)
    assert result.report.updated == ["jean.dupont@metropole.example"] and result.report.created == []
    moved = user("jean.dupont@metropole.example")
    assert moved.id == first.id and moved.full_name == "Jean Dupont" and moved.org_unit.code == "DEAU"
    assert user("jean.doe@metropole.example") is None


def test_departures_are_deactivated_with_sessions_ended_and_devices_to_return(
    ldap_directory, settings, org, make_user, make_asset
):
    for uid in ("stays", "leaves", "other1", "other2", "other3"):
        ldap_directory.add_person(uid, mail=f"{uid}@metropole.example")
    break_glass = make_user(email="breakglass@metropole.example", roles=("admin",))
    sync(settings)
    leaving = user("leaves@metropole.example")
    version = leaving.session_version
    laptop = make_asset(user=leaving)

    ldap_directory.remove("leaves")
    result = sync(settings)
    assert result.deactivated == ["leaves@metropole.example"]
    gone = user("leaves@metropole.example")
    assert not gone.active and gone.deactivated_at is not None and gone.session_version == version + 1
    assert db.session.get(Asset, laptop.id).status == "to_return"
    assert user("stays@metropole.example").active
    assert user(break_glass.email).active  # not in the directory, never linked to it: never touched

    ldap_directory.add_person("leaves", mail="leaves@metropole.example")  # back: a new entry, reactivated
    assert sync(settings).report.updated == ["leaves@metropole.example"]
    assert user("leaves@metropole.example").active


def test_a_dry_run_reports_what_would_change_and_changes_nothing(ldap_directory, settings, org):
    for uid in ("a", "b", "c", "d", "e"):
        ldap_directory.add_person(uid, mail=f"{uid}@metropole.example")
    sync(settings)
    ldap_directory.remove("e")
    ldap_directory.add_person("f", mail="f@metropole.example")
    ldap_directory.modify("a", sn="Renamed")

    result = sync(settings, dry_run=True)
    assert (result.report.created, result.report.updated, result.deactivated) == (
        ["f@metropole.example"], ["a@metropole.example"], ["e@metropole.example"])
    assert user("f@metropole.example") is None
    assert user("e@metropole.example").active
    assert user("a@metropole.example").last_name == "Agent"


def test_a_refused_entry_is_reported_with_its_number_and_the_others_are_imported(ldap_directory, settings, org):
    ldap_directory.add_person("ok", mail="ok@metropole.example", department="DNUM")
    ldap_directory.add_person("bad", mail="bad@metropole.example", department="Direction inconnue")
    result = sync(settings)
    assert result.report.created == ["ok@metropole.example"]
    [rejected] = result.report.rejected
    # Entries are numbered in DN order: uid=bad comes before uid=ok.
    assert (rejected.line, rejected.code, rejected.value) == (1, "unknown_org_unit", "Direction inconnue")
    assert user("bad@metropole.example") is None


def test_the_roles_given_in_the_portal_stay(ldap_directory, settings, make_user):
    make_user(email="manager@metropole.example", roles=("manager", "comms"))
    ldap_directory.add_person("manager", mail="manager@metropole.example")
    sync(settings)
    assert user("manager@metropole.example").roles == {"employee", "manager", "comms"}


def test_an_emptied_directory_deactivates_nobody(ldap_directory, settings, org):
    for uid in ("a", "b", "c"):
        ldap_directory.add_person(uid, mail=f"{uid}@metropole.example")
    sync(settings)
    ldap_directory.empty()
    with pytest.raises(DirectoryError) as refused:
        sync(settings)
    assert refused.value.code == "too_many_departures"
    db.session.rollback()
    assert user("a@metropole.example").active


def test_a_refused_bind_is_kept_as_the_runs_reason_and_changes_nothing(directory_config, ldap_directory):
    wrong = DirectorySettings.from_config(directory_config(LDAP_BIND_PASSWORD="wrong"))
    ldap_directory.add_person("a", mail="a@metropole.example")
    run = directory.run_sync(wrong, now=utcnow())
    db.session.commit()
    assert run.error == "bind_refused"
    assert "refused the portal's account cn=admin,dc=metropole,dc=example" in directory.run_error(run).message("en")
    assert user("a@metropole.example") is None


def test_an_unreachable_directory_is_reported(directory_config):
    settings = DirectorySettings.from_config(directory_config(LDAP_URL="ldap://127.0.0.1:9", LDAP_TIMEOUT_SECONDS=2))
    with pytest.raises(DirectoryError) as refused:
        directory.read_directory(settings)
    assert refused.value.code == "unreachable"


def test_the_admin_page_runs_a_dry_run_then_the_sync(app, client, login_as, ldap_directory, settings, org,
                                                     monkeypatch):
    monkeypatch.setitem(app.extensions, "portal_directory", settings)
    login_as("admin")
    ldap_directory.add_person("new", mail="new@metropole.example", department="DNUM")
    ldap_directory.add_person("bad", mail="bad@metropole.example", department="Nulle part")
    from tests.conftest import csrf_token

    response = client.post("/admin/directory", data={"dry_run": "1", "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    page = html.unescape(client.get("/admin/directory").get_data(as_text=True))
    assert "Simulation\u202f: voici ce qu’une synchronisation changerait. Rien n’a été changé." in page
    assert "Créés : 1" in page and "Rejetés : 1" in page
    assert "code de service inconnu" in page and "Nulle part" in page
    assert user("new@metropole.example") is None

    client.post("/admin/directory", data={"dry_run": "0", "csrf_token": csrf_token(client)})
    page = html.unescape(client.get("/admin/directory").get_data(as_text=True))
    assert "Les comptes suivent maintenant l’annuaire." in page
    assert user("new@metropole.example") is not None
    assert db.session.scalar(sa.select(sa.func.count(DirectorySyncRun.id))) == 2


def test_the_command_prints_the_report(app, ldap_directory, directory_config, monkeypatch):
    monkeypatch.setitem(app.extensions, "portal_directory", DirectorySettings.from_config(directory_config()))
    ldap_directory.add_person("a", mail="a@metropole.example")
    result = app.test_cli_runner().invoke(args=["users", "sync-directory", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "entries read: 1 (dry run: nothing changed)" in result.output
    assert "created: 1" in result.output and "deactivated: 0" in result.output
    assert user("a@metropole.example") is None


def test_the_nightly_job_is_scheduled_only_with_a_directory(app, directory_config):
    assert "directory-sync" not in [job.name for job in jobs(app.config)]
    [job] = [job for job in jobs({**app.config, **directory_config()}) if job.name == "directory-sync"]
    assert (job.trigger, job.options) == ("cron", {"hour": 2, "minute": 0})


def test_a_bad_attribute_mapping_stops_the_portal_at_start(database_url, tmp_path):
    from portal import create_app
    from tests.conftest import app_config

    with pytest.raises(ValueError, match="LDAP_ATTRIBUTES: no attribute for id"):
        create_app(app_config(database_url, tmp_path) | {"LDAP_URL": "ldap://x", "LDAP_ATTRIBUTES": "email=mail"})
