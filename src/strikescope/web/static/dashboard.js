// Charts are plotly figures served as JSON by /api/v1; this file only fetches and draws them.
"use strict";

const CONFIG = { responsive: true, displaylogo: false };

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.detail ? JSON.stringify(body.detail) : response.statusText);
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

async function draw(el, figure) {
  // A server-drawn image may stand in until plotly.js is ready: the chart takes its place.
  el.querySelectorAll(".first-paint").forEach((img) => img.remove());
  await Plotly.newPlot(el, figure.data, figure.layout, CONFIG);
  el.dataset.rendered = "true";
}

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

function tableFigure(kind, rows) {
  const x = Object.keys(rows[0])[0];
  if (kind === "forecast" && "q95" in rows[0]) {
    // Drones and missiles differ a hundredfold: chart the first target, tabulate all.
    const target = rows[0].target;
    rows = rows.filter((r) => r.target === target);
    const nights = rows.map((r) => r.night);
    const line = (key, extra) => Object.assign({ x: nights, y: rows.map((r) => r[key]),
                                                 name: key, type: "scatter" }, extra);
    return { data: [line("q05", { line: { width: 0 }, showlegend: false }),
                    line("q95", { fill: "tonexty", line: { width: 0 }, name: "90% interval" }),
                    line("mean", { mode: "lines+markers" })],
             layout: { height: 400, title: target + ", next nights: mean and 90% interval" } };
  }
  const keys = numericColumns(rows, [x]).filter((k) => /rate|share|launched/.test(k));
  return { data: keys.map((k) => ({ x: rows.map((r) => r[x]), y: rows.map((r) => r[k]),
                                   name: k, type: "scatter" })),
           layout: { height: 400 } };
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
  const table = document.createElement("table");
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
  return table;
}

async function loadTable(el) {
  try {
    el.replaceChildren(renderTable(await getJSON(el.dataset.table)));
  } catch (error) {
    showError(el, error);
  }
}

function wireRangeForm() {
  const form = document.getElementById("range");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const key of ["from", "to"]) {
      const value = document.getElementById(key).value;
      if (value) params.set(key, value);
    }
    const el = document.getElementById("timeline");
    document.getElementById("csv").href = "/api/v1/nights?format=csv&" + params;
    loadFigure(el, "/api/v1/figures/timeline?" + params);
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
  wireRangeForm();
  wireCheckForm();
});
