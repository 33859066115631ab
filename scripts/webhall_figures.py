"""docs/img/webhall-*.png: the desktop web hall and the phone page side by side, from the
screenshots the browser test saves (tests/browser/test_web_hall.py → test-artifacts/).

    .venv/bin/python -m pytest tests/browser/test_web_hall.py -k both_layouts
    .venv/bin/python scripts/webhall_figures.py
"""
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
ART = ROOT / "test-artifacts" / "browser"
OUT = ROOT / "docs" / "img"
PAGES = ("home", "password", "holdings", "ballot")
HEIGHT = 720  # of each figure, in pixels
GAP = 24


def _top(path, aspect):
    """The top of a screenshot, cut to ``aspect`` (width / height)."""
    image = Image.open(path).convert("RGB")
    return image.crop((0, 0, image.width, min(image.height, int(image.width / aspect))))


def figure(page):
    desktop = _top(ART / f"test_the_web_hall_in_both_layouts_desktop--{page}.png", 1280 / 900)
    phone = _top(ART / f"test_the_web_hall_in_both_layouts_phone--{page}.png", 390 / 844)
    desktop = desktop.resize((int(desktop.width * HEIGHT / desktop.height), HEIGHT),
                             Image.LANCZOS)
    phone = phone.resize((int(phone.width * HEIGHT / phone.height), HEIGHT), Image.LANCZOS)
    sheet = Image.new("RGB", (desktop.width + GAP + phone.width, HEIGHT), "#ffffff")
    sheet.paste(desktop, (0, 0))
    sheet.paste(phone, (desktop.width + GAP, 0))
    target = OUT / f"webhall-{page}.png"
    sheet.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target


if __name__ == "__main__":
    for name in PAGES:
        path = figure(name)
        print(path.relative_to(ROOT), path.stat().st_size // 1024, "KB")
