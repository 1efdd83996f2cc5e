"""`idgov chat`: the scoping assessment in a terminal, through the same router and storage.

The terminal is just another front end: each line becomes a neutral `Turn` for the one
router (`dialogs.router`), exactly like a Slack DM or a Teams personal chat, and each reply
is rendered with the cards' text templates, so what works here works in Slack and Teams.
State is saved after every answer under `dialogs.keys.terminal_key`, so end of input
(Ctrl-D, or the end of a piped file) simply stops, and the next `idgov chat` resumes at the
same question.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
from typing import TYPE_CHECKING, Any, TextIO

from bot import startup_gc
from bot.cli.errors import CliError
from dialogs.keys import terminal_key
from dialogs.outbox import Out
from dialogs.replies import RecommendationReply, Reply, TaskSummary
from dialogs.surface import FileDelivery, FileUnavailable
from dialogs.turn import Actor, Place, Said, SharedFile, Turn

if TYPE_CHECKING:
    from dialogs.router import Router

_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")

RESUME_HINT = "Saved. Run `idgov chat` again to continue where you left off."


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="run the scoping assessment in the terminal",
        description=(
            "Answer the scoping questions one at a time (a number, a choice or your own words; "
            "skip, back, help, restart and cancel work at every step). Progress is saved after "
            "every answer in DATABASE_URL (default sqlite:///idgov.db); run again to resume."
        ),
    )
    parser.add_argument(
        "--restart", action="store_true", help="discard a saved conversation and start over"
    )
    parser.add_argument(
        "--user",
        default="local",
        metavar="NAME",
        help="who is answering; owns the follow-up tasks as cli:local:NAME (default: local)",
    )
    parser.set_defaults(func=run)


class TerminalSurface:
    """The terminal as the router's `Surface`: one place, no threads, forms or channels."""

    name = "cli"

    async def assessment_place(self, turn: Turn) -> Place | None:
        return turn.place

    async def open_thread(self, place: Place, starter: Actor) -> Place | None:
        return None

    async def can_manage_channel(self, place: Place, actor: Actor) -> bool:
        return False

    async def is_workspace_admin(self, actor: Actor) -> bool:
        return actor.workspace == "cli:local"  # the terminal's operator runs the install

    async def ask_reason(self, turn: Turn, task: TaskSummary) -> bool:
        return False

    async def post(self, out: Out) -> bool:
        return False

    async def fetch_file(self, file: SharedFile, limit: int,
                         suffixes: tuple[str, ...] = ()) -> tuple[str, bytes]:
        raise FileUnavailable("the terminal takes no files: run `idgov inventory import FILE`")

    async def send_file(self, actor: Actor, name: str, data: bytes,
                        comment: str) -> FileDelivery:
        return FileDelivery.UNAVAILABLE


def terminal_turn(user: str, text: str) -> Turn:
    """A typed line as a neutral turn; its conversation key is `dialogs.keys.terminal_key`."""
    key = terminal_key(user)
    return Turn(actor=Actor(platform=key.platform, workspace_id=key.workspace, user_id=user),
                place=Place(platform=key.platform, workspace_id=key.workspace,
                            channel=key.channel, is_dm=True),
                what=Said(text=text))


def run(args: argparse.Namespace) -> int:
    if not _USER.match(args.user):
        raise CliError(f"--user {args.user!r} must be letters, digits, '.', '_', '@' or '-'")
    from dialogs.router import Router
    from storage.db import get_engine

    router = Router(get_engine())
    startup_gc.loaded()  # a conversation can last: the garbage collector back on (main())
    return chat(router, args.user, restart=args.restart, stdin=sys.stdin, stdout=sys.stdout)


def chat(router: Router, user: str, *, restart: bool, stdin: TextIO, stdout: TextIO) -> int:
    """The read-answer-print loop; returns the exit code."""
    advisor = router.advisor
    key = terminal_key(user)
    user_ref = f"cli:local:{user}"
    surface = TerminalSurface()
    replies = advisor.start(key, user_ref) if restart else advisor.resume(key, user_ref)
    _show(replies, stdout)
    interactive = stdin.isatty() and stdin is sys.stdin
    while True:
        try:
            line = _read_line(stdin, stdout, interactive)
        except KeyboardInterrupt:
            line = None
        if line is None:
            stdout.write("\n" + RESUME_HINT + "\n")
            return 0
        turn = terminal_turn(user, line)
        assert turn.key == key
        result = [out.reply for out in asyncio.run(router.handle(turn, surface))]
        _show(result, stdout)
        if any(isinstance(r, RecommendationReply) for r in result) or not advisor.active(key):
            return 0


def _read_line(stdin: TextIO, stdout: TextIO, interactive: bool) -> str | None:
    """One answer, or None at end of input. A terminal gets `input()` (line editing);
    piped input is echoed after the prompt so the transcript reads naturally."""
    if interactive:
        try:
            return input("> ")
        except EOFError:
            return None
    stdout.write("> ")
    line = stdin.readline()
    if not line:
        return None
    stdout.write(line if line.endswith("\n") else line + "\n")
    return line.rstrip("\r\n")


def _show(replies: list[Reply], out: TextIO) -> None:
    for reply in replies:
        out.write(_render(reply, _width(out)))
        out.write("\n")
    out.flush()


def _width(out: TextIO) -> int | None:
    """The terminal's width when writing to one (wrapped at words, never mid-word), capped
    for readability; None for a pipe or file (no wrapping: the transcript stays greppable)."""
    if not (hasattr(out, "isatty") and out.isatty()):
        return None
    return max(40, min(shutil.get_terminal_size().columns, 100))


def _render(reply: Reply, width: int | None = None) -> str:
    from bot.cards import render

    text = render(reply, "text", width=width)
    return text if text.endswith("\n") else text + "\n"
