"""Whether a refused save lets go of the row it held before its page is drawn again."""

from types import ModuleType
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from models.database import make_engine


def free_to_write(database_url: str, model: Any, row_id: int) -> bool:
    """Whether another connection can write the row now, waiting at most a twentieth of a
    second: not if a request holds it (on SQLite, not if any request holds any row)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA busy_timeout = 50")
            else:
                connection.exec_driver_sql("SET lock_timeout = '50ms'")
            try:
                connection.execute(update(model).where(model.id == row_id).values(id=row_id))
            except OperationalError:
                return False
            finally:
                connection.rollback()
            return True
    finally:
        engine.dispose()


def watch_pages(
    monkeypatch: Any, module: ModuleType, database_url: str, model: Any, row_id: int
) -> list[bool]:
    """Check, each time `module` draws a page, whether the row is free to write; the
    answers go in the list returned."""
    real = module.render_template
    seen: list[bool] = []

    def drawing(*args: Any, **kwargs: Any) -> str:
        seen.append(free_to_write(database_url, model, row_id))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "render_template", drawing)
    return seen
