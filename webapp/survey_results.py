"""A survey round's results: counts for each question, breakdowns and the headline trend.

Every figure passes through `analysis.suppression`, so no count of 1 to 4 and no group
of fewer than 5 people is ever shown.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from analysis.suppression import group_shown, is_small, share, suppress_counts
from forms.kinds import GRID_CHOICES, NO_DISTRICT, BuildContext
from forms.schema import FormDefinition, Indicator, Question
from webapp import charts

COUNTED_KINDS = frozenset({"single_choice", "likert", "symbol_tiles", "yes_no_unsure_grid"})
COUNTED_KINDS |= {"district", "setting"}
NOT_ANSWERED = "not-answered"


@dataclass(frozen=True)
class Row:
    """One answer's figures: a count and a share, either of which may be hidden."""

    key: str
    label: str
    count: int | None
    percent: float | None


@dataclass(frozen=True)
class Table:
    """The figures for one question, or one row of a grid."""

    key: str
    title: str
    answered: int
    rows: tuple[Row, ...]
    multiple: bool = False  # tick-all questions: shares are of people, so add up past 100

    @property
    def shown(self) -> bool:
        return group_shown(self.answered)


def result_names(context: BuildContext) -> dict[str, dict[str, str]]:
    """District and setting names by id, as results and exports label them."""
    return {"districts": dict(context.districts), "settings": dict(context.settings)}


def options_of(question: Question, names: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """A question's possible answers as (stored value, label)."""
    if question.kind == "district":
        return [*names.get("districts", {}).items(), (NO_DISTRICT, "I would rather not say")]
    if question.kind == "setting":
        return [*names.get("settings", {}).items(), ("other", "Another setting")]
    if question.kind == "yes_no_unsure_grid":
        return list(GRID_CHOICES)
    return [(o.id, o.label) for o in question.options]


def answer_key(question: Question, answer: Any) -> str | None:
    """The stored value to count for a one-answer question."""
    if answer in (None, "", [], {}):
        return None
    if question.kind == "setting":
        return str(answer.get("setting_id", "other"))
    return str(answer)


def _table(key: str, title: str, values: list[Any], options: list[tuple[str, str]]) -> Table:
    multiple = any(isinstance(v, list) for v in values)
    counts: Counter[str] = Counter()
    for value in values:
        counts.update(value if isinstance(value, list) else [value])
    answered = len(values)
    if not group_shown(answered):
        return Table(key, title, answered, (), multiple)
    shown = suppress_counts({k: counts.get(k, 0) for k, _ in options})
    rows = tuple(Row(k, label, shown[k], share(shown[k], answered)) for k, label in options)
    return Table(key, title, answered, rows, multiple)


def question_tables(
    definition: FormDefinition,
    answers: Sequence[dict[str, Any]],
    names: dict[str, dict[str, str]],
) -> list[Table]:
    """A table of figures for every question with fixed answers, in form order."""
    tables = []
    for question in definition.questions():
        if question.kind not in COUNTED_KINDS:
            continue
        if question.kind == "yes_no_unsure_grid":
            for grid_row in question.rows:
                values = [
                    a[question.id][grid_row.id]
                    for a in answers
                    if grid_row.id in a.get(question.id, {})
                ]
                tables.append(
                    _table(
                        f"{question.id}--{grid_row.id}", grid_row.label, values, list(GRID_CHOICES)
                    )
                )
            continue
        values = [answer_key(question, a.get(question.id)) for a in answers]
        if question.kind == "symbol_tiles":
            values = [a[question.id] for a in answers if a.get(question.id)]
        present = [v for v in values if v is not None]
        tables.append(_table(question.id, question.label, present, options_of(question, names)))
    return tables


@dataclass(frozen=True)
class Score:
    """An indicator's value for some group: the positive share of the answers counted."""

    people: int
    counted: int
    positive: int
    withheld: bool = False  # hidden so that a hidden group cannot be worked out

    @property
    def shown(self) -> bool:
        return not self.withheld and group_shown(self.people) and group_shown(self.counted)

    @property
    def percent(self) -> float | None:
        """The share, unless it would reveal a count of 1 to 4, either way."""
        if not self.shown or is_small(self.positive) or is_small(self.counted - self.positive):
            return None
        return share(self.positive, self.counted)

    def withhold(self) -> "Score":
        return Score(self.people, self.counted, self.positive, withheld=True)


def score(
    indicator: Indicator, answers: Iterable[dict[str, Any]], questions: Iterable[str] | None = None
) -> Score:
    """The indicator over `answers`, counting only `questions` (all of its own by default)."""
    wanted = tuple(questions) if questions is not None else indicator.questions
    people = counted = positive = 0
    for answer in answers:
        values = [answer.get(q) for q in wanted]
        values = [v for v in values if v and v not in indicator.excluded]
        if values:
            people += 1
        counted += len(values)
        positive += sum(1 for v in values if v in indicator.positive)
    return Score(people, counted, positive)


@dataclass(frozen=True)
class Group:
    label: str
    score: Score
    statements: tuple[Score, ...]


@dataclass(frozen=True)
class Breakdown:
    """An indicator and each of its statements, for each group of respondents."""

    context: str
    indicator: Indicator
    statements: tuple[Question, ...]
    groups: tuple[Group, ...]


def breakdown(
    definition: FormDefinition,
    indicator: Indicator,
    answers: Sequence[dict[str, Any]],
    context: str,
    names: dict[str, dict[str, str]],
) -> Breakdown | None:
    """The indicator by district, setting type or SEN status; None if the form cannot say."""
    question = definition.context_question(context)
    if question is None:
        return None
    labels = dict(options_of(question, names))
    grouped: dict[str, list[dict[str, Any]]] = {}
    for answer in answers:
        key = answer_key(question, answer.get(question.id)) or NOT_ANSWERED
        grouped.setdefault(key, []).append(answer)
    order = [k for k in labels if k in grouped] + (
        [NOT_ANSWERED] if NOT_ANSWERED in grouped else []
    )
    statements = tuple(q for q in definition.questions() if q.id in indicator.questions)
    # Group sizes are suppressed together, so a hidden group is not the total minus the rest.
    sizes = suppress_counts({key: len(grouped[key]) for key in order})
    groups = []
    for key in order:
        scores = [
            score(indicator, grouped[key]),
            *(score(indicator, grouped[key], [s.id]) for s in statements),
        ]
        if sizes[key] is None and group_shown(len(grouped[key])):
            scores = [found.withhold() for found in scores]
        groups.append(Group(labels.get(key, "Not answered"), scores[0], tuple(scores[1:])))
    return Breakdown(context, indicator, statements, tuple(groups))


@dataclass(frozen=True)
class RoundAnswers:
    """What the trend needs from one round: its name, definition and answers."""

    name: str
    definition: FormDefinition
    answers: Sequence[dict[str, Any]]


@dataclass
class Trend:
    """An indicator across rounds, compared only on statements asked the same way in each."""

    indicator_id: str
    label: str
    points: list[tuple[str, Score]] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)  # statement wording compared
    left_out: list[str] = field(default_factory=list)  # statements not asked the same way


def _versions(definition: FormDefinition, indicator: Indicator) -> dict[str, Question]:
    found = (definition.question(q) for q in indicator.questions)
    return {f"{q.id}@{q.fingerprint()}": q for q in found if q is not None}


def trend(indicator_id: str, rounds: Sequence[RoundAnswers]) -> Trend | None:
    """The indicator for each round, over the question versions every round shares."""
    indicators = [
        next((i for i in r.definition.indicators if i.id == indicator_id), None) for r in rounds
    ]
    present = [(r, i) for r, i in zip(rounds, indicators, strict=True) if i is not None]
    if not present:
        return None
    versions = [_versions(r.definition, i) for r, i in present]
    common = set(versions[0]).intersection(*versions[1:])
    every = {k: q for v in versions for k, q in v.items()}
    result = Trend(indicator_id, present[-1][1].label)
    result.compared = sorted(every[k].label for k in common)
    result.left_out = sorted({every[k].label for k in every if k not in common})
    keys = [k.split("@")[0] for k in common]
    for survey_round, indicator in present:
        result.points.append((survey_round.name, score(indicator, survey_round.answers, keys)))
    return result


def count_text(count: int | None, percent: float | None) -> str:
    """A figure as people read it: "42% (21)", or the suppression marker."""
    if count is None or percent is None:
        return "Fewer than 5"
    return f"{percent:.0f}% ({count})"


def table_chart(table: Table) -> Markup:
    """A bar chart of a question's answers."""
    bars = [charts.Bar(r.label, r.percent, count_text(r.count, r.percent)) for r in table.rows]
    return charts.bar_chart(bars, title=table.title)


def trend_chart(found: Trend) -> Markup:
    """A line chart of an indicator across rounds."""
    # The value alone: the table beside the chart gives the number of people.
    points = [
        charts.Point(name, s.percent, "Fewer than 5" if s.percent is None else f"{s.percent:.0f}%")
        for name, s in found.points
    ]
    return charts.trend_chart(points, title=found.label)
