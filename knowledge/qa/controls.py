"""Answer "what is A.8.2", "cc6.3?", "NHI7" from the control catalogue.

A question that does little more than name one control is a look-up, not a search: the
catalogue (knowledge/catalogue.py) has the title, what the control asks and the identity
evidence for every control idgov cites, so the answer is exact and sourced. Anything longer
("does cc6 line up with a.8.2 privileged access") goes to the entries, which explain
relationships; the answer id is ``control:<id>`` so feedback and evaluation can tell the two
apart.
"""

from __future__ import annotations

import re
from typing import Final

from knowledge.catalogue import Control, control, control_ids_in
from knowledge.crosswalk import load_crosswalk
from knowledge.qa.concepts import framing_words
from knowledge.qa.models import AskResult
from knowledge.qa.request import sentences
from knowledge.qa.text import stem

#: Words that only frame a look-up ("what does ... mean", "ISO 27001 Annex A ...").
_FILLER_WORDS: Final = """
what whats what's is are was does do did mean means meaning cover covers covered about
the a an of in on under for to say says said require requires required requirement ask
asks explain explained tell me us please define definition describe summary summarise
summarize exactly control controls criterion criteria criteria subcategory category
clause annex iso iec 27001 2022 2013 soc soc2 tsc nist csf csf2 owasp nhi top ten 10
2025 cis v8 sp 800 53 rev 5 framework this that it there again quick quickly one number
id identifier stand stands for and or requirement point focus safeguard asking actually it
its want wants expect expects overview
"""
FILLER: Final = frozenset(_FILLER_WORDS.split())
#: Any other word ("maps", "rotate") makes it a question for the entries, not a look-up.
MAX_OTHER_WORDS: Final = 0


def _other_words(question: str, found: Control) -> list[str]:
    words = re.findall(r"[a-z]+|\d+", question.lower())
    id_parts = set(re.findall(r"[a-z]+|\d+", found.id.lower()))
    title_words = set(re.findall(r"[a-z]+", found.title.lower()))
    return [w for w in words if w not in FILLER and w not in id_parts and w not in title_words]


#: Words a look-up sentence may also carry in a longer message: chat framing ("in plain
#: words pls"), the asker ("our", "we") and the identities the catalogue's "identity evidence"
#: speaks to ("what does A.5.17 cover, api keys too?").
_FOLLOW_UP_TEXT: Final = """
by too also include includes including apply applies applied us our we i my pls plz thanks
thx hi hey hello plain english simple terms api key keys service account accounts secret
secrets token tokens nhi nhis machine identity identities
"""
_FOLLOW_UP_WORDS: Final = frozenset(_FOLLOW_UP_TEXT.split())


def is_category(control_id: str) -> bool:
    """A CSF category ("GV.RM", "PR.AA", "GV.SC"): named in a longer message, it is left to
    the entries; only a plain look-up of a category no entry explains gets its record."""
    return re.fullmatch(r"[A-Z]{2}\.[A-Z]{2}", control_id) is not None


#: The CSF categories an entry walks through, subcategory by subcategory: even a plain look-up
#: ("what is GV.RM") is left to that entry, which says more than the record. A plain look-up of
#: any other category ("what is GV.SC", "DE.CM?") gets its catalogue record, the only sourced
#: text about it: until the eleventh round these were refused. So does a look-up sentence with
#: chat framing (`lookup_in_message`); in any other longer message a category stays with the
#: entries ("GV.SC file extension, what program opens it" is not a look-up).
CATEGORY_ENTRIES: Final = {"GV.RM": "csf-gv-rm", "PR.AA": "csf-pr-aa", "ID.AM": "csf-id-am"}


def lookup(question: str) -> Control | None:
    """The one control a look-up question names, or None when it is not a look-up.

    CSF categories with an entry ("GV.RM", "PR.AA") are left to it (`CATEGORY_ENTRIES`); the
    catalogue answers for the rest.
    """
    ids = control_ids_in(question)
    if len(ids) != 1 or ids[0] in CATEGORY_ENTRIES:
        return None
    found = control(ids[0])
    return found if len(_other_words(question, found)) <= MAX_OTHER_WORDS else None


def lookup_in_message(question: str) -> tuple[Control, list[str]] | None:
    """The one control a longer message looks up, and the message's other sentences.

    "What is covered by A.8.2 in ISO 27001? Our bid answer refers to it." and "cc 6.3 in plain
    words pls" ask for the control as plainly as "what is A.8.2", but the context sentence or
    the chat words fail `lookup`. The sentence naming the control must be a look-up once
    framing and the identities the catalogue covers are allowed, and no other sentence may ask
    a question; `ask` also checks that the other sentences use only words the base knows
    ("What is A.8.2? Also, tell me a joke." is refused). A category is looked up as in
    `lookup` (`CATEGORY_ENTRIES`): "GV.SC in plain english pls"."""
    ids = control_ids_in(question)
    if len(ids) != 1 or ids[0] in CATEGORY_ENTRIES:
        return None
    found = control(ids[0])
    parts = sentences(question)
    naming = [part for part in parts if control_ids_in(part)]
    context = [part for part in parts if not control_ids_in(part)]
    if len(naming) != 1 or any("?" in part for part in context):
        return None
    framing = framing_words()
    other = [
        word
        for word in _other_words(naming[0], found)
        if word not in _FOLLOW_UP_WORDS and stem(word) not in framing
    ]
    return None if other else (found, context)


def control_answer(found: Control) -> AskResult:
    """The catalogue's answer for one control, with its primary source."""
    text = f"{found.id} {found.title} ({found.framework_name}). {found.asks}"
    text += f" Identity evidence: {found.evidence}"
    if found.related:
        text += f" Related: {found.related_text()}."
    # The source record comes through the crosswalk's catalogue, so this module imports
    # nothing above `knowledge` (the floors).
    src = load_crosswalk().source(found.source).model_copy(update={"id": f"control:{found.id}#1"})
    return AskResult(
        answered=True,
        answer=text,
        sources=[src],
        entry_ids=[f"control:{found.id}"],
        titles=[f"{found.id} {found.title}"],
        score=1.0,
    )
