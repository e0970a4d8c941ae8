// After the live credit-code check (htmx), show the override box only when the code fails the check
// and could still be accepted by the office. The box is never re-rendered, so a tick is never lost.
document.addEventListener("htmx:afterSettle", function () {
  var result = document.getElementById("credit-code-check");
  var box = document.getElementById("override-box");
  if (result && box) {
    box.hidden = result.getAttribute("data-override") !== "1";
  }
});
