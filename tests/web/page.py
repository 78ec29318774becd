"""What a person does on the page, as steps the tests call (Playwright, sync API)."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.web.browser import TIMEOUT_MS

# the page's Content-Security-Policy forbids eval, so Playwright's wait_for_function cannot run
# there: counters are polled from here (page.wait_for_timeout keeps the wallet's calls flowing)
POLL_MS = 50


def counter(page: Page, name: str) -> int:
    """A counter the page keeps on <body> (data-refreshes, data-actions)."""
    return int(page.locator("body").get_attribute(f"data-{name}") or 0)


def wait_counter(page: Page, name: str, above: int) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while counter(page, name) <= above:
        if time.monotonic() > deadline:
            raise AssertionError(f"the page's data-{name} stayed at {above} for {TIMEOUT_MS} ms")
        page.wait_for_timeout(POLL_MS)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    wait_counter(page, "refreshes", 0)


def refresh(page: Page) -> None:
    """Click Refresh and wait until the page has read the chain again."""
    before = counter(page, "refreshes")
    page.get_by_role("button", name="Refresh").click()
    wait_counter(page, "refreshes", before)


def connect(page: Page) -> None:
    before = counter(page, "refreshes")
    page.get_by_role("button", name="Connect wallet").click()
    wait_counter(page, "refreshes", before)
    expect(page.locator("#account-section")).to_be_visible()


def choose(page: Page, model: str) -> None:
    page.locator("#pools-body").get_by_role("button", name=model, exact=True).click()
    expect(page.locator("#pool-title")).to_have_text(f"Pool {model}")


def act(page: Page, click: Any) -> None:
    """Run one action (`click()` starts it) and wait until the page has finished it."""
    before = counter(page, "actions")
    click()
    wait_counter(page, "actions", before)


def deposit(page: Page, amount: str) -> None:
    page.get_by_label("NMR to deposit").fill(amount)
    act(page, lambda: page.get_by_role("button", name="Deposit", exact=True).click())


def redeem(page: Page, shares: str) -> None:
    page.get_by_label("Shares to redeem").fill(shares)
    act(page, lambda: page.get_by_role("button", name="Redeem", exact=True).click())


def claim(page: Page) -> None:
    act(page, lambda: page.get_by_role("button", name="Claim", exact=True).click())


def transaction(page: Page, label: str):
    """The transaction log's entry whose label is `label` (the newest one)."""
    return page.locator("#tx-log li", has=page.locator(".tx-label", has_text=label)).first


def expect_confirmed(page: Page, *labels: str) -> None:
    for label in labels:
        expect(transaction(page, label)).to_have_attribute("data-state", "confirmed")


def position_cell(page: Page, model: str, field: str):
    return page.locator(f'#positions-body tr[data-model="{model}"] [data-field="{field}"]')


def pool_cell(page: Page, model: str, field: str):
    return page.locator(f'#pools-body tr[data-model="{model}"] [data-field="{field}"]')
