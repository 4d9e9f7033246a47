"""Browser tests: Debian chromium driven by Playwright (sync API) against pytest-django's live server.

The fixtures (`browser`, `new_page`, `browser_world`, `artifacts`) live in tests/conftest.py so that every
app's browser tests share one browser per test process.
"""
