// Plan dashboard charts, drawn from the JSON the page carries (no request, works offline).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var colours = { not_started: "#8c9396", in_progress: "#1d70b8", at_risk: "#c9a700", done: "#00703c", overdue: "#d4351c" };
    var statusColours = data.status.keys.map(function (k) { return colours[k]; });
    new window.Chart(document.getElementById("chart-status"), {
      type: "doughnut",
      data: { labels: data.status.labels, datasets: [{ data: data.status.values, backgroundColor: statusColours }] }
    });
    // One bar per agency, each labelled: the chart grows with the number of agencies instead of skipping labels.
    var agencyCanvas = document.getElementById("chart-agency");
    agencyCanvas.parentNode.style.height = Math.max(320, data.agency.labels.length * 44 + 80) + "px";
    agencyCanvas.style.maxHeight = "none";
    new window.Chart(agencyCanvas, {
      type: "bar",
      data: {
        labels: data.agency.labels,
        datasets: data.agency.keys.map(function (k, i) {
          return { label: data.agency.statuses[i], data: data.agency.values[i], backgroundColor: colours[k] };
        })
      },
      options: { indexAxis: "y", maintainAspectRatio: false,
                 scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: { autoSkip: false } } } }
    });
    new window.Chart(document.getElementById("chart-attainment"), {
      type: "bar",
      data: { labels: data.attainment.labels, datasets: [{ label: "%", data: data.attainment.values, backgroundColor: "#1d70b8" }] },
      options: { indexAxis: "y", scales: { x: { min: 0, suggestedMax: 100 } }, plugins: { legend: { display: false } } }
    });
    var labels = document.getElementById("chart-reporting").getAttribute("aria-label");
    new window.Chart(document.getElementById("chart-reporting"), {
      type: "line",
      data: {
        labels: data.reporting.labels,
        datasets: [
          { label: node.dataset.completeness || "Completeness", data: data.reporting.completeness, borderColor: "#1d70b8" },
          { label: node.dataset.timeliness || "Timeliness", data: data.reporting.timeliness, borderColor: "#00703c" }
        ]
      },
      options: { scales: { y: { min: 0, max: 100 } }, plugins: { title: { display: false, text: labels } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
