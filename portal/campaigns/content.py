"""Each campaign's guides and checklist: sections (a place to clean up, with advice) and their actions (with
help), in French and English, in the order chosen by the admins and the communications team.

A campaign whose content was never edited shows the default guides of portal.campaigns.guides; the first
edit copies them into the campaign's own rows, with the same action keys, so that ticks already made stay
ticked. A new campaign starts from the content of the previous one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from portal import reference_cache
from portal.campaigns.guides import GUIDES
from portal.campaigns.models import Campaign, ChecklistTick, GuideAction, GuideSection
from portal.campaigns.services import CampaignError, check_editable
from portal.models import db


@dataclass(frozen=True)
class ShownAction:
    """An action as an employee reads it, in their language."""

    key: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class ShownGuide:
    """A section of the guides as an employee reads it, in their language."""

    title: str
    advice: str
    actions: tuple[ShownAction, ...]


@dataclass(frozen=True)
class SectionInput:
    """A section's words in both languages (what the section form gives)."""

    title_fr: str
    title_en: str
    advice_fr: str = ""
    advice_en: str = ""


@dataclass(frozen=True)
class ActionInput:
    """An action's words in both languages (what the action form gives)."""

    label_fr: str
    label_en: str
    help_fr: str = ""
    help_en: str = ""


def sections_of(campaign: Campaign) -> list[GuideSection]:
    """The campaign's own sections, in order, with their actions loaded (none until its content is edited)."""
    return list(db.session.scalars(
        sa.select(GuideSection)
        .where(GuideSection.campaign_id == campaign.id)
        .order_by(GuideSection.position, GuideSection.id)
        .options(selectinload(GuideSection.actions))
    ))


def _english(locale: str) -> bool:
    return str(locale).startswith("en")


def guides_of(campaign: Campaign, locale: str) -> tuple[ShownGuide, ...]:
    """The guides and checklist of the campaign in the reader's language (the default ones if never edited),
    kept by the portal's cache (any change of a section or an action renews the reference generation)."""
    return reference_cache.cached("campaigns.guides", (campaign.id, str(locale)), lambda: _guides(campaign, locale))


def _guides(campaign: Campaign, locale: str) -> tuple[ShownGuide, ...]:
    sections = sections_of(campaign)
    if not sections:
        with force_locale(locale):
            return tuple(
                ShownGuide(str(g.title), str(g.advice), tuple(ShownAction(a.key, str(a.label)) for a in g.actions))
                for g in GUIDES
            )
    en = _english(locale)
    return tuple(
        ShownGuide(
            section.title_en if en else section.title_fr,
            section.advice_en if en else section.advice_fr,
            tuple(ShownAction(a.key, a.label_en if en else a.label_fr, a.help_en if en else a.help_fr)
                  for a in section.actions),
        )
        for section in sections
    )


# ------------------------------------------------------------------------------------------- copying


def _words(lazy: Any) -> tuple[str, str]:
    with force_locale("fr"):
        french = str(lazy)
    with force_locale("en"):
        english = str(lazy)
    return french, english


def _copy_defaults(campaign: Campaign) -> None:
    for position, guide in enumerate(GUIDES):
        (title_fr, title_en), (advice_fr, advice_en) = _words(guide.title), _words(guide.advice)
        section = GuideSection(campaign_id=campaign.id, position=position, title_fr=title_fr, title_en=title_en,
                               advice_fr=advice_fr, advice_en=advice_en)
        for index, action in enumerate(guide.actions):
            label_fr, label_en = _words(action.label)
            section.actions.append(GuideAction(campaign_id=campaign.id, position=index, key=action.key,
                                               label_fr=label_fr, label_en=label_en))
        db.session.add(section)


def copy_content(source: Campaign, target: Campaign) -> None:
    """Give `target` (which has no content of its own) the content of `source`, keys included."""
    for section in sections_of(source):
        copy = GuideSection(campaign_id=target.id, position=section.position, title_fr=section.title_fr,
                            title_en=section.title_en, advice_fr=section.advice_fr, advice_en=section.advice_en)
        for action in section.actions:
            copy.actions.append(GuideAction(campaign_id=target.id, position=action.position, key=action.key,
                                            label_fr=action.label_fr, label_en=action.label_en,
                                            help_fr=action.help_fr, help_en=action.help_en))
        db.session.add(copy)
    db.session.flush()


def start_from_previous(campaign: Campaign) -> Campaign | None:
    """A new campaign takes the content of the latest other campaign that has its own; returns that one."""
    previous = db.session.scalar(
        sa.select(Campaign)
        .where(Campaign.id != campaign.id, sa.exists().where(GuideSection.campaign_id == Campaign.id))
        .order_by(Campaign.starts_at.desc(), Campaign.id.desc())
        .limit(1)
    )
    if previous is not None:
        copy_content(previous, campaign)
    return previous


def own_content(campaign: Campaign) -> list[GuideSection]:
    """The campaign's sections, its own: the default guides are copied first if it had none (to be edited)."""
    check_editable(campaign)
    if not db.session.scalar(sa.select(GuideSection.id).where(GuideSection.campaign_id == campaign.id).limit(1)):
        _copy_defaults(campaign)
        db.session.flush()
    return sections_of(campaign)


# ------------------------------------------------------------------------------------------- editing


def _check(words: SectionInput | ActionInput) -> None:
    first, second = (words.title_fr, words.title_en) if isinstance(words, SectionInput) else (words.label_fr,
                                                                                           words.label_en)
    if not first.strip() or not second.strip():
        raise CampaignError("content_both_languages")


def add_section(campaign: Campaign, words: SectionInput) -> GuideSection:
    """A new section at the end of the campaign's guides."""
    _check(words)
    sections = own_content(campaign)
    section = GuideSection(campaign_id=campaign.id, position=len(sections))
    _apply_section(section, words)
    db.session.add(section)
    db.session.flush()
    return section


def _apply_section(section: GuideSection, words: SectionInput) -> None:
    section.title_fr, section.title_en = words.title_fr.strip(), words.title_en.strip()
    section.advice_fr, section.advice_en = words.advice_fr.strip(), words.advice_en.strip()


def update_section(section: GuideSection, words: SectionInput) -> None:
    """Change a section's titles and advice."""
    check_editable(_campaign_of(section))
    _check(words)
    _apply_section(section, words)
    db.session.flush()


def delete_section(section: GuideSection) -> None:
    """Remove a section, its actions and the ticks they had."""
    campaign = _campaign_of(section)
    check_editable(campaign)
    keys = [action.key for action in section.actions]
    _forget_ticks(campaign, keys)
    db.session.delete(section)
    db.session.flush()
    _renumber(sections_of(campaign))


def _key_for(campaign: Campaign, words: ActionInput) -> str:
    """A readable key unique within the campaign: the English label's first words, then a number if taken."""
    ascii_words = unicodedata.normalize("NFKD", words.label_en).encode("ascii", "ignore").decode().lower()
    stem = "-".join(re.findall(r"[a-z0-9]+", ascii_words)[:5])[:32] or "action"
    taken = set(db.session.scalars(sa.select(GuideAction.key).where(GuideAction.campaign_id == campaign.id)))
    key, number = stem, 2
    while key in taken:
        key, number = f"{stem}-{number}", number + 1
    return key


def add_action(section: GuideSection, words: ActionInput) -> GuideAction:
    """A new action at the end of the section."""
    campaign = _campaign_of(section)
    check_editable(campaign)
    _check(words)
    action = GuideAction(campaign_id=campaign.id, position=len(section.actions), key=_key_for(campaign, words))
    _apply_action(action, words)
    section.actions.append(action)
    db.session.flush()
    return action


def _apply_action(action: GuideAction, words: ActionInput) -> None:
    action.label_fr, action.label_en = words.label_fr.strip(), words.label_en.strip()
    action.help_fr, action.help_en = words.help_fr.strip(), words.help_en.strip()


def update_action(action: GuideAction, words: ActionInput) -> None:
    """Change an action's label and help (its key, hence its ticks, stay)."""
    check_editable(_campaign_of(action.section))
    _check(words)
    _apply_action(action, words)
    db.session.flush()


def delete_action(action: GuideAction) -> None:
    """Remove an action and the ticks it had."""
    section = action.section
    campaign = _campaign_of(section)
    check_editable(campaign)
    _forget_ticks(campaign, [action.key])
    section.actions.remove(action)
    db.session.flush()
    _renumber(section.actions)


def move(item: GuideSection | GuideAction, offset: int) -> None:
    """Move a section among the campaign's, or an action within its section, one place up (-1) or down (+1)."""
    siblings: list[Any]
    if isinstance(item, GuideSection):
        campaign, siblings = _campaign_of(item), sections_of(_campaign_of(item))
    else:
        campaign, siblings = _campaign_of(item.section), list(item.section.actions)
    check_editable(campaign)
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == item.id)
    other = index + offset
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position
    db.session.flush()


def _campaign_of(section: GuideSection) -> Campaign:
    return db.session.get_one(Campaign, section.campaign_id)


def _forget_ticks(campaign: Campaign, keys: list[str]) -> None:
    if keys:
        db.session.execute(sa.delete(ChecklistTick).where(ChecklistTick.campaign_id == campaign.id,
                                                          ChecklistTick.action.in_(keys)))
