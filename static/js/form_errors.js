// A form that comes back with mistakes moves focus to its error summary, so a
// screen reader reads it out and a keyboard user starts from the list of links
// to the fields. Each summary is focused once: htmx swaps elsewhere on the page
// (progress polling) must not pull focus back to it.
(function () {
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]:not([data-focused])");
    if (!summary) return;
    summary.setAttribute("data-focused", "");
    summary.focus();
  }
  // After load: a page reached through "#main" (the skip link stays in the URL
  // the form posts to) has the browser focus <main> once it has parsed.
  if (document.readyState === "complete") focusSummary();
  else window.addEventListener("load", function () { setTimeout(focusSummary, 0); });
  document.body.addEventListener("htmx:afterSettle", focusSummary);

  // A link of the summary puts the focus in its field (a fragment link alone
  // only scrolls), with the field's label in view.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    evt.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
