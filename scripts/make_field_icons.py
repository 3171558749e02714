"""Draw the field terminal's app icons (192, 512 and a maskable 512) with Pillow.

Run once when the design changes; the PNGs are committed as source::

    .venv/bin/python scripts/make_field_icons.py

The motif: the site's blue (#123b70), a white 3×3 grid (网格) and an orange location pin.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE, WHITE, ORANGE = (18, 59, 112, 255), (255, 255, 255, 255), (245, 166, 35, 255)
OUT = Path(__file__).resolve().parent.parent / "gridgov" / "field" / "static" / "field" / "icons"


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # drawn large, then scaled down: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle([0, 0, big, big], fill=BLUE)
        inner = big * 0.62  # the safe zone is the central 80 % circle
    else:
        pen.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.22, fill=BLUE)
        inner = big * 0.7
    left = (big - inner) / 2
    top = left - inner * 0.04
    line = max(2, round(inner * 0.055))
    pen.rounded_rectangle([left, top, left + inner, top + inner], radius=inner * 0.12,
                          outline=WHITE, width=line)
    for i in (1, 2):
        x = left + inner * i / 3
        y = top + inner * i / 3
        pen.line([x, top, x, top + inner], fill=WHITE, width=line)
        pen.line([left, y, left + inner, y], fill=WHITE, width=line)
    # The pin on the grid's centre cell, pointing down into it.
    cx, cy = left + inner / 2, top + inner / 2
    r = inner * 0.15
    head_y = cy - r * 0.9
    pen.polygon([(cx - r * 0.82, head_y + r * 0.5), (cx + r * 0.82, head_y + r * 0.5),
                 (cx, cy + r * 1.35)], fill=ORANGE)
    pen.ellipse([cx - r, head_y - r, cx + r, head_y + r], fill=ORANGE)
    pen.ellipse([cx - r * 0.4, head_y - r * 0.4, cx + r * 0.4, head_y + r * 0.4], fill=BLUE)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("icon-maskable-512.png", 512, True)):
        draw(size, maskable=maskable).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
