"""Browser-test fixtures beyond tests/conftest.py's chromium/page: more pages, logging a page in."""

from __future__ import annotations

import pytest


@pytest.fixture
def new_page(chromium):
    """More pages, each in its own browser context (its own cookies): two people at once."""
    contexts = []

    def make():
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        contexts.append(context)
        extra = context.new_page()
        extra.set_default_timeout(15_000)
        return extra
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(live_server):
    """Log a page in as ``user`` without the login form (a session made by Django's test client)."""
    from django.test import Client

    def log_in(page, user):
        client = Client()
        client.force_login(user)
        page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                   "url": live_server.url}])
        return page
    return log_in
