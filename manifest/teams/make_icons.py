"""Draw the Teams app icons: color.png (192x192) and outline.png (32x32, white on transparent).

Teams requires exactly these sizes, and the outline icon may use only white and
transparency. Kept as a script (run with Pillow: ``python manifest/teams/make_icons.py``)
so the committed PNGs can be regenerated and reviewed, instead of being opaque binaries.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (46, 92, 138, 255)  # #2E5C8A, the manifest's accentColor
WHITE = (255, 255, 255, 255)


def _shield(size: int, inset: float) -> list[tuple[float, float]]:
    """A shield outline (identity governance) scaled to a square of `size` pixels."""
    s, m = size, size * inset
    return [(s / 2, m), (s - m, m + s * 0.12), (s - m, s * 0.52), (s / 2, s - m),
            (m, s * 0.52), (m, m + s * 0.12)]


def color_icon() -> Image.Image:
    img = Image.new("RGBA", (192, 192), ACCENT)
    draw = ImageDraw.Draw(img)
    draw.polygon(_shield(192, 0.16), fill=WHITE)
    draw.line([(70, 98), (88, 118), (124, 78)], fill=ACCENT, width=12, joint="curve")
    return img


def outline_icon() -> Image.Image:
    img = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    shield = _shield(32, 0.09)
    draw.line([*shield, shield[0]], fill=WHITE, width=2, joint="curve")
    draw.line([(11, 16), (14, 19), (21, 12)], fill=WHITE, width=2)
    return img


def main() -> None:
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
