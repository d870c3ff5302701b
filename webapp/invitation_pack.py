"""Invitation links for a mail merge: a CSV of links and a QR code for each, in one ZIP."""

import io
import re
import zipfile
from collections.abc import Sequence

import segno
from flask import url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from models.surveys import Invitation, SurveyRound
from webapp.spreadsheets import CSV_TYPE, rows_csv

QR_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def qr_bytes(link: str, kind: str) -> bytes:
    """A QR code for a link, with medium error correction so a creased letter still scans."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind=kind, scale=8 if kind == "png" else 4, border=4)
    return out.getvalue()


def attachment(data: bytes, mimetype: str, filename: str) -> WerkzeugResponse:
    """A download that is never cached."""
    response = WerkzeugResponse(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def qr_download(link: str, kind: str, filename: str) -> WerkzeugResponse:
    return attachment(qr_bytes(link, kind), QR_TYPES[kind], filename)


def _base_name(survey_round: SurveyRound, what: str) -> str:
    return f"{survey_round.form_slug}-{UNSAFE.sub('-', survey_round.name).lower()}-{what}"


def _qr_name(number: int, invitation: Invitation) -> str:
    label = UNSAFE.sub("-", invitation.reference or invitation.name).strip("-")[:40]
    return f"qr/{number:05d}{'-' + label if label else ''}.png"


def download(
    survey_round: SurveyRound, made: Sequence[tuple[Invitation, str]], what: str
) -> WerkzeugResponse:
    """A ZIP with links.csv (name, email, reference, link, QR file) and the QR pictures.

    Links are only ever shown here: the database keeps a hash of each token, not the token.
    """
    buffer = io.BytesIO()
    rows = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        for number, (invitation, token) in enumerate(made, start=1):
            link = url_for("survey_links.invitation", token=token, _external=True)
            qr_file = _qr_name(number, invitation)
            pack.writestr(qr_file, qr_bytes(link, "png"))
            rows.append([invitation.name, invitation.email, invitation.reference, link, qr_file])
        header = ["name", "email", "reference", "link", "qr_file"]
        pack.writestr("links.csv", rows_csv(header, rows))
    name = _base_name(survey_round, what) + ".zip"
    return attachment(buffer.getvalue(), "application/zip", name)


def people_csv(survey_round: SurveyRound, people: Sequence[Invitation]) -> WerkzeugResponse:
    """The people who have not answered yet (no links: make reminder links for those)."""
    rows = [[p.name, p.email, p.reference] for p in people]
    data = rows_csv(["name", "email", "reference"], rows)
    return attachment(data, CSV_TYPE, _base_name(survey_round, "not-responded") + ".csv")
