/* When an htmx request fails (server error, request too large, too many requests, refused, network down),
   htmx leaves the form as it is; this shows why above the page and moves focus there, so the typed values
   stay and the user knows the save did not happen. */
(function () {
  "use strict";
  function box() { return document.getElementById("request-error"); }
  function show(html, text) {
    var el = box();
    if (!el) { return; }
    if (html) { el.innerHTML = html; } else { el.textContent = text; }
    el.hidden = false;
    el.scrollIntoView({ block: "nearest" });
    el.focus();
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var body = xhr.responseText || "";
    // A short server-rendered notice (our error fragments) is shown as it is; anything else gets a generic line.
    if (type.indexOf("text/html") === 0 && body.length < 4000 && body.indexOf("<html") === -1) {
      show(body, null);
    } else {
      show(null, box().dataset.generic.replace("%s", xhr.status));
    }
  });
  document.addEventListener("htmx:sendError", function () {
    show(null, box().dataset.offline);
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var el = box();
    if (el && !el.hidden) { el.hidden = true; el.innerHTML = ""; }
  });
})();
