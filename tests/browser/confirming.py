"""The confirmation dialog of irreversible actions (zgcfund/_confirm_dialog.html, js/confirm.js): a button
with data-confirm opens it; the form is sent only when its confirm button is pressed."""

from __future__ import annotations

from playwright.sync_api import expect


def confirm_dialog(page):
    return page.get_by_test_id("confirm-dialog")


def accept(page, message: str | None = None, *, ok: str | None = None) -> None:
    """The dialog is open (naming ``message`` when given): press its confirm button (labelled ``ok``)."""
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    if message is not None:
        expect(dialog.get_by_test_id("confirm-dialog-message")).to_contain_text(message)
    button = dialog.get_by_test_id("confirm-dialog-ok")
    if ok is not None:
        expect(button).to_have_text(ok)
    button.click()
    expect(dialog).to_be_hidden()


def dismiss(page) -> None:
    """The dialog is open: cancel it (nothing is sent)."""
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("confirm-dialog-cancel").click()
    expect(dialog).to_be_hidden()
