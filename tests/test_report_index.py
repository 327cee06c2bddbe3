"""A campaign report folder: one shared plotly.js and an index linking everything."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

from strikescope.render.report_index import PLOTLY_FILE, SOURCE, finish_report


def test_pages_share_one_plotlyjs_and_the_index_links_every_file(tmp_path):
    pages = []
    for name in ("defense", "weapon_mix"):
        page = tmp_path / f"{name}.html"
        go.Figure(go.Bar(x=[1], y=[2])).write_html(page, include_plotlyjs=True)
        pages.append(page)
        (tmp_path / f"{name}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        (tmp_path / f"{name}.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "night_regions.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "skipped.txt").write_text("shelter hours: no data\n", encoding="utf-8")
    written = sorted(p for p in tmp_path.iterdir())
    added = finish_report(tmp_path, written, "2025-07-01", "2025-07-31")
    assert [p.name for p in added] == [PLOTLY_FILE, "index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert len(text) < 50_000 and f'src="{PLOTLY_FILE}"' in text
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', index))
    assert links == {p.name for p in written}
    assert "2025-07-01 to 2025-07-31" in index and SOURCE in index
    assert "<script" not in index


def test_a_page_with_another_plotlyjs_is_left_whole(tmp_path):
    page = tmp_path / "old.html"
    page.write_text("<html><script>/* plotly.js v0.0.1 */</script></html>", encoding="utf-8")
    added = finish_report(tmp_path, [page])
    assert [p.name for p in added] == ["index.html"]
    assert "v0.0.1" in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_campaign_report_is_light_and_indexed(real_db, tmp_path):
    from strikescope.render.campaign_report import campaign_report

    written = campaign_report("2025-07-01", "2025-07-31", tmp_path, db=real_db)
    pages = sorted(tmp_path.glob("*.html"))
    assert len(pages) >= 6 and (tmp_path / PLOTLY_FILE).exists()
    assert all(p.stat().st_size < 1_000_000 for p in pages)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="([^"]+)"', index))
    assert {p.name for p in written} - {"index.html", PLOTLY_FILE} <= linked
