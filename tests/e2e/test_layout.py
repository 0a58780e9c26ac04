"""The layout fits: for every role, every page of its navigation, in Japanese and English, at
1280×800, 1366×768 and 390×844, the page never scrolls sideways, no navigation label or button
label is clipped or broken over two lines, no table header breaks, a table wider than the page
scrolls in its own box, and the navigation can be reached with the keyboard.

One browser, one context per role; each page is loaded once per language and measured at every
width by resizing the viewport. Problems are collected and reported together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections.schedule import ScheduleRules, run_schedule
from article8.core.audit import Actor
from article8.ops.demo import DEMO_LOGINS, DemoLogin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

VIEWPORTS = [(1280, 800), (1366, 768), (390, 844)]
NARROW = 992  # below this width the menu is behind its button (article8.css)
LANGUAGES = ["ja", "en"]

# Measures the page as laid out now; returns one line per problem. An element "breaks" when its
# text occupies more than one line box; it is "clipped" when its content is wider than its box.
MEASURE = """
({ menuOpen }) => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    problems.push(`page scrolls sideways: ${doc.scrollWidth}px wide in ${window.innerWidth}px`);
  }
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const lines = (el) => {
    // Line boxes of the element's text: rectangles that overlap vertically share a line.
    const rects = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) if (rect.width > 0) rects.push(rect);
    }
    rects.sort((a, b) => a.top - b.top);
    let count = 0, bottom = -Infinity;
    for (const rect of rects) {
      if (rect.top >= bottom - 1) count += 1;
      bottom = Math.max(bottom, rect.bottom);
    }
    return count;
  };
  const label = (el) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}"`;
  const single = (selector, what) => {
    for (const el of document.querySelectorAll(selector)) {
      if (!visible(el)) continue;
      if (lines(el) > 1) problems.push(`${what} breaks over ${lines(el)} lines: ${label(el)}`);
      if (el.scrollWidth > el.clientWidth + 1) {
        const size = `${el.scrollWidth}px in ${el.clientWidth}px`;
        problems.push(`${what} is clipped (${size}): ${label(el)}`);
      }
    }
  };
  const wide = window.innerWidth >= NARROW;
  if (wide || menuOpen) {
    single('[data-testid=nav] a, .a8-nav-heading', 'navigation label');
  }
  single('.a8-topbar .btn, .a8-user .btn, main .btn', 'button label');
  single('main thead th', 'table header');
  for (const table of document.querySelectorAll('main table')) {
    const main = document.querySelector('main');
    if (table.getBoundingClientRect().right <= main.getBoundingClientRect().right + 1) continue;
    let box = table.parentElement, scrolls = false;
    while (box && box !== main) {
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) { scrolls = true; break; }
      box = box.parentElement;
    }
    if (!scrolls) problems.push(`table wider than the page, no scroll box: ${label(table)}`);
  }
  return problems;
}
""".replace("NARROW", str(NARROW))


def _arrange(live_server: LiveServer) -> None:
    """Tables with rows: the catalogue, and this period's inspections opened 50 days ago."""
    past = datetime.now(UTC) - timedelta(days=50)
    database = live_server.app.extensions["article8.database"]
    with database.unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=past)
        rules = ScheduleRules.from_settings(live_server.app.extensions["article8.settings"])
        run_schedule(session, rules, now=past)


def _sign_in(page: Page, base: str, login: DemoLogin) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(login.name)


def _set_language(page: Page, lang: str) -> None:
    """Switch through the top bar's form (at a wide width both buttons are shown)."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator(f"[data-testid=language-switch] button[value={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _nav_paths(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=nav] a", "links => links.map(a => a.getAttribute('href'))"
    )


def _keyboard_reaches_nav(page: Page, width: int) -> list[str]:
    """From the language switch, Tab (and Enter on the menu button when narrow) reaches the
    first navigation link and the sign-out button is then on screen."""
    problems = []
    page.locator("[data-testid=language-switch] button:visible").last.focus()
    page.keyboard.press("Tab")
    if width < NARROW:
        focused = page.evaluate("document.activeElement.closest('[data-testid=menu] > summary')")
        if focused is None:
            return ["Tab from the language switch does not reach the menu button"]
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
    first = page.locator("[data-testid=nav] a").first
    if not first.evaluate("link => link === document.activeElement"):
        problems.append("the keyboard does not reach the first navigation link")
    if not first.is_visible() or not page.locator('form[action="/logout"] button').is_visible():
        problems.append("the navigation or the sign-out button is not shown")
    if width < NARROW:
        page.locator("[data-testid=menu] > summary").click()  # close it again
    return problems


def _measure(page: Page, where: str) -> list[str]:
    """Every width, and on narrow screens with the menu open too."""
    problems = []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        found = page.evaluate(MEASURE, {"menuOpen": False})
        if width < NARROW:
            summary = page.locator("[data-testid=menu] > summary")
            if not summary.is_visible():
                found.append("the menu button is not shown")
            else:
                summary.click()
                found += page.evaluate(MEASURE, {"menuOpen": True})
                summary.click()
        problems += [f"{where} at {width}px: {problem}" for problem in found]
    return problems


def test_every_page_fits_for_every_role_language_and_width(
    browser: Browser, live_server: LiveServer
) -> None:
    _arrange(live_server)
    base = live_server.url
    problems: list[str] = []
    pages_seen = 0
    for login in DEMO_LOGINS:
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            _sign_in(page, base, login)
            icon = page.locator("link[rel=icon]").get_attribute("href")
            assert icon and page.request.get(base + icon).ok, "the favicon is missing"
            paths = _nav_paths(page)
            assert len(paths) >= 6, f"{login.role} sees too few links: {paths}"
            for lang in LANGUAGES:
                _set_language(page, lang)
                for width, height in VIEWPORTS:
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(f"{base}/")
                    where = f"{login.role} {lang} keyboard at {width}px"
                    problems += [f"{where}: {p}" for p in _keyboard_reaches_nav(page, width)]
                for path in paths:
                    response = page.goto(base + path)
                    assert response is not None and response.ok, f"{path}: {response}"
                    problems += _measure(page, f"{login.role} {lang} {path}")
                    pages_seen += 1
        finally:
            context.close()
    assert pages_seen >= 40
    assert not problems, f"{len(problems)} layout problems:\n" + "\n".join(problems)
