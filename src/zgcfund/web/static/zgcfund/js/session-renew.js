/* Nobody loses work when the session ends or the page's CSRF token is stale.
   An htmx request answered with the header X-Zgcfund-Auth (401 "login": the session ended; 403 "csrf": the
   token is stale, web.errors) is not swapped in: the answer (a login form, or a "继续保存" button) is shown in
   a dialog. The login posts with fetch; the page then takes the fresh CSRF token (from the page the login
   redirects to), puts it into every form and the hx-headers of <body>, and sends the original request again
   from the same element, so the values typed and the files chosen in the form are saved. */
(function () {
  "use strict";
  if (window.zgcfundSessionRenew) { return; }
  window.zgcfundSessionRenew = true;

  var pending = [];  // requests to send again once the session is renewed
  var dialog = null;

  function authKind(xhr) {
    var kind = xhr.getResponseHeader("X-Zgcfund-Auth");
    if (kind) { return kind; }
    return xhr.status === 401 ? "login" : "";
  }

  function ensureDialog() {
    if (dialog) { return dialog; }
    dialog = document.createElement("dialog");
    dialog.className = "session-dialog";
    dialog.id = "session-dialog";
    dialog.setAttribute("aria-labelledby", "session-renew-title");
    dialog.setAttribute("data-testid", "session-dialog");
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); giveUp(); });
    document.body.appendChild(dialog);
    return dialog;
  }

  function open(html) {
    var box = ensureDialog();
    box.innerHTML = html;
    var form = box.querySelector("[data-session-login]");
    if (form) { form.addEventListener("submit", logIn); }
    var retry = box.querySelector("[data-session-retry]");
    if (retry) {
      retry.addEventListener("click", function () {
        var holder = box.querySelector("[data-csrf-token]");
        renewed(holder ? holder.getAttribute("data-csrf-token") : "");
      });
    }
    box.querySelectorAll("[data-session-cancel]").forEach(function (button) {
      button.addEventListener("click", giveUp);
    });
    if (!box.open) {
      if (box.showModal) { box.showModal(); } else { box.setAttribute("open", ""); }
    }
    var first = box.querySelector("input:not([type=hidden]), [data-session-retry]");
    if (first) { first.focus(); }
  }

  function close() {
    if (!dialog) { return; }
    if (dialog.open && dialog.close) { dialog.close(); } else { dialog.removeAttribute("open"); }
    dialog.innerHTML = "";
  }

  function giveUp() {
    var holder = dialog && dialog.querySelector("[data-not-saved]");
    var text = holder ? holder.getAttribute("data-not-saved") : "";
    pending = [];
    close();
    var box = document.getElementById("request-error");
    if (box && text) {  // the form keeps its values: say that nothing was saved, where the user looks
      box.textContent = text;
      box.hidden = false;
      box.focus();
    }
  }

  function showLoginErrors(form, items) {
    var list = form.querySelector("[data-session-errors]");
    if (!list) { return; }
    list.textContent = "";
    items.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    list.hidden = !items.length;
    var password = form.querySelector("input[type=password]");
    if (password) { password.value = ""; password.focus(); }
  }

  function tokenIn(doc) {
    var input = doc.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function logIn(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var button = form.querySelector("[type=submit]");
    if (button) { button.disabled = true; }
    var data = new FormData(form);
    data.set("next", window.location.pathname + window.location.search);
    var loginPath = new URL(form.action, window.location.href).pathname;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) { return { response: response, text: text }; });
      })
      .then(function (result) {
        if (button) { button.disabled = false; }
        var doc = new DOMParser().parseFromString(result.text, "text/html");
        var landed = new URL(result.response.url, window.location.href).pathname;
        if (landed === loginPath) {
          // refused (wrong password, locked, ...): the login page's messages, shown in the dialog
          var found = [];
          doc.querySelectorAll("main form .errorlist li").forEach(function (li) { found.push(li.textContent.trim()); });
          if (!found.length) { found.push((form.dataset.failed || "%s").replace("%s", result.response.status)); }
          var fresh = tokenIn(doc);
          if (fresh) { form.querySelector("input[name=csrfmiddlewaretoken]").value = fresh; }
          showLoginErrors(form, found);
          return;
        }
        var token = tokenIn(doc);
        if (token) { renewed(token); return; }
        // the page after login had no form: any page of the site carries a token
        fetch("/", { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (text) {
          renewed(tokenIn(new DOMParser().parseFromString(text, "text/html")));
        });
      })
      .catch(function () {
        if (button) { button.disabled = false; }
        var box = document.getElementById("request-error");
        showLoginErrors(form, [box ? box.dataset.offline : "offline"]);
      });
  }

  function useToken(token) {
    if (!token) { return; }
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) { input.value = token; });
    var headers = {};
    try { headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { headers = {}; }
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
  }

  function renewed(token) {
    useToken(token);
    close();
    var again = pending;
    pending = [];
    again.forEach(function (request) {
      if (!document.body.contains(request.elt)) { return; }
      window.htmx.ajax(request.verb, request.path, { source: request.elt });
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var kind = authKind(detail.xhr);
    if (!kind) { return; }
    event.preventDefault();  // nothing is swapped: the form keeps its values and files
    var config = detail.requestConfig || {};
    var elt = detail.requestConfig && detail.requestConfig.elt || detail.elt;
    var known = pending.some(function (request) { return request.elt === elt && request.path === config.path; });
    if (!known) { pending.push({ elt: elt, verb: config.verb || "get", path: config.path }); }
    var asking = dialog && dialog.open;
    if (!asking || kind === "login" && !dialog.querySelector("[data-session-login]")) { open(detail.xhr.responseText); }
  });
})();
