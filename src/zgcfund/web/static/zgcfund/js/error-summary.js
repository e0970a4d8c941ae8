/* Errors are shown where the user is looking: after a page load or an htmx swap that brings an error
   summary ([data-error-summary], zgcfund/_error_summary.html), the page scrolls to it and moves focus there.
   Its links move focus to the field in error. */
(function () {
  "use strict";
  if (window.zgcfundErrorSummary) { return; }
  window.zgcfundErrorSummary = true;

  function summaryIn(root) {
    if (!root || !root.querySelector) { return null; }
    if (root.matches && root.matches("[data-error-summary]")) { return root; }
    return root.querySelector("[data-error-summary]");
  }

  function show(root) {
    var summary = summaryIn(root);
    if (!summary || summary.dataset.shown) { return; }
    summary.dataset.shown = "1";
    summary.scrollIntoView({ block: "start" });
    summary.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var label = field.closest(".form-field, fieldset, td") || field;
    label.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  if (window.htmx) { window.htmx.onLoad(show); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { show(document); });
  } else {
    show(document);
  }
})();
