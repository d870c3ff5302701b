"""Demo comments: invented, human-coded answers so the coder and discovery have work to do.

They go through the same redaction and screening as real answers, so the demo shows what a
reviewer would really see.
"""

from sqlmodel import Session

from analysis.redaction import redact
from analysis.safeguarding import screen
from models import Organisation
from models.coding import (
    CodingSource,
    code_comment,
    get_active_codebook,
    list_comments,
    save_comment,
    theme_ids_by_key,
)
from models.demo import demo_comments
from models.demo_surveys import load_demo_surveys
from webapp.journey import definition_by_id
from webapp.screening import organisation_words, process_submission

QUESTION_ID = "have-your-say"


def load_comments(*, session: Session, organisation: Organisation) -> int:
    """Add the demo comments if the organisation has none; return how many were added."""
    assert organisation.id is not None
    codebook = get_active_codebook(session=session, organisation_id=organisation.id)
    if codebook is None or list_comments(session=session, organisation_id=organisation.id, limit=1):
        return 0
    theme_ids = theme_ids_by_key(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    names, places = organisation_words(session, organisation)
    records = demo_comments()
    for number, record in enumerate(records):
        comment = save_comment(
            session=session,
            organisation_id=organisation.id,
            response_id=None,
            question_id=QUESTION_ID,
            text_redacted=redact(record["text"], names=names, places=places),
            sentiment=record.get("sentiment", ""),
            flagged=screen(record["text"]).flag,
            # Invented comments: every third "writer" agreed to be quoted, so quotes can be
            # linked as evidence in the demo. Real consent comes from the person who wrote it.
            quote_consent=number % 3 == 0,
        )
        code_comment(
            session=session,
            comment=comment,
            theme_ids={theme_ids[key]: None for key in record.get("themes", [])},
            source=CodingSource.HUMAN,
        )
    return len(records)


def load_surveys(*, session: Session, organisation: Organisation) -> int:
    """Add the demo survey rounds, their comments screened, redacted and coded as usual."""
    responses = load_demo_surveys(session=session, organisation=organisation)
    for response in responses:
        process_submission(
            session=session,
            organisation=organisation,
            response=response,
            definition=definition_by_id(session, response.form_version_id),
        )
    return len(responses)
