"""A real LDAP directory for the sync tests: Debian's OpenLDAP server (`slapd`) started on a free port with a
generated configuration and a small directory; skipped with the reason where slapd is not installed
(`make install-test` installs it, as root)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ldap3
import pytest

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SCHEMAS = Path("/etc/ldap/schema")
SUFFIX = "dc=metropole,dc=example"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin-secret"  # noqa: S105 - a throwaway test directory


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Directory:
    """A running slapd: its URL, and people added or removed by the tests."""

    url: str
    process: subprocess.Popen[bytes]

    def connection(self) -> ldap3.Connection:
        return ldap3.Connection(ldap3.Server(self.url, get_info=ldap3.NONE), ADMIN_DN, ADMIN_PASSWORD,
                                auto_bind=True, raise_exceptions=True)

    def add_person(self, uid: str, *, mail: str, given_name: str = "Camille", surname: str = "Agent",
                   department: str = "", office: str = "", manager: str = "") -> str:
        """A person under ou=people (their DN is returned); the manager is another person's uid."""
        dn = f"uid={uid},ou=people,{SUFFIX}"
        attributes: dict[str, Any] = {"cn": f"{given_name} {surname}", "sn": surname, "givenName": given_name,
                                      "mail": mail}
        if department:
            attributes["departmentNumber"] = department
        if office:
            attributes["physicalDeliveryOfficeName"] = office
        if manager:
            attributes["manager"] = f"uid={manager},ou=people,{SUFFIX}"
        with self.connection() as connection:
            connection.add(dn, ["inetOrgPerson"], attributes)
        return dn

    def modify(self, uid: str, **changes: str) -> None:
        with self.connection() as connection:
            connection.modify(f"uid={uid},ou=people,{SUFFIX}",
                              {name: [(ldap3.MODIFY_REPLACE, [value])] for name, value in changes.items()})

    def remove(self, uid: str) -> None:
        with self.connection() as connection:
            connection.delete(f"uid={uid},ou=people,{SUFFIX}")

    def empty(self) -> None:
        with self.connection() as connection:
            connection.search(f"ou=people,{SUFFIX}", "(objectClass=inetOrgPerson)", attributes=[])
            for entry in list(connection.response):
                connection.delete(entry["dn"])


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    """slapd on 127.0.0.1 with the suffix dc=metropole,dc=example and an empty ou=people."""
    if not Path(SLAPD).exists() or not (SCHEMAS / "inetorgperson.schema").exists():
        pytest.skip("OpenLDAP's slapd is not installed: `make install-test` installs it as root "
                    "(apt-get install slapd ldap-utils)")
    home = tmp_path_factory.mktemp("slapd")
    (home / "data").mkdir()
    config = home / "slapd.conf"
    config.write_text(
        "\n".join([
            *(f"include {SCHEMAS / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis")),
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            f"pidfile {home / 'slapd.pid'}",
            "database mdb",
            "maxsize 10485760",
            f'suffix "{SUFFIX}"',
            f'rootdn "{ADMIN_DN}"',
            f"rootpw {ADMIN_PASSWORD}",
            f"directory {home / 'data'}",
            "",
        ]),
        encoding="utf-8",
    )
    url = f"ldap://127.0.0.1:{_free_port()}"
    # -d 0: stay in the foreground (the test owns the process), without debug output.
    process = subprocess.Popen([SLAPD, "-f", str(config), "-h", f"{url}/", "-d", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    directory = Directory(url, process)
    deadline = time.monotonic() + 15
    while True:
        try:
            connection = directory.connection()
            break
        except ldap3.core.exceptions.LDAPException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"slapd did not start: {process.stderr.read().decode()[:2000]}") from None
            time.sleep(0.1)
    with connection:
        connection.add(SUFFIX, ["dcObject", "organization"], {"dc": "metropole", "o": "Métropole"})
        connection.add(f"ou=people,{SUFFIX}", ["organizationalUnit"], {"ou": "people"})
    yield directory
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def ldap_directory(slapd: Directory) -> Iterator[Directory]:
    """The directory, emptied of people after the test."""
    yield slapd
    slapd.empty()


@pytest.fixture
def directory_config(slapd: Directory) -> Callable[..., dict[str, Any]]:
    """The portal's LDAP_* settings for this directory: directory_config(LDAP_PAGE_SIZE=2, …)."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {
            "LDAP_URL": slapd.url,
            "LDAP_BIND_DN": ADMIN_DN,
            "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
            "LDAP_BASE_DN": f"ou=people,{SUFFIX}",
            "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(mail=*))",
            "LDAP_ATTRIBUTES": "id=entryUUID,email=mail,first_name=givenName,last_name=sn,org_unit=departmentNumber,"
                               "site=physicalDeliveryOfficeName,manager=manager",
            **overrides,
        }

    return make
