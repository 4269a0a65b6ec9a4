"""Screenshots of the console's main pages, for the README: loads the demo (idempotent), serves it
with `manage.py runserver` on a free port, and photographs each page in Debian's Chromium through
Playwright, at 1280x800 and one page at 360 px wide, into docs/screenshots/.

    DATABASE_URL=postgis://... .venv/bin/python scripts/screenshots.py [--no-load]

Run it against a demo database only: the pictures show whatever the database holds."""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "demo-password-2026"  # noqa: S105 - the demo accounts' published password (demo/network.py)

# (file, account, path or a step that finds the page, viewport width)
SHOTS = [
    ("login.png", None, "/app/login/", 1280),
    ("inbox.png", "haven.caseworker", "/app/inbox/", 1280),
    ("referral.png", "haven.caseworker", "first-referral", 1280),
    ("new-referral.png", "police.caseworker", "/app/referrals/new/", 1280),
    ("directory-map.png", "haven.caseworker", "/app/directory/", 1280),
    ("statistics.png", "platform.analyst", "/app/statistics/", 1280),
    ("facilities.png", "haven.caseworker", "/app/organisation/facilities/", 1280),
    ("inbox-phone.png", "haven.caseworker", "/app/inbox/", 360),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/app/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/app/login/" not in url)


def open_page(page, base: str, where: str) -> None:
    if where == "first-referral":
        page.goto(f"{base}/app/inbox/")
        page.locator("main a[href^='/app/referrals/']").first.click()
        page.wait_for_load_state()
    else:
        page.goto(f"{base}{where}")
    if page.locator("#map").count():
        page.wait_for_selector("#map[data-state=ready]", timeout=20_000)
        page.wait_for_timeout(500)  # Leaflet's fit-to-bounds animation


def photograph(base: str) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        contexts = {}
        for name, account, where, width in SHOTS:
            key = (account, width)
            if key not in contexts:
                context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
                page = context.new_page()
                if account:
                    sign_in(page, base, account)
                contexts[key] = (context, page)
            page = contexts[key][1]
            open_page(page, base, where)
            page.screenshot(path=str(OUT / name), full_page=False)
            print(f"{name}: {(OUT / name).stat().st_size // 1024} KB")
        for context, _page in contexts.values():
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-load", action="store_true", help="the demo is loaded already")
    options = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL to the demo database")
    python = sys.executable
    if not options.no_load:
        subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own manage.py
    port = free_port()
    server = subprocess.Popen([python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        photograph(base)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
