"""The staff forms for survey rounds: setting one up, inviting people, importing answers."""

import csv
import io
from datetime import date
from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from forms import messages
from forms.base import HeardForm
from forms.kinds import GovDateField
from forms.widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from models.surveys import ACADEMIC_YEAR, Anonymity, Term

MAX_INVITATIONS = 5000
ANONYMITY_CHOICES = [
    SelectChoice(
        Anonymity.CONFIDENTIAL.value, "Confidential: only administrators can see who answered"
    ),
    SelectChoice(Anonymity.ANONYMOUS.value, "Anonymous: nothing links an answer to its invitation"),
    SelectChoice(Anonymity.NAMED.value, "Named: staff working on the survey can see who answered"),
]


def _date(label: str, hint: str) -> GovDateField:
    message = messages.real_date(label)
    return GovDateField(
        label,
        description=hint,
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[InputRequired(message=message)],
        invalid_message=message,
    )


class RoundForm(HeardForm):
    survey = RadioField(
        "Survey",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the survey this round asks")],
    )
    academic_year = StringField(
        "Academic year",
        description="For example, 2026/27",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the academic year"),
            Regexp(
                ACADEMIC_YEAR.pattern,
                message="Enter the academic year in the correct format, like 2026/27",
            ),
        ],
    )
    term = RadioField(
        "Term",
        choices=[SelectChoice(t.value, t.label) for t in Term],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the term")],
    )
    opens_on = _date("Opening date", "The first day people can answer. For example, 9 11 2026")
    closes_on = _date("Closing date", "The last day people can answer. For example, 18 12 2026")
    anonymity = RadioField(
        "Who can see who answered",
        description="This is stated to everyone on the survey's first page.",
        choices=ANONYMITY_CHOICES,
        default=Anonymity.CONFIDENTIAL.value,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select who can see who answered")],
    )
    open_link = RadioField(
        "Share an open link and QR code as well as invitations?",
        description="Anyone with the open link can answer. Use it for posters and newsletters.",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, invitations only")],
        default="yes",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether to share an open link")],
    )
    districts = SelectMultipleField(
        "Districts this round is for",
        description="Leave them all unticked for the whole area.",
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    settings = SelectMultipleField(
        "Schools and settings this round is for",
        description="Leave them all unticked for every setting.",
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )

    def validate_academic_year(self, field: Any) -> None:
        if field.errors or not ACADEMIC_YEAR.match(field.data or ""):
            return  # the format message is already there
        start, end = int(field.data[2:4]), int(field.data[5:7])
        if (start + 1) % 100 != end:
            raise ValidationError("Enter an academic year whose years follow on, like 2026/27")

    def validate_closes_on(self, field: Any) -> None:
        opens: date | None = self.opens_on.data
        if opens and field.data and field.data < opens:
            raise ValidationError("The closing date must be the same as or after the opening date")


#: The longest name, email address and reference an invitation keeps.
PERSON_LIMITS = {
    "name": ("name", 200),
    "email": ("email address", 320),
    "reference": ("reference", 100),
}


def parse_people(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """People to invite, one per line as "name, email, reference"; and any problems."""
    people, problems = [], []
    lines = [line for line in text.splitlines() if line.strip()]
    for number, row in enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1):
        name, email, reference = ([cell.strip() for cell in row] + ["", "", ""])[:3]
        if email and ("@" not in email or " " in email or email.startswith("@")):
            problems.append(
                f"Line {number}: enter an email address in the correct format, "
                "like name@example.com"
            )
        elif not (name or reference):
            problems.append(f"Line {number}: enter a name or a reference")
        person = {"name": name, "email": email, "reference": reference}
        problems += [
            f"Line {number}: the {words} must be {limit} characters or fewer"
            for key, (words, limit) in PERSON_LIMITS.items()
            if len(person[key]) > limit
        ]
        people.append(person)
    return people, problems


class InviteForm(HeardForm):
    people = TextAreaField(
        "People to invite",
        description=(
            "One person a line: name, email address, reference. The email address and "
            "reference are optional, for example: Sam Taylor, sam@example.com, FAM-0042"
        ),
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter at least one person to invite"),
            Length(max=2_000_000, message="Enter no more than 5,000 people at a time"),
        ],
    )

    def validate_people(self, field: Any) -> None:
        people, problems = parse_people(field.data or "")
        if len(people) > MAX_INVITATIONS:
            raise ValidationError("Enter no more than 5,000 people at a time")
        if problems:
            raise ValidationError("; ".join(problems[:5]))
        self.parsed = people


class ImportUploadForm(HeardForm):
    spreadsheet = FileField(
        "Spreadsheet of answers",
        description="A CSV (UTF-8) or XLSX file, smaller than 5 MB, with one row per response.",
        widget=GovFileInput(),
        validators=[InputRequired(message="Select a CSV or XLSX file")],
    )
