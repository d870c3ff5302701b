"""The improvement board's scorecard: ratings counted by area, what moved, and exceptions.

It works on one row per action and scheme for a period, with the rating before it, so it
can be built from the database, from a file or in a notebook alike.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

#: The columns after a scheme's own values: why an action has none of them this period.
NOT_AGREED = "Not agreed yet"  # proposed or challenged, still being checked
NOT_RATED = "Not rated"  # reported, but not on this scheme
NOT_REPORTED = "Not reported"  # no report, or the owner did not report
GAPS = (NOT_AGREED, NOT_RATED, NOT_REPORTED)


@dataclass(frozen=True)
class SchemeValues:
    """A rating scheme's values, best first, as {key: label}."""

    key: str
    name: str
    values: dict[str, str]
    worst: str | None = None  # the value that means "delayed" or "not delivered"

    def rank(self, value: str | None) -> int | None:
        order = list(self.values)
        return order.index(value) if value in order else None


@dataclass(frozen=True)
class RatingRow:
    """One action's rating in one scheme for the period, and the period before."""

    area: str  # the area's display name, such as "1 Parental Confidence"
    action: str
    scheme: str
    value: str | None  # the standing value, or None when there is none
    previous: str | None = None  # the agreed value in the last period reported before
    suggested: str | None = None  # the suggestion recorded with the standing value
    reported: bool = True  # False: no report, or the owner did not report
    agreed: bool = True  # False: the value is a proposal still being checked

    def column(self, scheme: "SchemeValues") -> str:
        """The key or gap this row is counted under."""
        if not self.reported:
            return NOT_REPORTED
        if self.value not in scheme.values:
            return NOT_RATED
        return self.value if self.agreed else NOT_AGREED

    @property
    def settled(self) -> str | None:
        """The agreed value, or None."""
        return self.value if self.reported and self.agreed else None


def counts(rows: Sequence[RatingRow], scheme: SchemeValues, areas: Sequence[str]) -> pd.DataFrame:
    """Actions by area and value for one scheme, with a "Not reported" column and a total row.

    Args:
        rows: the period's ratings; rows for other schemes are ignored.
        scheme: the scheme counted, whose value order gives the column order.
        areas: every area, in plan order, so that an area with no ratings still shows.

    Returns:
        A frame indexed by area (then "Total"), with one column per value label, then
        "Not agreed yet", "Not rated", "Not reported" and "Actions".

    Examples:
        >>> s = SchemeValues("p", "Progress", {"blue": "Blue", "red": "Red"})
        >>> int(counts([RatingRow("1", "1A1", "p", "red")], s, ["1"]).loc["Total", "Red"])
        1
    """
    columns = [*scheme.values, *GAPS]
    labels = [*scheme.values.values(), *GAPS]
    tally = {area: dict.fromkeys(columns, 0) for area in areas}
    for row in rows:
        if row.scheme == scheme.key and row.area in tally:
            tally[row.area][row.column(scheme)] += 1
    frame = pd.DataFrame.from_dict(tally, orient="index", columns=columns, dtype="int64")
    frame = frame.reindex(list(areas)).fillna(0).astype("int64")
    frame.columns = labels
    frame["Actions"] = frame.sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    return frame


def movement(rows: Sequence[RatingRow], scheme: SchemeValues) -> dict[str, int]:
    """How many actions got better, worse, stayed the same or are new in this scheme.

    Examples:
        >>> s = SchemeValues("i", "Impact", {"green": "Green", "red": "Red"})
        >>> movement([RatingRow("1", "1A1", "i", "green", "red")], s)["better"]
        1
    """
    moved = {"better": 0, "worse": 0, "same": 0, "new": 0}
    for row in rows:
        if row.scheme != scheme.key or row.settled is None:
            continue
        now, before = scheme.rank(row.settled), scheme.rank(row.previous)
        if before is None or now is None:
            moved["new"] += 1
        elif now < before:
            moved["better"] += 1
        elif now > before:
            moved["worse"] += 1
        else:
            moved["same"] += 1
    return moved


@dataclass(frozen=True)
class Exception_:
    action: str
    area: str
    scheme: str
    reason: str


def exceptions(rows: Sequence[RatingRow], schemes: Sequence[SchemeValues]) -> list[Exception_]:
    """Actions the board should look at: worst-rated, getting worse, not reported, disputed."""
    found: list[Exception_] = []
    by_key = {s.key: s for s in schemes}
    unreported: set[str] = set()
    for row in rows:
        scheme = by_key.get(row.scheme)
        if scheme is None:
            continue
        if not row.reported:
            if row.action not in unreported:  # once an action, not once a scheme
                unreported.add(row.action)
                found.append(Exception_(row.action, row.area, "All", "Did not report"))
            continue
        label = scheme.values.get(row.value or "", "")
        settled = row.settled
        if settled is not None and settled == scheme.worst:
            found.append(Exception_(row.action, row.area, scheme.name, f"Rated {label}"))
        now, before = scheme.rank(settled), scheme.rank(row.previous)
        if now is not None and before is not None and now > before:
            was = scheme.values[row.previous or ""]
            found.append(Exception_(row.action, row.area, scheme.name, f"Worse: {was} to {label}"))
        if row.value and row.suggested is not None and row.suggested != row.value:
            suggested = scheme.values.get(row.suggested, row.suggested)
            found.append(
                Exception_(
                    row.action,
                    row.area,
                    scheme.name,
                    f"Rated {label}; the evidence suggests {suggested}",
                )
            )
    return found


def wide_csv_frame(
    rows: Sequence[RatingRow], schemes: Sequence[SchemeValues], areas: Sequence[str]
) -> pd.DataFrame:
    """One row per area, with a column for each value of each scheme ("Progress: Blue")."""
    parts = []
    for scheme in schemes:
        table = counts(rows, scheme, areas).drop(columns=["Actions"])
        table.columns = [f"{scheme.name}: {c}" for c in table.columns]
        parts.append(table)
    frame = pd.concat(parts, axis=1)
    frame.index.name = "Area"
    return frame.reset_index()
