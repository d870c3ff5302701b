"""Published forms are frozen: a change makes a new version, and responses keep theirs."""

from models import (
    FormStatus,
    OrganisationCreate,
    create_organisation,
    get_published_form,
    publish_form_version,
    save_form_version,
    start_response,
)


def save(session, checksum, title="Survey"):
    return save_form_version(
        session=session,
        slug="survey",
        title=title,
        definition={"checksum": checksum},
        checksum=checksum,
    )


def test_unchanged_content_makes_no_new_version(session):
    first, changed = save(session, "a")
    again, changed_again = save(session, "a")
    assert changed and not changed_again
    assert again.id == first.id and first.version == 1


def test_a_draft_is_updated_in_place(session):
    first, _ = save(session, "a")
    second, changed = save(session, "b", title="Survey 2")
    assert changed and second.id == first.id and second.version == 1 and second.title == "Survey 2"


def test_changing_a_published_form_makes_a_new_version_and_keeps_responses(session):
    organisation = create_organisation(
        session=session, data=OrganisationCreate(slug="kent", name="Kent")
    )
    first, _ = save(session, "a")
    publish_form_version(session=session, form_version=first)
    response, _token = start_response(
        session=session, organisation_id=organisation.id, form_version=first
    )
    second, changed = save(session, "b")
    assert changed and second.version == 2 and second.status == FormStatus.DRAFT
    assert first.definition == {"checksum": "a"}  # frozen
    publish_form_version(session=session, form_version=second)
    session.commit()
    assert first.status == FormStatus.RETIRED
    assert get_published_form(session=session, slug="survey").id == second.id
    assert response.form_version_id == first.id
