/* K3.2/K3.3 record form: choosing a 注册前信息报送 fills the enterprise fields left empty and takes the
   notice date from the notice's stamp (read-only); "不关联" makes the date typed (self-declared) again.
   The server does the same on save; this only shows it at once. Initialises once (htmx swaps forms in). */
(function () {
  "use strict";
  if (window.zgcfundNoticeLink) return;
  window.zgcfundNoticeLink = true;

  function fill(form, name, value) {
    var input = form.querySelector('[name="' + name + '"]');
    if (input && !input.value) input.value = value;
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-notice-select]")) return;
    var form = select.form, option = select.options[select.selectedIndex];
    var date = form.querySelector("input[data-notice-date]");
    var help = date && date.parentNode.querySelector(".help");
    if (option && option.dataset.received) {
      fill(form, "enterprise__name", option.dataset.enterprise);
      fill(form, "registered_in", option.dataset.registeredIn);
      fill(form, "registered_capital", option.dataset.capital);
      fill(form, "foreign", option.dataset.foreign);
      fill(form, "business_scope", option.dataset.scope);
      if (date) {
        date.value = option.dataset.received;
        date.readOnly = true;
        if (help && date.dataset.linkedHelp) help.textContent = date.dataset.linkedHelp.replace("{number}", option.value);
      }
    } else if (date) {
      date.readOnly = false;
      if (help && date.dataset.declaredHelp) help.textContent = date.dataset.declaredHelp;
    }
  });
})();
