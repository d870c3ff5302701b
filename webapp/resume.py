"""Coming back to an unfinished form: by resume link or by resume code."""

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from forms import messages
from forms.base import HeardForm
from forms.widgets import GovTextInput
from models import FormVersion, Response, find_response, normalise_code
from webapp import db, journey
from webapp.access import public
from webapp.extensions import limiter

bp = Blueprint("resume", __name__)


class ResumeCodeForm(HeardForm):
    code = StringField(
        _l("Resume code"),
        description=_l("It has 12 letters and numbers, like ABCD-EFGH-JKLM"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=messages.enter(_l("your resume code"))),
            Length(max=40, message=_l("Enter the resume code exactly as it was given to you")),
        ],
    )


def _continue(response: Response, secret: str) -> ResponseReturnValue:
    """Carry on with an unfinished response. A sent one is not opened again by its link or
    code: whoever has them (the adult who helped, someone who saw the screen) must not read
    the answers. Only the browser that sent it sees its confirmation, for a while."""
    form_version = db.session().get(FormVersion, response.form_version_id)
    assert form_version is not None
    definition = journey.definition_of(form_version)
    if journey.is_submitted(response):
        return render_template("respond/sent.html", definition=definition)
    following = journey.resume_page(definition, response)
    target = (
        url_for("respond.page", slug=form_version.slug, page_id=following.id)
        if following
        else url_for("respond.check_answers", slug=form_version.slug)
    )
    # The cookie may hold the full token or just the code: both find the response.
    return journey.remember(redirect(target), form_version.slug, secret)


@bp.get("/resume/<token>")
@public
@limiter.limit("60 per hour")
def by_link(token: str) -> ResponseReturnValue:
    """A resume link: carry on where the form was left."""
    response = find_response(session=db.session(), secret=token)
    if response is None:
        return render_template("respond/not_found.html", definition=None), 404
    return _continue(response, token)


@bp.route("/resume", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def by_code() -> ResponseReturnValue:
    """Type a resume code to carry on."""
    form = ResumeCodeForm()
    if form.validate_on_submit():
        code = normalise_code(form.code.data or "")
        response = find_response(session=db.session(), secret=code)
        if response is not None:
            return _continue(response, code)
        form.code.errors.append(_l("Enter the resume code exactly as it was given to you"))
    return render_template("respond/resume.html", form=form)
