"""What every Slack listener needs, built once per app: the engine, the router and the
question-message store.

Listeners receive this object through closures in `register()` functions, so handlers stay
plain async functions and tests can build a second app on the same database (a restart).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from dialogs.question_messages import SlackQuestionMessages
from dialogs.router import Router
from dialogs.service import Advisor


@dataclass
class SlackDeps:
    engine: Engine
    router: Router = field(init=False)
    questions: SlackQuestionMessages = field(init=False)

    def __post_init__(self) -> None:
        self.router = Router(self.engine)
        self.questions = SlackQuestionMessages(self.engine)

    @property
    def advisor(self) -> Advisor:
        return self.router.advisor
