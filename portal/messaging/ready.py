"""The ready templates, written in French and English (five to start a message, four for the automatic messages);
`seed_ready_templates` puts them in the library."""

# ruff: noqa: E501 - in the message markup a newline is a line break: each paragraph stays on one line.

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.messaging.models import Category, MessageTemplate
from portal.models import db


@dataclass(frozen=True)
class ReadyTemplate:
    """A template shipped with the portal, identified by its key."""

    key: str
    title: str  # lazy: shown in the interface language
    category: str
    subject_fr: str
    body_fr: str
    subject_en: str
    body_en: str
    cta_url: str = ""


WELCOME = ReadyTemplate(
    key="welcome",
    title=_l("Welcome to the programme"),
    category=Category.NEWS.value,
    subject_fr="Bienvenue dans le programme numérique responsable, {{ first_name }}",
    body_fr="""Bonjour {{ first_name }},

La Métropole s’est engagée à réduire l’empreinte carbone de son numérique. Le portail du numérique responsable vous aide à y contribuer :

- choisir un équipement sobre (reconditionné ou mieux noté) quand vous en avez besoin ;
- voir l’empreinte de **vos** équipements et ce que les garder plus longtemps permet d’éviter ;
- participer aux campagnes de nettoyage numérique ;
- trouver le point de collecte le plus proche pour vos anciens appareils.

{% if device_count > 0 %}
Vos équipements actuels pèsent {{ footprint_kg_per_year }} kg CO₂e par an (fabrication amortie sur leur durée de vie et électricité, méthode ADEME détaillée sur le portail).
{% endif %}

[Découvrir le portail]({{ portal_url }})""",
    subject_en="Welcome to the responsible digital programme, {{ first_name }}",
    body_en="""Hello {{ first_name }},

The metropolis has committed to reduce the carbon footprint of its digital technology. The responsible digital portal helps you play your part:

- choose sober equipment (refurbished or better labelled) when you need some;
- see the footprint of **your** devices and what keeping them longer avoids;
- take part in the digital clean-up campaigns;
- find the nearest collection point for your old devices.

{% if device_count > 0 %}
Your current devices weigh {{ footprint_kg_per_year }} kg CO₂e per year (manufacture spread over their life plus electricity, ADEME method detailed on the portal).
{% endif %}

[Discover the portal]({{ portal_url }})""",
)

FOOTPRINT = ReadyTemplate(
    key="footprint",
    title=_l("Your devices' footprint"),
    category=Category.FOOTPRINT.value,
    subject_fr="{{ first_name }}, l’empreinte carbone de vos équipements",
    body_fr="""Bonjour {{ first_name }},

{% if device_count > 1 %}
Vos {{ device_count }} équipements pèsent **{{ footprint_kg_per_year }} kg CO₂e par an**.
{% elif device_count == 1 %}
Votre équipement pèse **{{ footprint_kg_per_year }} kg CO₂e par an**.
{% else %}
Aucun équipement ne vous est attribué dans l’inventaire. Si c’est une erreur, contactez le support informatique.
{% endif %}
{% if device_count > 0 and org_average_kg_per_year is not none %}
La moyenne par agent de la Métropole est de {{ org_average_kg_per_year }} kg CO₂e par an.
{% endif %}

{% if device_count > 0 %}
L’essentiel vient de la fabrication : garder vos équipements douze mois de plus éviterait environ {{ keep_longer_saving_kg }} kg CO₂e.
{% endif %}

Calcul : fabrication amortie sur la durée de vie, plus l’électricité consommée (0,0519 kg CO₂e par kWh, ADEME). [Voir le détail et les sources sur le portail]({{ portal_url }})""",
    subject_en="{{ first_name }}, the carbon footprint of your devices",
    body_en="""Hello {{ first_name }},

{% if device_count > 1 %}
Your {{ device_count }} devices weigh **{{ footprint_kg_per_year }} kg CO₂e per year**.
{% elif device_count == 1 %}
Your device weighs **{{ footprint_kg_per_year }} kg CO₂e per year**.
{% else %}
No device is assigned to you in the inventory. If this is wrong, contact the IT support desk.
{% endif %}
{% if device_count > 0 and org_average_kg_per_year is not none %}
The average per employee of the metropolis is {{ org_average_kg_per_year }} kg CO₂e per year.
{% endif %}

{% if device_count > 0 %}
Most of it comes from manufacturing: keeping your devices twelve more months would avoid about {{ keep_longer_saving_kg }} kg CO₂e.
{% endif %}

Method: manufacture spread over the device's life, plus the electricity used (0.0519 kg CO₂e per kWh, ADEME). [See the details and sources on the portal]({{ portal_url }})""",
)

CAMPAIGN_LAUNCH = ReadyTemplate(
    key="campaign_launch",
    title=_l("Clean-up campaign launch"),
    category=Category.CAMPAIGN.value,
    subject_fr="Nettoyage numérique : la campagne commence",
    body_fr="""Bonjour {{ first_name }},

La campagne de nettoyage numérique commence : pendant trois semaines, faisons du tri dans nos boîtes aux lettres, nos espaces OneDrive et nos partages réseau.

- supprimez les e-mails volumineux et les pièces jointes en double ;
- videz la corbeille et les anciennes versions de vos fichiers ;
- archivez ce qui doit l’être et supprimez le reste.

{% if campaign_participants is not none and campaign_participants > 0 %}
{{ campaign_participants }} collègues participent déjà.
{% endif %}
Les résultats sont mesurés (gigaoctets et éléments supprimés, d’après les rapports d’usage Microsoft 365), pas estimés.

[Je participe]({{ portal_url }})""",
    subject_en="Digital clean-up: the campaign starts",
    body_en="""Hello {{ first_name }},

The digital clean-up campaign starts: for three weeks, let's sort out our mailboxes, OneDrive spaces and network shares.

- delete large e-mails and duplicate attachments;
- empty the recycle bin and the old versions of your files;
- archive what must be kept and delete the rest.

{% if campaign_participants is not none and campaign_participants > 0 %}
{{ campaign_participants }} colleagues already take part.
{% endif %}
Results are measured (gigabytes and items deleted, from the Microsoft 365 usage reports), not estimated.

[I take part]({{ portal_url }})""",
)

CAMPAIGN_RESULTS = ReadyTemplate(
    key="campaign_results",
    title=_l("Campaign results"),
    category=Category.CAMPAIGN.value,
    subject_fr="Nettoyage numérique : les résultats",
    body_fr="""Bonjour {{ first_name }},

La campagne de nettoyage numérique est terminée.
{% if campaign_total_gb is not none %}
Ensemble, {{ campaign_participants }} participants ont libéré **{{ campaign_total_gb }} Go**.
{% endif %}

{% if campaign_freed_gb is not none and campaign_freed_gb > 0 %}
Vous avez libéré {{ campaign_freed_gb }} Go : merci !
{% elif campaign_freed_gb is not none %}
Votre stockage n’a pas diminué pendant la campagne : il n’est jamais trop tard pour faire du tri.
{% endif %}
{% if team_rank is not none %}
Votre équipe termine au rang {{ team_rank }}.
{% endif %}

Mesures issues des rapports d’usage des boîtes aux lettres et des espaces de stockage. [Voir les résultats]({{ portal_url }})""",
    subject_en="Digital clean-up: the results",
    body_en="""Hello {{ first_name }},

The digital clean-up campaign is over.
{% if campaign_total_gb is not none %}
Together, {{ campaign_participants }} participants freed **{{ campaign_total_gb }} GB**.
{% endif %}

{% if campaign_freed_gb is not none and campaign_freed_gb > 0 %}
You freed {{ campaign_freed_gb }} GB: thank you!
{% elif campaign_freed_gb is not none %}
Your storage did not shrink during the campaign: it is never too late to sort things out.
{% endif %}
{% if team_rank is not none %}
Your team finishes in position {{ team_rank }}.
{% endif %}

Measured from the mailbox and storage usage reports. [See the results]({{ portal_url }})""",
)

DEVICE_ANNIVERSARY = ReadyTemplate(
    key="device_anniversary",
    title=_l("Device anniversary: keep it longer"),
    category=Category.FOOTPRINT.value,
    subject_fr="Garder son équipement plus longtemps, ça compte",
    body_fr="""Bonjour {{ first_name }},

{% if oldest_device_years is not none and oldest_device_years >= 1 %}
Votre plus ancien équipement a {{ oldest_device_years }} ans. S’il fonctionne bien, le garder est le geste le plus efficace : la fabrication représente l’essentiel de l’empreinte d’un équipement.
{% endif %}
{% if device_count > 0 %}
Garder vos équipements douze mois de plus éviterait environ **{{ keep_longer_saving_kg }} kg CO₂e** (fabrication du remplaçant reportée, méthode ADEME).
{% endif %}

Batterie fatiguée, écran abîmé, lenteurs ? Le support informatique peut souvent réparer. Et quand un appareil est vraiment en fin de vie{% if nearest_collection_point is not none %}, le point de collecte le plus proche de votre site est : {{ nearest_collection_point }}{% endif %}.""",
    subject_en="Keeping your device longer makes a difference",
    body_en="""Hello {{ first_name }},

{% if oldest_device_years is not none and oldest_device_years >= 1 %}
Your oldest device is {{ oldest_device_years }} years old. If it works well, keeping it is the most effective thing to do: manufacturing is most of a device's footprint.
{% endif %}
{% if device_count > 0 %}
Keeping your devices twelve more months would avoid about **{{ keep_longer_saving_kg }} kg CO₂e** (the replacement's manufacture is postponed, ADEME method).
{% endif %}

Tired battery, damaged screen, slowness? The IT support desk can often repair it. And when a device really is at the end of its life{% if nearest_collection_point is not none %}, the collection point nearest to your site is: {{ nearest_collection_point }}{% endif %}.""",
    # "En savoir plus" (the e-mail's button) leads to the employee's own devices, not the portal's address.
    cta_url="/me/footprint",
)

# The automatic messages' templates (portal.messaging.automatic): device_name and device_age_years come with
# the event.

DEVICE_AGE = ReadyTemplate(
    key="device_age",
    title=_l("A device reaches its age: keep it, here is how"),
    category=Category.FOOTPRINT.value,
    subject_fr="{{ first_name }}, votre équipement a {{ device_age_years }} ans : gardez-le en forme",
    body_fr="""Bonjour {{ first_name }},

{% if device_name %}
Votre {{ device_name }} a {{ device_age_years }} ans.
{% endif %}
La fabrication fait l’essentiel de l’empreinte d’un équipement : chaque année de plus passée à vous servir l’amortit. Quelques gestes pour qu’il dure :

- mettez-le à jour et redémarrez-le de temps en temps ;
- nettoyez le clavier, l’écran et les grilles d’aération ;
- batterie fatiguée, écran abîmé, lenteurs : le support informatique peut souvent réparer ;
- faites le tri dans vos fichiers pour garder de la place.

{% if keep_longer_saving_kg is not none and keep_longer_saving_kg > 0 %}
Garder vos équipements douze mois de plus éviterait environ **{{ keep_longer_saving_kg }} kg CO₂e**.
{% endif %}""",
    subject_en="{{ first_name }}, your device is {{ device_age_years }} years old: keep it in shape",
    body_en="""Hello {{ first_name }},

{% if device_name %}
Your {{ device_name }} is {{ device_age_years }} years old.
{% endif %}
Manufacturing is most of a device's footprint: each extra year of service spreads it further. A few habits to make it last:

- update it and restart it now and then;
- clean the keyboard, the screen and the air vents;
- tired battery, damaged screen, slowness: the IT support desk can often repair it;
- sort your files to keep some room.

{% if keep_longer_saving_kg is not none and keep_longer_saving_kg > 0 %}
Keeping your devices twelve more months would avoid about **{{ keep_longer_saving_kg }} kg CO₂e**.
{% endif %}""",
)

ORDER_RETURN = ReadyTemplate(
    key="order_return",
    title=_l("New device delivered: return the old one"),
    category=Category.PRACTICAL.value,
    subject_fr="Votre nouvel équipement est arrivé : rapportez l’ancien",
    body_fr="""Bonjour {{ first_name }},

Votre nouvel équipement vous a été livré{% if device_name %} : il remplace votre {{ device_name }}{% endif %}.

Rapportez l’ancien à un point de collecte : il sera réemployé ou recyclé au lieu de finir dans un tiroir. Avant de le déposer, sauvegardez vos fichiers et déconnectez-vous de vos comptes.
{% if nearest_collection_point %}

Le point le plus proche de votre site : **{{ nearest_collection_point }}**.
{% endif %}""",
    subject_en="Your new device has arrived: return the old one",
    body_en="""Hello {{ first_name }},

Your new device has been delivered{% if device_name %}: it replaces your {{ device_name }}{% endif %}.

Bring the old one back to a collection point: it will be reused or recycled instead of ending up in a drawer. Before dropping it off, back up your files and sign out of your accounts.
{% if nearest_collection_point %}

The point nearest to your site: **{{ nearest_collection_point }}**.
{% endif %}""",
    cta_url="/collection-points",
)

RETURN_THANKS = ReadyTemplate(
    key="return_thanks",
    title=_l("Return confirmed: thank you"),
    category=Category.NEWS.value,
    subject_fr="Merci pour votre dépôt, {{ first_name }}",
    body_fr="""Bonjour {{ first_name }},

Votre dépôt{% if device_name %} ({{ device_name }}){% endif %} a bien été reçu au point de collecte. Merci !
{% if collected_kg_this_year is not none and collected_kg_this_year > 0 %}

Avec le vôtre, **{{ collected_kg_this_year }} kg** d’équipements ont été collectés cette année dans la Métropole.
{% endif %}""",
    subject_en="Thank you for your return, {{ first_name }}",
    body_en="""Hello {{ first_name }},

Your return{% if device_name %} ({{ device_name }}){% endif %} has been received at the collection point. Thank you!
{% if collected_kg_this_year is not none and collected_kg_this_year > 0 %}

With yours, **{{ collected_kg_this_year }} kg** of devices have been collected in the metropolis this year.
{% endif %}""",
)

STORAGE_PROGRESS = ReadyTemplate(
    key="storage_progress",
    title=_l("Clean-up campaign: your progress"),
    category=Category.CAMPAIGN.value,
    subject_fr="Nettoyage numérique : où en êtes-vous ?",
    body_fr="""Bonjour {{ first_name }},

Les nouvelles mesures de stockage sont arrivées.
{% if campaign_freed_gb is not none and campaign_freed_gb > 0 %}
Depuis le début de la campagne, vous avez libéré **{{ campaign_freed_gb }} Go**. Bravo !
{% elif campaign_freed_gb is not none %}
Votre stockage n’a pas encore diminué : les guides de la campagne donnent des idées pour commencer.
{% endif %}
{% if team_rank is not none %}
Votre équipe est au rang {{ team_rank }}.
{% endif %}""",
    subject_en="Digital clean-up: how are you doing?",
    body_en="""Hello {{ first_name }},

The new storage measures are in.
{% if campaign_freed_gb is not none and campaign_freed_gb > 0 %}
Since the campaign started, you have freed **{{ campaign_freed_gb }} GB**. Well done!
{% elif campaign_freed_gb is not none %}
Your storage has not shrunk yet: the campaign's guides give ideas to start with.
{% endif %}
{% if team_rank is not none %}
Your team is in position {{ team_rank }}.
{% endif %}""",
)

READY_TEMPLATES: tuple[ReadyTemplate, ...] = (
    WELCOME, FOOTPRINT, CAMPAIGN_LAUNCH, CAMPAIGN_RESULTS, DEVICE_ANNIVERSARY, DEVICE_AGE, ORDER_RETURN, RETURN_THANKS,
    STORAGE_PROGRESS,
)
READY_BY_KEY = {t.key: t for t in READY_TEMPLATES}


def seed_ready_templates() -> int:
    """Add the ready templates missing from the library (idempotent); returns how many were added."""
    existing = set(db.session.scalars(sa.select(MessageTemplate.key).where(MessageTemplate.key.is_not(None))))
    added = 0
    for ready in READY_TEMPLATES:
        if ready.key in existing:
            continue
        with force_locale("en"):  # the stored name is a fallback: the interface shows `title` translated
            name = str(ready.title)
        db.session.add(
            MessageTemplate(
                key=ready.key,
                name=name,
                category=ready.category,
                subject_fr=ready.subject_fr,
                body_fr=ready.body_fr,
                subject_en=ready.subject_en,
                body_en=ready.body_en,
                cta_url=ready.cta_url,
            )
        )
        added += 1
    db.session.flush()
    return added
