// Upload progress for the evidence files (htmx reports XHR progress events).
document.body.addEventListener("htmx:xhr:progress", function (evt) {
  var box = document.getElementById("upload-progress");
  if (!box || !evt.detail.lengthComputable) return;
  var pct = Math.round(evt.detail.loaded / evt.detail.total * 100);
  box.classList.remove("d-none");
  box.setAttribute("aria-valuenow", pct);
  box.firstElementChild.style.width = pct + "%";
  box.firstElementChild.textContent = pct + " %";
});
