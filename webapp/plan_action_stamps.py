"""What the action page's forms were opened on, so a step or report sent over someone
else's newer one is caught (webapp/edit_stamps.py) instead of recorded unseen.

A rating's stamp is its latest step; a report's is a digest of what it says.
"""

from models.plan_reports import ActionReport
from models.plans import Scheme
from webapp import edit_stamps
from webapp.plan_forms import RatingForm, ReportForm
from webapp.plan_ratings import ActionState


def rating_stamp(state: ActionState, scheme: Scheme) -> str:
    """The rating's latest step, so a step sent after someone else's is caught."""
    steps = [e.id or 0 for e in state.entries if e.scheme_id == scheme.scheme.id]
    return str(max(steps, default=0))


def moved_on(form: RatingForm, state: ActionState, scheme: Scheme) -> bool:
    """Whether someone recorded a step on this rating since the page was opened; if so,
    the form says so and takes the new stamp, so sending it again records it."""
    now = rating_stamp(state, scheme)
    if not form.stamp.data or form.stamp.data == now:
        return False
    form.stamp.data = now
    form.stamp.errors = [
        f"Someone else recorded a step on the {scheme.scheme.name.lower()} rating while you "
        "were writing. Check where it stands and its history below, then send yours again"
    ]
    return True


def reported(form: ReportForm, report: ActionReport | None) -> edit_stamps.Edited:
    """The period's report as saved now, and as people read it, for the edit stamp."""
    # No report yet reads as a new one: saving a rating makes one without changing it.
    report = report or ActionReport(action_id=0, period="")
    return [
        # Whether the owner has reported at all is part of it: "no report yet" and "reported,
        # not confident, no risks" must not read as the same.
        (
            form.reported.label.text,
            (report.answered, report.did_not_report),
            _yes_no(not report.did_not_report) if report.answered else "",
        ),
        (form.confident.label.text, report.confident_better, _yes_no(report.confident_better)),
        (form.key_risks.label.text, report.key_risks, report.key_risks),
    ]


def _yes_no(answer: bool | None) -> str:
    return "" if answer is None else "Yes" if answer else "No"
