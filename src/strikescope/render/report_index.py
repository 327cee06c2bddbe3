"""A written report folder made light and browsable: every interactive chart shares one
plotly.js file instead of carrying its own copy (4.8 MB each), and an index.html links every
chart, table and note."""

from __future__ import annotations

import html
from pathlib import Path

from strikescope.render.palette import SOURCE

PLOTLY_FILE = "plotly.min.js"


def share_plotlyjs(out_dir: Path, pages: list[Path]) -> list[Path]:
    """Replace the plotly.js inlined in each HTML page by a link to one copy beside them.

    A page whose inlined script is not exactly this plotly version's is left whole (it
    still works offline); the shared file is written only when some page uses it."""
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    inline = f"<script>{js}</script>"
    shared = f'<script charset="utf-8" src="{PLOTLY_FILE}"></script>'
    changed = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if inline in text:
            page.write_text(text.replace(inline, shared, 1), encoding="utf-8")
            changed.append(page)
    if not changed:
        return []
    target = Path(out_dir) / PLOTLY_FILE
    target.write_text(js, encoding="utf-8")
    return [target]


def _title(stem: str) -> str:
    return stem.replace("_", " ").capitalize()


def index_html(out_dir: Path, files: list[Path], heading: str) -> str:
    """The index page: each chart (interactive HTML, PNG preview) and each table (CSV)."""
    names = sorted({Path(f).name for f in files if Path(f).parent == Path(out_dir)})
    stems = sorted({Path(n).stem for n in names if n.endswith((".html", ".png"))
                    and n != "index.html"})
    charts = []
    for stem in stems:
        links = [f'<a href="{html.escape(n)}">{Path(n).suffix[1:].upper()}</a>'
                 for n in (f"{stem}.html", f"{stem}.png", f"{stem}.csv") if n in names]
        img = (f'<a href="{html.escape(stem)}.html"><img src="{html.escape(stem)}.png" '
               f'alt="{html.escape(_title(stem))}" loading="lazy"></a>'
               if f"{stem}.png" in names else "")
        charts.append(f'<figure>{img}<figcaption>{html.escape(_title(stem))}: '
                      f'{" · ".join(links)}</figcaption></figure>')
    tables = [f'<li><a href="{html.escape(n)}">{html.escape(n)}</a></li>' for n in names
              if n.endswith(".csv") and Path(n).stem not in stems]
    notes = [f'<li><a href="{html.escape(n)}">{html.escape(n)}</a></li>' for n in names
             if n.endswith(".txt")]
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(heading)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>", f'<p class="source">{html.escape(SOURCE)}</p>',
        "<h2>Charts</h2>", '<div class="charts">', *charts, "</div>",
        "<h2>Other tables</h2>", "<ul>", *tables, "</ul>",
        *(["<h2>Notes</h2>", "<ul>", *notes, "</ul>"] if notes else []),
        "</body></html>", ""])


STYLE = ("body{font-family:system-ui,sans-serif;margin:1rem;color:#1f2328}"
         ".source{color:#59636e;font-size:.85rem}"
         ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));"
         "gap:1rem}figure{margin:0}img{width:100%;height:auto;border:1px solid #d8dee4}"
         "a{color:#0072B2}")


def finish_report(out_dir, written: list[Path], start=None, end=None) -> list[Path]:
    """Share plotly.js among the report's pages and write its index.html; returns the
    files added."""
    out = Path(out_dir)
    pages = [Path(p) for p in written if Path(p).suffix == ".html"]
    added = share_plotlyjs(out, pages)
    period = f", {start} to {end}" if start or end else ""
    index = out / "index.html"
    index.write_text(index_html(out, [*written, *added], f"Campaign report{period}"),
                     encoding="utf-8")
    return [*added, index]
