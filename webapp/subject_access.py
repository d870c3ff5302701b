"""The subject access file: everything held about one person, as JSON, with their pictures.

`heard sar export` writes it. Responses carry their questions and answers in words, the
redacted comments with their themes and where they are quoted, the pictures, and any
safeguarding alerts in full; then come invitations, follow-up addresses and the audit
events about them, and notes for the person who reviews the file before release.
"""

import base64
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from forms.summary import describe
from models import Organisation
from models import privacy as held
from models.audit import AuditEvent
from models.plan_evidence import EvidenceLink
from models.plans import PlanAction
from models.responses import FormVersion, Response, ResponseStatus
from models.safeguarding import SafeguardingAlert
from models.surveys import SurveyRound
from models.types import utcnow
from models.yswd import YswdEntry, YswdQuote
from webapp import journey

SAFEGUARDING_NOTE = (
    "This file holds safeguarding records, in full, with the safeguarding lead's notes. A "
    "person must review it before it is released: information may be withheld where "
    "releasing it would be likely to cause serious harm, and notes may name other people."
)
NAME_NOTE = (
    "Found by name: a name can belong to more than one person. Check that every response "
    "is theirs before release."
)
ANONYMOUS_NOTE = "Answers given in anonymous rounds are not linked to anyone, so none are included."

Records = dict[Any, dict[str, Any]]  # each response's record, by response id
Labels = dict[Any, dict[str, str]]  # each response's question labels, by question id


def subject_file(
    session: Session, organisation: Organisation, subject: held.Subject, kind: str
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """Everything held about the person, as a document, and the pictures to go with it."""
    records: Records = {r.id: _response_record(session, r) for r in subject.responses}
    labels = _question_labels(session, subject.responses)
    ids = subject.response_ids
    _add_comments(session, records, labels, ids)
    pictures = _add_pictures(session, records, ids)
    alerts = _add_alerts(session, records, labels, ids)
    document = {
        "subject_access_request": {
            "organisation": organisation.name,
            "found_by": kind,
            "made_at": _when(utcnow()),
            "review_before_release": bool(alerts),
            "notes_for_the_reviewer": _reviewer_notes(subject, kind, bool(alerts)),
        },
        "responses": [records[i] for i in sorted(records)],
        "invitations": [_invitation_record(session, i) for i in subject.invitations],
        "follow_up_requests": [
            {"email": f.email, "asked_at": _when(f.created_at), "told_at": _when(f.told_at)}
            for f in subject.follow_ups
        ],
        "audit_events": _audit_records(session, ids, [a.id for a in alerts if a.id]),
    }
    return document, pictures


def write_subject_file(
    out: Path, document: dict[str, Any], pictures: list[tuple[str, bytes]]
) -> None:
    """Write the file: a ZIP with the JSON and the pictures, or JSON with them embedded."""
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


def subject_summary(document: dict[str, Any]) -> dict[str, int]:
    """How many of each kind of record the file holds."""
    responses = document["responses"]
    return {
        "responses": len(responses),
        "comments": sum(len(r["comments"]) for r in responses),
        "pictures": sum(len(r["pictures"]) for r in responses),
        "safeguarding alerts": sum(len(r["safeguarding_alerts"]) for r in responses),
        "invitations": len(document["invitations"]),
        "follow-up addresses": len(document["follow_up_requests"]),
    }


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _response_record(session: Session, response: Response) -> dict[str, Any]:
    version = session.get(FormVersion, response.form_version_id)
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
        "answers": _answers_in_words(session, response),
        "comments": [],
        "pictures": [],
        "safeguarding_alerts": [],
    }


def _answers_in_words(session: Session, response: Response) -> list[dict[str, Any]]:
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
    return answers


def _question_labels(session: Session, responses: Iterable[Response]) -> Labels:
    return {
        r.id: {
            q.id: q.label for q in journey.definition_by_id(session, r.form_version_id).questions()
        }
        for r in responses
    }


def _label(labels: Labels, response_id: int, question_id: str) -> str:
    return labels[response_id].get(question_id, question_id)


def _add_comments(session: Session, records: Records, labels: Labels, ids: list[int]) -> None:
    """Each comment, redacted, with its themes and where it is quoted, under its response."""
    comments = held.comments_for(session=session, response_ids=ids)
    comment_ids = [c.id for c in comments if c.id is not None]
    themes = held.comment_themes(session=session, comment_ids=comment_ids)
    quoted = _quoted_in(session, comment_ids)
    for comment in comments:
        records[comment.response_id]["comments"].append(
            {
                "question": _label(labels, comment.response_id, comment.question_id),  # type: ignore[arg-type]
                "words_redacted": comment.text_redacted,
                "sentiment": comment.sentiment,
                "themes": themes[comment.id],  # type: ignore[index]
                "may_be_quoted": comment.quote_consent,
                "quoted_in": quoted.get(comment.id, []),  # type: ignore[arg-type]
            }
        )


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


def _add_pictures(session: Session, records: Records, ids: list[int]) -> list[tuple[str, bytes]]:
    """Each picture's entry under its response; returns the files, by their path in the ZIP."""
    pictures = []
    for upload in held.uploads_for(session=session, response_ids=ids):
        path = f"pictures/response-{upload.response_id}-{upload.question_id}"
        path += "." + upload.content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
        pictures.append((path, upload.data))
        records[upload.response_id]["pictures"].append(
            {"question": upload.question_id, "file_name": upload.filename, "file": path}
        )
    return pictures


def _add_alerts(
    session: Session, records: Records, labels: Labels, ids: list[int]
) -> list[SafeguardingAlert]:
    """Each safeguarding alert, in full, under its response; returns the alerts."""
    alerts = held.alerts_for(session=session, response_ids=ids)
    for alert in alerts:
        records[alert.response_id]["safeguarding_alerts"].append(
            {
                "question": _label(labels, alert.response_id, alert.question_id),
                "raised_at": _when(alert.created_at),
                "severity": alert.severity,
                "categories": alert.categories,
                "reason": alert.reason,
                "words_as_written": alert.text,
                "status": alert.status.value,
                "lead_notes": alert.note,
            }
        )
    return alerts


def _reviewer_notes(subject: held.Subject, kind: str, alerted: bool) -> list[str]:
    notes = [SAFEGUARDING_NOTE] if alerted else []
    if kind == "name":
        notes.append(NAME_NOTE)
    if any(not i.draft_response_id and i.responded for i in subject.invitations):
        notes.append(ANONYMOUS_NOTE)
    return notes


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
