// The ECharts option for a coverage report: per child place, bars of households and of followed households, and
// the coverage rate as a line on a second (percent) axis. Pure data → option, so it is testable without a canvas.

/** rows: [{code, name, households, followed, rate}] ; labels: {households, followed, rate, title} */
export function coverageOption(rows, labels) {
  const names = rows.map((r) => r.name || r.code)
  const pct = (rate) => Math.round((rate || 0) * 1000) / 10
  return {
    animation: false, // figures, not a show: instant and steady (and calm for people who prefer less motion)
    aria: { enabled: true, label: { description: labels.title } },
    color: ['#5b8ff9', '#3aa76d', '#c62828'],
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
    },
    legend: { data: [labels.households, labels.followed, labels.rate], top: 0 },
    grid: { left: 48, right: 56, top: 40, bottom: names.some((n) => n.length > 4) ? 64 : 32 },
    xAxis: {
      type: 'category',
      data: names,
      axisLabel: { interval: 0, rotate: names.length > 8 ? 30 : 0 },
    },
    yAxis: [
      { type: 'value', name: labels.households, minInterval: 1 },
      { type: 'value', name: labels.rate, min: 0, max: 100, axisLabel: { formatter: '{value}%' },
        splitLine: { show: false } },
    ],
    series: [
      { name: labels.households, type: 'bar', data: rows.map((r) => r.households), barMaxWidth: 36 },
      { name: labels.followed, type: 'bar', data: rows.map((r) => r.followed), barMaxWidth: 36 },
      {
        name: labels.rate,
        type: 'line',
        yAxisIndex: 1,
        data: rows.map((r) => pct(r.rate)),
        label: { show: true, position: 'top', formatter: '{c}%', color: '#a61d24', fontWeight: 'bold' },
        tooltip: { valueFormatter: (v) => `${v}%` },
      },
    ],
  }
}

/** Join a coverage report's children with their place names (from GET /places?parent=). */
export function coverageRows(children, places) {
  const byCode = Object.fromEntries((places || []).map((p) => [p.code, p]))
  return (children || []).map((c) => ({
    code: c.place,
    name: byCode[c.place]?.name || c.place,
    level: byCode[c.place]?.level || null,
    households: c.households,
    followed: c.followed,
    rate: c.rate,
  }))
}
