/* Plan-against-fact bar charts: one per indicator, data from #chart-data.
   Drawn on load and again when htmx swaps in a recomputed dashboard body. */
(function () {
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || typeof Chart === "undefined") return;
    var charts = JSON.parse(node.textContent);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    charts.forEach(function (c) {
      var canvas = document.getElementById("chart-" + c.id);
      if (!canvas) return;
      var old = Chart.getChart(canvas);
      if (old) old.destroy();
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
          animation: reduced ? false : { duration: 300 },
          maintainAspectRatio: false,
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }
  draw();
  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (e.target && e.target.id === "dashboard-body") draw();
  });
})();
