/* Keep the menu bar on one line on a wide screen: while it does not fit (a long
   name, a narrow window), the bar item of least rank moves under «Ещё». The
   server already puts the secondary items there; this only handles the rest. */
(function () {
  var bar = document.querySelector(".app-nav-main");
  if (!bar) return;
  var nav = bar.closest(".navbar");
  var more = bar.querySelector(".app-nav-more");
  var wide = window.matchMedia("(min-width: 992px)");
  var moved = [];

  function entry(li) {
    return more.querySelector('li[data-nav-url="' + li.getAttribute("data-nav-url") + '"]');
  }
  function tooWide() {
    var row = nav.firstElementChild;  // the container: its content wraps to a second line when short of room
    return row.scrollWidth > row.clientWidth + 1 || nav.offsetHeight > 64;
  }
  function show(li, inBar) {
    li.classList.toggle("d-lg-none", !inBar);
    entry(li).classList.toggle("d-none", inBar);
  }
  function fit() {
    moved.forEach(function (li) { show(li, true); });
    moved = [];
    var served = more.querySelectorAll("li[data-nav-url]:not(.d-none)").length;
    more.classList.toggle("d-lg-block", served > 0);
    if (!wide.matches) return;
    var left = Array.prototype.filter.call(bar.querySelectorAll(":scope > li[data-nav-rank]"), function (li) {
      return !li.classList.contains("d-lg-none");
    }).sort(function (a, b) { return b.getAttribute("data-nav-rank") - a.getAttribute("data-nav-rank"); });
    while (tooWide() && left.length > 1) {
      var li = left.shift();
      show(li, false);
      moved.push(li);
      more.classList.add("d-lg-block");
    }
  }
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(fit, 100); });
  fit();
})();
