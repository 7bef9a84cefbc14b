// Hand-written SVG charts for the bench report: one line chart shape, enough for "figure against file size" and
// "starts per window over time". No dependency; the output is plain, diffable SVG.

const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#17becf',
];
const width = 760;
const height = 420;
const margin = { top: 48, right: 230, bottom: 56, left: 72 };

const escapeXml = (text) => String(text).replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** Round tick values for [min, max]. */
function niceTicks(min, max, count = 5) {
  if (max <= min) max = min + 1;
  const rawStep = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((value) => value >= rawStep);
  const ticks = [];
  for (let value = Math.floor(min / step) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(+value.toPrecision(12));
  }
  return ticks;
}

const formatTick = (value) =>
  Math.abs(value) >= 1e6
    ? `${+(value / 1e6).toPrecision(3)}M`
    : Math.abs(value) >= 1e4
      ? `${+(value / 1e3).toPrecision(3)}k`
      : String(+value.toPrecision(4));

/**
 * Renders a line chart.
 * @param {import('./section.d.ts').Chart} chart
 * @returns {string} an SVG document
 */
export function lineChart(chart) {
  const { title, x, y, series, referenceLines = [] } = chart;
  const points = series.flatMap((line) => line.points);
  const xs = points.map(([value]) => value);
  const ys = [...points.map(([, value]) => value), ...referenceLines.map((line) => line.y)];
  const isLogX = x.scale === 'log';
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;

  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (xMin === xMax) {
    xMin = isLogX ? xMin / 2 : xMin - 1;
    xMax = isLogX ? xMax * 2 : xMax + 1;
  }
  const xTicks = isLogX
    ? [...new Set(xs)].sort((a, b) => a - b)
    : niceTicks(xMin, xMax).filter((tick) => tick >= xMin && tick <= xMax);
  const toX = (value) =>
    margin.left +
    (isLogX
      ? ((Math.log(value) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * plotWidth
      : ((value - xMin) / (xMax - xMin)) * plotWidth);
  const yTicks = niceTicks(0, Math.max(...ys, 0) * 1.05 || 1);
  const yMax = yTicks.at(-1);
  const toY = (value) => margin.top + plotHeight - (value / yMax) * plotHeight;

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const tick of yTicks) {
    const position = toY(tick).toFixed(1);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${position}" y2="${position}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 8}" y="${position}" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    const position = toX(tick).toFixed(1);
    const label = x.tickLabels?.[tick] ?? formatTick(tick);
    parts.push(
      `<line x1="${position}" x2="${position}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#f0f0f0"/>`,
      `<text x="${position}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(x.label)}</text>`,
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(y.label)}</text>`,
  );
  for (const line of referenceLines) {
    const position = toY(line.y).toFixed(1);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${position}" y2="${position}" stroke="#000" stroke-dasharray="6 4"/>`,
      `<text x="${margin.left + plotWidth - 4}" y="${Number(position) - 6}" text-anchor="end">${escapeXml(line.label)}</text>`,
    );
  }
  series.forEach((line, index) => {
    const color = palette[index % palette.length];
    const sorted = [...line.points].sort((a, b) => a[0] - b[0]);
    const path = sorted.map(([px, py]) => `${toX(px).toFixed(1)},${toY(py).toFixed(1)}`).join(' ');
    const dash = line.isReference ? ' stroke-dasharray="4 3"' : '';
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${path}"/>`);
    if (sorted.length <= 12) {
      for (const [px, py] of sorted) {
        parts.push(`<circle cx="${toX(px).toFixed(1)}" cy="${toY(py).toFixed(1)}" r="3.5" fill="${color}"/>`);
      }
    }
    const legendY = margin.top + 8 + index * 20;
    const legendX = margin.left + plotWidth + 16;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="3"${dash}/>`,
      `<text x="${legendX + 28}" y="${legendY}" dominant-baseline="middle">${escapeXml(line.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
