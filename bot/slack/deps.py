"""What every Slack listener needs, built once per app: the engine and the advisor.

Listeners receive this object through closures in `register()` functions, so handlers stay
plain async functions and tests can build a second app on the same database (a restart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from dialogs.service import Advisor


@dataclass
class SlackDeps:
    engine: Engine
    advisor: Advisor = field(init=False)

    def __post_init__(self) -> None:
        from dialogs.service import Advisor

        self.advisor = Advisor(self.engine)
