"""Accessibility audit: axe-core (from npm) run inside the page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.web.browser import AXE

# impacts that fail the audit (axe also reports "minor" and "moderate")
FAILING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of serious or critical impact on the page as it is now."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make env` (npm installs axe-core)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(RUN_AXE)
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]
