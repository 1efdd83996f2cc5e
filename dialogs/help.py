"""The one help text: what idgov does and the commands, in neutral words.

Every surface shows this same reply; the card templates name each command as that surface
does (`bot.cards.render` words ``ask QUESTION`` as ``/idgov ask QUESTION`` in Slack) and
leave out the commands a surface does not have. No adapter rewrites it.
"""

from __future__ import annotations

from dialogs.replies import HelpCommand, HelpReply

INTRO = (
    "I help identity-governance teams choose between ISO/IEC 27001 and SOC 2 for their "
    "identity and non-human-identity programme, turn the gaps I hear about into owned "
    "follow-up tasks, remind owners until they are done, and answer questions with sources."
)

COMMANDS: list[HelpCommand] = [
    HelpCommand(name="assess", what="the scoping assessment: ISO/IEC 27001, SOC 2, or both"),
    HelpCommand(name="assess here", what="the same assessment in a thread here, answered as "
                "a team", surfaces=["slack"]),
    HelpCommand(name="ask QUESTION", what="an answer from the knowledge base, with sources"),
    HelpCommand(name="tasks", what="your open identity follow-up tasks"),
    HelpCommand(name="report", what="your latest assessment in full, to keep or send to an "
                "auditor"),
    HelpCommand(name="inventory", what="non-human identity coverage and gaps (admins import "
                "by sending a CSV or JSON export)"),
    HelpCommand(name="evidence iso27001|soc2", what="the audit evidence pack (idgov admins)"),
    HelpCommand(name="autoanswer on|off", what="answer questions in this channel without a "
                "mention (channel managers)", surfaces=["slack"]),
    HelpCommand(name="help", what="this help"),
]


def help_reply(*, welcome: bool = False, in_channel: bool = False) -> HelpReply:
    return HelpReply(intro=INTRO, commands=COMMANDS, welcome=welcome, in_channel=in_channel)
