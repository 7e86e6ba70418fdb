"""Check the built documentation site in a real browser: Debian's headless Chromium.

    python scripts/docs_browser.py [--site-dir site] [--chromium /usr/bin/chromium]
                                   [--screenshots site-check]

Serves the built site (`mkdocs build`) on 127.0.0.1 and, through Playwright driving the
system's Chromium with a fresh profile, checks that:

- every page of mkdocs.yml's nav answers 200 and renders: a heading, some text, no
  JavaScript error, no failed request and no 4xx/5xx answer from the site itself;
- navigation works: the side navigation lists every page, and clicking an entry opens it;
- search works: typing a term shows results, and the first result opens a page holding it.

Prints one line per check and exits 1 naming each failure. Screenshots (the home page and the
search results) go to --screenshots, for a person to look at. `nox -s docs_browser` runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# What the brief of the check asks of Chromium: headless, no sandbox (containers), nothing
# that reaches the network on its own, a profile of its own (Playwright's user data dir).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEARCH_TERM = "LocalScaleway"
TIMEOUT_MS = 15_000  # any one wait; a page of this site loads in well under a second


def nav_pages(config: Path) -> list[tuple[str, str]]:
    """(title, path under the site) of each page in mkdocs.yml's nav, in order."""
    nav: list[dict[str, str]] = yaml.safe_load(config.read_text(encoding="utf-8"))["nav"]
    pages = []
    for entry in nav:
        ((title, source),) = entry.items()
        path = "" if source == "index.md" else source.removesuffix(".md") + "/"
        pages.append((title, path))
    return pages


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(site: Path) -> Iterator[str]:
    """The site on a free loopback port, for as long as the block runs."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


class Checks:
    """Collects outcomes; prints each as it comes."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.count = 0

    def check(self, ok: bool, what: str) -> None:
        self.count += 1
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.failures.append(what)


def check_pages(page: Page, base: str, pages: list[tuple[str, str]], checks: Checks) -> None:
    for title, path in pages:
        errors: list[str] = []
        failed: list[str] = []

        def on_error(error: Any, errors: list[str] = errors) -> None:
            errors.append(str(error))

        def on_failed(request: Any, failed: list[str] = failed) -> None:
            # ERR_ABORTED: a request cut short by leaving the page (the search worker), not
            # a missing file (that is a 404 response, or a refused connection)
            if request.url.startswith(base) and "ERR_ABORTED" not in (request.failure or ""):
                failed.append(f"{request.url} ({request.failure})")

        def on_response(response: Any, failed: list[str] = failed) -> None:
            if response.url.startswith(base) and response.status >= 400:
                failed.append(f"{response.url} (HTTP {response.status})")

        page.on("pageerror", on_error)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        response = page.goto(base + path, wait_until="load")
        status = response.status if response else 0
        heading = page.locator("article h1").first.inner_text(timeout=TIMEOUT_MS).strip()
        text = page.locator("article").first.inner_text(timeout=TIMEOUT_MS)
        page.remove_listener("pageerror", on_error)
        page.remove_listener("requestfailed", on_failed)
        page.remove_listener("response", on_response)
        checks.check(
            status == 200 and bool(heading) and len(text) > 200 and not errors and not failed,
            f"page {title!r} (/{path}): HTTP {status}, h1 {heading[:50]!r}, {len(text)} chars"
            + (f", JS errors {errors}" if errors else "")
            + (f", failed requests {failed}" if failed else ""),
        )


def check_navigation(page: Page, base: str, pages: list[tuple[str, str]], checks: Checks) -> None:
    page.goto(base, wait_until="load")
    primary = page.locator("nav.md-nav--primary")
    listed = [" ".join(t.split()) for t in primary.locator("a.md-nav__link").all_inner_texts()]
    missing = [title for title, _ in pages if title not in listed]
    checks.check(not missing, f"side navigation lists every page (missing: {missing})")
    title, path = pages[1]
    primary.get_by_role("link", name=title, exact=True).first.click()
    page.wait_for_url(base + path, timeout=TIMEOUT_MS)
    checks.check(page.url == base + path, f"clicking {title!r} in the navigation opens /{path}")
    page.locator("a.md-footer__link--next").click()
    next_title, next_path = pages[2]
    page.wait_for_url(base + next_path, timeout=TIMEOUT_MS)
    checks.check(page.url == base + next_path, f"the footer's Next link opens {next_title!r}")


def check_search(page: Page, base: str, checks: Checks, screenshots: Path) -> None:
    page.goto(base, wait_until="load")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    field = page.locator("input.md-search__input")
    results = page.locator("li.md-search-result__item")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    # The index loads in a web worker: a query typed before it is ready is not run again,
    # so type it again, as a person would, until results show (bounded).
    while results.count() == 0 and time.monotonic() < deadline:
        field.fill("")
        field.press_sequentially(SEARCH_TERM)
        page.wait_for_timeout(500)
    found = results.count()
    page.screenshot(path=str(screenshots / "search.png"))
    checks.check(found > 0, f"search for {SEARCH_TERM!r} shows {found} results")
    if found:
        results.first.locator("a").first.click()
        page.wait_for_load_state("load")
        body = page.locator("article").first.inner_text(timeout=TIMEOUT_MS)
        checks.check(SEARCH_TERM in body, f"the first result ({page.url}) holds {SEARCH_TERM!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "site-check")
    args = parser.parse_args(argv)
    args.screenshots.mkdir(parents=True, exist_ok=True)
    pages = nav_pages(args.config)
    checks = Checks()
    started = time.perf_counter()
    with (
        serving(args.site_dir) as base,
        sync_playwright() as playwright,
        tempfile.TemporaryDirectory(prefix="docs-chromium-") as profile,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,  # a fresh --user-data-dir
            executable_path=args.chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            check_pages(page, base, pages, checks)
            page.goto(base, wait_until="load")
            page.screenshot(path=str(args.screenshots / "home.png"), full_page=False)
            check_navigation(page, base, pages, checks)
            check_search(page, base, checks, args.screenshots)
        finally:
            context.close()
    seconds = time.perf_counter() - started
    passed = checks.count - len(checks.failures)
    print(f"{passed} of {checks.count} checks passed in {seconds:.1f} s")
    print(f"screenshots: {args.screenshots}")
    for failure in checks.failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if checks.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
