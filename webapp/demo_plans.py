"""Demo improvement plans: Kent's APP and Hull's SEND plan, with months of agreed ratings.

The plan files go through the same import as an officer's upload, warnings and all, so the
demo shows what Heard does with a real plan's messes. The reports are recorded as agreed
ratings with no member of staff, which the history shows as imported.
"""

from pathlib import Path
from typing import Any

from sqlmodel import Session

from models import Organisation
from models.demo import read_yaml
from models.plan_reports import Stage, add_rating, save_report
from models.plans import Scheme, SchemeKind, get_plan, list_actions, list_schemes
from webapp.plan_imports import check, save_rows

DEMO_FILE = Path(__file__).parent.parent / "models" / "demo_plans.yaml"
RATED = {"progress": SchemeKind.PROGRESS, "impact": SchemeKind.IMPACT, "status": SchemeKind.STATUS}


def demo_plans() -> list[dict[str, Any]]:
    """The demo plans as demo_plans.yaml describes them."""
    return list(read_yaml(DEMO_FILE.read_text(encoding="utf-8"))["plans"])


def _key(scheme: Scheme, text: str) -> str | None:
    """A value's key from how the demo file writes it ("in progress" or "in-progress")."""
    wanted = "-".join(str(text).lower().split())
    found = next(
        (v for v in scheme.values if wanted in (v.key, "-".join(v.label.lower().split()))), None
    )
    return found.key if found else None


def _record(
    session: Session, schemes: list[Scheme], action: Any, period: str, entry: dict[str, Any]
) -> None:
    report = save_report(
        session=session,
        action=action,
        period=period,
        did_not_report=bool(entry.get("did_not_report")),
        confident_better=bool(entry.get("confident")),
        key_risks=entry.get("risks") or "",
    )
    if entry.get("did_not_report"):
        return
    for name, kind in RATED.items():
        scheme = next((s for s in schemes if s.scheme.kind is kind), None)
        value = _key(scheme, entry[name]) if scheme and entry.get(name) else None
        if scheme is None or value is None:
            continue
        add_rating(
            session=session,
            report=report,
            scheme_id=scheme.scheme.id,  # type: ignore[arg-type]
            stage=Stage.AGREED,
            value=value,
            commentary=entry.get(f"{name}_commentary") or "",
        )


def load_plans(*, session: Session, organisation: Organisation) -> list[tuple[str, int, int]]:
    """Add each demo plan the organisation does not have; return (name, actions, warnings)."""
    loaded = []
    for spec in demo_plans():
        if get_plan(session=session, organisation_id=organisation.id, name=spec["name"]):  # type: ignore[arg-type]
            continue
        path = DEMO_FILE.parent / spec["file"]
        tags = spec.get("tags") or {}
        rows = check(
            path.read_bytes(), path.name, scheme_keys=spec["schemes"], known_tags=list(tags)
        )
        saved = save_rows(
            session=session,
            organisation_id=organisation.id,  # type: ignore[arg-type]
            name=spec["name"],
            title=spec["title"],
            scheme_keys=spec["schemes"],
            rows=rows,
            tag_names=tags,
        )
        schemes = list_schemes(session=session, plan=saved.plan)
        by_code = {a.code: a for a in list_actions(session=session, plan=saved.plan)}
        # Hull's plan has no codes: its reports name the data row, which is spreadsheet row + 1.
        by_row = {row - 1: by_code[a.code] for a in rows.actions for row in a.rows}
        for report in spec.get("reports") or []:
            for entry in report.get("actions") or []:
                action = (
                    by_row.get(entry["row"]) if "row" in entry else by_code.get(str(entry["code"]))
                )
                if action is not None:
                    _record(session, schemes, action, report["period"], entry)
        loaded.append((spec["name"], len(rows.actions), len(rows.warnings)))
    return loaded
