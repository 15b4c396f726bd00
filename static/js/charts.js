/* Plan-against-fact bar charts: one per indicator, data from #chart-data.
   A chart inside a closed <details> is drawn only when its section is opened,
   so the dashboard opens short and fast; the sections the reader had open stay
   open (and redrawn) when htmx swaps in a recomputed dashboard body. */
(function () {
  var opened = [];

  function visible(canvas) {
    for (var node = canvas.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) return false;
    }
    return true;
  }

  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || typeof Chart === "undefined") return;
    var charts = JSON.parse(node.textContent);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    charts.forEach(function (c) {
      var canvas = document.getElementById("chart-" + c.id);
      if (!canvas || !visible(canvas) || Chart.getChart(canvas)) return;
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: c.years,
          datasets: [
            { label: "План", data: c.target, backgroundColor: "#adb5bd" },
            { label: "Факт", data: c.actual, backgroundColor: "#1f5fa8" }
          ]
        },
        options: {
          locale: document.documentElement.lang || "ru",  // 50 000, not 50,000
          animation: reduced ? false : { duration: 300 },
          maintainAspectRatio: false,
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }

  draw();
  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (e) {
    if (e.target.tagName === "DETAILS" && e.target.open) draw();
  }, true);
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (e.target && e.target.id === "dashboard-body") {
      opened = Array.prototype.map.call(e.target.querySelectorAll("details[open][id]"), function (d) { return d.id; });
    }
  });
  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (!e.target || e.target.id !== "dashboard-body") return;
    opened.forEach(function (id) {
      var d = document.getElementById(id);
      if (d) d.open = true;
    });
    draw();
  });
})();
