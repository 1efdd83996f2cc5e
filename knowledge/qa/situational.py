"""Situational questions ("we're a 40 person startup selling to US banks, iso or soc2?").

Choosing between ISO/IEC 27001 and SOC 2 for a given situation is the product's core
question, yet such messages are mostly context ("we're a hospital group", "our CTO leans
towards ISO") that the index cannot match, so they used to be refused. When neither ranker
chose an entry, or the message says who it sells to, and it asks to choose a framework,
`ask` answers with the short rule for
the situation (regulated; customer-driven, by the buyers' region when the message names it;
or the general rule) and offers the assessment, which asks about the rest. The region rule
is the product's own (`knowledge/data/rules.yaml`, issue 11): buyers outside North America
usually ask for an accredited ISO/IEC 27001 certificate, North-American buyers for SOC 2.
The region's entries (`when-iso27001`, `when-soc2`) say why that framework fits but not who
asks for it, so `situation_lead` opens their answer with the buyers' half of the rule when
the region chose it; when the buyers' clauses also say what their procurement demands, the
procurement entry follows the lead instead (`led_answer`, twelfth round). First tuned on the
tuned evaluation sets and the first practitioner set, since the sixth round on training sets
held out in turn (docs/knowledge.md).
"""

from __future__ import annotations

import re
from typing import Final

from knowledge.qa.regimes import REGULATED_ENTRY, regime_words

#: Names ISO/IEC 27001 and SOC 2 (in any spelling), or asks which standard or framework.
_ISO: Final = re.compile(r"\biso\b|27001|27k|\bisms\b")
_SOC2: Final = re.compile(r"\bsoc\s*-?\s*(?:2|ii|two)\b|\bsoc\b")
#: ISO/IEC 27001 and SOC 2 named unmistakably: not "iso 9001", not a SOC (operations centre).
_ISO_27001: Final = re.compile(r"27001|\b27k\b|\bisms\b|\biso\b(?!\s*[-/]?\s*\d)")
_SOC_2: Final = re.compile(r"\bsoc\s*-?\s*(?:2|ii|two)\b")
#: Another standard by number ("iso 9001", "42001"): not the choice this answers.
_OTHER_STANDARD: Final = re.compile(r"\b(?!27001\b)\d{4,5}\b")
_WHICH: Final = re.compile(
    r"\bwhich (?:one|standard|framework|certification|report)s?\b|\bwhat (?:standard|framework)\b"
)
_CHOOSE: Final = re.compile(r"\bor\b|\bvs\.?\b|\bversus\b|\bwhich\b|\bfirst\b|\bpick\b|\bchoose\b")
#: Asks whether one named framework is the right one for them ("is 27001 the obvious pick
#: for us?", "does that push us toward 27001?", "should we go for soc 2?").
_DECIDE: Final = re.compile(
    r"\b(?:obvious|right|best|natural|sensible|logical)\s+(?:pick|choice|option|fit|call|one)\b"
    r"(?!\s+of\b)"  # "the best choice of certification body" chooses something else
    r"|\bpush(?:es)?\s+us\s+to(?:wards?)?\b|\bgo\s+(?:for|with)\b"
    r"|\bshould\s+(?:we|i)\s+(?:do|get|go|start|pick|choose|pursue)\b|\bpick\b|\bchoose\b"
    # fifteenth round: "is 27001 the way to go?", "is ISO the right direction for us?",
    # "makes sense to go SOC 2 first?", "soc 2 it is?", "so soc2 right?", "... -> iso?"
    r"|\bthe\s+way\s+to\s+go\b|\bright\s+(?:direction|path|route|move)\b"
    r"|\bmakes?\s+(?:more\s+)?sense\s+(?:to\s+(?:go|start|begin|do|get|pursue|pick|choose|"
    r"focus|prioriti[sz]e)|for\s+us)\b|(?:iso|27001|27k|soc\s*-?\s*2)\s+it\s+is\s*\?"
    r"|\bright\s*\?\s*$"
    r"|(?:->|=>)\s*(?:iso|27001|27k|soc\s*-?\s*2)\b"
)
#: The words for the buyers.
_BUYER_WORDS: Final = r"(?:customers?|clients?|buyers?|prospects?|pipeline|merchants?)"
#: Who the message says the customers are: "selling to US banks" is about buyers that are
#: banks, not about being a bank.
_SELLING_TO: Final = re.compile(
    r"\b(?:sell(?:s|ing)?|sold)\s+(?:\w+\s+){0,2}?(?:to|into)\b|\brevenue\s+(?:\w+\s+){0,2}?from\b|"
    rf"\b{_BUYER_WORDS}\s+(?:is|are|include|includes|mostly|mainly|"
    # where they are, said with a verb ("our clients sit in the UK", fifteenth round)
    r"sits?|located|spread|lives?|operates?|comes?)\b"
)
#: A message names its buyers with those words or with more of them ("customers all US",
#: "clients in the gulf"; thirteenth round): enough to read the situation, though the buyers'
#: clause still starts only where `_SELLING_TO` finds it, so a region just before the word
#: for them still counts ("europe customers in retail").
_NAMES_BUYERS: Final = re.compile(
    rf"{_SELLING_TO.pattern}|\b{_BUYER_WORDS}\s+"
    r"(?:all|largely|primarily|predominantly|in|across|from|based)\b"
)
#: Where the buyers are, when the message says so (issue 11: region conditions the rule).
_OUTSIDE_NA_NAMES: Final = (
    r"europe|european|eu|emea|uk|british|german|germany|french|france|dach|nordics?|"
    r"dutch|spain|spanish|italy|italian|japan|japanese|apac|asia|asian|australia|australian|"
    r"singapore|india|indian|middle east|latam|brazil|brazilian|south americ\w*|latin americ\w*|"
    r"korea|korean|china|chinese|hong kong|taiwan|southeast asia\w*|asean|uae|emirati|"
    r"saudi|qatar|gulf|gcc|israel|israeli|swiss|switzerland|ireland|irish|new zealand|nz|africa|"
    r"african|"
    # fifteenth round: more of Europe and Asia by name ("clients in germany and the netherlands")
    r"netherlands|holland|belgium|belgian|benelux|austria|austrian|poland|sweden|swedish|norway|"
    r"norwegian|denmark|danish|finland|finnish|scandinavia\w*|portugal|czech\w*|romania\w*|"
    r"hungary|hungarian|greece|greek|baltics?|estonia\w*|luxembourg|vietnam\w*|indonesia\w*|"
    r"malaysia\w*|philippines|thailand|thai|turkey|turkish|egypt\w*|nigeria\w*|kenya\w*|"
    r"pakistan\w*|mena|anz|oceania|chile|chilean|colombia\w*|argentin\w*|peru|peruvian"
)
_OUTSIDE_NA: Final = re.compile(rf"\b(?:{_OUTSIDE_NA_NAMES})\b")
_NORTH_AMERICA: Final = re.compile(
    r"\b(?:usa|north america|north american|canada|canadian|stateside)\b|\bu\.s\.(?!\w)"
    r"|(?<!south )(?<!latin )\bamerican\b"
    # "us" is mostly the pronoun ("push us toward"): only as an adjective or a place
    r"|\bus\s*-?\s*(?:based|customers?|clients?|buyers?|banks?|market|companies|enterprises?|"
    r"firms?|hospitals?|government|federal|agencies|retailers?|insurers?|"
    # buyers by kind ("selling to us credit unions", fifteenth round)
    r"credit\s+unions?|lenders?|health\s*systems?|health\s*plans?|payers?|clinics?|schools?|"
    r"universit(?:y|ies)|states?|counties|municipalit(?:y|ies)|manufacturers?|brands?|"
    r"fintechs?|startups?|smbs?|mid-?market)\b"
    r"|\b(?:in|across|to|into)\s+the\s+(?:us|usa|states)\b"
    # "most of our merchants are US", "customers are mostly US"
    r"|\b(?:are|mostly|mainly|all)\s+us\b(?![-\s]*(?:to|with|for|about)\b)"
)
#: What the buyers are said to demand: a report, a certificate, a questionnaire, procurement's
#: review ("procurement keeps asking for an accredited cert"). With one region named, that is
#: the procurement question, whose entry states the region rule in full (twelfth round: 20 of
#: the 32 region-led answers on the training sets held out were labelled so by their writers,
#: and the region entries' own text says why a framework fits, not what procurement asks).
_DEMAND: Final = re.compile(
    r"\bprocurement\b|\bquestionnaires?\b|\bcertif\w*|\bcerts?\b|\baccredit\w*|\breports?\b|"
    r"\bsecurity reviews?\b|\bvendor (?:risk|review|onboarding)\w*|"
    r"\bask(?:s|ing|ed)?\s+(?:us\s+)?for\b"
)
#: A mention of customers that says there are none asking ("no customer pressure yet", "no
#: customer is asking for a report"): it names no buyers.
_NO_CUSTOMERS: Final = re.compile(r"\b(?:no|without|not\s+any)\s+(?:\w+\s+)?$")
#: "US" in capitals is the country in a message that is not all capitals ("selling to law
#: firms in the UK and US"); in lower case it is mostly the pronoun, read by `_NORTH_AMERICA`.
_US_CAPITALS: Final = re.compile(r"\bUS\b(?!-)")  # not "AWS US-East"
#: "us" in a list ("the uk and us", "us + eu", "germany, us and canada"): beside a region the
#: pronoun is never listed, so there it is the country (`_region`).
_US_IN_LIST: Final = re.compile(
    r"(?:,|\band\b|&|\+|/|\bor\b)\s*(?:the\s+)?us\b|\bus\s*(?:,|\band\b|&|\+|/|\bor\b)"
)

#: Clauses of a message: the buyers' clause is read for their region and sector; what
#: another clause says ("... and we're a regulated bank") is about the asker.
_CLAUSES: Final = re.compile(r"[,;.!?]|\bbut\b|\bwhile\b|(?=\bwe(?:'re|re| are)\b)")

#: A regulator or regime by name: where the buyers' clause names one, its demands on
#: suppliers are the question (fifteenth round).
_REGIME_NAMED: Final = re.compile(r"\b(?:" + "|".join(sorted(regime_words())) + r")\b")
_REGULATED: Final = re.compile(
    r"\bregulat\w*|\bbanks?\b|\bbanking\b|\binsur\w+|\bpension\w*|\bhospital\w*|\bhealthcare\b|"
    r"\bpayments? (?:firm|company|provider|institution)\b|\bsupervis\w+|"
    # a regulator or regime by name ("does HIPAA require soc 2 or iso?", "we're under DORA")
    + _REGIME_NAMED.pattern
)
_CUSTOMERS: Final = re.compile(
    r"\bcustomers?\b|\bprospects?\b|\bmerchants?\b|\bprocurement\b|\bquestionnaires?\b|"
    r"\bvendor (?:risk|review)\w*|\bbuyers?\b|\bsales\b|\bdeals?\b|\brfps?\b|\bselling\b"
)

#: Assurance wanted over one service, not the organisation ("they only want assurance over
#: that platform, not our entire org"): SOC 2 reports on a defined system (when-soc2). "Not
#: only the app" says the opposite, and is `_WHOLE_ORGANISATION`'s.
_NOT_WHOLE: Final = re.compile(
    r"\b(?:not|don'?t|doesn'?t|won'?t|isn'?t|aren'?t|without|never|instead\s+of|rather\s+than|"
    r"no\s+need\s+to|exclud\w*)\s+(?:[\w']+\s+){0,4}?(?:whole|entire)\b"
    r"|\b(?:whole|entire)\s+(?:company|organi[sz]ation|org|group|business|firm)\s+"
    r"(?:is\s*n'?t|is\s+not|isnt|is\s+out|out\s+of)\b"
    r"|\bnot\s+(?:company|organi[sz]ation|group|enterprise|firm)[- ]wide\b"
)
#: Words that make a whole-organisation programme a security one ("for the whole company,
#: which framework for our OKRs?" is not).
_SECURITY_SUBJECT: Final = re.compile(
    r"\b(?:iso|27001|27k|soc\s*2|soc2|isms|security|secur\w*|identit\w*|access|iam|certif\w*|"
    r"assurance|audit\w*|complian\w*|governance|risk)\b"
)
_ONE_SERVICE: Final = re.compile(
    r"(?<!\bnot\s)\b(?:only|just|single|one)\s+(?:\w+\s+){0,3}?(?:service|product|platform|app|"
    r"application|system|portal|api)s?\b(?!\s+(?:accounts?|principals?|users?|identit))"
    rf"|{_NOT_WHOLE.pattern}"
)
#: A programme over the whole organisation ("across the whole group incl. the acquisitions,
#: not just the product", "district-wide"): an ISMS covers the organisation, a SOC 2 report
#: one system (when-iso27001), unless `_NOT_WHOLE` says the opposite. Found in the ninth round
#: reading the training sets' questions: "not only the app" was read as one service.
_WHOLE_ORGANISATION: Final = re.compile(
    r"\b(?:whole|entire)\s+(?:company|organi[sz]ation|org|group|business|firm)\b"
    r"|\ball\s+(?:the\s+|our\s+)?(?:business\s+units|entities|subsidiaries|sites|departments)\b"
    r"|\b(?:company|organi[sz]ation|group|district|enterprise|firm)[- ]wide\b"
    r"|\bnot\s+(?:only|just|one)\s+(?:\w+\s+){0,3}?(?:service|product|platform|app|application|"
    r"system)s?\b"
)

#: Asks whether one framework is simply better ("is soc2 better than iso or vice versa"):
#: neither is, and no-framework-better says why.
_BETTER: Final = re.compile(
    r"\b(?:better|superior|lesser|weaker|stronger|higher[- ]level)\s+(?:than|standard|"
    r"framework)\b|\bvice versa\b|\bobjectively\b|\breally better\b"
)
BETTER_ENTRY: Final = "no-framework-better"


def _compares_frameworks(text: str) -> bool:
    """Asks whether ISO/IEC 27001 or SOC 2 is simply better, naming both ("is gMSA better
    than a static password for iso 27001?" compares something else)."""
    return bool(_BETTER.search(text) and _ISO_27001.search(text) and _SOC_2.search(text))


#: The entry that states the short rule for each situation.
ISO_REGION_ENTRY: Final = "when-iso27001"
SOC2_REGION_ENTRY: Final = "when-soc2"
CUSTOMER_ENTRY: Final = "enterprise-procurement"
GENERAL_ENTRY: Final = "choose-iso-or-soc2"
#: The entries that answer "which framework, in what order" for some situation: the
#: situational rule stands in for a ranker only when the classifier leans towards one of them
#: (a question about monitoring that names both frameworks is not a choice between them).
CHOICE_ENTRIES: Final = frozenset(
    {
        GENERAL_ENTRY,
        ISO_REGION_ENTRY,
        SOC2_REGION_ENTRY,
        CUSTOMER_ENTRY,
        REGULATED_ENTRY,
        "both-frameworks",
        "fast-growing-saas",
    }
)
#: The rules `situation` falls back on when neither regulation, the buyers' region nor the
#: programme's scope decides: the customer-driven one and the general one.
FALLBACK_ENTRIES: Final = frozenset({CUSTOMER_ENTRY, GENERAL_ENTRY})
#: The half of the region rule that applies, when the message says where the buyers are.
OUTSIDE_NA_LEAD: Final = (
    "For buyers outside North America the usual first step is ISO/IEC 27001: their "
    "procurement usually asks for an accredited certificate."
)
NORTH_AMERICA_LEAD: Final = (
    "For buyers in North America the usual first step is SOC 2: their procurement usually "
    "asks for a SOC 2 report."
)
#: The entry that speaks for each region's buyers, by the lead that opens its answer.
REGION_ENTRY_OF_LEAD: Final = {
    OUTSIDE_NA_LEAD: ISO_REGION_ENTRY,
    NORTH_AMERICA_LEAD: SOC2_REGION_ENTRY,
}

#: How the procurement entry opens; after a region's lead that has been said, so the rest of
#: the entry follows as the rule in full.
_DEPENDS: Final = "It depends on where the buyers are. "


def led_answer(answer: str, lead: str | None) -> str:
    """An entry's answer opened with the region's lead, when the region chose it: the
    procurement entry's "It depends on where the buyers are." would contradict the lead just
    given, so its rule follows as the rule in full."""
    if lead is None:
        return answer
    if answer.startswith(_DEPENDS):
        return f"{lead} The rule in full: {answer[len(_DEPENDS) :]}"
    return f"{lead} {answer}"


OFFER: Final = (
    "For a recommendation that takes your whole situation into account (goal, scope, "
    "customers' regions, regulation, what you already hold), run the scoping assessment with "
    "`/idgov assess`."
)


def is_choice(question: str) -> bool:
    """True when the message asks to choose between ISO/IEC 27001 and SOC 2."""
    text = question.lower()
    if _OTHER_STANDARD.search(text):
        return False  # "should we get iso 9001 first?" is about another standard
    one = bool(_ISO.search(text) or _SOC2.search(text))
    both = bool(_ISO.search(text) and _SOC2.search(text) and _CHOOSE.search(text))
    named = bool(_ISO_27001.search(text) or _SOC_2.search(text))
    return (
        both
        or (named and bool(_DECIDE.search(text)))
        # "standardise on" is no standard: "git rebase vs merge, which one do we standardise on"
        or bool(_WHICH.search(text) and (one or re.search(r"\b(?:standard|framework)s?\b", text)))
    )


def _clauses(question: str) -> tuple[str | None, list[str]]:
    """The clauses naming the buyers (each from where it names them), and every other clause.
    Every such clause counts: "customer in US ask soc2, europe customer ask iso" names buyers
    on both sides (twelfth round; only the first was read before)."""
    text = re.sub(r"\bu\.s\.(?!\w)", "usa", _country_us(question).lower())  # dots end no clause
    buyers: list[str] = []  # the clauses that say who the customers are, from there on
    about_us: list[str] = []  # every other clause, and a buyers' clause before that point
    follows_buyers = False  # the clause before was the buyers': "in the UK, US and Canada"
    for clause in _CLAUSES.split(text):
        if follows_buyers and _LIST_GOES_ON.match(clause):
            buyers[-1] += f", {clause}"
            continue
        follows_buyers = False
        selling = _SELLING_TO.search(clause)
        if selling and _denied(clause, selling):
            selling = None  # "no customer is asking for a report"
        found = selling or _first_asserted(clause)
        if found:
            start = found.start()
            # the buyers' region may come just before the word for them: "europe customer",
            # "german mittelstand customers", "european customers mostly" (fifteenth round);
            # not before a verb: "a german company selling"
            by_noun = selling is None or _BUYER_NOUN.match(found.group()) is not None
            before = re.search(r"(?:\b[a-z]+\s+){1,2}$", clause[:start]) if by_noun else None
            # read with the word for them: "us buyers" is the country, "us" alone the pronoun
            if before and _region(clause[before.start() : found.end()]) is not None:
                start = before.start()
            elif by_noun and (sector := _SECTOR_BEFORE.search(clause[:start])) is not None:
                start = sector.start()  # "our bank customers": banks buy, we need not be one
            buyers.append(clause[start:])
            about_us.append(clause[:start])
            follows_buyers = True
        else:
            about_us.append(clause)
    return (" ; ".join(buyers) if buyers else None), about_us


#: A sector named just before the word for the buyers ("bank customers", "insurer clients'
#: forms"): it says what the buyers are, not what the asker is (fifteenth round).
_SECTOR_BEFORE: Final = re.compile(
    r"\b(?:banks?|banking|insurers?|insurance|hospitals?|healthcare|pension|government|"
    r"public[- ]sector|telco|telecom)\s+$"
)
#: A word for the buyers, where a match of `_SELLING_TO` starts with one.
_BUYER_NOUN: Final = re.compile(rf"{_BUYER_WORDS}\b")
#: A clause that only continues the buyers' list of places ("..., US and Canada").
_LIST_GOES_ON: Final = re.compile(
    rf"\s*(?:and\s+|&\s*|\+\s*)?(?:the\s+)?(?:usa?|canada|mexico|{_OUTSIDE_NA_NAMES})\b"
)


def _first_asserted(clause: str) -> re.Match[str] | None:
    """The first mention of customers in the clause that does not say there are none ("no
    customer pressure yet though german prospects mention iso" names the prospects)."""
    for found in _CUSTOMERS.finditer(clause):
        if not _denied(clause, found):
            return found
    return None


def _denied(clause: str, mention: re.Match[str]) -> bool:
    """Whether the clause says there are none of the customers it mentions here ("no
    customer is asking", "without any buyers yet"): `_NO_CUSTOMERS` just before the mention."""
    return _NO_CUSTOMERS.search(clause[: mention.start()]) is not None


def _country_us(question: str) -> str:
    """The message with "US" in capitals spelt "usa", unless the whole message is capitals."""
    if not re.search(r"[a-z]", question):
        return question
    return _US_CAPITALS.sub("usa", question)


def names_buyers(question: str) -> bool:
    """True when the message says who it sells to ("we sell to hospitals", "our customers are
    German banks"): the situational rule then reads their sector and region, which word
    matching cannot (an entry about *being* a hospital shares the word). A bare mention of
    customers or sales ("customers want soc 2 - type 1 or type 2?") is not enough."""
    return _NAMES_BUYERS.search(question.lower()) is not None


def situation_entry(question: str) -> str:
    """The entry id whose short rule fits the situation described: being regulated first,
    then the buyers' region, then a programme over the whole organisation (an ISMS) or
    assurance over one service (a SOC 2 report on that system)."""
    return situation(question)[0]


def situation_lead(question: str) -> str | None:
    """The sentence that opens the situational answer when the buyers' region chose the entry:
    who asks for that framework (the region entries say only why it fits). None when another
    rule chose it: "the whole organisation, iso or soc2?" names no buyers (found in the ninth
    round's review: the lead followed the entry, not the rule)."""
    return situation(question)[1]


def situation(question: str) -> tuple[str, str | None]:
    """(`situation_entry`, `situation_lead`) from one reading of the message."""
    text = question.lower()
    if _compares_frameworks(text):
        return BETTER_ENTRY, None  # "is one simply better?" has one answer, whatever the case
    buyers, about_us = _clauses(question)
    if any(_REGULATED.search(clause) for clause in about_us):
        return REGULATED_ENTRY, None  # they are regulated themselves
    if buyers is not None and _REGIME_NAMED.search(buyers):
        return REGULATED_ENTRY, None  # "our insurer client is bafin regulated": its regime asks
    region = None if buyers is None else _region(buyers)
    # the buyers' procurement asks for something: its entry ("I report to the CTO" is not)
    demanded = buyers is not None and bool(_DEMAND.search(buyers))
    if region == "outside":  # buyers outside North America: the certificate
        return (CUSTOMER_ENTRY if demanded else ISO_REGION_ENTRY), OUTSIDE_NA_LEAD
    if region == "north-america":  # North-American buyers: a SOC 2 report
        return (CUSTOMER_ENTRY if demanded else SOC2_REGION_ENTRY), NORTH_AMERICA_LEAD
    if _is_whole_organisation(text):
        return ISO_REGION_ENTRY, None  # a programme over the whole organisation is an ISMS's
    if _ONE_SERVICE.search(text):
        return SOC2_REGION_ENTRY, None  # assurance over one service is a SOC 2 report's
    return (GENERAL_ENTRY if buyers is None else CUSTOMER_ENTRY), None


def buyers_on_both_sides(question: str) -> bool:
    """Whether the message names buyers inside and outside North America with neither side
    the larger ("our customers are in the UK, US and Canada"): an entry for one region's
    buyers then speaks for one side only (fourteenth round, docs/knowledge.md)."""
    buyers, _ = _clauses(question)
    return (
        buyers is not None
        and _OUTSIDE_NA.search(buyers) is not None
        and bool(_NORTH_AMERICA.search(buyers) or _US_IN_LIST.search(buyers))
        and _dominant_region(buyers) is None
    )


def _is_whole_organisation(text: str) -> bool:
    """A security programme over the whole organisation, not negated ("not the whole
    company"); a framework for the whole company's OKRs is not one (`_SECURITY_SUBJECT`)."""
    return bool(
        _WHOLE_ORGANISATION.search(text)
        and not _NOT_WHOLE.search(text)
        and _SECURITY_SUBJECT.search(text)
    )


def _region(buyers: str) -> str | None:
    outside = _OUTSIDE_NA.search(buyers)
    inside = _NORTH_AMERICA.search(buyers) or (outside and _US_IN_LIST.search(buyers))
    if outside and not inside:
        return "outside"
    if inside and not outside:
        return "north-america"
    if outside and inside:
        return _dominant_region(buyers)
    return None


#: Words that say most of the buyers are in the region named just after them.
_MOSTLY: Final = re.compile(
    r"\b(?:mainly|mostly|primarily|predominantly|largely|chiefly|majority|most of|almost all|"
    r"nearly all|overwhelmingly)\b"
)
#: What lies between two regions of one list ("US and EU", "UK, US", "US/EU").
_LISTED: Final = re.compile(r"[\s,&+/]*(?:(?:and|or|plus)\b)?[\s,&+/]*(?:the\s+)?$")
#: How far before a region's name (in characters) a `_MOSTLY` word may end.
_MOSTLY_REACH: Final = 25


def _dominant_region(buyers: str) -> str | None:
    """The region most of the buyers are in, when the message weighs two ("selling mainly to
    US enterprises, with a handful of EU customers"): the first region named within
    `_MOSTLY_REACH` after a `_MOSTLY` word; None when such words point at both or neither
    ("mostly US and EU customers" lists the EU with the US, so neither)."""
    kinds = [
        *((m.start(), m.end(), "north-america") for m in _NORTH_AMERICA.finditer(buyers)),
        *((m.start(), m.end(), "north-america") for m in _US_IN_LIST.finditer(buyers)),
        *((m.start(), m.end(), "outside") for m in _OUTSIDE_NA.finditer(buyers)),
    ]
    pointed: set[str] = set()
    for mostly in _MOSTLY.finditer(buyers):
        after = sorted(k for k in kinds if 0 <= k[0] - mostly.end() <= _MOSTLY_REACH)
        if not after:
            continue
        first = after[0]
        if any(k[2] != first[2] and _LISTED.match(buyers[first[1] : k[0]]) for k in after[1:]):
            return None  # "mostly US and EU customers": both in the same breath
        pointed.add(first[2])
    return pointed.pop() if len(pointed) == 1 else None


#: "when is X the better anchor", "when does X make more sense": the framework named first
#: after the question's "when" is the one asked about.
_WHEN: Final = re.compile(
    r"\bwhen\s+(?:is|does|would|should|do|might|will)\b(.*\b(?:better|sense|right|best|"
    r"instead|rather|over|fit|preferable|prefer|first|pick|choose|win)\b.*)"
)
#: The words of a bare choice ("iso or soc2?", "iso or soc 2, which should we do?").
_BARE_CHOICE_TEXT: Final = """
iso iec 27001 27k soc soc2 2 ii or vs versus which one should we i do for us our pick choose
get go with first what is the better option framework standard start a an me
"""
_BARE_CHOICE_WORDS: Final = frozenset(_BARE_CHOICE_TEXT.split())


def _first_named(text: str) -> str | None:
    """The region entry of the framework the text names first, if it names one."""
    iso, soc = _ISO.search(text), _SOC_2.search(text)
    if iso is None and soc is None:
        return None
    if soc is None or (iso is not None and iso.start() <= soc.start()):
        return ISO_REGION_ENTRY
    return SOC2_REGION_ENTRY


def cued_entry(question: str) -> str | None:
    """The framework-choice entry a message's own words settle, whatever the classifier
    leans to among its neighbours: "is soc2 better than iso or vice versa?" asks whether one
    is simply better, "when does SOC 2 make more sense than ISO?" asks about SOC 2's case,
    and "iso or soc2?" with nothing else is the general question. None when no cue decides."""
    text = question.lower()
    if not (_ISO_27001.search(text) or _SOC_2.search(text)):
        return None  # "which is the stronger framework, react or angular?"
    if _compares_frameworks(text):
        return BETTER_ENTRY
    when = _WHEN.search(text)
    if when is not None:
        asked = _first_named(when.group(1))
        if asked is not None:
            return asked
    tokens = re.findall(r"[a-z0-9]+", text)
    if tokens and all(token in _BARE_CHOICE_WORDS for token in tokens):
        return GENERAL_ENTRY
    return None
