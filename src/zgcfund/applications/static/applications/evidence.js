/* Evidence drop zones: choosing or dropping files uploads them at once through the zone's htmx form.
   Files over the per-file limit, or a choice over the per-request limit (the server would refuse it with
   413 unread), are explained next to the zone and not sent.
   Included by every record's evidence partial; initialises once, and again for content htmx swaps in. */
(function () {
  "use strict";
  if (window.zgcfundEvidence) return;
  window.zgcfundEvidence = true;

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function sizeText(n) {
    var mb = n / (1024 * 1024);
    if (mb >= 1) return (Math.round(mb * 10) / 10) + " MB";
    return Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function problems(form, files) {
    var maxFile = Number(form.dataset.maxFile) || 0, maxRequest = Number(form.dataset.maxRequest) || 0;
    var total = 0, out = [];
    Array.prototype.forEach.call(files, function (file) {
      total += file.size;
      // "20.04 MB" would read "20 MB, over the 20 MB limit": leave that rare case to the server's message.
      if (maxFile && file.size > maxFile && sizeText(file.size) !== sizeText(maxFile)) {
        out.push(form.dataset.fileTooBig.replace("{name}", file.name).replace("{size}", sizeText(file.size))
          .replace("{limit}", sizeText(maxFile)));
      }
    });
    if (!out.length && maxRequest && total > maxRequest) {
      out.push(form.dataset.batchTooBig.replace("{size}", sizeText(total)).replace("{limit}", sizeText(maxRequest)));
    }
    return out;
  }

  function showProblems(form, lines) {
    var list = form.querySelector("[data-evidence-error]");
    if (!list) return;
    list.textContent = "";
    lines.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    list.hidden = !lines.length;
  }

  function send(form, input) {
    var found = problems(form, input.files);
    showProblems(form, found);
    if (found.length) return;
    if (form.requestSubmit) form.requestSubmit();
    else if (window.htmx) window.htmx.trigger(form, "submit");
    else form.submit();
  }

  function init(zone) {
    if (zone.dataset.evidenceReady) return;
    var form = zone.closest("form");
    var input = zone.querySelector('input[type="file"]');
    if (!form || !input) return;
    zone.dataset.evidenceReady = "1";
    zone.classList.add("is-enhanced");
    var button = form.querySelector("[data-evidence-submit]");
    if (button) button.hidden = true; // uploads start on choose/drop

    input.addEventListener("change", function () { if (input.files.length) send(form, input); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        zone.classList.add("is-over");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (!zone.contains(event.relatedTarget)) zone.classList.remove("is-over");
      });
    });
    zone.addEventListener("drop", function (event) {
      zone.classList.remove("is-over");
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.stopPropagation();
      input.files = event.dataTransfer.files;
      if (input.files.length) send(form, input);
    });
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    // a material-type choice is saved on change (hx-trigger): its button is for the no-JS form only
    root.querySelectorAll(".record-evidence [data-material-submit]").forEach(function (b) { b.hidden = true; });
    if (root.matches && root.matches(".record-evidence .dropzone")) init(root);
    root.querySelectorAll(".record-evidence .dropzone").forEach(init);
  }

  // A file dropped beside a zone must not replace the page with the file.
  ["dragover", "drop"].forEach(function (type) {
    window.addEventListener(type, function (event) {
      var onFileInput = event.target && event.target.type === "file"; // other file inputs keep native drops
      if (hasFiles(event) && !onFileInput) event.preventDefault();
    });
  });

  if (window.htmx) window.htmx.onLoad(scan);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { scan(document); });
  else scan(document);
})();
