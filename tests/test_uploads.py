"""Files that are not UTF-8 text (a picture, a workbook, a UTF-16 export, NUL bytes, Windows-1252 text) renamed
`.csv`: refused in the user's language by every import page and in English by every import command, with
nothing imported; the same file saved as UTF-8 goes through."""

from __future__ import annotations

import gzip
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from portal import uploads
from portal.accounts.models import User
from portal.campaigns.models import StorageImport, StorageSnapshot
from portal.catalogue.models import Asset, CatalogueItem
from portal.catalogue.services import seed_factors
from portal.locator.models import CollectionPoint
from portal.models import db
from portal.org.models import OrgUnit
from tests.conftest import ROOT, csrf_token

#: Every page that takes a file, by endpoint (tests/test_uploads_gunicorn.py sends each an oversized one).
UPLOAD_URLS = {
    "catalogue.admin_items_import": "/admin/catalogue/import",
    "campaigns.upload_import": "/admin/storage-imports",
    "locator.admin_import": "/admin/collection-points/import",
    "itsm.admin_import": "/admin/itsm/import",
    "budgets.admin_import": "/admin/budgets/import",
    "digital_services.import_file": "/admin/services/files",
}
#: An ITSM hardware list export (CSV, raw values) whose third line has an accent.
ITSM_HARDWARE = (
    "sys_id,asset_tag,model.display_name,model_category.name,install_status,purchase_date,location.name\n"
    "a1000000000000000000000000000001,P000001,Dell Latitude 5430,Computer,1,2023-01-05,Mairie\n"
    "a1000000000000000000000000000002,P000002,Dell Latitude 5430,Computer,1,2023-01-05,Hôtel de ville\n"
)


# --- the files -----------------------------------------------------------------------------------------------


def png_picture() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(
        b"IEND", b""
    )


def xlsx_workbook(text: str) -> bytes:
    """An Office Open XML workbook (a ZIP archive) holding the CSV's lines, as a spreadsheet saves it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook><sheets><sheet name="Feuil1"/></sheets>')
        rows = "".join(f"<row><c t='inlineStr'><is><t>{line}</t></is></c></row>" for line in text.splitlines())
        archive.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet><sheetData>{rows}</sheetData>')
    return buffer.getvalue()


#: kind → (how the text file is turned into it, the reason found)
KINDS: dict[str, tuple[Callable[[str], bytes], str]] = {
    "png": (lambda text: png_picture(), "binary"),
    "xlsx": (xlsx_workbook, "spreadsheet"),
    "utf16": (lambda text: text.encode("utf-16-le"), "utf16"),  # "Unicode text" without a byte-order mark
    "nul": (lambda text: text.encode() + b"\x00" * 512, "binary"),  # a copy cut short, padded with zeros
    "cp1252": (lambda text: text.encode("cp1252"), "not_utf8"),  # an Excel "CSV" in Windows-1252
}
#: What the user reads for each reason (the third line is the first with an accent, in every file below).
MESSAGES = {
    "fr": {
        "binary": "Ce fichier n’est pas un fichier texte : il contient des données binaires",
        "spreadsheet": "Ce fichier est un classeur Excel ou LibreOffice, ou une archive ZIP",
        "utf16": "Ce fichier est du texte UTF-16, pas UTF-8.",
        "not_utf8": "Le fichier n’est pas encodé en UTF-8. La ligne 3 est la première",
    },
    "en": {
        "binary": "This is not a CSV text file. It contains binary data",
        "spreadsheet": "This is a spreadsheet (Excel, LibreOffice) or a ZIP archive, not a text file.",
        "utf16": "This file is UTF-16 text, not UTF-8.",
        "not_utf8": "The file is not UTF-8 text. Line 3 is the first with a character in another encoding",
    },
}


# --- the detection ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (png_picture(), "binary", 1),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary", 1),
        (b"GIF89a\x01\x00\x01\x00", "binary", 1),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary", 1),
        (gzip.compress(b"a,b\n"), "binary", 1),
        (xlsx_workbook("a,b\n"), "spreadsheet", 1),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "spreadsheet", 1),  # .xls
        ("a,b\nc,d\n".encode("utf-16"), "utf16", 1),  # with its byte-order mark
        ("a,b\nc,d\n".encode("utf-16-le"), "utf16", 1),
        ("a,b\nc,d\n".encode("utf-16-be"), "utf16", 1),
        (b"a,b\nc\x00d\n", "binary", 2),
        (b"\x00" * 100_000, "binary", 1),
        (b"\x01\x02\x03\x04\x05,\x06\x07\n", "binary", None),
        (b"x" * 70_000, "binary", 1),  # 64 KiB without a line break: no CSV header
        ("a,b\nc,d\nBègles,e\n".encode("latin-1"), "not_utf8", 3),
    ],
)
def test_what_is_not_utf8_text_is_recognised(data, reason, line):
    with pytest.raises(uploads.NotTextError) as whole:
        uploads.decode_text(data)
    with pytest.raises(uploads.NotTextError) as streamed:
        list(uploads.iter_text_lines(io.BytesIO(data)))
    assert (whole.value.code, whole.value.line) == (streamed.value.code, streamed.value.line) == (reason, line)


def test_utf8_text_goes_through_unchanged_without_its_byte_order_mark():
    text = "code;nom\r\n33039;Bègles\r\n33063;Bordeaux – Hôtel de ville\x1a"  # CRLF, accents, a DOS end mark
    assert uploads.decode_text(("\ufeff" + text).encode()) == text
    assert "".join(uploads.iter_text_lines(io.BytesIO(("\ufeff" + text).encode()))) == text
    long_file = ("a,b\n" + "é" * 40 + "\n") * 5000  # lines cross the 64 KiB the head is read in
    assert "".join(uploads.iter_text_lines(io.BytesIO(long_file.encode()))) == long_file
    assert uploads.decode_text(b"") == ""  # empty files are each domain's to explain


def test_an_encoding_error_far_down_a_streamed_file_comes_with_its_line():
    data = b"a,b\n" * 20_000 + "Bègles\n".encode("latin-1")
    lines = uploads.iter_text_lines(io.BytesIO(data))
    assert next(lines) == "a,b\n"  # read lazily: the rows before the bad one come out
    with pytest.raises(uploads.NotTextError) as raised:
        list(lines)
    assert (raised.value.code, raised.value.line) == ("not_utf8", 20_001)


def test_an_upload_is_read_within_the_size_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    with app.test_request_context():
        assert uploads.read_upload(FileStorage(io.BytesIO(b"a,b\n" * 25), "ok.csv")) == "a,b\n" * 25
        with pytest.raises(RequestEntityTooLarge):
            uploads.read_upload(FileStorage(io.BytesIO(b"a,b\n" * 26), "big.csv"))


# --- every upload page -------------------------------------------------------------------------------------------


def test_every_upload_form_of_the_portal_is_listed_here(app):
    """A page added later with a file field must be added to UPLOAD_URLS, so that it is tested here and under
    gunicorn."""
    forms = []
    for template in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<form\b[^>]*>", template.read_text(encoding="utf-8")):
            if "multipart/form-data" in tag:
                forms.append(re.search(r"url_for\('([\w.]+)'", tag).group(1))
    assert sorted(forms) == sorted(UPLOAD_URLS)
    with app.test_request_context():
        from flask import url_for

        assert {endpoint: url_for(endpoint) for endpoint in UPLOAD_URLS} == UPLOAD_URLS


@dataclass
class Upload:
    """One import page: its URL, a three-line file whose third line has an accent, and what it would create."""

    url: str
    filename: str
    text: str
    fields: dict[str, str]
    imported: Callable[[], int]


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture(params=sorted(UPLOAD_URLS))
def page(request, make_user, communes) -> Upload:
    endpoint = request.param
    if endpoint == "catalogue.admin_items_import":
        seed_factors()
        db.session.commit()
        from tests.catalogue.test_transfer import HEADER, line

        return Upload(
            UPLOAD_URLS[endpoint],
            "catalogue.csv",
            HEADER + line(sku="acme-1") + line(sku="acme-2", name="Écran 27 pouces"),
            {},
            lambda: count(CatalogueItem),
        )
    if endpoint == "campaigns.upload_import":
        employee = make_user(email="agent@test.example")
        return Upload(
            UPLOAD_URLS[endpoint],
            "mailbox-usage.csv",
            f"email,source,bytes\n{employee.email},mailbox,1000000\nlefèvre@test.example,mailbox,2000\n",
            {"format": "auto"},
            lambda: count(StorageImport) + count(StorageSnapshot),
        )
    if endpoint == "budgets.admin_import":
        from portal.budgets.models import BudgetLine

        unit = OrgUnit(code="DSI", name="Direction du numérique", kind="direction")
        db.session.add(unit)
        db.session.commit()
        return Upload(
            UPLOAD_URLS[endpoint],
            "budgets.csv",
            "fiscal_year,unit_code,nature,label,amount_eur,carbon_budget_kgco2e\n"
            "2027,DSI,investment,Renouvellement des portables,120000,9000\n"
            "2027,DSI,operating,Maintenance des écrans,8000,\n",
            {},
            lambda: count(BudgetLine),
        )
    if endpoint == "digital_services.import_file":
        from portal.digital_services.models import DigitalService

        unit = OrgUnit(code="DSI", name="Direction du numérique", kind="direction")
        db.session.add(unit)
        db.session.commit()
        return Upload(
            UPLOAD_URLS[endpoint],
            "services.csv",
            "code,name,category,hosting,criticality,access,owner_unit,description_fr,description_en\n"
            "MAIL,Messagerie,messaging,on_premises,high,granted_to_all,DSI,Courriel,E-mail\n"
            "SIG,Cartographie,business,on_premises,medium,on_request,DSI,Système d’information géographique,GIS\n",
            {"kind": "services"},
            lambda: count(DigitalService),
        )
    if endpoint == "itsm.admin_import":
        return Upload(UPLOAD_URLS[endpoint], "alm_hardware.csv", ITSM_HARDWARE, {"table": "alm_hardware"},
                      lambda: count(Asset))
    return Upload(
        UPLOAD_URLS[endpoint],
        "points.csv",
        "insee,name,address,postcode,lat,lon,hours,accepted\n"
        "33039,Mairie,77 rue Calixte Camelle,33130,44.8078,-0.5480,mo-fr 09:00-12:00,smartphone\n"
        "33063,Hôtel de ville,Place Pey-Berland,33000,44.8378,-0.5792,mo-fr 09:00-12:00,laptop\n",
        {},
        lambda: count(CollectionPoint),
    )


def send(client, page: Upload, content: bytes):
    data = {"csrf_token": csrf_token(client), **page.fields, "file": (io.BytesIO(content), page.filename)}
    return client.post(page.url, data=data, content_type="multipart/form-data")


def file_error(response) -> str:
    """The error shown under the file field (tied to it by aria-describedby)."""
    match = re.search(r'<span class="error" id="file-error">(.*?)</span>', response.get_data(as_text=True), re.S)
    assert match, response.get_data(as_text=True)[:2000]
    return html.unescape(match.group(1))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_file_that_is_not_utf8_text_is_refused_in_french_and_nothing_is_imported(client, login_as, page, kind):
    login_as("admin")
    convert, reason = KINDS[kind]
    response = send(client, page, convert(page.text))
    assert response.status_code == 422
    assert MESSAGES["fr"][reason] in file_error(response)
    alert = re.search(r'<(p|div) class="notice error" role="alert">(.*?)</\1>', response.get_data(as_text=True), re.S)
    assert alert and "importé" in alert.group(2)  # "Rien n’a été importé", "Le fichier n’a pas été importé"
    db.session.expire_all()
    assert page.imported() == 0


@pytest.mark.parametrize("kind", ["png", "xlsx", "utf16", "cp1252"])
def test_the_refusal_is_in_english_for_an_english_speaking_admin(client, login_as, page, kind):
    login_as("admin", locale="en")
    convert, reason = KINDS[kind]
    response = send(client, page, convert(page.text))
    assert response.status_code == 422
    assert MESSAGES["en"][reason] in file_error(response)
    assert page.imported() == 0


def test_the_same_file_saved_as_utf8_is_imported(client, login_as, page):
    login_as("admin")
    assert send(client, page, page.text.encode("cp1252")).status_code == 422
    response = send(client, page, ("\ufeff" + page.text).encode())
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert page.imported() >= 2


# --- every import command ------------------------------------------------------------------------------------


COMMANDS: dict[str, tuple[list[str], str, Callable[[], int]]] = {
    "catalogue": (
        ["catalogue", "import"],
        "sku,category,manufacturer,name\nacme-1,laptop,Acme,Book\nacme-2,monitor,Acme,Écran\n",
        lambda: count(CatalogueItem),
    ),
    "inventory": (
        ["inventory", "import"],
        "asset_tag,serial,sku,category,model_name,user_email,acquired_on,status\n"
        "BM-1,S1,,laptop,Portable,,2024-01-05,in_use\nBM-2,S2,,monitor,Écran,,2024-01-05,in_use\n",
        lambda: count(Asset),
    ),
    "collection-points": (
        ["collection-points", "import"],
        "insee,name,address,postcode,lat,lon,hours,accepted\n"
        "33039,Mairie,77 rue Calixte Camelle,33130,44.8078,-0.5480,mo-fr 09:00-12:00,smartphone\n"
        "33063,Hôtel de ville,Place Pey-Berland,33000,44.8378,-0.5792,mo-fr 09:00-12:00,laptop\n",
        lambda: count(CollectionPoint),
    ),
    "storage": (
        ["storage", "import"],
        "email,source,bytes\nagent@test.example,mailbox,1000\nlefèvre@test.example,mailbox,2000\n",
        lambda: count(StorageImport) + count(StorageSnapshot),
    ),
    "itsm": (["itsm", "import", "--table", "alm_hardware"], ITSM_HARDWARE, lambda: count(Asset)),
    "users": (
        ["users", "import"],
        "email,first_name,last_name,org_unit,site,commune_insee,manager_email,roles\n"
        "ada@test.example,Ada,Lovelace,,,,,\nhelene@test.example,Hélène,Boucher,,,,,\n",
        lambda: count(User),
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_import_command_refuses_the_file_in_the_same_words(app, tmp_path: Path, communes, command, kind):
    arguments, text, imported = COMMANDS[command]
    convert, reason = KINDS[kind]
    path = tmp_path / "export.csv"
    path.write_bytes(convert(text))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=[*arguments, str(path)])
    assert result.exit_code == 1, result.output
    assert MESSAGES["en"][reason] in " ".join(result.output.split()), result.output
    db.session.rollback()
    assert imported() == 0
