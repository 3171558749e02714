"""Screenshots of each demo role's main pages, on a desktop (1440 px) and a phone (390 px).

    .venv/bin/python scripts/screenshots.py                    # own demo server, all roles
    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000   # a running demo
    .venv/bin/python scripts/screenshots.py --roles gw_gulou handler_zhifa --widths 390

The pages are those of ``gridgov/web/tests/main_pages.py`` (the list the phone-layout test
walks), so a page added there is photographed too. Each person signs in through the sign-in
form with the demo password; the three administrators also pass the TOTP step with the demo's
fixed secrets (``gridgov.demo.users.DEMO_TOTP_SECRETS``). The base URL must serve the demo
district (``gridgov demo``).

Without ``--base`` the script loads the demo into a temporary GRIDGOV_DATA_DIR
(``gridgov demo --no-serve``), starts ``gridgov runserver`` on a free local port, and stops
and removes both at the end. Pictures are PNG, cut at 1600 px of height and reduced to 128
colours so the folder stays a few megabytes; ``docs/screenshots/README.md`` is rewritten as
their index. Needs Debian's chromium (``/usr/bin/chromium``, or GRIDGOV_CHROMIUM) and a CJK
font (fonts-noto-cjk).
"""

import argparse
import atexit
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")
GRIDGOV = str(ROOT / ".venv" / "bin" / "gridgov")
MAX_HEIGHT = 1600
# Colours per picture: a console page needs few; 128 keeps the folder near 5 MB.
COLOURS = 128
HEIGHTS = {1440: 900, 390: 844}
ROLE_NAMES = {
    "anonymous": "居民(未登录)", "gw_gulou": "网格员", "dispatch_gulou": "派遣员",
    "shift_gulou": "值班长", "leader_gulou": "街道领导", "leader_district": "区领导",
    "handler_zhifa": "部门处置员", "deptadmin_zhifa": "部门管理员", "data_minzheng": "数据专员",
    "sysadmin": "系统管理员", "secadmin": "安全管理员", "auditadmin": "审计管理员",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_server():
    """A demo server of our own: temporary data folder, demo loaded, runserver; the base URL."""
    data = Path(tempfile.mkdtemp(prefix="gridgov-shots-"))
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(data), "GRIDGOV_DEMO": "1"}
    env.pop("DATABASE_URL", None)  # the temporary folder's own SQLite database
    port = free_port()
    server = None
    try:
        print("loading the demo district …", flush=True)
        subprocess.run([GRIDGOV, "demo", "--no-serve"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        server = subprocess.Popen([GRIDGOV, "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the demo server did not start") from None
                time.sleep(0.5)
        yield base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)


def setup_django():
    """URL names → paths (no database needed)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    if "GRIDGOV_DATA_DIR" not in os.environ:
        # Settings want a data folder; this process only reverses URL names.
        scratch = tempfile.mkdtemp(prefix="gridgov-shots-cfg-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        os.environ["GRIDGOV_DATA_DIR"] = scratch
    import django

    django.setup()


def sign_in(page, base, username):
    import pyotp

    from gridgov.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRETS

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()
    for _attempt in range(2):
        if "/accounts/totp/" not in page.url:
            break
        totp = pyotp.TOTP(DEMO_TOTP_SECRETS[username])
        page.fill("input[name=code]", totp.now())
        page.locator("form:has(input[name=code]) [type=submit]").click()
        page.wait_for_load_state()
        if "/accounts/totp/" in page.url:
            # A code is accepted once (replay protection): wait for the next one.
            time.sleep(totp.interval - time.time() % totp.interval + 1)
    if "/accounts/" in page.url:
        raise RuntimeError(f"{username} could not sign in")


def open_page(page, base, spec) -> str | None:
    path = spec.path()
    if path is None:
        return None
    page.goto(base + path)
    if spec.link:
        pattern = re.compile(spec.link)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        target = next((h for h in hrefs if pattern.match(h.split("?")[0])), None)
        if not target:
            return None
        page.goto(base + target)
        path = target
    try:
        # Maps and charts fetch their data after the page loads; pages that poll never go
        # quiet, so wait a little, not forever.
        page.wait_for_load_state("networkidle", timeout=6000)
    except Exception:  # noqa: BLE001 - a polling page: photograph it as it is
        pass
    page.wait_for_timeout(400)
    return path


def save(png: bytes, path: Path) -> int:
    """Cut at MAX_HEIGHT, reduce to COLOURS colours, write; the size of the file."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    image = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    image.save(path, optimize=True)
    return path.stat().st_size


def shoot(base, out: Path, roles, widths) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from gridgov.web.tests.main_pages import ANONYMOUS, ROLE_PAGES

    pages_by_role = {"anonymous": ANONYMOUS, **ROLE_PAGES}
    shots = []
    # The examples page looks the same for everyone: photographed once.
    once, done = {"ui"}, set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--lang=zh-CN"])  # the browser's own words (file pickers, date fields) in Chinese
        for role in roles:
            state = None  # signed in once per role: a TOTP code works only once
            for width in widths:
                phone = width < 600
                context = browser.new_context(
                    viewport={"width": width, "height": HEIGHTS.get(width, 900)},
                    is_mobile=phone, has_touch=phone, device_scale_factor=1, locale="zh-CN",
                    storage_state=state)
                page = context.new_page()
                if role != "anonymous" and state is None:
                    sign_in(page, base, role)
                    state = context.storage_state()
                for spec in pages_by_role[role]:
                    if spec.slug in once and (spec.slug, width) in done:
                        continue
                    done.add((spec.slug, width))
                    path = open_page(page, base, spec)
                    if path is None:
                        continue
                    name = f"{role}-{spec.slug}-{width}.png"
                    size = save(page.screenshot(full_page=True), out / name)
                    shots.append({"role": role, "slug": spec.slug, "path": path,
                                  "width": width, "file": name, "size": size})
                    print(f"{name:55} {size // 1024:5d} KB", flush=True)
                context.close()
        browser.close()
    return shots


def write_index(out: Path, shots: list[dict]) -> None:
    lines = [
        "# Screenshots of each role's main pages",
        "",
        "Made by `scripts/screenshots.py` from the Haishu demo (`gridgov demo`): desktop 1440 px",
        "and phone 390 px wide, cut at 1600 px of height. The pages are those of",
        "`gridgov/web/tests/main_pages.py`. Refresh: `.venv/bin/python scripts/screenshots.py`.",
        "",
    ]
    by_role: dict[str, dict[str, dict]] = {}
    for shot in shots:
        by_role.setdefault(shot["role"], {}).setdefault(shot["slug"], {"path": shot["path"]})
        by_role[shot["role"]][shot["slug"]][shot["width"]] = shot["file"]
    for role, pages in by_role.items():
        lines += [f"## {ROLE_NAMES.get(role, role)} (`{role}`)", "", "| page | desktop | phone |",
                  "|---|---|---|"]
        for entry in pages.values():
            cells = [f"[{entry[w]}]({entry[w]})" if w in entry else "–" for w in (1440, 390)]
            lines.append(f"| `{entry['path']}` | {cells[0]} | {cells[1]} |")
        lines.append("")
    total = sum(s["size"] for s in shots)
    lines.append(f"{len(shots)} pictures, {total / 1024 / 1024:.1f} MB.")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a running demo server (default: start one)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--roles", nargs="*", help="user names (default: every role)")
    parser.add_argument("--widths", default="1440,390")
    args = parser.parse_args(argv)
    setup_django()
    from gridgov.web.tests.main_pages import ROLE_PAGES

    roles = args.roles or ["anonymous", *ROLE_PAGES]
    widths = [int(w) for w in args.widths.split(",")]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not args.roles:
        for old in out.glob("*.png"):
            old.unlink()
    if args.base:
        shots = shoot(args.base.rstrip("/"), out, roles, widths)
    else:
        with demo_server() as base:
            shots = shoot(base, out, roles, widths)
    if not args.roles:
        write_index(out, shots)
    total = sum(s["size"] for s in shots)
    print(f"{len(shots)} screenshots, {total / 1024 / 1024:.1f} MB in {out}")


if __name__ == "__main__":
    main()
