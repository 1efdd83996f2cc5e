"""Schema of a knowledge entry and of an `ask` result.

One pydantic model validates shipped entries, organisation entries and front matter alike,
so `idgov kb check` and `idgov kb add` can never disagree about what a valid entry is.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.results import Source

ENTRY_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,127}$"


class SourceRef(BaseModel):
    """A public page (or, for an organisation FAQ, the imported file) that backs an entry."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    url: str = Field(min_length=1, max_length=1000)

    @field_validator("url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme in {"http", "https"} and parsed.netloc:
            return value
        if parsed.scheme == "file" and parsed.path:
            return value
        raise ValueError(f"source url must be an absolute http(s) or file URL, got {value!r}")


class Entry(BaseModel):
    """One question the team asks, with a short answer-first reply and its sources."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=ENTRY_ID_PATTERN)
    question: str = Field(min_length=5, max_length=300)
    paraphrases: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=10, max_length=6000)
    detail: str | None = Field(default=None, max_length=10000)
    sources: list[SourceRef] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    controls: list[str] = Field(default_factory=list)

    @field_validator("tags", mode="before")
    @classmethod
    def _int_tags_as_text(cls, values: object) -> object:
        # YAML reads `2022` as an int; a tag is text. Floats are not converted ("8.20" would
        # silently become "8.2"), so they fail validation and must be quoted.
        if isinstance(values, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
        return values

    @field_validator("paraphrases", "tags", "controls")
    @classmethod
    def _no_blank_items(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values]
        if any(not v for v in cleaned):
            raise ValueError("list items must not be blank")
        return cleaned


class KnowledgeItem(BaseModel):
    """An entry plus where it came from; what the index and `kb list` work on."""

    entry: Entry
    origin: Literal["shipped", "org"]
    location: str  # shipped: the YAML file name; org: the imported file


class AskResult(BaseModel):
    """What `ask` decided: an answer with its sources, or a polite refusal."""

    answered: bool
    answer: str
    sources: list[Source] = Field(default_factory=list)
    entry_ids: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    score: float = 0.0
    #: on a refusal, entries the question may have meant (id, question as title, main source)
    suggestions: list[Source] = Field(default_factory=list)
