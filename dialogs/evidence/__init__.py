"""Auditor evidence packs: a deterministic directory of HTML, Markdown, CSV, SVG and a manifest."""
