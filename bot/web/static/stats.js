// Statistics page: draws each table's rows (the JSON block #stats-data) as an ECharts chart.
// The tables stay the source of truth; the charts only show the same rows.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("stats-data").textContent);
  const COLORS = ["#c8161d", "#2563eb", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#6b7280"];
  const base = { color: COLORS, aria: { enabled: true }, animation: false, tooltip: { trigger: "axis" },
                 grid: { left: 48, right: 16, top: 40, bottom: 48, containLabel: true } };

  // Every local day of the range, so days without conversations show as gaps, not as missing.
  function daysOfRange() {
    const days = [];
    const day = new Date(data.from + "T00:00:00Z");
    const last = new Date(data.to + "T00:00:00Z");
    while (day <= last) {
      days.push(day.toISOString().slice(0, 10));
      day.setUTCDate(day.getUTCDate() + 1);
    }
    return days;
  }

  // Rows of (x, series, value): one stacked bar series per distinct second column.
  function stacked(table, xs) {
    const categories = xs || [...new Set(table.rows.map((row) => row[0]))];
    const names = [...new Set(table.rows.map((row) => row[1]))];
    const series = names.map((name) => ({
      name, type: "bar", stack: "total",
      data: categories.map((x) => {
        const row = table.rows.find((r) => r[0] === x && r[1] === name);
        return row ? row[2] : 0;
      }),
    }));
    return { legend: { top: 0 }, xAxis: { type: "category", data: categories },
             yAxis: { type: "value", minInterval: 1 }, series };
  }

  // Rows of (label, value, ...): one bar per row.
  function bars(table) {
    return { xAxis: { type: "category", data: table.rows.map((row) => row[0]), axisLabel: { interval: 0, rotate: 30 } },
             yAxis: { type: "value", minInterval: 1 },
             series: [{ name: table.columns[1], type: "bar", data: table.rows.map((row) => row[1]) }] };
  }

  // Rows of (label, value, share): one slice per row.
  function pie(table) {
    return { tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" }, legend: { top: 0 },
             series: [{ name: table.title, type: "pie", radius: ["35%", "65%"], top: 30,
                        data: table.rows.map((row) => ({ name: row[0], value: row[1] })) }] };
  }

  // Rows of (measure, count, p50, p90): p50 and p90 side by side for each measure.
  function times(table) {
    return { legend: { top: 0 }, xAxis: { type: "category", data: table.rows.map((row) => row[0]) },
             yAxis: { type: "value", name: "分钟" },
             series: [2, 3].map((column) => ({ name: table.columns[column], type: "bar",
                                               data: table.rows.map((row) => row[column]) })) };
  }

  const DRAW = { stacked, bar: bars, pie, times };
  const charts = [];
  for (const [name, table] of Object.entries(data.tables)) {
    const box = document.getElementById("chart-" + name);
    if (!box) continue;
    const chart = echarts.init(box, null, { renderer: "canvas" });
    const option = DRAW[table.chart](table, name === "conversations" ? daysOfRange() : undefined);
    chart.setOption({ ...base, ...option });
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
