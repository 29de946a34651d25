"""Forms of the ITSM administration: a file to import (mapping a model and "sync now" are buttons whose only
field is the CSRF token, checked for every POST by Flask-WTF's CSRFProtect)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from portal.itsm.display import TABLE_NAMES
from portal.itsm.mapping import TABLES


class ImportForm(FlaskForm):
    """An exported file and the table it comes from."""

    table = SelectField(_l("Table"), choices=[SelectChoice(table, TABLE_NAMES[table]) for table in TABLES])
    file = FileField(
        _l("File (.json or .csv)"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("A Table API answer (JSON with its “result” list) or a CSV list export whose first line "
                       "names the fields."),
        render_kw={"accept": ".json,.csv,application/json,text/csv"},
    )
