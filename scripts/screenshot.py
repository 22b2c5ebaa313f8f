"""Screenshots of pages as a person sees them (for looking, not for tests).

usage: .venv/bin/python scripts/screenshot.py URL OUT.png [--width 390] [--login EMAIL PASSWORD]
"""

import argparse
import shutil

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--login", nargs=2, metavar=("EMAIL", "PASSWORD"))
    parser.add_argument("--no-js", action="store_true")
    options = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        context = browser.new_context(
            viewport={"width": options.width, "height": 900},
            java_script_enabled=not options.no_js,
            locale="ja-JP",
        )
        page = context.new_page()
        if options.login:
            base = options.url.split("/", 3)[:3]
            page.goto("/".join(base) + "/accounts/login/")
            page.fill("input[name=username]", options.login[0])
            page.fill("input[name=password]", options.login[1])
            page.click("button[type=submit]")
        page.goto(options.url)
        page.screenshot(path=options.out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
