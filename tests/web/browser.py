"""Headless Chromium for the page tests: Debian's chromium driven by Playwright for Python
(which cannot download browsers of its own here)."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# axe-core from npm (package.json), injected into the page for the accessibility audit
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# where to write the README's screenshots (set NMR_POOLS_WEB_SCREENSHOTS=docs to write them)
SCREENSHOTS_ENV = "NMR_POOLS_WEB_SCREENSHOTS"
# viewport of every page (and of the screenshots)
VIEWPORT = {"width": 1280, "height": 900}
# milliseconds Playwright waits for something to appear on the page
TIMEOUT_MS = 20_000
