"""Two saves of one row take turns, and the second sees what the first saved."""

import threading

from models import OrganisationCreate, create_organisation
from models.database import make_engine, new_session
from models.locks import hold
from models.organisations import Organisation
from tests.same_instant import SETTLE


def test_a_second_save_waits_for_the_first_then_reads_what_it_saved(database_url):
    engine = make_engine(database_url)
    with new_session(engine) as setup:
        org_id = create_organisation(
            session=setup, data=OrganisationCreate(slug="kent", name="Kent")
        ).id
        setup.commit()
    first, second = new_session(engine), new_session(engine)
    # Both requests have read the row before either saves, as two open edit pages have.
    row_first, row_second = first.get(Organisation, org_id), second.get(Organisation, org_id)
    seen: list[str] = []

    def save_second() -> None:
        hold(session=second, row=row_second)
        seen.append(row_second.name)
        second.rollback()

    hold(session=first, row=row_first)
    waiting = threading.Thread(target=save_second)
    waiting.start()
    waiting.join(SETTLE)
    assert waiting.is_alive() and seen == []  # held: the second save has not got past it
    row_first.name = "Kent County Council"
    first.commit()
    waiting.join(10)
    assert not waiting.is_alive()
    assert seen == ["Kent County Council"]  # it read the first save, not what it had loaded
    first.close()
    second.close()
    engine.dispose()


def test_holding_a_row_changes_nothing_in_it(database_url):
    engine = make_engine(database_url)
    with new_session(engine) as session:
        org = create_organisation(
            session=session, data=OrganisationCreate(slug="hull", name="Hull")
        )
        session.commit()
        hold(session=session, row=org)
        session.commit()
        assert (org.slug, org.name) == ("hull", "Hull")
    engine.dispose()
