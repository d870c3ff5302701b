"""The safeguarding screen: possible disclosures flag; ordinary comments do not."""

import pytest

from analysis.safeguarding import CLEAR, HIGH, LOW, MEDIUM, most_severe, screen, screen_all

MUST_FLAG = [
    "my dad hurts me",
    "i dont want to be alive",
    "I don't want to be alive anymore",
    "My step dad hits me when he is drunk",
    "mum's boyfriend punches me",
    "i want to kill myself",
    "i wanna die",
    "I feel like ending my life",
    "sometimes i cut myself",
    "I hurt myself when I am sad",
    "i have been self harming",
    "he touches me down there",
    "my uncle touched my private parts",
    "he asked me for nudes",
    "there is no food at home and im always hungry",
    "nobody looks after me",
    "im scared to go home",
    "I don't feel safe at home",
    "he beats my mum",
    "they said they are going to stab me after school",
    "they threatened to beat me up",
    "older boys give me money to carry packages for them",
    "my friend said her dad hits her",
    "mum says im worthless",
    "i dnt want 2 live anymore",
    "I get bullied every day",
]

#: Plain disclosures a child might write about being touched, or about going without care,
#: with the spellings children use.
TOUCHING = [
    "mum's boyfriend touches me",
    "mums boyfriend keeps touching me",
    "my uncle touches me",
    "my step dad touchs me",
    "he tuches me",
    "he touches my private parts",
    "he touched my privates",
    "my uncle touched my privets",
    "someone touched me where they shouldnt",
    "sum1 touched me where i didnt want",
    "he touches me where i dont like it",
    "he feels me up",
    "he puts his hand in my pants",
]
NEGLECT = [
    "mum doesnt give me food",
    "my parents dont feed me",
    "dad never gives me food",
    "they dont give me dinner",
    "i dont get fed at home",
    "we never have food at home",
    "my mum does not give me any food at home",
    "nobody gives me food at home",
    "no1 gives me food",
    "noone makes me dinner",
    "there is never any food at home",
    "there is not enough food in the house",
    "theres nothing in the fridge",
    "i am always hungry at home",
    "im allways hungrey",
    "i go to bed hungry",
    "i get left on my own at night",
    "mum leaves me alone all night",
    "my mum leavs me on my own all weekend",
    "they leave me on my own when mum goes out",
    "no one looks after me",
    "no body looks after me",
    "no one at home looks after me",
    "there is no one to look after me",
]

MUST_NOT_FLAG = [
    "mum never gives me a lift",
    "they did not give me my dinner money back",
    "I'm dying to go swimming",
    "the waiting list is killing us",
    "This wait is killing me",
    "I would die for a pizza",
    "the new building is to die for",
    "My dad never hits me",
    "I love my mum",
    "my leg hurts",
    "the injection hurt a bit",
    "the staff listen to me and I feel safe",
    "My brother and I play football",
    "I hit the ball really far",
    "I dyed my hair",
    "We need more speech and language therapy",
    "the teacher touched on my EHCP",
    "the SENCO touched on this at the meeting",
    "mum touched base with the school",
    "touch typing lessons",
    "it touched me deeply",
    "the staff really touched me with their kindness",
    "I do not like people touching me",
    "I hate people touching me",
    "My uncle never touches me",
    "we had no food tech lesson",
    "no food or drink is allowed in class",
    "I get hungry before lunch",
    "I am hungry for more information",
    "I like being left alone to read",
    "please leave me alone when I am upset",
    "no one told us about the meeting",
    "nobody looks at my EHCP",
    "we were left on our own to fill the form in",
    "",
    "   ",
    "\U0001f600\U0001f600",
]


@pytest.mark.parametrize("text", MUST_FLAG)
def test_possible_disclosures_are_flagged(text):
    result = screen(text)
    assert result.flag, text
    assert result.severity in {"high", "medium", "low"}
    assert result.reason.startswith("Possible ")
    assert result.categories


@pytest.mark.parametrize("text", MUST_NOT_FLAG)
def test_ordinary_comments_are_not_flagged(text):
    assert screen(text) == CLEAR


@pytest.mark.parametrize("text", TOUCHING)
def test_being_touched_is_flagged_as_possible_sexual_abuse(text):
    result = screen(text)
    assert "sexual abuse" in result.categories, text
    assert result.severity == HIGH


@pytest.mark.parametrize("text", NEGLECT)
def test_going_without_food_or_care_is_flagged_as_possible_neglect(text):
    result = screen(text)
    assert result.categories == ("neglect",), text
    assert result.severity == MEDIUM
    assert result.reason.startswith("Possible neglect: ")


def test_the_reason_quotes_what_the_child_wrote():
    assert screen("mum leaves me alone all night").phrases == ("leaves me alone all night",)
    assert screen("my uncle touches me").reason == 'Possible sexual abuse: "uncle touches me"'


def test_a_not_that_is_part_of_the_disclosure_does_not_clear_it():
    # "should not" and "nobody" are the harm here, not a denial of it.
    assert screen("someone touched me where they should not").severity == HIGH
    assert screen("nobody gives me food").severity == MEDIUM
    # A denial before such words still reaches someone, at low severity.
    assert screen("it is not true that nobody gives me food").severity == LOW


def test_reported_touching_is_flagged_and_said_to_be_reported():
    result = screen("my friend told me her step dad touches her")
    assert result.categories == ("sexual abuse (reported)",)
    assert "reported" in result.reason


def test_severity_reflects_the_concern():
    assert screen("I want to kill myself").severity == HIGH
    assert screen("my dad hurts me").severity == HIGH
    assert screen("I get bullied").severity == LOW


def test_a_negated_mention_of_suicide_still_flags_but_lower():
    # Recall first: a child who writes this should still be seen by someone.
    result = screen("I don't want to kill myself")
    assert result.flag
    assert result.severity == LOW


def test_reported_speech_is_flagged_and_said_to_be_reported():
    result = screen("my friend said her dad hits her")
    assert result.flag
    assert "reported" in result.reason


def test_a_disclosure_at_the_end_of_a_very_long_answer_is_found():
    assert screen("I like school. " * 8000 + "my dad hurts me").flag


def test_non_english_text_does_not_crash():
    # The screen reads English; other languages pass through without error.
    assert screen("Tata mnie bije") == CLEAR
    assert not screen("Мені подобається школа").flag


def test_many_texts_in_order_and_the_most_severe():
    results = screen_all(["great", "I get bullied", "i want to die"])
    assert [r.flag for r in results] == [False, True, True]
    assert most_severe(results).severity == HIGH
    assert most_severe([]) == CLEAR
