"""Checks run on every HTML page the tests render.

A page fails if its HTML does not parse, it has no single h1, its title does
not start with that h1, an id repeats, an error-summary link points nowhere,
or a script or style tag lacks the CSP nonce.
"""

import re

import html5lib
from bs4 import BeautifulSoup


class PageProblem(AssertionError):
    """A rendered page broke one of the page-level rules."""


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text()).strip()


def check_page(html: str, csp: str | None, url: str) -> BeautifulSoup:
    """Raise PageProblem when the page breaks a rule; return the parsed page."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        raise PageProblem(f"{url}: HTML does not parse: {error}") from None

    soup = BeautifulSoup(html, "html.parser")
    headings = soup.find_all("h1")
    if len(headings) != 1:
        raise PageProblem(f"{url}: expected exactly one h1, found {len(headings)}")
    h1 = _text(headings[0])
    title = _text(soup.title) if soup.title else ""
    if not re.sub(r"^Error: ", "", title).startswith(h1):
        raise PageProblem(f"{url}: title {title!r} does not start with the h1 {h1!r}")

    ids = [tag["id"] for tag in soup.find_all(id=True)]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise PageProblem(f"{url}: duplicate ids {sorted(duplicates)}")

    for link in soup.select(".govuk-error-summary a[href]"):
        target = link["href"].lstrip("#")
        if not soup.find(id=target):
            raise PageProblem(f"{url}: error summary links to #{target}, which does not exist")

    nonce = re.search(r"'nonce-([^']+)'", csp or "")
    for tag in soup.find_all(["script", "style"]):
        if tag.name == "script" and tag.get("src"):
            continue
        if not nonce or tag.get("nonce") != nonce.group(1):
            raise PageProblem(f"{url}: inline <{tag.name}> without this response's CSP nonce")
    return soup
