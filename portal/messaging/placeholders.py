"""The placeholders a message can use: each one's name, kind, example value and description, and the
languages a message is written in. Standard library only: the checker, the renderer and the pages read it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

LOCALES = ("fr", "en")


def language(locale: str) -> str:
    """'fr', 'fr_FR', 'fr-CA' → 'fr'; 'en…' → 'en'; anything else is a programming error."""
    code = str(locale).replace("-", "_").split("_")[0].lower()
    if code not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r} (expected one of {LOCALES})")
    return code


Kind = Literal["int", "decimal", "str"]


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One value a message can use: its name in templates, type, example (for previews), a short label (shown
    as a chip instead of the braces) and a description, in French and English."""

    name: str
    kind: Kind
    example: int | Decimal | str
    label_fr: str
    label_en: str
    description_fr: str
    description_en: str
    #: A figure only the recipient may see (what they freed in a campaign): previews for someone else show the
    #: example value instead.
    private: bool = False

    def label(self, locale: str) -> str:
        return self.label_fr if language(locale) == "fr" else self.label_en

    def description(self, locale: str) -> str:
        return self.description_fr if language(locale) == "fr" else self.description_en


_ALL: dict[str, Placeholder] = {
        p.name: p
        for p in (
            Placeholder("first_name", "str", "Camille", "prénom", "first name",
                        "Prénom du destinataire", "Recipient's first name"),
            Placeholder("last_name", "str", "Durand", "nom", "last name",
                        "Nom de famille du destinataire", "Recipient's last name"),
            Placeholder("org_unit", "str", "Direction des systèmes d'information", "service", "department",
                        "Service ou direction du destinataire", "Recipient's department"),
            Placeholder("site", "str", "Lyon Part-Dieu", "site", "site",
                        "Site de travail du destinataire", "Recipient's work site"),
            Placeholder("commune", "str", "Lyon", "commune", "town",
                        "Commune du site de travail", "Town of the work site"),
            Placeholder("device_count", "int", 3, "nombre d’équipements", "number of devices",
                        "Nombre d’équipements attribués", "Number of devices assigned"),
            Placeholder("footprint_kg_per_year", "decimal", Decimal("412.5"), "empreinte annuelle", "yearly footprint",
                        "Empreinte carbone annuelle de ses équipements (kg CO₂e par an)",
                        "Annual carbon footprint of their devices (kg CO₂e per year)"),
            Placeholder("oldest_device_years", "int", 6, "âge du plus ancien équipement", "oldest device’s age",
                        "Âge de son équipement le plus ancien (années)", "Age of their oldest device (years)"),
            Placeholder("keep_longer_saving_kg", "decimal", Decimal("85.3"), "gain à garder", "saving by keeping",
                        "CO₂e évité en gardant ses équipements un an de plus (kg)",
                        "CO₂e avoided by keeping their devices one more year (kg)"),
            Placeholder("org_average_kg_per_year", "decimal", Decimal("1234.5"), "moyenne des agents",
                        "employees' average",
                        "Empreinte annuelle moyenne d’un agent de l’organisation (kg CO₂e par an)",
                        "Average annual footprint of an employee of the organisation (kg CO₂e per year)"),
            Placeholder("nearest_collection_point", "str", "Mairie du 3e arrondissement, 215 rue Duguesclin",
                        "point de collecte", "collection point",
                        "Point de collecte le plus proche du site", "Collection point nearest to the work site"),
            Placeholder("campaign_freed_gb", "decimal", Decimal("12.4"), "Go libérés", "GB freed",
                        "Stockage libéré par le destinataire pendant la campagne de nettoyage (Go)",
                        "Storage freed by the recipient during the clean-up campaign (GB)", private=True),
            Placeholder("campaign_total_gb", "decimal", Decimal("3456.7"), "Go libérés par tous", "GB freed by all",
                        "Stockage libéré par tous les participants de la campagne (Go)",
                        "Storage freed by all the campaign's participants (GB)"),
            Placeholder("campaign_participants", "int", 1287, "participants", "participants",
                        "Nombre de participants à la campagne", "Number of participants in the campaign"),
            Placeholder("team_rank", "int", 4, "rang de l’équipe", "team’s rank",
                        "Rang de son équipe dans la campagne", "Rank of their team in the campaign"),
            Placeholder("collected_kg_this_year", "decimal", Decimal("1840.5"), "kg collectés cette année",
                        "kg collected this year",
                        "Équipements collectés cette année aux points de collecte de la Métropole (kg)",
                        "Devices collected this year at the metropolis's collection points (kg)"),
            Placeholder("device_name", "str", "Latitude 5420", "équipement concerné", "device concerned",
                        "Équipement concerné par un message automatique (sinon vide)",
                        "The device an automatic message is about (empty otherwise)"),
            Placeholder("device_age_years", "decimal", Decimal("2.5"), "âge de l’équipement", "device’s age",
                        "Âge de l’équipement concerné par un message automatique (années, sinon vide)",
                        "Age of the device an automatic message is about (years, empty otherwise)"),
            Placeholder("portal_url", "str", "https://portail.example.org", "adresse du portail", "portal address",
                        "Adresse du portail (pour un lien\u202f: [le portail]({{ portal_url }}))",
                        "Address of the portal (for a link: [the portal]({{ portal_url }}))"),
        )
}
#: Every placeholder: messaging's own, then those an upper domain plugged in (a live read-only view).
PLACEHOLDERS: Mapping[str, Placeholder] = MappingProxyType(_ALL)


@dataclass(frozen=True)
class PluggedPlaceholders:
    """Placeholders an upper domain offers (messaging cannot import it: domains import downwards only), and the
    function giving their values, the same for every recipient, once per mailing (given the day)."""

    placeholders: tuple[Placeholder, ...]
    load: Callable[[date], Mapping[str, int | Decimal | str | None]]


_PLUGGED: list[PluggedPlaceholders] = []


def plug_in(source: PluggedPlaceholders) -> None:
    """Add a domain's placeholders (called once, when the domain's package is imported)."""
    if source in _PLUGGED:
        return
    for placeholder in source.placeholders:
        if placeholder.name in _ALL:
            raise ValueError(f"placeholder {placeholder.name!r} is already defined")
    for placeholder in source.placeholders:
        _ALL[placeholder.name] = placeholder
    _PLUGGED.append(source)


def plugged_in() -> tuple[PluggedPlaceholders, ...]:
    """The upper domains' placeholders, in the order they were plugged in."""
    return tuple(_PLUGGED)


def example_context() -> dict[str, int | Decimal | str]:
    """Every placeholder with its example value: the context of previews."""
    return {name: p.example for name, p in PLACEHOLDERS.items()}


def as_seen_by_others(context: Mapping[str, int | Decimal | str | None]) -> dict[str, int | Decimal | str | None]:
    """A recipient's values as someone else may see them in a preview: private figures become examples."""
    return {
        name: PLACEHOLDERS[name].example if name in PLACEHOLDERS and PLACEHOLDERS[name].private else value
        for name, value in context.items()
    }
