"""Translations avoid the words the Lived Experience Framework asks us not to use.

The framework (seed 002, Part 2) asks for people's own terms and identity-first language
("autistic young person"), and rules out "service user", "hard to reach", "suffers from" and
"wheelchair-bound". A translation must not bring them back in another language, so each
catalogue is checked against that language's usual wording for the same phrases, and against
the English phrases too, for any words left in English. Easy read is English, so it is checked
with `words_to_avoid` itself. The English source is checked as well.

Matching ignores case and allows for inflection. Arabic is matched without its vowel marks
and with one form of alef, and Romanian with comma-below ș and ț, however the text was typed.
The patterns name people, not things: "trudno dostępne informacje" (information that is hard
to find) is fine, "grupy trudno dostępne" (hard-to-reach groups) is not.
"""

# The patterns are Cyrillic, Arabic and Devanagari on purpose, beside regex syntax.
# ruff: noqa: RUF001

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from analysis.codebook_files import words_to_avoid

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
#: GOV.UK Frontend's own placeholders, filled in by its script (the character count).
GOVUK_PLACEHOLDER = re.compile(r"%\{[A-Za-z_]+\}")


def _patterns(*sources: str) -> list[re.Pattern[str]]:
    return [re.compile(source, re.IGNORECASE) for source in sources]


# People, in the forms a phrase about them takes.
_PL_PEOPLE = (
    r"(?:osob\w*|osób|dzie\w*|ucz(?:eń|ni\w*)|uczennic\w*|młodzież\w*|nastolat\w*|dorosł\w*"
    r"|lud[zź]\w*|chłop\w*|dziewcz\w*|student\w*|syn\w*|córk\w*|pacjent\w*|podopieczn\w*)"
)
_PL_GROUPS = r"(?:grup\w*|rodzin\w*|osob\w*|osób|środowisk\w*|społecznoś\w*|społeczeństw\w*)"
_RO_PEOPLE = (
    r"(?:persoan\w*|copi\w*|tân[aă]r\w*|tiner\w*|elev\w*|adult\w*|oameni\w*|băie[tț]\w*|fet\w*"
    r"|student\w*|fi[iu]\w*|fiic\w*|pacien[tț]\w*)"
)
_RO_GROUPS = r"(?:grup\w*|famili\w*|comunit\w*|persoan\w*|oameni\w*|categori\w*|popula\w*)"
_UK_PEOPLE = (
    r"(?:дит\w*|діт\w*|люд\w*|особ\w*|учн\w*|учен\w*|школяр\w*|підліт\w*|підлітк\w*|молод\w*"
    r"|доросл\w*|хлоп\w*|дівч\w*|студент\w*|син\w*|доньк\w*|дочк\w*|пацієнт\w*)"
)
_UK_GROUPS = r"(?:груп\w*|родин\w*|сім\W?\w*|громад\w*|категор\w*|верств\w*|спільнот\w*)"
_AR_GROUPS = r"(?:فئ|مجموع|اسر|عائل|مجتمع|شرائح|جماعات)\w*"
# Devanagari vowel signs are not \w, so Nepali patterns spell their letters out.
_NE_AUTISM = r"(?:अटि(?:ज\u093c?\u094d?म|स्म)|स्वलीनता)"
_NE_WHEELCHAIR = r"(?:(?:ह्व|व्ह)[ीि]ल\s*च[ेि][यअ]र|पाङ्ग्रे\s*कुर्सी)"

#: Each language's usual wording for the phrases to avoid, besides the English ones.
AVOID: dict[str, list[re.Pattern[str]]] = {
    "pl": _patterns(
        # service user(s)
        r"\bużytkowni\w*\s+usług\w*",
        r"\busługobiorc\w*",
        r"\bświadczeniobiorc\w*",
        r"\bklien\w*\s+pomocy\s+społecznej\b",
        # hard to reach
        r"\btrudn\w*\s+do\s+(?:do)?tarcia\b",
        r"\b(?:do\s+których|do\s+nich)\s+trudno\s+(?:jest\s+)?dotrzeć\b",
        rf"\b{_PL_GROUPS}\s+(?:\w+\s+)?trudno\s*(?:dostępn|osiągaln)\w*",
        rf"\btrudno\s*(?:dostępn|osiągaln)\w*\s+{_PL_GROUPS}",
        # person with autism (identity-first: "osoba autystyczna", "autystyczne dziecko")
        rf"\b{_PL_PEOPLE}\s+(?:z|ze)\s+(?:autyzmem|ASD"
        r"|(?:zaburzeni\w*|spektrum)\s+(?:ze\s+)?(?:spektrum\s+)?autyzmu)\b",
        r"\bchor\w*\s+na\s+autyzm\b",
        # suffers / suffering from
        r"\bcierpi\w*\s+na\b",
        # wheelchair-bound / confined to a wheelchair
        r"\bprzykut\w*\s+do\s+wózk\w*",
        r"\bskazan\w*\s+na\s+wózek",
        r"\buwięzi\w*\s+(?:na|w)\s+wózku",
    ),
    "ro": _patterns(
        r"\b(?:utilizator|beneficiar)\w*\s+(?:de\s+servicii|(?:ai\s+|al\s+|ale\s+|a\s+)?servicii"
        r"(?:lor|ului))\b",
        rf"\b{_RO_GROUPS}\s+(?:(?:mai|foarte|care\s+sunt)\s+)?(?:greu|dificil)\s+"
        r"(?:de\s+(?:atins|contactat|abordat|ajuns)|accesibil\w*)",
        rf"\b{_RO_PEOPLE}\s+cu\s+(?:autism\w*|TSA|ASD"
        r"|tulbur\w+\s+(?:din\s+|de\s+)?spectrul(?:ui)?\s+auti\w+)",
        r"\bsuf[eă]r\w*\s+de\b",
        r"\b(?:imobilizat|țintuit|condamnat)\w*\s+(?:în|într-un|de|la|pe)\s+(?:un\s+)?scaun\w*",
        r"\bprizonier\w*\s+(?:(?:în|într-un|al|a)\s+)?(?:un\s+)?scaun\w*",
    ),
    "uk": _patterns(
        r"\b(?:користувач|отримувач|споживач)\w*\s+(?:соціальних\s+)?послуг\b",
        rf"\b(?:важко|складно)\s*-?\s*(?:доступн|досяжн)\w*\s+(?:{_UK_GROUPS}|{_UK_PEOPLE})",
        rf"\b{_UK_GROUPS},?\s+(?:до\s+)?(?:яких|які)\s+(?:важко|складно)\s+"
        r"(?:охопити|дістатися|достукатися|дотягнутися)",
        rf"\b{_UK_PEOPLE}\s+(?:з|із|зі)\s+(?:аутизмом|РАС\b|розлад\w*\s+аутистичного\s+спектр[ау])",
        r"\bхвор\w*\s+на\s+аутизм",
        r"\bстражда\w*\s+(?:на|від)\b",
        r"\bприкут\w*\s+до\s+(?:інвалідн\w*\s+)?(?:візк\w*|крісл\w*)",
        r"\b(?:колясочни|візочни)\w*",
    ),
    "ar": _patterns(
        r"(?:مستخدم|مستفيد|متلق)\w*\s+(?:من\s+)?(?:ال)?خدم(?:ة|ات|ه)",
        rf"{_AR_GROUPS}\s+(?:التي\s+)?(?:يصعب|يتعذر|صعب\w*|من\s+الصعب)\s+الوصول",
        rf"{_AR_GROUPS}\s+(?:ال)?صعب\w*\s+(?:ال)?(?:وصول|منال)",
        r"(?:يصعب|يتعذر|صعب\w*|من\s+الصعب)\s+الوصول\s+الي(?:هم|هن)(?!\w)",
        r"مصاب\w*\s+ب(?:ال)?توحد",
        r"مصاب\w*\s+باضطراب\s+(?:ال)?طيف\s+(?:ال)?توحد",
        r"مصاب\w*\s+باعاق",
        r"مرضى\s+(?:ال)?توحد",
        r"(?<!\w)[وف]?(?:ال)?(?:طفل|اطفال|شخص|اشخاص|افراد|ناس|شباب|تلاميذ|طلاب)\s+"
        r"(?:مع|ذو|ذوو|ذوي)?\s*(?:ال)?توحد(?!\w)",
        r"(?<!\w)[وف]?(?:ل|س)?[يتنا]عان(?:ي|ى|ون|ين|وا|يان|يا)?\s+من(?!\w)",
        r"(?<!\w)[وف]?عان(?:ى|ت|وا|يت)\s+من(?!\w)",
        r"(?<!\w)[وف]?(?:ب|ل|ال|بال|لل)?معانا(?:ة|ت\w*)\s+من(?!\w)",
        r"ابتل[يى]\w*\s+ب",
        r"(?:مقعد|قعيد|حبيس|سجين|طريح|ملازم|مقيد|محبوس|اسير)\w*\s+(?:(?:على|في|الى|داخل)\s+)?"
        r"(?:ب|ل)?(?:ال|ل)?كرس\w*",
        r"(?<!\w)[وف]?(?:ال)?مقعد(?:ون|ين)(?!\w)",
    ),
    "ne": _patterns(
        r"सेवाग्राही",
        r"सेवा\s*(?:का\s*)?(?:प्रयोगकर्ता|उपभोक्ता)",
        r"पुग्न\s*(?:गाह्रो|कठिन|मुस्किल)",
        r"पहुँच\s*(?:भन्दा\s*)?बाहिर",
        r"पहुँच\s*(?:मा\s*)?नपुगेका",
        r"पहुँचबाट\s*टाढा",
        rf"{_NE_AUTISM}\s*(?:स्पेक्ट्रम\s*(?:डिसअर्डर\s*|विकार\s*)?)?भएका|"
        rf"{_NE_AUTISM}\s*(?:स्पेक्ट्रम\s*(?:डिसअर्डर\s*|विकार\s*)?)?भएक[ोी]",
        rf"(?:{_NE_AUTISM}|रोग|अपाङ्गता)\s*पीडित",
        r"(?:बाट|ले)\s*(?:पीडित|ग्रस्त|ग्रसित)",
        rf"{_NE_WHEELCHAIR}\S*\s*(?:सीमित|बाँधि|कैद|थला|थलिए|निर्भर)",
    ),
}

#: Sentences each language's patterns must catch: one or more for each phrase to avoid.
KNOWN_BAD = {
    "pl": [
        "Wsparcie dla użytkowników usług",
        "Usługobiorcy mogą zgłaszać uwagi",
        "Grupy trudne do dotarcia",
        "Rodziny trudno dostępne dla szkoły",
        "Dziecko z autyzmem",
        "Uczniowie z ASD i ich rodzice",
        "Młodzież ze spektrum autyzmu",
        "Mój syn cierpi na epilepsję",
        "Dzieci cierpiące na autyzm",
        "Jest przykuty do wózka",
        "Skazana na wózek inwalidzki",
    ],
    "ro": [
        "Utilizatorii de servicii",
        "Beneficiarii serviciilor sociale",
        "Grupuri greu accesibile",
        "Familii greu de atins",
        "Copii cu autism",
        "Persoanele cu tulburări din spectrul autist",
        "Suferă de epilepsie",
        "Copilul suferind de autism",
        "Este imobilizat în scaunul cu rotile",
        "Ţintuită într-un scaun cu rotile",
    ],
    "uk": [
        "Користувачі послуг",
        "Отримувачів соціальних послуг",
        "Важкодоступні групи",
        "Родини, до яких важко достукатися",
        "Дитина з аутизмом",
        "Люди з РАС",
        "Діти з розладами аутистичного спектра",
        "Син страждає на епілепсію",
        "Діти, які страждають від аутизму",
        "Прикутий до інвалідного візка",
        "Вона колясочниця",
    ],
    "ar": [
        "مستخدمو الخدمات",
        "المستفيدين من الخدمة",
        "الفئات التي يصعب الوصول إليها",
        "يصعب الوصول إليهم",
        "الأطفال المصابون بالتوحّد",
        "طفل مصاب باضطراب طيف التوحد",
        "مرضى التوحد",
        "أطفال التوحد",
        "يعاني من الصرع",
        "الأطفال الذين يعانون من التوحد",
        "وتعاني من القلق",
        "مقعد على كرسي متحرك",
        "حبيس الكرسي المتحرك",
        "مقيّد في كرسي متحرك",
        "المقعدين",
    ],
    "ne": [
        "सेवाग्राहीहरूका लागि",
        "सेवा प्रयोगकर्ताहरू",
        "पुग्न गाह्रो समुदाय",
        "पहुँच बाहिरका परिवार",
        "पहुँच नपुगेका समुदाय",
        "अटिज्म भएका बालबालिका",
        "अटिजम भएको बच्चा",
        "अटिज़्म भएका व्यक्ति",
        "ऊ मिर्गीबाट पीडित छ",
        "चिन्ताले ग्रसित",
        "ह्वीलचेयरमा सीमित",
        "ह्विलचियरमा बाँधिएको",
        "पाङ्ग्रे कुर्सीमा सीमित",
    ],
    "easy": [
        "Our service users",
        "Hard to reach families",
        "A child with autism",
        "She suffers from epilepsy",
        "He is wheelchair-bound",
    ],
}

#: Respectful wording, some of it from the catalogues, that the patterns must leave alone.
KNOWN_GOOD = {
    "pl": [
        "Państwa dziecko jest autystyczne",
        "Osoba autystyczna korzysta z wózka",
        "Problemy związane z autyzmem",
        "Informacje są trudno dostępne",
        "Grupy niedostatecznie reprezentowane",
        "Sprawdzone przez rodzimych użytkowników tych języków",
        "Kto (numer użytkownika)",
    ],
    "ro": [
        "Copilul este autist",
        "Un tânăr care folosește un scaun cu rotile",
        "Grupuri subreprezentate",
        "Informații greu de găsit",
        "Probleme legate de scaunul cu rotile",
    ],
    "uk": [
        "Ваша дитина аутична",
        "Людина, яка користується кріслом колісним",
        "Недостатньо представлені групи",
        "Хто (номер користувача)",
        "Важкодоступна інформація",
    ],
    "ar": [
        "إذا كان طفلك توحّديًا",
        "شخص يستخدم كرسيًا متحركًا",
        "الأشخاص ذوو الإعاقة",
        "المستخدمون",
        "من (رقم المستخدم)",
        "مدى إمكانية الوصول إلى هذا الموقع",
        "المعاني من الكلمات",
    ],
    "ne": [
        "तपाईंको बच्चा अटिस्टिक छ",
        "ह्वीलचेयर प्रयोग गर्ने व्यक्ति",
        "यो वेबसाइट कत्तिको पहुँचयोग्य छ",
        "पहुँचयोग्यता विवरण",
    ],
    "easy": [
        "An autistic young person and a wheelchair user",
        "Groups that are under-represented",
    ],
}

_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_COMMA_BELOW = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})


def normalise(text: str) -> str:
    """One spelling of the same words: NFC; Arabic without vowel marks or tatweel, with a
    plain alef; Romanian with comma-below ș and ț."""
    text = unicodedata.normalize("NFC", text)
    return _ARABIC_MARKS.sub("", text).translate(_ALEF).translate(_COMMA_BELOW)


def phrases_to_avoid(code: str, text: str) -> list[str]:
    """The phrases to avoid in `text`, written in the language `code`, as they matched."""
    text = normalise(text)
    found = [phrase for phrase, _suggestion in words_to_avoid(text)]
    for pattern in AVOID.get(code, ()):
        found.extend(" ".join(match.group(0).split()) for match in pattern.finditer(text))
    return found


def strings(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """A message's text: one string, or each plural form."""
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(s for s in value if s)


def problems(catalogue: Catalog, code: str) -> list[tuple[str, str]]:
    """(msgid, phrase) for each phrase to avoid in the catalogue's translations."""
    found = []
    for message in catalogue:
        if message.id:
            msgid = strings(message.id)[0]
            for text in strings(message.string):
                found.extend((msgid, phrase) for phrase in phrases_to_avoid(code, text))
    return found


def load(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def code_of(path: Path) -> str:
    return path.parent.parent.name


def test_every_catalogue_language_has_its_words_to_avoid():
    """A new catalogue needs its own language's patterns (easy read is English)."""
    codes = {code_of(path) for path in CATALOGUES}
    assert codes >= {"pl", "ro", "ne", "uk", "ar", "easy"}
    assert codes - {"easy"} <= set(AVOID)


@pytest.mark.parametrize("path", CATALOGUES, ids=code_of)
def test_no_translation_uses_words_to_avoid(path):
    assert problems(load(path), code_of(path)) == []


def test_the_english_source_uses_no_words_to_avoid():
    found = [
        (strings(message.id)[0], phrase)
        for message in load(TRANSLATIONS / "messages.pot")
        if message.id
        for text in strings(message.id)
        for phrase, _suggestion in words_to_avoid(text)
    ]
    assert found == []


@pytest.mark.parametrize("path", CATALOGUES, ids=code_of)
def test_govuk_placeholders_are_kept(path):
    """`%{count}` is filled in by GOV.UK Frontend's script, so it must stay as it is."""
    for message in load(path):
        if message.id:
            wanted = sorted(GOVUK_PLACEHOLDER.findall(" ".join(strings(message.id))))
            for text in strings(message.string):
                assert sorted(GOVUK_PLACEHOLDER.findall(text)) == wanted, message.id


@pytest.mark.parametrize(
    ("code", "sentence"), [(code, s) for code, sentences in KNOWN_BAD.items() for s in sentences]
)
def test_known_bad_wording_is_found(code, sentence):
    assert phrases_to_avoid(code, sentence), sentence


@pytest.mark.parametrize(
    ("code", "sentence"), [(code, s) for code, sentences in KNOWN_GOOD.items() for s in sentences]
)
def test_respectful_wording_is_left_alone(code, sentence):
    assert phrases_to_avoid(code, sentence) == []


@pytest.mark.parametrize("path", CATALOGUES, ids=code_of)
def test_a_phrase_to_avoid_in_a_catalogue_is_reported_with_its_msgid(path):
    """The check fails on a real catalogue once a bad phrase is put in (in memory only)."""
    code = code_of(path)
    catalogue = load(path)  # a copy in memory; the file is not touched
    message = next(m for m in catalogue if m.id and isinstance(m.string, str) and m.string)
    bad = KNOWN_BAD[code][0]
    message.string = f"{message.string} {bad}"
    reported = problems(catalogue, code)
    assert reported and all(msgid == message.id for msgid, _phrase in reported)
    assert problems(load(path), code) == []
