"""The base of every Heard form: what is sent loses the characters that carry no words.

Control characters, DEL, the C1 controls and Unicode's noncharacters arrive only by pasting
from other programs or from tools that probe for faults. They cannot be stored in
PostgreSQL (NUL), written to Word files or feeds, or shown in a valid HTML page (the page
that shows the answer again, with an error, would itself be broken). Tabs and line breaks
stay, each line break as one line feed. Nothing else is changed: letters, emoji, marks and
right-to-left text are kept as typed.
"""

import re
from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import PasswordField

#: C0 controls but tab, line feed and carriage return; DEL and the C1 controls; and the
#: noncharacters (U+FDD0 to U+FDEF, and the last two code points of every plane).
NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)


def plain_text(value: Any) -> Any:
    """`value` without the characters that carry no words; anything not a string as it is.

    Examples:
        >>> plain_text("Waiting\\x00 for\\x07 a plan\\r\\n")
        'Waiting for a plan\\n'
    """
    if not isinstance(value, str):
        return value
    # Browsers send each line break as "\r\n"; one "\n" is what a character count counts.
    return NOT_TEXT.sub("", value).replace("\r\n", "\n").replace("\r", "\n")


class HeardForm(FlaskForm):
    """A FlaskForm that reads what was sent through `plain_text` (passwords as they are,
    and uploads as they are but for their file names).

    Every field sees the cleaned value, and so does the page that shows it again with an
    error: numbers, dates and choices as well as text.
    """

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            # Flask-WTF passes a marker (not None, not a MultiDict) when it is to read the request.
            reads_request = formdata is not None and not hasattr(formdata, "getlist")
            if reads_request and _json_posted():
                # Heard's pages send forms, never JSON. Flask-WTF would read a JSON body's
                # numbers, lists and objects into text fields; here it fills no field at all.
                return MultiDict()
            formdata = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            if formdata is None:
                return None
            secret = {
                name for name, field in form._fields.items() if isinstance(field, PasswordField)
            }
            cleaned: MultiDict[str, Any] = MultiDict()
            for name, value in formdata.items(multi=True):
                cleaned.add(name, value if name in secret else _cleaned(value))
            return cleaned


def _json_posted() -> bool:
    return has_request_context() and request.method == "POST" and request.is_json


def _cleaned(value: Any) -> Any:
    """Text through `plain_text`; an upload with its file name through it (it is shown)."""
    if isinstance(value, FileStorage):
        return FileStorage(
            stream=value.stream,
            filename=plain_text(value.filename),
            name=value.name,
            headers=value.headers,
        )
    return plain_text(value)
