"""`heard retention` and `heard sar`: the retention policy, and subject access and erasure.

`heard retention purge` applies the policy in models/retention.py and is safe to run every
day. `heard sar export` writes everything held about one person; `heard sar erase` removes
it. Both find the person in one organisation, by invitation email, name or response id.
Every run writes an audit event with counts only, never a name or an address.
"""

import base64
import io
import json
import zipfile
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session, col, select

from analysis.codebook_files import same_name
from forms.summary import describe
from models import Organisation, record_event, retention
from models import privacy as held
from models.audit import AuditEvent
from models.plan_evidence import EvidenceLink
from models.plans import PlanAction
from models.responses import FormVersion, Response, ResponseStatus
from models.surveys import SurveyRound
from models.types import utcnow
from models.yswd import YswdEntry, YswdQuote, YswdTheme
from webapp import db, journey
from webapp.command_organisation import organisation_for
from webapp.discovery_jobs import quoted_forms
from webapp.yswd_figures import respondents, term_rounds, theme_figures

LARGEST_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
ORGANISATION_HELP = (
    "The organisation's slug (default: HEARD_ORGANISATION, or the only one there is)."
)
SAFEGUARDING_NOTE = (
    "This file holds safeguarding records, in full, with the safeguarding lead's notes. A "
    "person must review it before it is released: information may be withheld where "
    "releasing it would be likely to cause serious harm, and notes may name other people."
)
NAME_NOTE = (
    "Found by name: a name can belong to more than one person. Check that every response "
    "is theirs before release."
)
YSWD_NOTE = (
    "“You said, we did” figures now leave them out. Check those entries' words, which may "
    "still give the old numbers."
)
ANONYMOUS_NOTE = "Answers given in anonymous rounds are not linked to anyone, so none are included."


def _quoted(quote: str, text: str) -> bool:
    """Discovery quotes a comment's words on one line, redacted again."""
    return same_name(quote) in quoted_forms(text)


def remove_keeping_figures(session: Session, response_ids: list[int]) -> Counter[str]:
    """Delete responses (see models.privacy), and take them out of “You said, we did” figures.

    Entries keep the figures they were drafted with, so each entry for a term the responses
    were part of loses exactly what they added: the respondent, and each theme they raised.
    """
    entries = _entries_for(session, response_ids)
    before = {term: _figures(session, term) for term in entries}
    counts = held.delete_responses(
        session=session, response_ids=response_ids, delete_invitations=True, quote_match=_quoted
    )
    for term, found in entries.items():
        people, raised = before[term]
        people_now, raised_now = _figures(session, term)
        for entry in found:
            if _lower_figures(session, entry, people - people_now, raised, raised_now):
                counts["yswd entries adjusted"] += 1
    session.flush()
    return counts


Term = tuple[int, str, str, str]  # organisation, audience, academic year, term


def _entries_for(session: Session, response_ids: list[int]) -> dict[Term, list[YswdEntry]]:
    terms: set[Term] = set()
    for chunk in held.chunks(response_ids):
        rows = session.exec(
            select(
                SurveyRound.organisation_id,
                SurveyRound.audience,
                SurveyRound.academic_year,
                SurveyRound.term,
            )
            .join(Response, col(Response.round_id) == SurveyRound.id)
            .where(col(Response.id).in_(chunk), Response.status == ResponseStatus.SUBMITTED)
            .distinct()
        )
        terms.update((int(o), str(a), str(y), str(t)) for o, a, y, t in rows)
    found: dict[Term, list[YswdEntry]] = {}
    for term in terms:
        organisation_id, audience, year, name = term
        entries = session.exec(
            select(YswdEntry).where(
                YswdEntry.organisation_id == organisation_id,
                YswdEntry.audience == audience,
                YswdEntry.academic_year == year,
                YswdEntry.term == name,
            )
        ).all()
        if entries:
            found[term] = list(entries)
    return found


def _figures(session: Session, term: Term) -> tuple[int, dict[int, int]]:
    organisation_id, audience, year, name = term
    rounds = term_rounds(session, organisation_id, audience, year, name)
    raised = {f.theme_id: f.raised for f in theme_figures(session, organisation_id, rounds)}
    return respondents(session, rounds), raised


def _lower_figures(
    session: Session, entry: YswdEntry, fewer: int, before: dict[int, int], after: dict[int, int]
) -> bool:
    changed = fewer > 0
    entry.respondents = max(0, entry.respondents - fewer)
    session.add(entry)
    for theme in session.exec(select(YswdTheme).where(YswdTheme.entry_id == entry.id)):
        drop = before.get(theme.theme_id, 0) - after.get(theme.theme_id, 0)
        if drop > 0:
            theme.raised = max(0, theme.raised - drop)
            session.add(theme)
            changed = True
    return changed


def _audit(action: str, organisation_id: int | None, details: dict[str, Any]) -> None:
    record_event(
        session=db.session(),
        action=action,
        organisation_id=organisation_id,
        details={"via": "command line", **details},
    )


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {number}" for name, number in counts.items()) or "nothing"


# -- heard retention ------------------------------------------------------------------------


@click.group("retention", cls=AppGroup)
def retention_group() -> None:
    """Show and apply the retention policy."""


def _policy() -> retention.Policy:
    try:
        return retention.policy(current_app.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@retention_group.command("show")
def retention_show() -> None:
    """Print how long each kind of data is kept, and what happens then."""
    found = _policy()
    for rule in retention.RULES:
        days = found.days[rule.key]
        changed = "" if days == rule.default_days else f", default {rule.default_days}"
        click.echo(f"{rule.label} ({rule.key}): {_numbered('day', days)} {rule.starts}")
        click.echo(f"  {rule.ends_with}: {rule.covers}.")
        click.echo(f"  Set with {rule.setting}{changed}.")


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go, and change nothing.")
def retention_purge(dry_run: bool) -> None:
    """Delete or strip everything past its retention period (safe to run daily)."""
    found = _policy()
    counts = retention.run_purge(
        session=db.session(),
        policy=found,
        now=utcnow(),
        dry_run=dry_run,
        remove=remove_keeping_figures,
    )
    for rule in retention.RULES:
        verb = rule.ends_with.lower()
        done = f"would be {verb}" if dry_run else verb
        click.echo(f"{rule.label}: {counts[rule.key]} {done}")
    if not any(counts.values()):
        click.echo("Nothing was past its retention period.")
    elif dry_run:
        click.echo("This was a dry run: nothing was changed.")


# -- heard sar ------------------------------------------------------------------------------


@click.group("sar", cls=AppGroup)
def sar_group() -> None:
    """Subject access requests and erasure."""


def _selectors(command: Any) -> Any:
    options = [
        click.option("--email", help="The email address they were invited with or left."),
        click.option("--name", help="Their name, as invited or given (case is ignored)."),
        click.option("--response", "response_id", type=int, help="A response's id."),
        click.option("--respondent", help="An email address or a name."),
        click.option("--organisation", "slug", help=ORGANISATION_HELP),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _selector(
    email: str | None, name: str | None, response_id: int | None, respondent: str | None
) -> tuple[str, str]:
    given = [
        (kind, value)
        for kind, value in (
            ("email", email),
            ("name", name),
            ("response", None if response_id is None else str(response_id)),
            ("respondent", respondent),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise click.UsageError(
            "say whose data with one of --email, --name, --response or --respondent"
        )
    kind, value = given[0]
    value = value.strip()
    if kind == "respondent":
        kind = "email" if "@" in value else "name"
    if not value:
        raise click.BadParameter("give an email address, a name or a response id")
    if kind == "email" and ("@" not in value or len(value) > 320):
        raise click.BadParameter(f"{value!r} is not an email address", param_hint="--email")
    if kind == "name" and len(value) > 200:
        raise click.BadParameter("a name is at most 200 characters", param_hint="--name")
    if kind == "response" and not 1 <= int(value) <= LARGEST_ID:
        raise click.BadParameter("that is not a response id", param_hint="--response")
    return kind, value


def _organisation(slug: str | None) -> Organisation:
    """The one named, else the one HEARD_ORGANISATION names, else the only one there is."""
    return organisation_for(slug or current_app.config.get("HEARD_ORGANISATION"))


def _find(kind: str, value: str, organisation: Organisation) -> held.Subject:
    subject = held.find_subject(
        session=db.session(),
        organisation_id=organisation.id,  # type: ignore[arg-type]
        email=value if kind == "email" else None,
        name=value if kind == "name" else None,
        response_id=int(value) if kind == "response" else None,
    )
    if not subject.found:
        described = {"email": "that email address", "name": "that name"}.get(kind, "that response")
        raise click.ClickException(f"Nothing is held about {described} in {organisation.name}.")
    return subject


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _response_record(session: Session, response: Response) -> dict[str, Any]:
    version = session.get(FormVersion, response.form_version_id)
    definition = journey.definition_by_id(session, response.form_version_id)
    context = journey.context_for(session, session.get(Organisation, response.organisation_id))  # type: ignore[arg-type]
    settings, districts = dict(context.settings), dict(context.districts)
    answers = []
    for page in definition.pages:
        for question in page.questions:
            lines = describe(
                question,
                response.answers.get(question.id),
                translate=str,
                settings=settings,
                districts=districts,
            )
            if lines:
                answers.append({"page": page.title, "question": question.label, "answer": lines})
    survey_round = session.get(SurveyRound, response.round_id) if response.round_id else None
    return {
        "id": response.id,
        "form": version.title if version else "",
        "form_version": version.version if version else None,
        "survey_round": survey_round.name if survey_round else None,
        "status": "sent" if response.status == ResponseStatus.SUBMITTED else "not sent yet",
        "how_it_arrived": response.channel,
        "language": response.language,
        "started_at": _when(response.created_at),
        "last_changed_at": _when(response.updated_at),
        "sent_at": _when(response.submitted_at),
        "name_given": response.respondent_name,
        "answers": answers,
        "comments": [],
        "pictures": [],
        "safeguarding_alerts": [],
    }


def _quoted_in(session: Session, comment_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if not comment_ids:
        return found
    for comment_id, title in session.exec(
        select(YswdQuote.comment_id, YswdEntry.title)
        .join(YswdEntry, col(YswdEntry.id) == YswdQuote.entry_id)
        .where(col(YswdQuote.comment_id).in_(comment_ids))
    ):
        found[comment_id].append(f"“You said, we did”: {title}")
    for linked_id, code in session.exec(
        select(EvidenceLink.comment_id, PlanAction.code)
        .join(PlanAction, col(PlanAction.id) == EvidenceLink.action_id)
        .where(col(EvidenceLink.comment_id).in_(comment_ids))
    ):
        if linked_id is not None:
            found[linked_id].append(f"Evidence for plan action {code}")
    return found


def subject_file(
    session: Session, organisation: Organisation, subject: held.Subject, kind: str
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """Everything held about the person, as a document, and the pictures to go with it."""
    records = {r.id: _response_record(session, r) for r in subject.responses}
    ids = subject.response_ids
    comments = held.comments_for(session=session, response_ids=ids)
    comment_ids = [c.id for c in comments if c.id is not None]
    themes = held.comment_themes(session=session, comment_ids=comment_ids)
    quoted = _quoted_in(session, comment_ids)
    labels = {
        r.id: {
            q.id: q.label for q in journey.definition_by_id(session, r.form_version_id).questions()
        }
        for r in subject.responses
    }
    for comment in comments:
        question = labels[comment.response_id].get(comment.question_id, comment.question_id)
        records[comment.response_id]["comments"].append(
            {
                "question": question,
                "words_redacted": comment.text_redacted,
                "sentiment": comment.sentiment,
                "themes": themes[comment.id],  # type: ignore[index]
                "may_be_quoted": comment.quote_consent,
                "quoted_in": quoted.get(comment.id, []),  # type: ignore[arg-type]
            }
        )
    pictures = []
    for upload in held.uploads_for(session=session, response_ids=ids):
        path = f"pictures/response-{upload.response_id}-{upload.question_id}"
        path += "." + upload.content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
        pictures.append((path, upload.data))
        records[upload.response_id]["pictures"].append(
            {"question": upload.question_id, "file_name": upload.filename, "file": path}
        )
    alerts = held.alerts_for(session=session, response_ids=ids)
    for alert in alerts:
        question = labels[alert.response_id].get(alert.question_id, alert.question_id)
        records[alert.response_id]["safeguarding_alerts"].append(
            {
                "question": question,
                "raised_at": _when(alert.created_at),
                "severity": alert.severity,
                "categories": alert.categories,
                "reason": alert.reason,
                "words_as_written": alert.text,
                "status": alert.status.value,
                "lead_notes": alert.note,
            }
        )
    notes = [SAFEGUARDING_NOTE] if alerts else []
    if kind == "name":
        notes.append(NAME_NOTE)
    if any(not i.draft_response_id and i.responded for i in subject.invitations):
        notes.append(ANONYMOUS_NOTE)
    document = {
        "subject_access_request": {
            "organisation": organisation.name,
            "found_by": kind,
            "made_at": _when(utcnow()),
            "review_before_release": bool(alerts),
            "notes_for_the_reviewer": notes,
        },
        "responses": [records[i] for i in sorted(records)],  # type: ignore[type-var]
        "invitations": [_invitation_record(session, i) for i in subject.invitations],
        "follow_up_requests": [
            {"email": f.email, "asked_at": _when(f.created_at), "told_at": _when(f.told_at)}
            for f in subject.follow_ups
        ],
        "audit_events": _audit_records(session, ids, [a.id for a in alerts if a.id]),
    }
    return document, pictures


def _invitation_record(session: Session, invitation: Any) -> dict[str, Any]:
    survey_round = session.get(SurveyRound, invitation.round_id)
    return {
        "survey_round": survey_round.name if survey_round else None,
        "survey": survey_round.form_slug if survey_round else None,
        "name": invitation.name,
        "email": invitation.email,
        "reference": invitation.reference,
        "responded": invitation.responded,
        "invited_at": _when(invitation.created_at),
    }


def _audit_records(
    session: Session, response_ids: list[int], alert_ids: list[int]
) -> list[dict[str, Any]]:
    """What staff did with their responses and alerts, as the audit log recorded it."""
    wanted = [("response", str(i)) for i in response_ids]
    wanted += [("safeguarding_alert", str(i)) for i in alert_ids]
    found = []
    for object_type, object_id in wanted:
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.object_type == object_type, AuditEvent.object_id == object_id
            )
        )
        found += [
            {
                "when": _when(e.occurred_at),
                "action": e.action,
                "about": f"{object_type} {object_id}",
            }
            for e in events
        ]
    return sorted(found, key=lambda e: e["when"] or "")


def _write(out: Path, document: dict[str, Any], pictures: list[tuple[str, bytes]]) -> None:
    if out.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "subject-access.json", json.dumps(document, indent=2, ensure_ascii=False)
            )
            for path, data in pictures:
                archive.writestr(path, data)
        out.write_bytes(buffer.getvalue())
        return
    embedded = dict(pictures)
    for record in document["responses"]:
        for picture in record["pictures"]:
            picture["data_base64"] = base64.b64encode(embedded[picture["file"]]).decode()
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False), "utf-8")


def _summary(document: dict[str, Any]) -> dict[str, int]:
    responses = document["responses"]
    return {
        "responses": len(responses),
        "comments": sum(len(r["comments"]) for r in responses),
        "pictures": sum(len(r["pictures"]) for r in responses),
        "safeguarding alerts": sum(len(r["safeguarding_alerts"]) for r in responses),
        "invitations": len(document["invitations"]),
        "follow-up addresses": len(document["follow_up_requests"]),
    }


@sar_group.command("export")
@_selectors
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="A .json file, or a .zip file with the JSON and the pictures.",
)
def sar_export(
    email: str | None,
    name: str | None,
    response_id: int | None,
    respondent: str | None,
    slug: str | None,
    out: Path,
) -> None:
    """Write everything held about one person (a subject access request)."""
    kind, value = _selector(email, name, response_id, respondent)
    organisation = _organisation(slug)
    subject = _find(kind, value, organisation)
    session = db.session()
    document, pictures = subject_file(session, organisation, subject, kind)
    _write(out, document, pictures)
    summary = _summary(document)
    _audit("sar.exported", organisation.id, _audit_details(kind, value, summary))
    session.commit()
    click.echo(f"Wrote everything held to {out}: {_counts_text(summary)}.")
    for note in document["subject_access_request"]["notes_for_the_reviewer"]:
        click.echo(f"Check before release: {note}")


def _audit_details(kind: str, value: str, counts: dict[str, int]) -> dict[str, Any]:
    digest = held.selector_digest(value, current_app.config["SECRET_KEY"])
    return {"found_by": kind, "selector_digest": digest, "counts": counts}


@sar_group.command("erase")
@_selectors
@click.option("--yes", is_flag=True, help="Erase without asking to confirm.")
@click.option(
    "--include-safeguarding",
    is_flag=True,
    help="Erase responses with safeguarding alerts too, and the alerts.",
)
def sar_erase(
    email: str | None,
    name: str | None,
    response_id: int | None,
    respondent: str | None,
    slug: str | None,
    yes: bool,
    include_safeguarding: bool,
) -> None:
    """Erase everything held about one person: responses, invitations, addresses."""
    kind, value = _selector(email, name, response_id, respondent)
    organisation = _organisation(slug)
    subject = _find(kind, value, organisation)
    session = db.session()
    alerts = held.alerts_for(session=session, response_ids=subject.response_ids)
    if alerts and not include_safeguarding:
        responses = sorted({a.response_id for a in alerts})
        which = f"{_numbered('response', len(responses))} ({', '.join(map(str, responses))})"
        raise click.ClickException(
            f"Nothing was erased. {which} raised {_numbered('safeguarding alert', len(alerts))}. "
            "Safeguarding records must be kept, so Heard will not erase them on request. If the "
            "safeguarding lead and the data protection officer agree they should go, run this "
            "again with --include-safeguarding."
        )
    _preview(session, subject, len(alerts))
    if not yes:
        click.confirm("Erase all of this? It cannot be undone", abort=True)
    try:
        erased = held.erase_subject(session=session, subject=subject, remove=remove_keeping_figures)
        counts = {name: number for name, number in erased.items() if number}
        _audit("sar.erased", organisation.id, _audit_details(kind, value, counts))
        session.commit()
    except Exception:
        session.rollback()
        raise
    click.echo(f"Erased: {_counts_text(counts)}.")
    if counts.get("yswd entries adjusted"):
        click.echo(YSWD_NOTE)


def _numbered(word: str, number: int) -> str:
    if number == 1:
        return f"{number} {word}"
    return f"{number} {word}es" if word.endswith("s") else f"{number} {word}s"


def _preview(session: Session, subject: held.Subject, alerts: int) -> None:
    click.echo("This will erase:")
    for response in subject.responses:
        version = session.get(FormVersion, response.form_version_id)
        sent = response.submitted_at
        state = f"sent {sent.day} {sent:%B %Y}" if sent else "not sent"
        click.echo(f"  response {response.id}: {version.title if version else 'a form'}, {state}")
    comments = held.comments_for(session=session, response_ids=subject.response_ids)
    pictures = held.uploads_for(session=session, response_ids=subject.response_ids)
    click.echo(
        f"  with {_numbered('comment', len(comments))}, {_numbered('picture', len(pictures))}"
        f" and {_numbered('safeguarding alert', alerts)}"
    )
    click.echo(f"  {_numbered('invitation', len(subject.invitations))}")
    click.echo(f"  {_numbered('follow-up address', len(subject.follow_ups))}")
