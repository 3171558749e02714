"""Every main page of every role (``main_pages.py``) at phone width, in a real browser
(``-m browser``): the page never scrolls sideways at 390 px, and under Chinese (zh-hans) no
untranslated English word shows.

The text check reads what a person sees: visible text nodes, placeholders and button values,
leaving out code-like parts on purpose (``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``,
``[translate=no]``: case numbers, area codes, user names) and the choices inside ``<select>``
(the language switch names English in English). A word is four or more Latin letters in a row
that is not in ``ENGLISH_ALLOWED`` (tokens with digits are numbers or codes, not words).
"""

import re

import pyotp
import pytest

from gridgov.core.testing import DEMO_PASSWORD
from gridgov.demo.users import DEMO_TOTP_SECRETS

from .main_pages import ANONYMOUS, ENGLISH_ALLOWED, ROLE_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}

# Visible text of the page (JavaScript run in the page; see the module docstring).
VISIBLE_TEXT = """() => {
  const SKIP = "code, pre, kbd, samp, script, style, noscript, select, option, textarea, svg,"
    + " [translate=no], .leaflet-control-attribution";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest(SKIP) || !el.checkVisibility()) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  document.querySelectorAll("input[placeholder], textarea[placeholder]").forEach((el) => {
    if (el.checkVisibility()) out.push(el.placeholder);
  });
  document.querySelectorAll("input[type=submit], input[type=button]").forEach((el) => {
    if (el.checkVisibility()) out.push(el.value);
  });
  return out.join("\\n");
}"""
OVERFLOW = """() => {
  const width = window.innerWidth, wide = [];
  document.querySelectorAll("body *").forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0 && !el.closest(".leaflet-container")) {
      const cls = typeof el.className === "string" ? el.className.trim() : "";
      wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (cls ? "." + cls.split(/\\s+/).join(".") : "") + " " + Math.round(r.right) + "px");
    }
  });
  return {scroll: document.documentElement.scrollWidth, inner: width, wide: wide.slice(0, 5)};
}"""
URL = re.compile(r"\w+://\S+|\S+@\S+\.\w+")
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.'’-]*[A-Za-z0-9]|[A-Za-z]")
LETTERS = re.compile(r"[A-Za-z]{4,}")


def english_words(text: str) -> list[str]:
    """The untranslated words in a page's visible text."""
    words = set()
    for token in TOKEN.findall(URL.sub(" ", text)):
        if token in ENGLISH_ALLOWED or token.rstrip(".") in ENGLISH_ALLOWED:
            continue
        if any(c.isdigit() for c in token):  # a number, code or hash, not a word
            continue
        if LETTERS.search(token):
            words.add(token)
    return sorted(words)


def test_english_words_finds_leaks_and_passes_codes():
    assert english_words("审计动作 accounts.totp_verified,操作人 audit_admin") == [
        "accounts.totp_verified", "audit_admin"]
    assert english_words("Not Found") == ["Found"]
    assert english_words("事件 E2026120200000031 已派遣;导出 CSV、Excel;API 文档") == []
    assert english_words("坐标系 WGS-84 / GCJ-02,见 https://example.org/path") == []


def sign_in_as(page, base, username):
    """The sign-in form, then the TOTP step for the administrators (demo secrets)."""
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/totp/" in page.url:
        page.fill("input[name=code]", pyotp.TOTP(DEMO_TOTP_SECRETS[username]).now())
        page.locator("form:has(input[name=code]) [type=submit]").click()
        page.wait_for_load_state()
    assert "/accounts/" not in page.url, f"{username} could not sign in ({page.url})"


def open_page(page, base, spec) -> str | None:
    """Open one listed page; its path, or None when the page does not exist here."""
    path = spec.path()
    if path is None:
        return None
    response = page.goto(base + path)
    assert response is not None and response.status == 200, (spec.slug, path)
    if spec.link:
        pattern = re.compile(spec.link)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        target = next((h for h in hrefs if pattern.match(h.split("?")[0])), None)
        assert target, f"{spec.slug}: no link matching {spec.link} on {path}"
        response = page.goto(base + target)
        assert response is not None and response.status == 200, (spec.slug, target)
        path = target
    page.wait_for_load_state("load")
    return path


def check_pages(browser, base, username, pages):
    """Open each page at 390 px; the problems found, one line each."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    # The command room's page loads its queues, map and counters from one live-server thread;
    # on a loaded two-core machine (tests in parallel) that has taken over 30 s.
    page.set_default_navigation_timeout(90_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems = []
    try:
        if username:
            sign_in_as(page, base, username)
        for spec in pages:
            path = open_page(page, base, spec)
            if path is None:
                continue
            assert page.get_attribute("html", "lang") == "zh-hans", path
            box = page.evaluate(OVERFLOW)
            if box["scroll"] > box["inner"] + 1:
                problems.append(f"{username or 'anonymous'} {path}: {box['scroll']} px wide at "
                                f"{box['inner']} px: {', '.join(box['wide'])}")
            words = english_words(page.evaluate(VISIBLE_TEXT)) if spec.chinese else []
            if words:
                problems.append(f"{username or 'anonymous'} {path}: English {words[:12]}")
            for message in errors:
                problems.append(f"{username or 'anonymous'} {path}: script error {message}")
            errors.clear()
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("username", sorted(ROLE_PAGES))
def test_main_pages_fit_a_phone_and_speak_chinese(username, server_url, browser):
    problems = check_pages(browser, server_url, username, ROLE_PAGES[username])
    assert problems == [], "\n".join(problems)


def test_anonymous_pages_fit_a_phone_and_speak_chinese(server_url, browser):
    problems = check_pages(browser, server_url, None, ANONYMOUS)
    assert problems == [], "\n".join(problems)


def test_toasts_from_script_appear_and_close(grid_worker, server_url, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    sign_in_as(page, server_url, grid_worker.username)
    page.goto(server_url + "/ui/")
    page.evaluate("window.gg.toast('事件已派遣。', 'danger')")
    toast = page.locator("#gg-toasts .gg-toast-danger")
    toast.wait_for(state="visible")
    assert toast.get_attribute("role") == "alert"
    assert "事件已派遣。" in toast.inner_text()
    assert page.get_attribute("#gg-toasts", "aria-live") == "polite"
    # Text, never markup.
    page.evaluate("window.gg.toast('<b>粗体</b>', 'info')")
    assert page.locator("#gg-toasts .gg-toast-info b").count() == 0
    # The close button removes it (a danger toast stays until closed).
    toast.locator("[data-gg-toast-close]").click()
    toast.wait_for(state="detached")
    # The examples page's buttons raise toasts without script of their own.
    page.click("[data-gg-toast-kind=ok]")
    page.locator("#gg-toasts .gg-toast-ok").wait_for(state="visible")
    box = page.evaluate(OVERFLOW)
    assert box["scroll"] <= box["inner"] + 1
    context.close()
