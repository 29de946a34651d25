"""Build the demo metropolis: sites, org chart, ~300 employees and the four documented accounts."""

from __future__ import annotations

import random
import unicodedata
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa

from portal.accounts.models import Role, User
from portal.accounts.passwords import hash_password
from portal.accounts.services import set_roles
from portal.domains import domain_modules
from portal.models import db
from portal.org.models import Commune, OrgUnit, Site
from portal.org.services import load_communes
from portal.wording import with_preposition


def _names(file: str) -> tuple[str, ...]:
    """Common French first or last names, packaged with the demo."""
    return tuple(resources.files("portal.demo").joinpath("data", file).read_text(encoding="utf-8").split())


DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented demo password, demo data only  # nosec B105
DEMO_DOMAIN = "demo.example"
SEED = 33063  # Bordeaux's INSEE code: any fixed seed makes the demo reproducible

# Directions and their services (codes are what the directory export uses).
ORG_CHART: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "DGNSI",
        "Direction générale Numérique et systèmes d’information",
        (
            ("DGNSI-INFRA", "Service Infrastructures et postes de travail"),
            ("DGNSI-APPS", "Service Applications métiers"),
            ("DGNSI-SUPPORT", "Service Support aux utilisateurs"),
            ("DGNSI-NR", "Mission Numérique responsable"),
        ),
    ),
    (
        "DGHQV",
        "Direction générale Haute qualité de vie",
        (
            ("DGHQV-ENERGIE", "Direction Énergie, écologie et développement durable"),
            ("DGHQV-NATURE", "Direction Nature"),
            ("DGHQV-DECHETS", "Direction Gestion des déchets et propreté"),
        ),
    ),
    (
        "DGMOB",
        "Direction générale Mobilités",
        (
            ("DGMOB-INFRA", "Direction Infrastructures et déplacements"),
            ("DGMOB-STATION", "Service Stationnement"),
        ),
    ),
    (
        "DGRH",
        "Direction générale Ressources humaines et administration générale",
        (
            ("DGRH-CARRIERES", "Direction Carrières et rémunérations"),
            ("DGRH-FORMATION", "Service Formation"),
        ),
    ),
    (
        "DGFIN",
        "Direction générale Finances et commande publique",
        (
            ("DGFIN-ACHATS", "Direction Commande publique et achats"),
            ("DGFIN-BUDGET", "Service Budget"),
        ),
    ),
    (
        "DGCOM",
        "Direction générale Communication",
        (
            ("DGCOM-INTERNE", "Service Communication interne"),
            ("DGCOM-EDITO", "Service Éditorial et numérique"),
        ),
    ),
    (
        "DGTER",
        "Direction générale Territoires",
        (
            ("DGTER-RIVEDROITE", "Pôle territorial Rive droite"),
            ("DGTER-SUD", "Pôle territorial Sud"),
            ("DGTER-OUEST", "Pôle territorial Ouest"),
            ("DGTER-BORDEAUX", "Pôle territorial de Bordeaux"),
        ),
    ),
)

# Shared buildings (name, commune INSEE, address); each commune also has its town hall.
SHARED_SITES: tuple[tuple[str, str, str, str], ...] = (
    ("BXM-HQ", "Immeuble Laure Gatet (siège)", "33063", "Esplanade Charles-de-Gaulle, 33000 Bordeaux"),
    ("BXM-CITE", "Cité municipale", "33063", "4 rue Claude Bonnier, 33000 Bordeaux"),
    ("BXM-BASTIDE", "Centre administratif de la Bastide", "33063", "Avenue Thiers, 33100 Bordeaux"),
    ("BXM-BACALAN", "Centre technique de Bacalan", "33063", "Rue Achard, 33300 Bordeaux"),
    ("PT-RIVEDROITE", "Pôle territorial Rive droite", "33249", "Rue Lavergne, 33310 Lormont"),
    ("PT-SUD", "Pôle territorial Sud", "33039", "Avenue Alexis Capelle, 33130 Bègles"),
    ("PT-OUEST", "Pôle territorial Ouest", "33281", "Avenue de la Somme, 33700 Mérignac"),
    ("CT-MERIGNAC", "Centre technique de Mérignac", "33281", "Avenue Henri Vigneau, 33700 Mérignac"),
    ("CT-PESSAC", "Centre technique de Pessac", "33318", "Avenue de Canéjan, 33600 Pessac"),
    ("DATA-CENTER", "Salle informatique et atelier numérique", "33522", "Avenue de Mirande, 33400 Talence"),
    ("CT-BLANQUEFORT", "Centre technique nord", "33056", "Rue Jean Duvert, 33290 Blanquefort"),
    ("STEP-LOUIS-FARGUE", "Station d’épuration Louis Fargue", "33063", "Quai de Brazza, 33100 Bordeaux"),
)

FIRST_NAMES = _names("first_names.txt")
LAST_NAMES = _names("last_names.txt")

DEMO_ACCOUNTS: tuple[tuple[str, str, str, tuple[str, ...], str, str], ...] = (
    # email local part, first name, last name, roles, org unit, site
    ("admin", "Alice", "Administratrice", (Role.ADMIN.value,), "DGNSI-NR", "BXM-HQ"),
    ("comms", "Chloé", "Communication", (Role.COMMS.value,), "DGCOM-INTERNE", "BXM-HQ"),
    ("manager", "Marc", "Manager", (Role.MANAGER.value,), "DGNSI-INFRA", "BXM-CITE"),
    ("agent", "Ana", "Agent", (), "DGNSI-INFRA", "BXM-CITE"),
)
EMPLOYEE_COUNT = 300


def load_demo() -> dict[str, int]:
    """Create whatever part of the demo metropolis is missing; returns what was created."""
    summary = {"communes": load_communes()}
    summary["sites"] = _load_sites()
    summary["org units"] = _load_org_chart()
    summary["employees"] = _load_employees()
    db.session.flush()
    for module in domain_modules("demo"):
        summary.update(module.load_demo())
        db.session.flush()
    return summary


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _load_sites() -> int:
    existing = set(db.session.scalars(sa.select(Site.code)))
    communes = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security  # nosec B311
    wanted = list(SHARED_SITES) + [
        (
            f"MAIRIE-{c.insee}",
            f"Hôtel de ville {with_preposition('de', c.name)}",
            c.insee,
            f"Place de la mairie, {c.postcode_list[0]} {c.name}",
        )
        for c in sorted(communes.values(), key=lambda c: c.insee)
    ]
    created = 0
    for code, name, insee, address in wanted:
        # Offsets of up to ~1.5 km from the centroid: plausible, and always inside the commune's area.
        lat = communes[insee].lat + Decimal(str(round(rng.uniform(-0.012, 0.012), 5)))
        lon = communes[insee].lon + Decimal(str(round(rng.uniform(-0.015, 0.015), 5)))
        if code in existing:
            continue
        db.session.add(Site(code=code, name=name, address=address, commune_insee=insee, lat=lat, lon=lon))
        created += 1
    db.session.flush()
    return created


def _load_org_chart() -> int:
    existing = {u.code: u for u in db.session.scalars(sa.select(OrgUnit))}
    created = 0
    for code, name, services in ORG_CHART:
        direction = existing.get(code)
        if direction is None:
            direction = existing[code] = OrgUnit(code=code, name=name, kind="direction")
            db.session.add(direction)
            created += 1
        for service_code, service_name in services:
            if service_code not in existing:
                existing[service_code] = OrgUnit(code=service_code, name=service_name, kind="service", parent=direction)
                db.session.add(existing[service_code])
                created += 1
    db.session.flush()
    return created


def _load_employees() -> int:
    """Four demo accounts, one manager per service, and employees up to EMPLOYEE_COUNT."""
    emails = set(db.session.scalars(sa.select(User.email)))
    if f"agent@{DEMO_DOMAIN}" in emails:
        return 0
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security  # nosec B311
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: hashing is slow on purpose
    units = {u.code: u for u in db.session.scalars(sa.select(OrgUnit))}
    sites = {s.code: s for s in db.session.scalars(sa.select(Site))}
    site_list = [sites[code] for code in sorted(sites)]
    services = [u for u in units.values() if u.kind == "service"]
    services.sort(key=lambda u: u.code)

    def new_user(email: str, first: str, last: str, unit: OrgUnit, site: Site, roles: tuple[str, ...]) -> User:
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            org_unit=unit,
            site=site,
            password_hash=password_hash,
            locale="fr",
        )
        set_roles(user, roles)
        db.session.add(user)
        emails.add(email)
        return user

    demo = {
        local: new_user(f"{local}@{DEMO_DOMAIN}", first, last, units[unit], sites[site], roles)
        for local, first, last, roles, unit, site in DEMO_ACCOUNTS
    }
    managers: dict[str, User] = {"DGNSI-INFRA": demo["manager"]}
    demo["agent"].manager = demo["manager"]

    def unique_email(first: str, last: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last)}"
        email, n = f"{base}@{DEMO_DOMAIN}", 1
        while email in emails:
            n += 1
            email = f"{base}{n}@{DEMO_DOMAIN}"
        return email

    # Directors lead each direction; each service's manager reports to their director.
    directors: dict[int, User] = {}
    for direction in sorted((u for u in units.values() if u.kind == "direction"), key=lambda u: u.code):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        directors[direction.id] = new_user(
            unique_email(first, last), first, last, direction, sites["BXM-HQ"], (Role.MANAGER.value,)
        )
    for unit in services:
        if unit.code not in managers:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            managers[unit.code] = new_user(
                unique_email(first, last), first, last, unit, rng.choice(site_list), (Role.MANAGER.value,)
            )
        managers[unit.code].manager = directors[unit.parent_id]  # type: ignore[index]  # a service sits in a direction
    demo["comms"].manager = managers["DGCOM-INTERNE"] if managers["DGCOM-INTERNE"] is not demo["comms"] else None
    demo["admin"].manager = managers["DGNSI-NR"]

    created = len(demo) + len(directors) + len(managers) - 1
    # Most people work at a few large buildings; the rest at town halls.
    weights = [6 if not s.code.startswith("MAIRIE-") else 1 for s in site_list]
    while created < EMPLOYEE_COUNT:
        unit = rng.choice(services)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = new_user(unique_email(first, last), first, last, unit, rng.choices(site_list, weights)[0], ())
        user.manager = managers[unit.code]
        if rng.random() < 0.08:
            user.locale = "en"
        created += 1
    db.session.flush()
    return created
