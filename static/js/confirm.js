// Forms with data-confirm ask before they submit (no inline handlers: the CSP refuses them).
document.addEventListener("submit", function (evt) {
  var question = evt.target.getAttribute && evt.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) evt.preventDefault();
}, true);
