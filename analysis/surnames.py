"""Surnames typed in lower case after a name already redacted: "tell [name] smith".

A capitalised surname after a given name goes with it already (analysis/given_names.py);
on a phone, or written by a child, the surname is often in lower case, and it is the part
that identifies a family. After a ``[name]`` placeholder, a lower-case word from this list
goes too. The list is of surnames common in England and Wales that are not also everyday
words: "[name] green" or "[name] long" may be a sentence going on ("jack long jumped"), and
a capitalised "Green" is caught anyway.
"""

from __future__ import annotations

import re

_SURNAMES = """
    smith jones williams taylor davies evans wilson thomas johnson roberts robinson
    thompson wright walker edwards hughes lewis harris clarke patel jackson turner
    martin cooper morris moore clark harrison morgan allen james scott phillips watson
    davis parker bennett griffiths mitchell kelly carter richardson bailey collins
    shaw murphy miller cox richards khan marshall anderson simpson ellis adams singh
    begum wilkinson foster chapman powell webb rogers mason ali hussain campbell
    matthews owen palmer holmes barnes knight lloyd butler russell barker stevens
    jenkins murray dixon harvey graham pearson ahmed fletcher walsh kaur gibson howard
    andrews stewart elliott reynolds saunders payne pearce brooks lawrence atkinson
    bradley spencer gill dawson burton watts booth perry ryan wells armstrong francis
    rees hayes hudson newman barrett webster hunter gregory carr lowe riley dunn
    parsons berry reid holland hawkins harding robertson newton oliver kennedy
    williamson gardner shah lane cooke bates henderson parry burgess walton
    nicholson shepherd ross freeman warren nicholls hamilton byrne sutton mcdonald
    yates hodgson robson curtis hopkins harper coleman watkins chambers mccarthy
    griffin wheeler osborne johnston gordon doyle wallace jordan hutchinson rahman
    islam miah uddin akhtar hussein mahmood iqbal kumar sharma chowdhury begam
    nguyen nowak kowalski wisniewski wojcik kaminski lewandowski chen wong
    mohammed mohammad mohamed hassan abdi omar okafor okonkwo adeyemi mensah
    boateng asante obi nwosu popescu ionescu petrov ivanov silva santos ferreira
    costa oliveira pereira rodrigues ahmad aziz rashid hossain sarkar das bhatti
    mirza qureshi malik sheikh sandhu sidhu dhillon grewal bains johal rai gurung
    o'brien o'connor o'neill o'sullivan o'donnell o'reilly mcdonnell mcgregor
    mckenzie mclean macdonald mackenzie macleod fraser mcintyre
"""
SURNAMES = frozenset(_SURNAMES.split())

# A placeholder, then a lower-case surname ("[name] smith", "[name] o'neill", with a
# curly apostrophe too) that is a whole word.
_AFTER_PLACEHOLDER = re.compile(r"\[name\](\s+)([a-z]+(?:['\u2019][a-z]+)?)(?![\w'\u2019-])")


#: What a redacted name reads as (redaction's ``Placeholder.NAME``).
PLACEHOLDER = "[name]"


def absorb_surnames(text: str) -> str:
    """Fold a lower-case surname after a redacted name into the placeholder.

    Examples:
        >>> absorb_surnames("tell [name] smith and [name] said")
        'tell [name] and [name] said'
    """
    if PLACEHOLDER not in text:
        return text

    def fold(match: re.Match[str]) -> str:
        word = match.group(2).replace("\u2019", "'")
        return PLACEHOLDER if word in SURNAMES else match.group(0)

    return _AFTER_PLACEHOLDER.sub(fold, text)
