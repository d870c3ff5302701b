"""A check shared by the retention and erasure tests: nothing is left pointing at removed rows."""

from sqlmodel import SQLModel, col, func, select

from models.surveys import Invitation


def assert_nothing_points_at(session, table: str, ids: set[int]) -> None:
    """No column with a foreign key to `table` holds any of `ids`."""
    for other in SQLModel.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table.name == table:
                column = other.c[key.parent.name]
                found = session.scalar(
                    select(func.count()).select_from(other).where(column.in_(ids))
                )
                assert found == 0, f"{other.name}.{key.parent.name} still points at {table}"
    if table == "response":
        # A draft's invitation remembers it by id without a foreign key.
        left = select(Invitation).where(col(Invitation.draft_response_id).in_(ids))
        assert session.exec(left).first() is None
