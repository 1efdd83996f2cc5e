"""Python's cyclic garbage collector: off while a CLI process starts, on again once it is loaded.

Why: a cold `idgov ask` imports its modules, parses the 5 MB intent-model JSON and builds the
knowledge index, creating millions of container objects and next to no garbage cycles. The
cyclic collector is triggered by allocation counts, not by garbage, so during that start-up it
ran again and again over an ever larger heap and found almost nothing: about 300 ms of a cold
`idgov ask` (the round-15 profile). Reference counting frees every object that is not in a
cycle whether the collector runs or not, so switching it off costs only the few cycles a
process makes, never its ordinary garbage.

- One-shot commands (`ask`, `kb`, `report`, `tasks`, ...) run with the collector off to the
  end (`bot.cli.main.main`): the process exits right after its work and the operating system
  takes back its memory, cycles included. (The inventory benchmark's 50,000-identity
  `idgov inventory import` files, the largest one-shot jobs, peaked 1.5 MB higher with the
  collector off, and were imported faster.)
- Commands that keep running (`serve`, `chat`, `nudge` without `--once`) call `loaded()` once
  they have loaded what they keep for their whole life: one collection clears the cycles
  start-up left, `gc.freeze()` moves every object still alive (modules, the intent model, the
  knowledge index) to the permanent generation, which later collections do not traverse, and
  the collector is switched on again for the rest of the run, so garbage cycles made while
  serving are collected as usual.

`pause()` and `restore()` bracket `main()`, so an in-process caller (the tests, a script calling
`main([...])`) gets the collector back in the state it had; `loaded()` and `restore()` do nothing
unless `pause()` switched the collector off, so code shared with other callers (`create_app`)
may call `loaded()` unconditionally. Nothing stays frozen at exit: the interpreter's final
collection would skip frozen cycles, and an SQLite connection in one is then never closed
(its -wal and -shm files stay behind).
"""

from __future__ import annotations

import gc

_paused = False  # pause() switched the collector off (it was on before)
_frozen = False  # loaded() moved the objects alive at that point to the permanent generation


def pause() -> None:
    """Switch the cyclic collector off for start-up, if it is on."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def loaded() -> None:
    """A long-running command has loaded what it keeps: collect start-up's cycles once,
    freeze what is left, and switch the collector back on. Idempotent; nothing to do unless
    `pause()` switched it off."""
    global _paused, _frozen
    if not _paused:
        return
    _paused = False
    gc.collect()
    gc.freeze()
    _frozen = True
    gc.enable()


def restore(*, exiting: bool = False) -> None:
    """Put the collector back as it was before `pause()` (end of `main()`).

    `exiting`: the process ends right after (`main()` is its entry point). A collector still
    paused, a one-shot command's, then stays off: switching it on would make the next
    allocation run one collection over every object the command created, about 200 ms of a
    cold `idgov ask` spent just before exit. The interpreter's own collection at exit runs
    either way, so cycles are still finalised as before (their SQLite connections closed, for
    one); nothing is left frozen for it to skip.
    """
    global _paused, _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False
    if _paused and not exiting:
        _paused = False
        gc.enable()

