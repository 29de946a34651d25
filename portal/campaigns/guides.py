"""Practical clean-up guides and the checklist of actions employees tick during a campaign."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Action:
    """One thing to do, with a stable key (stored with each tick)."""

    key: str
    label: LazyString


@dataclass(frozen=True)
class Guide:
    """A place to clean up: why and how, and the actions to tick."""

    key: str
    title: LazyString
    advice: LazyString
    actions: tuple[Action, ...]


GUIDES: tuple[Guide, ...] = (
    Guide(
        "mailbox",
        _l("Mailbox"),
        _l("Sort your messages by size: a few large attachments usually weigh more than thousands of short e-mails."),
        (
            Action("mailbox-largest", _l("Delete the largest messages I no longer need")),
            Action("mailbox-attachments", _l("Keep needed attachments once, in a shared space, and delete the copies")),
            Action("mailbox-bins", _l("Empty the Deleted Items and Junk folders")),
        ),
    ),
    Guide(
        "drive",
        _l("Cloud drive (OneDrive)"),
        _l("Sort by size and by date of last change; old versions and duplicates count as much as originals."),
        (
            Action("drive-large", _l("Delete large files I no longer need")),
            Action("drive-duplicates", _l("Delete duplicates and drafts of finished documents")),
            Action("drive-bin", _l("Empty the OneDrive recycle bin")),
        ),
    ),
    Guide(
        "share",
        _l("Network share"),
        _l("Shared folders belong to the team: agree with your colleagues before deleting anything."),
        (
            Action("share-closed-projects", _l("Archive or delete the folders of closed projects, with my team")),
            Action("share-personal", _l("Remove personal files (photos, videos) from work shares")),
        ),
    ),
    Guide(
        "photos",
        _l("Phone photos"),
        _l("Photos and videos on a work phone are often backed up to the cloud too: cleaning the phone cleans both."),
        (
            Action("photos-sort", _l("Delete blurred photos, bursts and duplicates")),
            Action("photos-videos", _l("Delete the videos I have already shared or no longer need")),
        ),
    ),
    Guide(
        "newsletters",
        _l("Newsletters and notifications"),
        _l("Each unread newsletter is stored, copied and backed up: unsubscribing stops the flow for good."),
        (
            Action("newsletters-unsubscribe", _l("Unsubscribe from the newsletters I no longer read")),
            Action("newsletters-old", _l("Delete old newsletters and automatic notifications")),
        ),
    ),
)

ACTIONS: dict[str, Action] = {action.key: action for guide in GUIDES for action in guide.actions}
