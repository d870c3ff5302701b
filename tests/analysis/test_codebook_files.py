"""Codebooks as CSV and REFI-QDA files: exact round trips, every problem named, safe XML."""

import doctest
import itertools
import uuid
from xml.etree import ElementTree as ET

import pytest

import analysis.codebook_files
from analysis.codebook_files import (
    CSV_COLUMNS,
    GUID_NAMESPACE,
    NO_DECLARATIONS,
    NOT_TEXT,
    OUTCOME_AREAS,
    CodebookFile,
    CodebookFileError,
    ThemeRow,
    check_qdc,
    describe,
    from_csv,
    from_qdc,
    join_examples,
    key_from_name,
    split_examples,
    theme_guid,
    to_csv,
    to_qdc,
    words_to_avoid,
)

NS = "{urn:QDA-XML:codebook:1.0}"
HEADING = ",".join(CSV_COLUMNS)


def tree(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 (Heard's own export, not an upload)


def problems(data: bytes | str) -> list[str]:
    with pytest.raises(CodebookFileError) as raised:
        from_csv(data, name="Test")
    return raised.value.problems


def qdc_problems(data: bytes) -> list[str]:
    with pytest.raises(CodebookFileError) as raised:
        from_qdc(data)
    return raised.value.problems


@pytest.fixture
def book() -> CodebookFile:
    """Three levels deep, in Polish and Arabic too, with awkward examples and formulas."""
    return CodebookFile(
        name="Parents’ survey, autumn",
        version=3,
        themes=(
            ThemeRow(
                key="waiting",
                name="Waiting",
                description=(
                    "Waiting for an assessment or a plan.\n\nSecond paragraph, with “quotes”."
                ),
                inclusion="the comment is about how long something took",
                exclusion="=the wait was for a health appointment",
                examples=(
                    "We waited 40 weeks | and nobody rang",
                    'She said, "it is with the panel"',
                    "Line one\nline two",
                    "-3 months late",
                    "a\\|b and a trailing backslash\\",
                ),
                outcome_area="My Voice",
            ),
            ThemeRow(
                key="waiting-for-a-plan",
                name="Czekanie na plan \u2013 Łódź",
                parent_key="waiting",
                description="انتظار طويل للخطة",
                outcome_area="My Independence",
            ),
            ThemeRow(
                key="panel",
                name="+Panel decisions",
                parent_key="waiting-for-a-plan",
                examples=("@the panel said no",),
                outcome_area="My Health",
            ),
            ThemeRow(key="communication", name="Communication with parents from school"),
        ),
    )


def test_the_examples_in_the_docstrings_hold():
    failed, tried = doctest.testmod(analysis.codebook_files)
    assert tried >= 10 and failed == 0


def test_outcome_areas_are_the_ones_the_council_names():
    assert OUTCOME_AREAS == ("My Voice", "My Health", "My Independence")


# CSV


def test_csv_round_trip_is_exact(book):
    text = to_csv(book)
    assert text.startswith(HEADING + "\r\n")
    assert from_csv(text, name=book.name, version=3) == book
    assert from_csv(text.encode("utf-8"), name=book.name, version=3) == book
    assert from_csv(text.encode("utf-8-sig"), name=book.name, version=3) == book


def test_csv_neutralises_formula_cells_and_takes_the_apostrophe_off_again():
    themes = (
        ThemeRow("a", "=SUM(A1:A9)"),
        ThemeRow("b", "'=already quoted"),
        ThemeRow("c", "'plain apostrophe'"),
        ThemeRow("d", "Tab", description="\tstarts with a tab"),
        ThemeRow("e", "Plus", examples=("+44 7700 900000", "-1", "@x")),
    )
    text = to_csv(CodebookFile("F", 1, themes))
    lines = text.split("\r\n")
    assert lines[1] == "a,'=SUM(A1:A9),,,,,,"
    assert lines[2] == "b,''=already quoted,,,,,,"
    assert lines[3] == "c,'plain apostrophe',,,,,,"
    assert lines[5] == "e,Plus,,,,,'+44 7700 900000 | -1 | @x,"
    back = from_csv(text, name="F")
    assert [t.name for t in back.themes] == [
        "=SUM(A1:A9)",
        "'=already quoted",
        "'plain apostrophe'",
        "Tab",
        "Plus",
    ]
    assert back.themes[4].examples == ("+44 7700 900000", "-1", "@x")


def test_examples_with_separators_and_backslashes_round_trip():
    # Every text of up to four characters from the awkward ones, alone and in pairs.
    alphabet = "a|\\ \n"
    texts = [
        "".join(chars).strip()
        for length in range(1, 5)
        for chars in itertools.product(alphabet, repeat=length)
    ]
    texts = sorted({t for t in texts if t})
    assert "a\\|" in texts and "\\\\" in texts
    for first, second in zip(texts, texts[1:] + texts[:1], strict=True):
        for examples in ((first,), (first, second)):
            assert split_examples(join_examples(examples)) == examples, examples


def test_a_hand_typed_file_with_other_headings_reads():
    text = (
        "Theme,Parent_Key,INCLUSION,Exclusion,Outcome Area,Notes\n"
        "Waiting for a plan,Waiting,it is about the plan,,my voice,ignored\n"
        "Waiting,,,,,\n"
        ",,,,,\n"
        "Waiting for a plan,Other,,,,\n"
        "Other,,,,,\n"
    )
    read = from_csv(text, name="Hand made", version=2)
    assert read.name == "Hand made" and read.version == 2
    assert [(t.key, t.name, t.parent_key) for t in read.themes] == [
        ("waiting", "Waiting", ""),
        ("waiting-for-a-plan", "Waiting for a plan", "waiting"),
        ("other", "Other", ""),
        ("waiting-for-a-plan-2", "Waiting for a plan", "other"),
    ]
    assert read.themes[1].inclusion == "it is about the plan"
    assert read.themes[1].outcome_area == "My Voice"


def test_a_parent_can_be_given_by_name():
    read = from_csv("key,name,parent\nw,Waiting  Times,\nc,Child,waiting times\n", name="N")
    assert [(t.key, t.parent_key) for t in read.themes] == [("w", ""), ("c", "w")]


def test_keys_are_made_from_names_and_kept_clear_of_given_ones():
    text = "name,key\nWaiting,\nDelays,waiting\nŁódź families,\nصوت الطفل,\nصوت الأهل,\n"
    read = from_csv(text, name="K")
    keys = [t.key for t in read.themes]
    assert keys == ["waiting-2", "waiting", "lodz-families", "theme", "theme-2"]


def test_semicolon_separated_files_from_european_excel_read():
    read = from_csv("name;description\nWaiting;Long, slow waits\n", name="S")
    assert read.themes == (ThemeRow("waiting", "Waiting", description="Long, slow waits"),)


def test_windows_line_endings_and_spaces_are_tidied():
    read = from_csv(
        'name,description,examples\r\n  Long   waits ,"One\r\nTwo ", a | b |\r\n', name="W"
    )
    assert read.themes == (
        ThemeRow("long-waits", "Long waits", description="One\nTwo", examples=("a", "b")),
    )


def test_parents_come_before_children_in_tree_order():
    text = "key,name,parent\nc,Child,p\np,Parent,\nq,Other,\ng,Grandchild,c\n"
    read = from_csv(text, name="O")
    assert [t.key for t in read.themes] == ["p", "c", "g", "q"]


def test_csv_that_is_not_text_is_refused():
    assert problems(b"\xff\xfe\x00n\x00a\x00m\x00e") == [NOT_TEXT]
    assert problems(b"name\nA\x00B\n") == [NOT_TEXT]
    assert problems(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb4") == [NOT_TEXT]


def test_empty_and_oversized_files_are_refused():
    assert problems("") == ["The selected file is empty"]
    assert problems(b"  \n") == ["The selected file is empty"]
    assert problems(b"name\n" + b"x" * (5 * 1024 * 1024)) == ["The file must be smaller than 5MB"]
    assert problems("name\n" + "x" * (5 * 1024 * 1024)) == ["The file must be smaller than 5MB"]


def test_a_file_without_a_name_column_is_refused():
    assert problems("key,description\nwaits,Long waits\n") == [
        "The file must have a column headed “name”"
    ]


def test_a_file_without_themes_is_refused():
    assert problems(HEADING + "\n") == ["The file has no themes in it"]
    assert problems("name,key\n,\n , \n") == ["The file has no themes in it"]


def test_more_than_500_themes_are_refused():
    text = "name\n" + "".join(f"Theme {n}\n" for n in range(501))
    assert problems(text) == ["The file must have 500 themes or fewer; it has 501"]
    assert len(from_csv("name\n" + "".join(f"T{n}\n" for n in range(500)), name="x").themes) == 500


def test_rows_with_too_many_cells_are_refused():
    message = (
        "The selected file could not be read as a CSV file. Check that no row has more cells "
        "than the heading row, and that every quotation mark is closed"
    )
    assert problems("name,key\nA,a,extra\n") == [message]
    assert problems("name,key\nA,a\nB,b,extra\n") == [message]


def test_every_problem_is_listed_with_its_row():
    text = (
        "key,name,parent,description,include,exclude,examples,outcome_area\n"
        'ok,Fine,,"multi\nline",,,,\n'  # row 2, over two lines of text
        "blank,,,,,,,\n"  # row 3
        f"long-name,{'n' * 201},,,,,,\n"  # row 4
        f"{'k' * 81},Long key,,,,,,\n"  # row 5
        "Bad Key!,Bad key,,,,,,\n"  # row 6
        f"desc,Long description,,{'d' * 4001},{'i' * 1001},{'e' * 1001},,\n"  # row 7
        f"many,Many examples,,,,,{' | '.join(['x'] * 21)},\n"  # row 8
        f"big,Big example,,,,,ok | {'x' * 1001},\n"  # row 9
        "area,Area,,,,,,My Wellbeing\n"  # row 10
        "ok,Again,,,,,,\n"  # row 11
        "orphan,Orphan,nobody,,,,,\n"  # row 12
        "self,Self,self,,,,,\n"  # row 13
        "fine-2,fine,,,,,,\n"  # row 14
        "child,Child,ok,,,,,\n"  # row 15
        "child-2,CHILD ,ok,,,,,\n"  # row 16
    )
    assert problems(text) == [
        "Row 3: enter a theme name",
        "Row 4: theme name must be 200 characters or fewer",
        "Row 5: key must be 80 characters or fewer",
        "Row 6: key must start with a letter or number and only include lower-case letters, "
        "numbers and hyphens",
        "Row 7: description must be 4000 characters or fewer",
        "Row 7: “use when” note must be 1000 characters or fewer",
        "Row 7: “do not use when” note must be 1000 characters or fewer",
        "Row 8: enter 20 examples or fewer",
        "Row 9: example 2 must be 1000 characters or fewer",
        "Row 10: outcome area must be “My Voice”, “My Health” or “My Independence”, or left blank",
        "Row 11: the key “ok” is already used on row 2",
        "Row 12: parent “nobody” is not a theme in this file",
        "Row 13: a theme cannot be its own parent",
        "Row 14: there is already a theme called “fine”, on row 2",
        "Row 16: “Fine” already has a theme called “CHILD”, on row 15",
    ]


def test_parents_that_go_round_in_a_circle_are_refused():
    text = "key,name,parent\na,Alpha,c\nb,Beta,a\nc,Gamma,b\nd,Delta,e\ne,Epsilon,d\nf,Fine,\n"
    assert problems(text) == [
        "Rows 2, 3 and 4: the parents go round in a circle (“Alpha” → “Gamma” → “Beta” → "
        "“Alpha”); give one of these themes no parent",
        "Rows 5 and 6: the parents go round in a circle (“Delta” → “Epsilon” → “Delta”); give "
        "one of these themes no parent",
    ]


def test_themes_nested_too_deep_are_refused():
    rows = "".join(f"k{n},Level {n + 1},{f'k{n - 1}' if n else ''}\n" for n in range(12))
    text = "key,name,parent\n" + rows + "side,Side branch,k9\n"
    assert problems(text) == [
        "Row 12: themes can only be nested 10 levels deep; move “Level 11” higher up",
        "Row 14: themes can only be nested 10 levels deep; move “Side branch” higher up",
    ]
    ten_deep = "key,name,parent\n" + "".join(rows.splitlines(keepends=True)[:10])
    assert len(from_csv(ten_deep, name="Ten").themes) == 10


def test_a_parent_named_twice_must_be_given_by_key():
    text = "key,name,parent\na,Waiting,\nb,Other,\nc,Waiting,b\nd,Child,Waiting\n"
    assert problems(text) == [
        "Row 5: more than one theme is called “Waiting”; enter the parent’s key instead"
    ]


def test_the_councils_repeated_theme_is_caught():
    # The AET parent questionnaire listed this theme twice.
    text = (
        "Theme\nSchool delayed in recognising neurodivergence in child\n"
        "Communication with parents from school is poor\n"
        "Communication with parents from school is poor\n"
    )
    assert problems(text) == [
        "Row 4: there is already a theme called “Communication with parents from school is "
        "poor”, on row 3"
    ]


# REFI-QDA


def test_qdc_has_the_refi_structure(book):
    root = tree(to_qdc(book))
    assert root.tag == NS + "CodeBook"
    assert root.get("origin") == "Heard"
    codes = root.find(NS + "Codes")
    assert codes is not None
    top = codes.findall(NS + "Code")
    assert [c.get("name") for c in top] == ["Waiting", "Communication with parents from school"]
    child = top[0].find(NS + "Code")
    assert child is not None and child.get("name") == "Czekanie na plan \u2013 Łódź"
    grandchild = child.find(NS + "Code")
    assert grandchild is not None and grandchild.get("name") == "+Panel decisions"
    assert all(c.get("isCodable") == "true" for c in root.iter(NS + "Code"))
    assert top[0].get("guid") == str(uuid.uuid5(GUID_NAMESPACE, "waiting")).upper()
    # Description comes before the child codes, as the schema's sequence says.
    assert [c.tag for c in top[0]] == [NS + "Description", NS + "Code"]
    sets = root.find(NS + "Sets")
    assert sets is not None
    assert [(s.get("name"), [m.get("guid") for m in s]) for s in sets] == [
        ("My Voice", [theme_guid("waiting")]),
        ("My Health", [theme_guid("panel")]),
        ("My Independence", [theme_guid("waiting-for-a-plan")]),
    ]


def test_qdc_guids_are_stable_across_exports(book):
    again = CodebookFile("Another name", 9, book.themes[::-1][:1])
    first = tree(to_qdc(book)).iter(NS + "Code")
    guids = {c.get("name"): c.get("guid") for c in first}
    later = {c.get("name"): c.get("guid") for c in tree(to_qdc(again)).iter(NS + "Code")}
    assert (
        later["Communication with parents from school"]
        == guids["Communication with parents from school"]
    )
    assert to_qdc(book) == to_qdc(book)
    assert len(set(guids.values())) == 4


def test_the_description_reads_well_elsewhere(book):
    assert describe(book.themes[0]) == (
        "Waiting for an assessment or a plan.\n\nSecond paragraph, with “quotes”.\n\n"
        "Use when: the comment is about how long something took\n\n"
        "Do not use when: =the wait was for a health appointment\n\n"
        "Outcome area: My Voice\n\n"
        "Examples:\n"
        "- We waited 40 weeks | and nobody rang\n"
        '- She said, "it is with the panel"\n'
        "- Line one\n  line two\n"
        "- -3 months late\n"
        "- a\\|b and a trailing backslash\\"
    )


def test_qdc_round_trip_is_exact(book):
    data = to_qdc(book)
    assert check_qdc(data) == []
    assert from_qdc(data, name=book.name, version=3) == book
    assert from_qdc(data).name == "Imported codebook"


def test_qdc_round_trip_keeps_text_that_looks_like_a_label():
    tricky = ThemeRow(
        key="not-from-the-name",
        name="Tricky",
        description="Use when: this is part of the description\n\\starts with a backslash",
        inclusion="first\nKey: still the inclusion\n\nExamples: not a heading",
        exclusion="Outcome area: not one",
        examples=("- starts with a dash", "two\n\n  indented lines"),
    )
    book = CodebookFile(
        "T", 1, (tricky, ThemeRow("child", "Child", parent_key="not-from-the-name"))
    )
    assert from_qdc(to_qdc(book), name="T") == book


def test_csv_then_qdc_then_csv_is_exact(book):
    via_qdc = from_qdc(to_qdc(from_csv(to_csv(book), name=book.name)), name=book.name)
    assert to_csv(via_qdc) == to_csv(book)


THIRD_PARTY = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="urn:QDA-XML:codebook:1.0 Codebook.xsd"
    origin="ATLAS.ti Win 23.4.0" xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Communication" color="#46AA00"
        isCodable="false">
      <Description>Use when: parents talk about letters.
Kept as it is.</Description>
      <Code guid="{2AA58B12-6F6F-4B0C-8BE5-BBDC91F55294}" name="Waiting" isCodable="true">
        <NoteRef targetGUID="3AA58B12-6F6F-4B0C-8BE5-BBDC91F55294"/>
      </Code>
    </Code>
    <Code guid="4aa58b12-6f6f-4b0c-8be5-bbdc91f55294" name="Waiting" isCodable="1"/>
    <Code guid="5AA58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Sleep" isCodable="true">
      <Description>  Getting enough sleep  </Description>
    </Code>
  </Codes>
  <Sets>
    <Set name="my health" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0">
      <Description>Health codes</Description>
      <MemberCode guid="5AA58B12-6F6F-4B0C-8BE5-BBDC91F55294"/>
    </Set>
    <Set name="Project group" guid="FCA18D76-2B8B-4F26-BC1D-19ECA19FB3F0">
      <MemberCode targetGUID="4AA58B12-6F6F-4B0C-8BE5-BBDC91F55294"/>
    </Set>
  </Sets>
</CodeBook>
"""


def test_a_third_party_codebook_imports():
    data = THIRD_PARTY.encode("utf-8")
    assert check_qdc(data) == []
    read = from_qdc(data, version=2)
    assert read.name == "Imported codebook" and read.version == 2
    assert read.themes == (
        ThemeRow(
            "communication",
            "Communication",
            description="Use when: parents talk about letters.\nKept as it is.",
        ),
        ThemeRow("waiting", "Waiting", parent_key="communication"),
        ThemeRow("waiting-2", "Waiting"),
        ThemeRow("sleep", "Sleep", description="Getting enough sleep", outcome_area="My Health"),
    )


def test_a_codebook_name_attribute_is_used_when_there_is_one():
    data = THIRD_PARTY.replace('origin="ATLAS', 'name="NVivo codes" origin="ATLAS').encode()
    assert from_qdc(data).name == "NVivo codes"
    assert from_qdc(data, name="Given").name == "Given"


def broken(replace: str, with_: str) -> bytes:
    assert replace in THIRD_PARTY
    return THIRD_PARTY.replace(replace, with_, 1).encode("utf-8")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            broken(' guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"', ""),
            ["Line 6: code “Communication” must have a guid"],
        ),
        (
            broken('urn:QDA-XML:codebook:1.0">', 'urn:QDA-XML:project:1.0">'),
            ["The CodeBook element must be in the namespace “urn:QDA-XML:codebook:1.0”"],
        ),
        (
            broken('<MemberCode guid="5AA', '<MemberCode guid="6AA'),
            [
                "Line 22: set “my health” refers to a code that is not in the file "
                "(6AA58B12-6F6F-4B0C-8BE5-BBDC91F55294)"
            ],
        ),
        (
            broken('<MemberCode guid="5AA58B12-6F6F-4B0C-8BE5-BBDC91F55294"/>', "<MemberCode/>"),
            ["Line 22: a member of set “my health” must have a guid"],
        ),
        (
            broken('guid="4aa58b12-6f6f-4b0c-8be5-bbdc91f55294"', 'guid="4aa58b12"'),
            [
                "Line 14: code “Waiting” has a guid, “4aa58b12”, that is not in the form "
                "8-4-4-4-12, such as “9DC441F8-8AFC-4D68-A092-A545EFD250C8”",
                "Line 25: set “Project group” refers to a code that is not in the file "
                "(4AA58B12-6F6F-4B0C-8BE5-BBDC91F55294)",
            ],
        ),
        (
            broken("4aa58b12-6f6f-4b0c-8be5-bbdc91f55294", "5AA58B12-6F6F-4B0C-8BE5-BBDC91F55294"),
            [
                "Line 15: code “Sleep” has the same guid as the one on line 14",
                "Line 25: set “Project group” refers to a code that is not in the file "
                "(4AA58B12-6F6F-4B0C-8BE5-BBDC91F55294)",
            ],
        ),
        (broken(' name="Sleep"', ' name=" "'), ["Line 15: a code must have a name"]),
        (
            broken('isCodable="1"', 'isCodable="yes"'),
            ["Line 14: code “Waiting” must have isCodable set to “true” or “false”"],
        ),
        (
            broken("<NoteRef", "<Memo/><NoteRef"),
            ["Line 11: code “Waiting” contains “Memo”, which a code cannot contain"],
        ),
        (
            broken("</Description>\n    </Code>", "</Description><Description/>\n    </Code>"),
            ["Line 15: code “Sleep” must have only one “Description”"],
        ),
        (
            broken("<Sets>", "<Sets><Other/>"),
            ["Line 19: “Sets” can only contain “Set” elements"],
        ),
        (
            broken(' name="Project group"', ""),
            ["Line 24: a set must have a name"],
        ),
        (
            broken("<Codes>", "<Codes><Category/>"),
            ["Line 5: “Codes” can only contain “Code” elements"],
        ),
        (
            broken("</Codes>", "</Codes><Codes><Code/></Codes>"),
            [
                "Line 18: the codebook must have only one “Codes” element",
            ],
        ),
    ],
)
def test_check_qdc_names_each_problem(data, expected):
    assert check_qdc(data) == expected
    assert qdc_problems(data) == expected


def test_check_qdc_needs_a_codebook_with_codes():
    cases = {
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="P"/>': [
            "The file must be a REFI-QDA codebook, which starts with “CodeBook”, not “Project”"
        ],
        b"<CodeBook><Codes/></CodeBook>": [
            "The CodeBook element must be in the namespace “urn:QDA-XML:codebook:1.0”"
        ],
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>': [
            "The codebook must have a “Codes” element"
        ],
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes/>\n<Sets/>\n</CodeBook>': [
            "Line 2: “Codes” must have at least one “Code”",
            "Line 3: “Sets” must have at least one “Set”",
        ],
        b"<CodeBook>\n<Codes>\n</CodeBook>": ["Line 3: the file is not valid XML (mismatched tag)"],
        b"not xml": ["Line 1: the file is not valid XML (syntax error)"],
    }
    for data, expected in cases.items():
        assert check_qdc(data) == expected, data


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&lol3;" isCodable="true"/>
</Codes></CodeBook>"""


def test_an_xml_bomb_is_refused_before_parsing():
    assert qdc_problems(BOMB) == [NO_DECLARATIONS]
    assert check_qdc(BOMB) == [NO_DECLARATIONS]
    assert NO_DECLARATIONS.startswith("The file must not contain a DOCTYPE or ENTITY declaration")
    external = b'<!doctype x SYSTEM "file:///etc/passwd"><CodeBook/>'
    assert qdc_problems(external) == [NO_DECLARATIONS]


def test_a_doctype_the_byte_check_cannot_see_is_refused_by_the_parser():
    # In UTF-16 every other byte is zero, so "<!DOCTYPE" is not in the bytes as such.
    data = BOMB.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>')
    encoded = data.encode("utf-16")
    assert b"<!DOCTYPE" not in encoded
    assert qdc_problems(encoded) == [NO_DECLARATIONS]


def test_a_doctype_with_no_entities_is_refused_by_the_parser_too():
    data = '<?xml version="1.0" encoding="utf-16"?>\n<!DOCTYPE CodeBook SYSTEM "x.dtd">\n'
    data += THIRD_PARTY.split("\n", 1)[1]
    assert qdc_problems(data.encode("utf-16")) == [NO_DECLARATIONS]
    utf16 = THIRD_PARTY.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert check_qdc(utf16) == []  # UTF-16 itself is fine


def test_an_oversized_qdc_is_refused():
    assert qdc_problems(b" " * (5 * 1024 * 1024 + 1)) == ["The file must be smaller than 5MB"]


def test_heards_rules_apply_to_an_imported_codebook():
    data = broken('name="Sleep"', 'name="waiting"')
    assert qdc_problems(data) == ["Line 15: there is already a theme called “waiting”, on line 14"]
    ours = to_qdc(CodebookFile("O", 1, (ThemeRow("a", "A", outcome_area="My Voice"),)))
    edited = ours.replace(b"Outcome area: My Voice", b"Outcome area: My Mood")
    assert qdc_problems(edited) == [
        "Line 4: outcome area must be “My Voice”, “My Health” or “My Independence”, or left blank"
    ]


def test_too_many_codes_are_refused():
    codes = "".join(
        f'<Code guid="{uuid.uuid5(GUID_NAMESPACE, str(n))}" name="T{n}" isCodable="true"/>'
        for n in range(501)
    )
    data = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'
    assert qdc_problems(data.encode()) == ["The file must have 500 themes or fewer; it has 501"]


def test_a_badly_broken_file_lists_the_first_100_problems():
    data = b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>' + b"<Code/>" * 40 + b"</Codes>"
    found = check_qdc(data + b"</CodeBook>")
    assert len(found) == 101
    assert found[:3] == [
        "Line 1: a code must have a name",
        "Line 1: the code must have a guid",
        "Line 1: the code must have isCodable set to “true” or “false”",
    ]
    assert found[-1] == "There are 20 more problems in the file"


def test_to_qdc_refuses_what_the_format_cannot_hold():
    with pytest.raises(CodebookFileError, match="The codebook has no themes in it"):
        to_qdc(CodebookFile("E", 1, ()))
    with pytest.raises(CodebookFileError, match="different key"):
        to_qdc(CodebookFile("D", 1, (ThemeRow("a", "A"), ThemeRow("a", "B"))))
    with pytest.raises(CodebookFileError, match="has a parent, “zz”, not in the codebook"):
        to_qdc(CodebookFile("P", 1, (ThemeRow("a", "A", parent_key="zz"),)))
    with pytest.raises(CodebookFileError, match="circle"):
        to_qdc(CodebookFile("C", 1, (ThemeRow("a", "A", "b"), ThemeRow("b", "B", "a"))))


def test_control_characters_are_left_out_so_the_xml_stays_valid():
    read = from_csv("name,description\nBell\x07,Vertical\x0btab\n", name="C")
    assert read.themes == (ThemeRow("bell", "Bell", description="Verticaltab"),)
    data = to_qdc(CodebookFile("C", 1, (ThemeRow("a", "A\x01", description="x\x0cy"),)))
    assert check_qdc(data) == []
    assert from_qdc(data).themes[0].description == "xy"


# Keys


def test_key_from_name():
    assert key_from_name("  Waiting   times! ") == "waiting-times"
    assert key_from_name("Ośrodek zdrowia — Gdańsk") == "osrodek-zdrowia-gdansk"
    assert key_from_name("x" * 100) == "x" * 80
    assert key_from_name("a" * 79 + " b") == "a" * 79  # no hyphen left at the cut
    assert key_from_name("!!!") == "theme"


# Words to avoid


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Support for service users", ["service users"]),
        ("A Service User said", ["Service User"]),
        ("hard to reach families and hard-to-reach groups", ["hard to reach", "hard-to-reach"]),
        ("A young person with autism", ["young person with autism"]),
        (
            "a child with autism and a person with autism",
            ["child with autism", "person with autism"],
        ),
        ("Children with ASD", ["Children with ASD"]),
        ("She suffers from epilepsy; suffering from anxiety", ["suffers from", "suffering from"]),
        ("wheelchair bound, Wheelchair-bound", ["wheelchair bound", "Wheelchair-bound"]),
        ("service\nusers", ["service users"]),
        ("Buses make the centre reachable", []),
        ("hard to reachable", []),
        ("suffering fromage", []),
        ("An autistic young person and a wheelchair user", []),
        ("service usership and self-service users", ["service users"]),
        ("a person with autistic friends", []),
    ],
)
def test_words_to_avoid_finds_whole_phrases(text, found):
    assert [phrase for phrase, _suggestion in words_to_avoid(text)] == found


def test_words_to_avoid_suggests_what_to_say():
    assert words_to_avoid("Our service users and a child with autism") == [
        (
            "service users",
            "Use people’s own terms, for example “children and young people” or “parents and "
            "carers”.",
        ),
        ("child with autism", "Use identity-first language, for example “autistic child”."),
    ]
    assert words_to_avoid("Hard to reach")[0][1] == (
        "Say “under-represented”, or name the group you mean."
    )
    found, suggestion = words_to_avoid("Theme for service users")[0]
    assert f"Theme name uses “{found}”. {suggestion}" == (
        "Theme name uses “service users”. Use people’s own terms, for example “children and "
        "young people” or “parents and carers”."
    )
