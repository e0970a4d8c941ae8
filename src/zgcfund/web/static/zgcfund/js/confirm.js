/* Irreversible actions ask first: a submit button with data-confirm="…" opens the page's one
   <dialog id="confirm-dialog"> (zgcfund/_confirm_dialog.html) with that message instead of submitting.
   "确认" sends the form with the same button (its name/value kept); "取消" or Esc sends nothing and
   returns focus to the button. Without JavaScript, or a browser without <dialog>, the form submits as before. */
(function () {
  "use strict";
  var pending = null; // {form, submitter} while the dialog is open
  var confirmed = new WeakMap(); // form -> the submitter allowed through once

  function dialog() { return document.getElementById("confirm-dialog"); }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var box = dialog();
    if (!submitter || !submitter.hasAttribute("data-confirm") || !box || typeof box.showModal !== "function") {
      return;
    }
    if (confirmed.get(form) === submitter) { // the confirmed submission: let it (and the form's own handlers) go
      confirmed.delete(form);
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation(); // the form's own handlers ("正在提交…") run only for the real submission
    if (box.open) { return; }
    pending = { form: form, submitter: submitter };
    box.querySelector("#confirm-dialog-message").textContent = submitter.getAttribute("data-confirm");
    var ok = box.querySelector("[value=confirm]");
    ok.textContent = submitter.getAttribute("data-confirm-ok") || ok.getAttribute("data-default-label");
    box.returnValue = "";
    box.showModal();
    box.querySelector("[value=cancel]").focus(); // the safe choice has the focus
  }, true); // capture: before any handler on the form itself

  document.addEventListener("close", function (event) {
    var box = event.target;
    if (box !== dialog() || !pending) { return; }
    var form = pending.form, submitter = pending.submitter;
    pending = null;
    if (box.returnValue === "confirm") {
      confirmed.set(form, submitter);
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitter);
      } else {
        submitter.removeAttribute("data-confirm");
        submitter.click();
      }
    } else {
      submitter.focus();
    }
  }, true); // "close" does not bubble: listen in the capture phase
})();
