"""Split an HTML FAQ page into (heading, text) sections with the standard library's parser.

Only headings and readable text matter: scripts, styles and navigation chrome are dropped, and
block elements become line breaks so answers keep their paragraphs and list items.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import NamedTuple

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP = {"script", "style", "nav", "header", "footer", "template", "noscript"}
_BLOCKS = {"p", "div", "li", "br", "tr", "section", "article", "ul", "ol", "table", "pre"}


class Section(NamedTuple):
    """One heading and the text under it; `line` is where the heading starts (1-based)."""

    level: int
    heading: str
    text: str
    line: int


class _FaqParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[Section] = []
        self._skip = 0
        self._in_title = False
        self._heading: tuple[int, int] | None = None  # (level, line) while inside <hN>
        self._heading_text: list[str] = []
        self._body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _HEADINGS and not self._skip:
            self._close_section()
            self._heading = (_HEADINGS[tag], self.getpos()[0])
            self._heading_text = []
        elif tag in _BLOCKS:
            self._body.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _HEADINGS and self._heading is not None:
            level, line = self._heading
            heading = " ".join("".join(self._heading_text).split())
            self.sections.append(Section(level, heading, "", line))
            self._heading = None
            self._body = []
        elif tag in _BLOCKS:
            self._body.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
        elif self._heading is not None:
            self._heading_text.append(data)
        elif self.sections:
            self._body.append(data)

    def _close_section(self) -> None:
        if self.sections and not self.sections[-1].text:
            lines = (" ".join(line.split()) for line in "".join(self._body).splitlines())
            text = "\n".join(line for line in lines if line)
            self.sections[-1] = self.sections[-1]._replace(text=text)
        self._body = []

    def close(self) -> None:
        super().close()
        self._close_section()


def html_sections(text: str) -> tuple[str, list[Section]]:
    """The page's <title> and its heading sections, in document order."""
    parser = _FaqParser()
    parser.feed(text)
    parser.close()
    return " ".join(parser.title.split()), [s for s in parser.sections if s.heading]
