"""Checks run on every HTML page the tests render.

A page fails if its HTML does not parse, it has no single h1, its title does
not start with that h1, an id repeats, an error-summary link points nowhere,
or a script or style tag lacks the CSP nonce.
"""

import re
from collections import Counter
from collections.abc import Iterator
from xml.etree.ElementTree import Element

import html5lib


class PageProblem(AssertionError):
    """A rendered page broke one of the page-level rules."""


def _name(element: Element) -> str | None:
    """An element's tag without its namespace (an SVG's are namespaced); None for a comment."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else None


def _named(tree: Element, *names: str) -> Iterator[Element]:
    return (e for e in tree.iter() if _name(e) in names)


def _words(element: Element) -> Iterator[str]:
    """The text inside an element, leaving out comments (but not the text after them)."""
    if _name(element) is not None and element.text:
        yield element.text
    for child in element:
        yield from _words(child)
        if child.tail:
            yield child.tail


def _text(element: Element) -> str:
    return re.sub(r"\s+", " ", "".join(_words(element))).strip()


def check_page(html: str, csp: str | None, url: str) -> Element:
    """Raise PageProblem when the page breaks a rule; return the parsed page.

    The page is parsed once, strictly, and every rule is checked on that tree.
    """
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree = parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        raise PageProblem(f"{url}: HTML does not parse: {error}") from None

    headings = list(_named(tree, "h1"))
    if len(headings) != 1:
        raise PageProblem(f"{url}: expected exactly one h1, found {len(headings)}")
    h1 = _text(headings[0])
    title_element = next(_named(tree, "title"), None)
    title = _text(title_element) if title_element is not None else ""
    # A page with errors starts its title with "Error:" in the reader's language ("خطأ:"),
    # and only such a page may.
    has_errors = "govuk-error-summary" in html
    shown = re.sub(r"^[^\s:]+: ", "", title) if has_errors else title
    if not shown.startswith(h1):
        raise PageProblem(f"{url}: title {title!r} does not start with the h1 {h1!r}")

    ids = Counter(e.get("id") for e in tree.iter() if _name(e) and "id" in e.attrib)
    duplicates = {i for i, n in ids.items() if n > 1}
    if duplicates:
        raise PageProblem(f"{url}: duplicate ids {sorted(duplicates)}")

    summaries = (
        e for e in tree.iter() if _name(e) and "govuk-error-summary" in e.get("class", "").split()
    )
    links = {
        id(a): a for s in summaries for a in _named(s, "a") if a is not s and "href" in a.attrib
    }
    for link in links.values():
        target = link.get("href", "").lstrip("#")
        if target not in ids:
            raise PageProblem(f"{url}: error summary links to #{target}, which does not exist")

    nonce = re.search(r"'nonce-([^']+)'", csp or "")
    for tag in _named(tree, "script", "style"):
        if _name(tag) == "script" and tag.get("src"):
            continue
        if not nonce or tag.get("nonce") != nonce.group(1):
            raise PageProblem(f"{url}: inline <{_name(tag)}> without this response's CSP nonce")
    return tree
