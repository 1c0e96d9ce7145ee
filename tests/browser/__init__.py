"""Browser tests: the real pages in headless Chromium through dash_duo."""
