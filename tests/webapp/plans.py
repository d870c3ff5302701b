"""Helpers for plan tests: a small plan, and posting a step of check and challenge."""

from pathlib import Path

import pytest
from sqlmodel import Session

from analysis.plan_rows import read_plan
from models.plans import Plan
from tests.conftest import csrf_token
from webapp.plan_imports import SCHEME_SETS, read_table, save_rows, statuses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def small_plan(session: Session, organisation_id: int, name: str = "kent-app") -> Plan:
    """The messy fixture plan, saved as the import saves it, with Kent's schemes."""
    keys = SCHEME_SETS["kent"][1]
    path = FIXTURES / "plan-messy.csv"
    rows = read_plan(read_table(path.read_bytes(), path.name), statuses=statuses(keys))
    saved = save_rows(
        session=session,
        organisation_id=organisation_id,
        name=name,
        title="Kent Accelerated Progress Plan",
        scheme_keys=keys,
        rows=rows,
    )
    session.commit()
    return saved.plan


def step(client, code, scheme, stage, value, commentary="", period="2023-10", plan="kent-app"):
    """Post one step of check and challenge from the action page, as its form does."""
    page = f"/staff/plans/{plan}/actions/{code}?period={period}"
    token = csrf_token(client, page)
    prefix = f"{scheme}-{stage}-"
    return client.post(
        f"/staff/plans/{plan}/actions/{code}/ratings/{scheme}/{stage}?period={period}",
        data={
            f"{prefix}csrf_token": token,
            f"{prefix}value": value,
            f"{prefix}commentary": commentary,
        },
    )


#: For tests of page behaviour that does not depend on the database: run on SQLite only,
#: so that the suite stays quick. Tests that store or query plan data run on both.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
