"""Codebooks, the machine coder and theme discovery, for participation teams and officers.

Retraining and discovery can take minutes, so they run as background jobs; starting one
records it and goes straight to its progress page.
"""

from typing import Any

from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional

from forms.base import HeardForm
from forms.widgets import GovSubmitInput, GovTextInput
from models import Role
from models.coding import (
    get_codebook,
    human_coded_examples,
    latest_coder_model,
    list_codebooks,
    list_themes,
)
from models.jobs import Job, get_job, list_jobs
from models.review import DiscoveredCluster
from webapp import db
from webapp.access import roles_required
from webapp.discovery_jobs import quote_languages
from webapp.queue import start_job

bp = Blueprint("analysis", __name__, url_prefix="/staff")
ANALYSTS = (Role.PARTICIPATION, Role.OFFICER, Role.ADMIN)


# Two forms share the codebook page, so their buttons have different names (and ids).
class RetrainForm(HeardForm):
    retrain = SubmitField("Retrain the coder", widget=GovSubmitInput())


class ThemeCountField(IntegerField):
    """A whole number of themes, whose parse error is in GOV.UK wording."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata([v.strip() for v in valuelist])
        except ValueError:
            raise ValueError("Number of themes must be a whole number, like 12") from None


class DiscoverForm(HeardForm):
    themes = ThemeCountField(
        "Number of themes (optional)",
        description="Leave empty and Heard will choose. Between 2 and 60.",
        validators=[
            Optional(),
            NumberRange(min=2, max=60, message="Number of themes must be between 2 and 60"),
        ],
        widget=GovTextInput(),
    )
    find = SubmitField("Find themes", widget=GovSubmitInput())


@bp.get("/codebooks/")
@roles_required(*ANALYSTS)
def codebooks() -> str:
    """The organisation's codebooks."""
    found = list_codebooks(session=db.session(), organisation_id=current_user.organisation_id)
    return render_template("staff/analysis/codebooks.html", codebooks=found)


@bp.get("/codebooks/<int:codebook_id>")
@roles_required(*ANALYSTS)
def codebook(codebook_id: int) -> str:
    """A codebook's themes, the state of its coder, and the jobs that act on it."""
    return _codebook_page(codebook_id, RetrainForm(), DiscoverForm())


def _codebook_page(codebook_id: int, retrain_form: RetrainForm, discover_form: DiscoverForm) -> str:
    session = db.session()
    found = get_codebook(
        session=session, organisation_id=current_user.organisation_id, codebook_id=codebook_id
    )
    if found is None:
        abort(404)
    texts, _keys = human_coded_examples(session=session, codebook_id=codebook_id)
    return render_template(
        "staff/analysis/codebook.html",
        codebook=found,
        themes=list_themes(session=session, codebook_id=codebook_id),
        model=latest_coder_model(session=session, codebook=found),
        human_coded=len(texts),
        jobs=list_jobs(session=session, organisation_id=current_user.organisation_id),
        retrain_form=retrain_form,
        discover_form=discover_form,
        form=discover_form,
    )


@bp.post("/codebooks/<int:codebook_id>/retrain")
@roles_required(*ANALYSTS)
def retrain(codebook_id: int) -> WerkzeugResponse:
    """Start retraining the coder on what people have coded."""
    if not RetrainForm().validate_on_submit():
        abort(400)
    return _start("retrain", codebook_id, {"codebook_id": codebook_id})


@bp.post("/codebooks/<int:codebook_id>/discover")
@roles_required(*ANALYSTS)
def discover(codebook_id: int) -> str | WerkzeugResponse:
    """Start finding themes in the organisation's comments."""
    form = DiscoverForm()
    if not form.validate_on_submit():
        return _codebook_page(codebook_id, RetrainForm(), form)
    return _start(
        "discover", codebook_id, {"codebook_id": codebook_id, "n_themes": form.themes.data}
    )


def _start(kind: str, codebook_id: int, params: dict) -> WerkzeugResponse:
    session = db.session()
    if (
        get_codebook(
            session=session, organisation_id=current_user.organisation_id, codebook_id=codebook_id
        )
        is None
    ):
        abort(404)
    return start_job(kind, params)


@bp.get("/jobs/<int:job_id>")
@roles_required(*ANALYSTS)
def job(job_id: int) -> str:
    """A job's progress, and its result when it has finished."""
    found = _job(job_id)
    return render_template(
        "staff/analysis/job.html", job=found, quote_languages=_quote_languages(found)
    )


def _quote_languages(found: Job) -> dict[str, str]:
    """For a discovery run, the language choice each example comment was written in."""
    if found.kind != "discover" or not found.result.get("themes"):
        return {}
    session = db.session()
    clusters = session.exec(select(DiscoveredCluster).where(DiscoveredCluster.job_id == found.id))
    ids = {comment_id for cluster in clusters for comment_id in cluster.comment_ids}
    quotes = [
        str(text) for theme in found.result["themes"] for text in theme.get("representatives", [])
    ]
    return quote_languages(session, found.organisation_id, ids, quotes)


@bp.get("/jobs/<int:job_id>/status")
@roles_required(*ANALYSTS)
def job_status(job_id: int) -> WerkzeugResponse:
    """A job's progress as JSON, for the progress page to poll."""
    found = _job(job_id)
    return jsonify(
        status=found.status.value,
        progress=found.progress,
        message=found.message,
        finished=found.finished,
    )


def _job(job_id: int) -> Job:
    session = db.session()
    found = get_job(session=session, organisation_id=current_user.organisation_id, job_id=job_id)
    if found is None:
        abort(404)
    # A job updates in another process; read it fresh, not from this session's cache.
    session.refresh(found)
    return found
