"""Import an organisation's own FAQ (`idgov kb add FILE`) into the knowledge base.

Two shapes are accepted, because teams keep FAQs either as one file per answer or as one page:

- Markdown with YAML front matter that has `id` and `question`: one entry; the body is the answer.
- A Markdown or HTML page split at its headings: each heading is a question and the text up to
  the next heading its answer. Optional front matter (Markdown) gives `title`, `id_prefix`,
  `tags` and `sources`. A single leading `#`/`<h1>` heading is the page title, not a question.

Every entry is validated (schema, known control ids, duplicates) before anything is written;
storing a page (all of a file's entries in one transaction, so a bad file changes nothing) is
`dialogs.org_faq`, over `storage.org_knowledge`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge import safe_yaml
from knowledge.qa.htmlpage import Section, html_sections
from knowledge.qa.loader import first_error, load_shipped
from knowledge.qa.models import Entry

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$\r?\n?", re.DOTALL | re.MULTILINE)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_SLUG = re.compile(r"[^a-z0-9]+")
_PAGE_KEYS = {"title", "id_prefix", "tags", "sources", "source_url"}


class OrgFaqError(ValueError):
    """A file that cannot be imported; the message is one line naming the problem."""


@dataclass(frozen=True)
class Page:
    """A parsed file: its entries, ready to store."""

    entries: list[Entry]
    source_file: str


def _known_controls() -> set[str]:
    from knowledge.crosswalk import known_control_ids

    return known_control_ids()


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:100] or "entry"


def _split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    match = _FRONT.match(text)
    if match is None:
        raise OrgFaqError(f"{name}: front matter starts with '---' but has no closing '---' line")
    try:
        data = safe_yaml.load(match.group(1))  # bounded aliases and depth (no alias bombs)
    except safe_yaml.YamlLimitError as exc:
        raise OrgFaqError(f"{name}: front matter {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise OrgFaqError(f"{name}: front matter is not valid YAML{where}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise OrgFaqError(f"{name}: front matter must be a YAML mapping of fields")
    return data, text[match.end() :]


def markdown_sections(body: str) -> list[Section]:
    """Headings (outside code fences) and the text under each."""
    sections: list[Section] = []
    in_fence = False
    current: Section | None = None
    lines: list[str] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _MD_HEADING.match(line)
        if heading:
            if current is not None:
                sections.append(current._replace(text="\n".join(lines).strip()))
            current, lines = Section(len(heading.group(1)), heading.group(2), "", number), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections.append(current._replace(text="\n".join(lines).strip()))
    return sections


def _default_sources(meta: dict[str, Any], title: str, path: Path, url: str | None) -> Any:
    if "sources" in meta:
        return meta["sources"]
    target = url or meta.get("source_url") or path.resolve().as_uri()
    return [{"title": title, "url": target}]


def _validate(data: dict[str, Any], name: str, where: str) -> Entry:
    try:
        entry = Entry.model_validate(data)
    except ValidationError as exc:
        raise OrgFaqError(f"{name}: {where}: {first_error(exc)}") from exc
    unknown = [c for c in entry.controls if c not in _known_controls()]
    if unknown:
        raise OrgFaqError(
            f"{name}: {where}: unknown control id {unknown[0]!r} (not in the crosswalk)"
        )
    return entry


def _split_entries(
    sections: list[Section], meta: dict[str, Any], path: Path, url: str | None
) -> list[Entry]:
    name = path.name
    unexpected = sorted(set(meta) - _PAGE_KEYS)
    if unexpected:
        raise OrgFaqError(
            f"{name}: front matter field {unexpected[0]!r} is not allowed on a page split at "
            "headings; allowed: " + ", ".join(sorted(_PAGE_KEYS))
        )
    title = str(meta.get("title") or path.stem)
    single_h1 = bool(sections) and sum(s.level == 1 for s in sections) == 1
    if single_h1 and sections[0].level == 1 and len(sections) > 1:
        title = str(meta.get("title") or sections[0].heading)
        sections = sections[1:]
    prefix = slug(str(meta.get("id_prefix") or "org"))
    entries: list[Entry] = []
    seen: dict[str, Section] = {}
    for i, section in enumerate(sections):
        deeper_next = i + 1 < len(sections) and sections[i + 1].level > section.level
        if not section.text:
            if deeper_next:
                continue  # a grouping heading such as "## Access"
            raise OrgFaqError(
                f"{name}: heading {section.heading!r} (line {section.line}) has no answer text"
            )
        entry_id = f"{prefix}-{slug(section.heading)}"[:128]
        if entry_id in seen:
            raise OrgFaqError(
                f"{name}: duplicate id {entry_id!r} from headings on lines "
                f"{seen[entry_id].line} and {section.line}"
            )
        seen[entry_id] = section
        data = {
            "id": entry_id,
            "question": section.heading,
            "answer": section.text,
            "tags": meta.get("tags", []),
            "sources": _default_sources(meta, title, path, url),
        }
        entries.append(_validate(data, name, f"heading {section.heading!r} (line {section.line})"))
    if not entries:
        raise OrgFaqError(
            f"{name}: no questions found; add YAML front matter with id and question, "
            "or headings with answer text under them"
        )
    return entries


def parse_file(path: Path, *, source_url: str | None = None) -> Page:
    """Read and validate a FAQ file; raises OrgFaqError with one line on any problem."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in {".md", ".markdown", ".html", ".htm"}:
        raise OrgFaqError(f"{name}: unsupported file type; use Markdown (.md) or HTML (.html)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise OrgFaqError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise OrgFaqError(f"{name}: not UTF-8 text") from exc
    except OSError as exc:
        raise OrgFaqError(f"{path}: cannot read: {exc.strerror}") from exc
    if not text.strip():
        raise OrgFaqError(f"{name}: file is empty")
    if suffix in {".html", ".htm"}:
        page_title, sections = html_sections(text)
        meta: dict[str, Any] = {"title": page_title} if page_title else {}
        entries = _split_entries(sections, meta, path, source_url)
    else:
        meta, body = _split_front_matter(text, name)
        if "question" in meta or "id" in meta:
            data = dict(meta)
            data.setdefault("answer", body.strip())
            title = str(data.get("question") or path.stem)
            data["sources"] = _default_sources(data, title, path, source_url)
            entries = [_validate(data, name, f"entry {data.get('id', '?')}")]
        else:
            entries = _split_entries(markdown_sections(body), meta, path, source_url)
    return Page(entries, str(path.resolve())[:1000])


def check_not_shipped(page: Page) -> None:
    """Refuse a page that reuses a shipped entry's id (an organisation cannot override those)."""
    shipped = {item.entry.id for item in load_shipped()}
    name = Path(page.source_file).name
    for entry in page.entries:
        if entry.id in shipped:
            raise OrgFaqError(f"{name}: id {entry.id!r} is already used by a shipped entry")


def clash_error(page: Page, entry_id: str, other_file: str) -> OrgFaqError:
    """The refusal for an id already stored from `other_file` (without --replace)."""
    return OrgFaqError(
        f"{Path(page.source_file).name}: id {entry_id!r} already exists (from {other_file}); "
        "use --replace to overwrite"
    )


def stored_data(entry: Entry) -> dict[str, Any]:
    """What is kept of a validated entry (what `Entry.model_validate` reads back)."""
    return entry.model_dump(mode="json", exclude_none=True)
