// Charts drawn from the tables that follow them: the table is the data, the chart a view of it,
// so every chart stays readable as a table (and without JavaScript).
const COLOURS = { line: "#b3261e", bar: "#0b57a4", sample: "#9aa5b1" };

function readTable(table) {
  const labels = [];
  const values = [];
  const samples = [];
  for (const row of table.tBodies[0].rows) {
    const cell = row.querySelector("[data-value]");
    if (!cell) continue;
    labels.push(row.querySelector("th").textContent.trim());
    values.push(Number(cell.dataset.value));
    samples.push(Boolean(row.querySelector(".sample")));
  }
  return { labels, values, samples };
}

function drawChart(figure) {
  const table = figure.querySelector("table");
  const { labels, values, samples } = readTable(table);
  const kind = figure.dataset.chart;
  // A trend needs two years; a single figure reads better from its table alone.
  if (values.length < (kind === "line" ? 2 : 1)) return null;
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${figure.dataset.label}: ${gettext("chart of the table below")}`);
  const box = document.createElement("div");
  box.className = `chart-box chart-${kind}`;
  if (kind === "bar") box.style.height = `${Math.max(8, labels.length * 1.8 + 3)}rem`;
  box.append(canvas);
  // Before the table, or before the box that scrolls it on a phone.
  (table.closest(".data-scroll") || table).before(box);
  const colour = COLOURS[kind];
  const chart = new Chart(canvas, {
    type: kind,
    data: {
      labels,
      datasets: [{
        label: figure.dataset.label,
        data: values,
        borderColor: colour,
        backgroundColor: kind === "bar" ? samples.map((s) => (s ? COLOURS.sample : colour)) : colour,
        tension: 0.2,
      }],
    },
    options: {
      indexAxis: kind === "bar" ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: kind === "line" ? { y: { beginAtZero: false } } : { x: { beginAtZero: true } },
    },
  });
  figure.dataset.drawn = "true";
  return chart;
}

window.indicatorCharts = [...document.querySelectorAll("figure.chart")].map(drawChart).filter(Boolean);
