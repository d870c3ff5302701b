"""Given names common in England and Wales, for redacting a name that has no cue before it.

Respondents write "we have had no help at all for Ethan" or "ethan loves his teacher": the
name has no "my son" or "Mrs" in front of it, so only knowing it is a name finds it. The list
covers children's and parents' generations and the main communities of English partnerships.
It was written for Heard, not taken from a dataset; add to it freely.

Names that are also ordinary English words ("Grace", "Will", "Rose") are kept apart in
:data:`WORD_NAMES`, because "grace" or "will" in lower case is usually the word; the ones
that often start a sentence as the word ("Will they...") are in :data:`SENTENCE_START_WORDS`
as well.
"""

from __future__ import annotations

_NAMES = """
aaliyah aaron abbie abdul abdullah abi abigail ada adam adele adrian ahmad ahmed aidan aiden
aisha alan alana aleksander alex alexa alexander alexandra alexis alfie ali alice alicia
alisha alison aliyah amanda amara amaya amelia amelie amina amir amira amy ana anastasia
andre andrea andrew andy aneesa angela angus anika anil anita ann anna annabel annabelle
anne annie anthony antonio anya archie aria arjun arlo aron arran arthur arya asha ashley
asif asma aurora ava avery ayaan ayesha ayla aysha barbara barry beatrice bella benjamin
beth bethan bethany betty beverley bianca billy blake bobby bradley brandon brenda brian
bronwen brooke bryony caitlin caleb callum calum cameron camila carl carla carlos carly
carmen caroline carys casey cassie catherine cerys chantelle charlene charles charlie
charlotte cheryl chloe chris christina christine christopher cian ciara claire clara claudia
cody colin connor conor corey courtney craig daniel daniela danielle danny darcey darcie
darcy darren dave david dawid declan demi denise dennis derek dexter diana diane dominic
donna dylan eddie edward eileen elaine eleanor elena eli elijah elise elizabeth ella ellie
ellis eloise elsie elyse emil emilia emily emma eric erin esme ethan eva evan evelyn evie
ezra faisal farah fatima fatma fay felix finlay finley finn fiona francesca frankie freddie
freddy frederick freya gabriel gabriella gareth gary gavin gemma george georgina gerald
gillian gina gracie graham gregory habiba hafsa hamza hannah harley harper harriet harrison
harvey hassan hayden hayley heidi helen henry hollie hugo humza iain ian ibrahim idris
imogen imran inaya isaac isabel isabella isabelle isaiah isla ismail isobel ivan jackson
jacob jacqueline jaden jake james jamie jane janet jasmin jason jayden jaylen jean jemima
jenna jennifer jenny jeremy jessica jessie joanna joanne jodie joe joel joey john johnny
jonathan joseph josh joshua josie julia julian julie justin kacper kai kaitlyn karen karl
kate katherine kathleen kathryn katie kayden kayla keira keith kelly kenneth kerry kevin
khadija kian kieran kim kimberley kirsty kyle kyra lacey laila lara laura lauren layla leah
leila lena leo leon leonardo lewis liam libby lilly lindsay lindsey lisa logan lois lola
lorraine louie louis louise luca lucas lucia lucy luke lydia lyla mackenzie maddison madison
maisie maisy maja malachi malik margaret maria mariam marie marion martha martin mary maryam
mason matilda matthew maya megan melanie melissa mia michael michaela michelle mila millie
milly mohamed mohammad mohammed molly muhammad mustafa nadia naomi nasir natalia natalie
natasha nathan nathaniel neil niamh nicholas nicola nicole noah nora nuala oliver olivia
ollie omar oscar owen paige pamela patricia patrick paul paula pauline peter philip phoebe
piotr priya rachel rahul raj rajesh rebecca reece reggie rhys riley rita robert robyn rohan
ronnie rory rosie ross ruth ryan saanvi sadie safiya sahil saira sam samantha samir samuel
sana sandra sara sarah scarlett scott sean sebastian shane shannon sharon shaun sheila
shirley sian sienna simon sofia sophia sophie stacey stanley stefan stella stephanie stephen
steven stuart susan suzanne szymon tanya tara taylor teresa thea theo theodore thomas tilly
timothy tobias toby tom tommy tony tracey tracy tyler usman valerie vanessa vicky vincent
wendy wiktoria william wojciech yasmin yusuf zac zach zachary zahra zain zainab zara zayn
zoe zofia zuzanna
"""

#: Names that are also ordinary words or places: redacted only when capitalised. Months,
#: seasons and words that are often capitalised mid-sentence ("May", "Summer", "Christian",
#: "Sky") are in neither list; they are found only after a cue such as "my daughter".
_WORD_NAMES = """
amber beau ben bob carol chelsea daisy florence georgia harry hazel heather iris ivy jack
jade jasmine jordan lily melody olive pearl poppy robin rowan ruby sally teddy victoria
violet willow
"""
#: Word names that often start a sentence as the word ("Will they help?", "Hope so",
#: "Max of three sessions", "Sue the council"): at the start of a sentence they count only
#: with a surname or a reporting verb after them ("Will Smith said", "Grace said").
_SENTENCE_START_WORDS = """
bill cliff crystal dale dawn dean faith frank grace guy hope hunter jay joy mark max miles
pat penny ray rob rose sue sunny will
"""

FIRST_NAMES: frozenset[str] = frozenset(_NAMES.split())
SENTENCE_START_WORDS: frozenset[str] = frozenset(_SENTENCE_START_WORDS.split())
WORD_NAMES: frozenset[str] = frozenset(_WORD_NAMES.split()) | SENTENCE_START_WORDS
