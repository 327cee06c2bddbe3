// Charts are plotly figures served as JSON by /api/v1; this file only fetches and draws them.
"use strict";

const CONFIG = { responsive: true, displaylogo: false };
// The one source line of every chart (figures.SOURCE on the server).
const SOURCE = "Data: Air Force of the Armed Forces of Ukraine, via Kaggle (piterfm); strikescope";
const NARROW = 600;

// What the server said, as a sentence: its message, or each refused field's.
function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  return detail ? JSON.stringify(detail) : "";
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(detailText(body.detail) || response.statusText);
  }
  return body;
}

function showError(el, error) {
  const p = document.createElement("p");
  p.className = "notice";
  p.textContent = error.message;
  el.replaceChildren(p);
  el.classList.remove("chart");
}

function wrapText(text, width) {
  // Plotly does not wrap titles: break them at spaces to fit the chart's width.
  const chars = Math.max(24, Math.floor(width / 8));
  const words = String(text || "").replace(/<br>/g, " ").split(" ");
  const lines = [""];
  for (const word of words) {
    const last = lines.length - 1;
    if (lines[last] && (lines[last] + " " + word).length > chars) lines.push(word);
    else lines[last] = lines[last] ? lines[last] + " " + word : word;
  }
  return lines;
}

function wrapAxisTitles(out, layout, width, height) {
  for (const key of Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k))) {
    const axis = layout[key] || {};
    const title = typeof axis.title === "string" ? { text: axis.title } : (axis.title || {});
    if (!title.text) continue;
    const room = (key.startsWith("x") ? width : height * 0.7) * 0.8;
    out[key] = Object.assign({}, axis, { automargin: true,
      title: Object.assign({}, title, { text: wrapText(title.text, room).join("<br>") }) });
  }
}

function fitLayout(el, layout) {
  // Every chart: a title, the source line under it, the legend below the plot, off the
  // data; on a narrow screen titles wrap and the margins shrink.
  const width = el.clientWidth || window.innerWidth;
  const title = typeof layout.title === "string" ? { text: layout.title } : (layout.title || {});
  const titleLines = wrapText(title.text, width);
  const sourceLines = wrapText(SOURCE, width * 1.35);
  const out = Object.assign({}, layout, { width: undefined, autosize: true });
  out.title = Object.assign({}, title, {
    text: titleLines.join("<br>"), x: 0, xanchor: "left", xref: "container",
    y: 1, yanchor: "top", yref: "container", pad: { t: 10, l: 8 },
    subtitle: { text: sourceLines.join("<br>"), font: { size: 11, color: "#555" } } });
  const selector = ((layout.xaxis || {}).rangeselector) ? 34 : 0;
  const top = 26 + 22 * titleLines.length + 14 * sourceLines.length + selector;
  out.margin = Object.assign({ l: 60, r: 16, b: 40 }, layout.margin || {}, { t: top });
  out.legend = Object.assign({}, layout.legend || {}, {
    orientation: "h", x: 0, xanchor: "left", y: 0, yanchor: "bottom", yref: "container" });
  wrapAxisTitles(out, layout, width, layout.height || 420);
  if (width < NARROW) {
    out.margin.l = Math.min(out.margin.l, 48);
    out.margin.r = 8;
    out.legend.font = { size: 10 };
    // The legend wraps to several lines below the plot: give the plot its height back.
    out.height = (layout.height || 420) + 80;
    out.title.font = Object.assign({}, title.font || {}, { size: 14 });
  }
  return out;
}

function slug(text) {
  return String(text || "chart").replace(/<[^>]*>/g, " ").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "chart";
}

function addDownloads(el, title) {
  // PNG and SVG of the chart as drawn: its title and source line are part of the image.
  if (el.nextElementSibling && el.nextElementSibling.classList.contains("chart-tools")) return;
  const tools = document.createElement("div");
  tools.className = "chart-tools";
  for (const format of ["png", "svg"]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Download " + format.toUpperCase();
    button.dataset.format = format;
    button.addEventListener("click", () => Plotly.downloadImage(el, {
      format, filename: slug(title), width: Math.max(el.clientWidth, 800),
      height: el.clientHeight || 480, scale: format === "png" ? 2 : 1 }));
    tools.appendChild(button);
  }
  el.after(tools);
}

function fitData(el, data) {
  // A tile map on a narrow screen: the colour bar goes under the map, which keeps the
  // width, and the tile labels shrink to stay inside their tiles.
  const width = el.clientWidth || window.innerWidth;
  if (width >= NARROW) return data;
  return data.map((trace) => trace.type !== "heatmap" ? trace : Object.assign({}, trace, {
    textfont: Object.assign({}, trace.textfont || {}, { size: 8 }),
    colorbar: Object.assign({}, trace.colorbar || {}, {
      orientation: "h", x: 0, xanchor: "left", y: -0.02, yanchor: "top", len: 1,
      thickness: 12, title: Object.assign({}, (trace.colorbar || {}).title || {},
                                          { side: "top" }) }) }));
}

function gridRows(z) {
  // rows of a heatmap's z: a list of rows, or a typed array with its shape ("5, 9")
  if (Array.isArray(z)) return z.length;
  return z && z.shape ? parseInt(String(z.shape).split(",")[0], 10) : NaN;
}

function fitTileHeight(el, layout, data) {
  // A tile map keeps its tiles square, so on a narrow screen a fixed height leaves bands of
  // white above and below it: its height follows its width there.
  const width = el.clientWidth || window.innerWidth;
  const heat = (data || []).find((t) => t.type === "heatmap");
  const range = (layout.xaxis || {}).range;
  if (width >= NARROW || !heat || !range || (layout.yaxis || {}).scaleanchor !== "x") {
    return layout;
  }
  const rows = gridRows(heat.z);
  if (!(rows > 0)) return layout;
  const plot = (width - layout.margin.l - layout.margin.r) * rows / (range[1] - range[0]);
  const colourBar = 40;  // under the map on a narrow screen (see fitData), in the margin
  return Object.assign({}, layout, {
    height: Math.round(layout.margin.t + plot + layout.margin.b + colourBar) });
}

async function draw(el, figure) {
  // A server-drawn image may stand in until plotly.js is ready: the chart takes its place.
  el.querySelectorAll(".first-paint").forEach((img) => img.remove());
  el.sourceLayout = figure.layout || {};
  el.sourceData = figure.data;
  const layout = fitTileHeight(el, fitLayout(el, el.sourceLayout), figure.data);
  await Plotly.newPlot(el, fitData(el, figure.data), layout, CONFIG);
  addDownloads(el, (figure.layout.title || {}).text || layout.title.text);
  el.dataset.rendered = "true";
}

function refitCharts() {
  // Plotly resizes a chart to its box; the title wrapping, margins and legend follow here
  // when they change (a phone turned sideways), so a zoom survives an ordinary resize.
  document.querySelectorAll("[data-rendered]").forEach((el) => {
    if (!el.sourceLayout) return;
    const layout = fitTileHeight(el, fitLayout(el, el.sourceLayout), el.sourceData);
    if (layout.title.text === (el.layout.title || {}).text &&
        layout.margin.l === (el.layout.margin || {}).l && layout.height === el.layout.height) {
      return;
    }
    Plotly.relayout(el, { title: layout.title, margin: layout.margin, legend: layout.legend,
                          height: layout.height });
  });
}

let refitTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(refitTimer);
  refitTimer = setTimeout(refitCharts, 200);
});

function openOnClick(el) {
  el.on("plotly_click", (event) => {
    const point = event.points[0];
    if (point.data.meta === "events") {
      window.location.href = "/study?event=" + encodeURIComponent(point.customdata);
    } else if (point.customdata) {
      window.location.href = "/night/" + encodeURIComponent(point.customdata);
    }
  });
}

async function loadFigure(el, url) {
  try {
    await draw(el, await getJSON(url));
    if (el.dataset.clicks === "timeline") openOnClick(el);
  } catch (error) {
    showError(el, error);
  }
}

async function loadFigureSet(el) {
  try {
    const figures = await getJSON(el.dataset.figures);
    for (const [name, figure] of Object.entries(figures)) {
      const div = document.createElement("div");
      div.className = "chart";
      div.id = "study-" + name;
      el.appendChild(div);
      await draw(div, figure);
    }
  } catch (error) {
    showError(el, error);
  }
}

function numericColumns(rows, skip) {
  const first = rows[0] || {};
  return Object.keys(first).filter((k) => !skip.includes(k) && typeof first[k] === "number");
}

const FORECAST_UNITS = { drones: "long-range drones launched per night",
                         missiles: "missiles launched per night" };

function forecastFigure(rows) {
  // One panel per target (drones and missiles differ a hundredfold), stacked.
  const targets = [...new Set(rows.map((r) => r.target))];
  const data = [];
  const layout = { height: 260 * targets.length + 140, hovermode: "x unified",
                   title: { text: "Forecast of the next nights: mean and 90 % interval" },
                   grid: { rows: targets.length, columns: 1, pattern: "independent" },
                   legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top" } };
  targets.forEach((target, i) => {
    const sub = rows.filter((r) => r.target === target);
    const nights = sub.map((r) => r.night);
    const axis = i ? String(i + 1) : "";
    const line = (key, extra) => Object.assign({ x: nights, y: sub.map((r) => r[key]),
      type: "scatter", xaxis: "x" + axis, yaxis: "y" + axis }, extra);
    data.push(line("q05", { mode: "lines", line: { width: 0 }, showlegend: false,
                            name: "5 % quantile" }),
              line("q95", { mode: "lines", fill: "tonexty", fillcolor: "rgba(0,114,178,0.2)",
                            line: { width: 0 }, name: "90 % interval", showlegend: i === 0 }),
              line("mean", { mode: "lines+markers", name: "mean", showlegend: i === 0,
                             line: { color: "#0072B2" } }));
    layout["xaxis" + axis] = { title: { text: "night (dated by its end)" }, type: "date" };
    layout["yaxis" + axis] = { title: { text: FORECAST_UNITS[target] || target },
                               rangemode: "tozero" };
  });
  return { data, layout };
}

function tableFigure(kind, rows) {
  if (kind === "forecast" && "q95" in rows[0]) return forecastFigure(rows);
  const x = Object.keys(rows[0])[0];
  const keys = numericColumns(rows, [x]).filter((k) => /rate|share|launched/.test(k));
  return { data: keys.map((k) => ({ x: rows.map((r) => r[x]), y: rows.map((r) => r[k]),
                                   name: k, type: "scatter" })),
           layout: { height: 400, title: { text: kind },
                     xaxis: { title: { text: x } }, yaxis: { title: { text: keys.join(", ") } } } };
}

async function loadTableChart(el) {
  try {
    const rows = await getJSON("/api/v1/" + el.dataset.tableChart);
    if (rows.length) await draw(el, tableFigure(el.dataset.tableChart, rows));
  } catch (error) {
    showError(el, error);
  }
}

function renderTable(rows) {
  const wrap = document.createElement("div");
  wrap.className = "table-wrap";
  const table = document.createElement("table");
  wrap.appendChild(table);
  table.className = "data";
  const keys = Object.keys(rows[0] || {});
  const head = table.createTHead().insertRow();
  keys.forEach((k) => { const th = document.createElement("th"); th.textContent = k; head.appendChild(th); });
  const body = table.createTBody();
  rows.forEach((r) => {
    const tr = body.insertRow();
    keys.forEach((k) => {
      const v = r[k];
      tr.insertCell().textContent = typeof v === "number" ? +v.toFixed(3) : (v ?? "");
    });
  });
  return wrap;
}

async function loadTable(el) {
  try {
    el.replaceChildren(renderTable(await getJSON(el.dataset.table)));
  } catch (error) {
    showError(el, error);
  }
}

async function loadFragment(el) {
  // A section computed after the page came (the server's HTML, parsed: no script runs).
  try {
    const response = await fetch(el.dataset.fragment);
    if (!response.ok) throw new Error(response.statusText || `HTTP ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    el.replaceWith(...doc.body.childNodes);
  } catch (error) {
    plainMessage(el, error.message);
  }
}

function showRange(params) {
  const el = document.getElementById("timeline");
  document.getElementById("range-empty")?.remove();
  document.getElementById("csv").href = "/api/v1/nights?format=csv&" + params;
  loadFigure(el, "/api/v1/figures/timeline?" + params);
}

function wireRangeForm() {
  // The range lives in the URL (?from=&to=): a view can be shared, and Back returns to
  // the previous range.
  const form = document.getElementById("range");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const key of ["from", "to"]) {
      const value = document.getElementById(key).value;
      if (value) params.set(key, value);
    }
    history.pushState({ range: params.toString() }, "", "?" + params);
    showRange(params);
  });
  window.addEventListener("popstate", () => {
    const params = new URLSearchParams(window.location.search);
    for (const key of ["from", "to"]) {
      const input = document.getElementById(key);
      input.value = params.get(key) || input.dataset.default;
    }
    const shown = new URLSearchParams({ from: document.getElementById("from").value,
                                        to: document.getElementById("to").value });
    showRange(shown);
  });
}

function wireGetForms() {
  // Empty fields stay out of the URL: it holds only what was chosen (and "from=" would
  // not be a date).
  document.querySelectorAll("form[method=get]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("input, select").forEach((input) => {
        if (input.name && input.value === "") input.disabled = true;
      });
    });
  });
  // Back to a page kept in the browser's cache: its fields must work again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[method=get] [disabled]").forEach((input) => {
      input.disabled = false;
    });
  });
}

const CHECK_MAX_CHARS = 200000;  // the API's limit (CheckRequest.text)

function checkFormProblem(text) {
  if (!text.trim()) return "Paste the text of an article first.";
  if (text.length > CHECK_MAX_CHARS) {
    return `The article is too long: ${text.length.toLocaleString("en")} characters; ` +
      `the limit is ${CHECK_MAX_CHARS.toLocaleString("en")}.`;
  }
  return null;
}

function plainMessage(el, message) {
  const p = document.createElement("p");
  p.className = "notice";
  p.textContent = message;
  el.replaceChildren(p);
}

async function postCheck(body) {
  const response = await fetch("/api/v1/check", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (response.ok) return data;
  // validation errors come as a list of objects: say what is wrong in one sentence
  const detail = Array.isArray(data.detail)
    ? "The form could not be checked: " + data.detail.map((d) => d.msg).join("; ") + "."
    : (data.detail || response.statusText || "The check failed.");
  throw new Error(String(detail));
}

// A wide table scrolls sideways inside its own box on a phone, its columns kept at a
// readable width instead of squeezed to a word each.
function scrollInOwnBox(table) {
  const wrap = document.createElement("div");
  wrap.className = "table-wrap wide";
  table.replaceWith(wrap);
  wrap.appendChild(table);
}

function wireCheckForm() {
  const form = document.getElementById("check-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = document.getElementById("check-result");
    const text = document.getElementById("article").value;
    const problem = checkFormProblem(text);
    if (problem) {
      plainMessage(out, problem);
      return;
    }
    const body = { text };
    const published = document.getElementById("published").value;
    if (published) body.published = published;
    try {
      const result = await postCheck(body);
      // The checker returns a fragment (its text escaped, its styles scoped to
      // .check-result). Parsed, not assigned with innerHTML, so no script could run.
      const doc = new DOMParser().parseFromString(result.html, "text/html");
      out.replaceChildren(...doc.body.childNodes);
      out.querySelectorAll("table").forEach(scrollInOwnBox);
    } catch (error) {
      plainMessage(out, error.message);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-figure]").forEach((el) => loadFigure(el, el.dataset.figure));
  document.querySelectorAll("[data-figures]").forEach(loadFigureSet);
  document.querySelectorAll("[data-table-chart]").forEach(loadTableChart);
  document.querySelectorAll("[data-table]").forEach(loadTable);
  document.querySelectorAll("[data-fragment]").forEach(loadFragment);
  wireRangeForm();
  wireGetForms();
  wireCheckForm();
});
