"""Questions about one control that the catalogue answers although they are not bare look-ups.

`controls.lookup` answers "what is A.8.2"; practitioners also write "What is covered by A.8.2
in ISO 27001? Our bid answer refers to it." and "CIS 5.3 dormant accts, how many days?". The
first is a look-up with context around it (`looked_up_control`, asked before the rankers); the
second asks about the control in its own words (`asked_control`: since the eighth round `ask`
answers it from the catalogue unless the classifier is sure of an entry that covers the
message, or the message asks how controls map). Both keep off-topic messages out: the context
must use only words the base knows, another subject or ISO standard refuses, and a control
mentioned in passing is not asked about (docs/knowledge.md, "Seventh round" and "Eighth
round", with the code reviews' cases).
"""

from __future__ import annotations

import re
from typing import Final

from knowledge.catalogue import Control, control, control_ids_in, control_mentions
from knowledge.qa.controls import is_category, lookup_in_message
from knowledge.qa.howto import is_tool_howto
from knowledge.qa.index import Bm25fIndex, Query
from knowledge.qa.request import request_sentence
from knowledge.qa.text import stem, words
from knowledge.qa.writing import is_writing_task

#: A short question naming exactly one control that neither ranker places ("A.5.17 and api
#: keys") gets the catalogue's record, which gives the control's identity evidence. A longer
#: one, or one with unseen words, gets it only when it uses a domain term too and names the
#: control in its request: on the out-of-scope pool a message mentioning a control in passing
#: ("...(SOC 2 CC6.3) ... how do I write the migration?") leaked (`asked_control`).
MAX_CONTROL_QUESTION_WORDS: Final = 15
#: ...and at most this share of its terms may be unseen (the value of the sure tier's cap for
#: messages rich in domain terms, `ask.MAX_RICH_UNKNOWN_SHARE`).
MAX_UNSEEN_SHARE: Final = 0.4
#: Another ISO standard by number: its clause 6.1.2 is not ISO/IEC 27001's.
_OTHER_ISO: Final = re.compile(r"\biso\s*(?:/?\s*iec\s*)?(?!2700[12]\b)\d{4,5}\b")
#: A request that points back at the control the context named ("... refers to A.5.19. Could
#: you summarise what that control requires?").
_POINTS_BACK: Final = re.compile(
    r"\b(?:that|this|the said|said) (?:control|clause|criterion|subcategory|safeguard)\b", re.I
)


#: A question about how a control lines up with another framework's ("does cc6 line up with
#: a.8.2"): the crosswalk entries explain mappings, the catalogue record only lists them.
_MAPPING: Final = re.compile(
    r"\b(?:line|lines|lined) up\b|\bmaps?\b|\bmapp(?:ed|ing)\b|\bcrosswalk\w*|\bequivalent\b"
    r"|\bcorrespond\w*|\boverlap\w*",
    re.IGNORECASE,
)


#: Words that may come before a control id that is the subject of the message: "does CC7.2
#: cover ...", "the NHI8 of owasp ...", "Clause 6.1.3 ...", "what's nhi6 about".
_FRAMING_TEXT: Final = """
does do is are what what's whats explain define describe summarise summarize meaning of
the control clause criterion criteria subcategory safeguard requirement iso iec 27001 soc
soc2 2 nist csf 2.0 owasp nhi cis annex a tsc in under and so ok hi hey quick question q
"""
_FRAMING: Final = frozenset(_FRAMING_TEXT.split())
#: At most this many framing words before the id.
_MAX_FRAMING_WORDS: Final = 4
#: ...unless the message asks how to act on it ("nhi2 secret leakage, how to mitigate in
#: github?", "nhi9 reuse - fix?"): an entry says how, the record only what the control asks.
_ASKS_PRACTICE: Final = re.compile(
    r"\bhow\s+(?:to|do|does|should|can|would|often)\b|\bfix\w*|\bmitigat\w*|\bremediat\w*|"
    r"\bexamples?\b|\bin practice\b|\bhave to do\b|\bevidence\b|"
    r"\bwhat (?:should|do|must) (?:we|i)\b|\bsteps\b|\bbest way\b|\bapproach\b|\benough\b",
    re.IGNORECASE,
)


def control_is_subject(question: str) -> bool:
    """Whether the message opens with the control it names, bar a few framing words ("NHI2
    tldr?", "does cc7.2 cover alerting on odd service account use?", "Clause 6.1.3 risk
    treatment - what must it contain?"): it asks about the control itself, which its catalogue
    record answers, not about a task the control bears on ("how should IAM changes go through
    change management for CC8.1?") or how to act on it (`_ASKS_PRACTICE`). Twelfth round
    (docs/knowledge.md)."""
    mentions = control_mentions(question)
    if not mentions or _ASKS_PRACTICE.search(question):
        return False
    before = re.findall(r"[a-z0-9.']+", question[: mentions[0][0]].lower())
    return len(before) <= _MAX_FRAMING_WORDS and all(word in _FRAMING for word in before)


def asks_mapping(question: str) -> bool:
    """Whether the message asks how controls of different frameworks relate."""
    return _MAPPING.search(question) is not None


def looked_up_control(index: Bm25fIndex, question: str) -> Control | None:
    """The control a longer message looks up (`controls.lookup_in_message`), when the rest
    of the message only gives context."""
    looked_up = lookup_in_message(question)
    if looked_up is None or not _plain_context(index, question, looked_up[1]):
        return None
    return looked_up[0]


def _plain_context(index: Bm25fIndex, question: str, context: list[str]) -> bool:
    """Whether the sentences around a control look-up only give context: each is made of
    words the base knows, none foreign or unseen, and the message asks nothing to be written
    or set up ("What is A.8.2? Write me a policy for it.")."""
    if is_writing_task(question) or is_tool_howto(question):
        return False
    parsed = [index.parse(sentence) for sentence in context]
    # "What is A.8.2? Also, tell me a joke.": a word the base has never seen is another subject
    return not any(p.foreign or p.unknown for p in parsed)


def asked_control(index: Bm25fIndex, question: str, query: Query) -> Control | None:
    """The one control a question asks about: named in its request (the last asking sentence
    of a longer message, where context may mention controls in passing, or a request that
    points back at "that control"), with nothing foreign in the message. A short question made of
    words the base knows qualifies; so does a longer one or one with unseen words ("CIS 5.3
    dormant accts, how many days?") when it also uses a domain term or a word of the
    control's title, and few unseen words: the catalogue's record is then the sourced answer
    to a question about that control, while "ac-2 chords on guitar" is about something
    else (reviewed in the seventh round, docs/knowledge.md)."""
    ids = control_ids_in(question)
    text = question.lower()
    if len(ids) != 1 or is_category(ids[0]) or _OTHER_ISO.search(text):
        return None  # "A.8.2 vs CC6.3", "GV.RM", "iso 14001 clause 6.1.2"
    found = control(ids[0])
    # the numbers of an id typed with its prefix ("CIS 5.3", "a.5.3" parse as "5_3") name
    # nothing foreign; a bare decimal ("5.3 million customers") still does
    number = re.sub(r"^(?:A\.|CIS )", "", found.id)
    typed = re.search(r"\b(?:a|annex a|cis)\s*\.?\s*" + re.escape(number.lower()) + r"\b", text)
    # nor does the id itself when no entry cites it ("cc3.2" parses as the unseen id "cc3_2"),
    # when typed with its letters ("5.3 million users" names no control)
    own = {word for word in words(found.id) if re.search(r"[a-z]", word)}
    foreign = [
        w for w in query.foreign if w not in own and not (typed and re.fullmatch(r"[\d_]+", w))
    ]
    if foreign:
        return None  # "what does PCI DSS say about A.8.2"
    request = request_sentence(question)
    if request is not None and not (control_ids_in(request) or _POINTS_BACK.search(request)):
        return None  # "... (SOC 2 CC6.3) ... now I get 'password authentication failed'"
    plain = not query.unknown and len(question.split()) <= MAX_CONTROL_QUESTION_WORDS
    # a domain word besides the id ("cc6.1 banana bread recipe" has only the id), and few
    # unseen words ("CIS 5.3 dormant accounts in my World of Warcraft guild")
    title = {stem(word) for word in re.findall(r"[a-z]+", found.title.lower())}
    worded = index.domain_words_in(query) > 0 or bool(title & set(query.terms))
    id_parts = set(re.findall(r"[a-z]+|\d+", found.id.lower()))
    unseen = [word for word in query.unknown if word not in id_parts]  # "ia" of "IA-9"
    few_unseen = len(unseen) <= MAX_UNSEEN_SHARE * len(query.terms)
    return found if plain or (worded and few_unseen) else None
