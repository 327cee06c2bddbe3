"""Page state in the URL: what the data page shows follows its query parameters."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from strikescope.analysis.doctor import doctor
from strikescope.web import create_app


def test_data_page_disagreements_follow_the_url(real_db):
    client = TestClient(create_app(db=real_db))
    counts = []
    for threshold, least in ((0.2, 5), (0.5, 50)):
        html = client.get("/data", params={"threshold": threshold,
                                           "min_difference": least}).text
        section = html.split("National vs regional launch counts")[1]
        body = section.split("<tbody>")[1].split("</tbody>")[0]
        expected = len(doctor(real_db, threshold, least).disagreements)
        assert expected > 0 and len(re.findall(r"<tr", body)) == expected
        counts.append(expected)
        assert f'name="threshold" value="{threshold}"' in html
        assert f'name="min_difference" value="{least}"' in html
        assert f"threshold={threshold}&amp;min_difference={least}" in html
    assert counts[0] > counts[1]  # the stricter view shows fewer pairs
    assert client.get("/data", params={"threshold": 2}).status_code == 422


def test_study_page_opens_on_the_2025_trump_putin_calls(real_db, tmp_path):
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    r = client.get("/study")
    assert r.status_code == 200 and 'id="study-default"' in r.text
    assert "Trump–Putin" in r.text and 'id="study-error"' not in r.text
    assert 'value="phone_call" selected' in r.text and 'value="USA,RUS" selected' in r.text
    # metric and window are choices, not free text
    assert '<select name="metric">' in r.text and '<option value="interception"' in r.text
    assert '<select name="window">' in r.text


def test_briefs_are_in_the_menu_and_listed(real_db, tmp_path):
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    home = client.get("/").text
    assert 'href="/briefs"' in home
    r = client.get("/briefs", params={"nights": 5})
    assert r.status_code == 200
    links = re.findall(r'href="/brief/(\d{4}-\d{2}-\d{2})"', r.text)
    assert len(links) == 5 and links[0] == "2025-12-31" and links == sorted(links, reverse=True)
    assert client.get("/briefs", params={"nights": 0}).status_code == 422


def test_a_brief_is_inside_the_site_and_its_document_framed_only_by_it(real_db, tmp_path):
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    r = client.get("/brief/2025-07-04")
    assert r.status_code == 200 and "<nav" in r.text and 'href="/briefs"' in r.text
    assert 'src="/brief/2025-07-04/document"' in r.text and 'sandbox="allow-scripts' in r.text
    doc = client.get("/brief/2025-07-04/document")
    assert doc.status_code == 200 and "539" in doc.text
    assert "sandbox" in doc.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in doc.headers["content-security-policy"]
    assert doc.headers["x-frame-options"] == "SAMEORIGIN"
    assert client.get("/brief/2021-01-01").status_code == 404


def test_dashboard_serves_a_store_without_any_data_directory(tiny_db, monkeypatch, tmp_path):
    # a store ingested from files named on the command line, nothing configured: the
    # dashboard starts and shows the night, without the optional shelter hours
    monkeypatch.delenv("STRIKESCOPE_DATA", raising=False)
    monkeypatch.setenv("STRIKESCOPE_CONFIG", str(tmp_path / "cfg" / "config.toml"))
    monkeypatch.setattr("strikescope.config.fetch_dir", lambda: tmp_path / "fetched")
    client = TestClient(create_app(db=tiny_db, preload=False))
    r = client.get("/night/2025-03-02")
    assert r.status_code == 200 and "100" in r.text
    assert client.get("/api/v1/night/2025-03-02").json()["totals"]["drones_launched"] == 100


def test_a_national_night_page_draws_and_downloads_the_national_count(real_db, tmp_path):
    # 2025-06-03: the national statement names strike drones only; regional reports add
    # other classes, which the national view must not chart or export
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    html = client.get("/night/2025-06-03", params={"policy": "national"}).text
    figure = re.search(r'data-figure="(/api/v1/figures/night/2025-06-03/classes[^"]*)"', html)
    assert figure and figure[1].endswith("?policy=national")
    shown = [c["weapon_class"] for c in client.get(
        "/api/v1/night/2025-06-03", params={"policy": "national"}).json()["classes"]]
    drawn = client.get(figure[1]).json()["data"][0]["x"]
    assert drawn == shown
    combined = client.get("/api/v1/figures/night/2025-06-03/classes").json()["data"][0]["x"]
    assert set(combined) > set(drawn)
    csv = re.search(r'href="(/api/v1/night/2025-06-03/classes\?format=csv[^"]*)"', html)[1]
    lines = client.get(csv.replace("&amp;", "&")).text.splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == shown
    assert 'href="/night/2025-06-02?policy=national"' in html


def test_the_night_page_names_its_record_measures_in_words(real_db, tmp_path):
    # 2025-07-04: 539 long-range drones, then the record; the CSV keeps the column names
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    html = client.get("/night/2025-07-04").text
    assert "<li>Long-range drones launched: 539 —" in html
    assert "<code>drones_launched</code>" not in html
    assert "Strike drones (Shahed type) launched: 539" in html


def test_the_defense_chart_names_the_rate_it_draws(real_db, tmp_path):
    import base64

    import numpy as np

    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    params = {"class": "strike_drone", "by": "year"}
    figure = client.get("/api/v1/figures/defense", params=params).json()
    y = figure["data"][0]["y"]
    drawn = np.frombuffer(base64.b64decode(y["bdata"]), y["dtype"]) if "bdata" in y else y
    table = client.get("/api/v1/defense", params=params).json()
    stopped = [r["stopped_rate"] for r in table]
    shot_down = [r["shot_down_rate"] for r in table]
    assert np.allclose(drawn, stopped) and not np.allclose(drawn, shot_down)
    title, axis = figure["layout"]["title"]["text"], figure["layout"]["yaxis"]["title"]["text"]
    assert "stopped" in title and "stopped" in axis
    assert "shot down" not in axis  # the axis names the drawn rate only


def test_a_page_error_is_a_page_of_the_site_with_a_way_back(real_db, tmp_path):
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    for path, status in (("/no-such-page", 404), ("/rows?page=0", 422),
                         ("/night/2025-13-01", 422), ("/night/2021-01-01", 404)):
        r = client.get(path)
        assert r.status_code == status, path
        assert r.headers["content-type"].startswith("text/html"), path
        assert "<nav" in r.text and 'href="/">Back to the timeline' in r.text, path
        assert "<title>" in r.text and '"detail"' not in r.text, path
    assert "page:" in client.get("/rows?page=0").text  # says which parameter is wrong
    assert client.post("/rows").status_code == 405
    # the API and static files keep answering machines in JSON
    for path in ("/api/v1/no-such", "/api/v1/rows?page=0", "/static/none.js"):
        r = client.get(path)
        assert r.headers["content-type"].startswith("application/json"), path


MENU = ["/", "/rows", "/briefs", "/brief/2025-07-04", "/study", "/defense", "/campaign",
        "/forecast", "/check", "/parse-report", "/data", "/night/2025-07-04", "/no-such-page"]


def test_every_page_has_a_title_a_description_and_labelled_fields(real_db, tmp_path):
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.labelled, self.fields, self.meta, self.inside = [], set(), [], {}, 0

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "meta" and "name" in a:
                self.meta[a["name"]] = a.get("content", "")
            if tag == "label":
                self.inside += 1
                if "for" in a:
                    self.labelled.add(a["for"])
            if tag in ("input", "select", "textarea") and a.get("type") not in (
                    "hidden", "submit"):
                self.fields.append((tag, a.get("id"), self.inside > 0 or "aria-label" in a))

        def handle_endtag(self, tag):
            self.inside -= tag == "label"

    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    pages = [*MENU, "/api/docs"]
    for path in pages:
        html = client.get(path).text
        found = Fields()
        found.feed(html)
        title = re.search(r"<title>([^<]+)</title>", html)
        assert title and "strikescope" in title[1], path
        assert len(found.meta.get("description", "")) > 40, path
        unlabelled = [(tag, i) for tag, i, inside in found.fields
                      if not inside and i not in found.labelled]
        assert unlabelled == [], (path, unlabelled)


def test_the_forecast_table_names_whose_p_massive_it_gives(real_db, tmp_path):
    # the heading's P(massive night) is the stacked model's, the table the blend model's:
    # a bare 'p_massive' column read as the same figure with another value
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    html = client.get("/forecast", params={"horizon": 2}).text
    headers = re.findall(r"<th>([^<]+)</th>", html)
    assert "p_massive_blend" in headers and "p_massive" not in headers
    assert "the stacked model" in html


def test_the_api_docs_carry_the_site_menu(real_db, tmp_path):
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))

    def menu(path):
        nav = re.search(r'<nav aria-label="site">(.*?)</nav>', client.get(path).text, re.S)[1]
        return re.findall(r'href="([^"]+)"', nav)

    site = menu("/")
    assert len(site) > 10
    assert menu("/api/docs") == [*site, "/api/v1/openapi.json"]


def test_a_range_outside_the_data_is_said_not_drawn_as_empty_axes(real_db, tmp_path):
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    span = "the reports cover 2022-09-28 .. 2025-12-31"
    for path in ("/", "/campaign"):
        html = client.get(path, params={"from": "2020-01-01", "to": "2020-01-31"}).text
        assert 'class="notice"' in html and span in html, path
        assert "data-figure" not in html and 'name="from"' in html, path  # the form stays
        # a range that overlaps the data draws as before
        html = client.get(path, params={"from": "2025-12-01", "to": "2026-01-31"}).text
        assert "data-figure" in html and span not in html, path


def test_campaign_says_a_range_too_short_for_the_saturation_fit(real_db, tmp_path):
    from strikescope.analysis.campaign import MIN_SATURATION_NIGHTS, night_classes

    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    week = {"from": "2025-12-20", "to": "2025-12-26"}
    frame = night_classes(week["from"], week["to"], "strike_drone", real_db)
    nights = int((frame["launched_with_outcome"].fillna(0) > 0).sum())
    assert 0 < nights < MIN_SATURATION_NIGHTS
    html = client.get("/campaign", params=week).text
    assert 'id="saturation-note"' in html and f"only {nights} nights" in html
    assert "figures/campaign/saturation" not in html  # no request that must fail
    assert client.get("/api/v1/figures/campaign/saturation", params=week).status_code == 422
    html = client.get("/campaign", params={"from": "2025-09-01", "to": "2025-12-31"}).text
    assert "figures/campaign/saturation" in html and 'id="saturation-note"' not in html


def test_campaign_weekly_chart_marks_the_partial_last_week(real_db, tmp_path):
    client = TestClient(create_app(db=real_db, events_file=tmp_path / "e.csv"))
    fig = client.get("/api/v1/figures/campaign/mix",
                     params={"from": "2025-12-01", "to": "2025-12-31"}).json()
    assert "partial week (hatched): 29 Dec 2025, 3 of 7 nights" in (
        fig["layout"]["xaxis"]["title"]["text"])
    assert fig["layout"]["xaxis"]["tickformat"] == "%d %b %Y"
    month = client.get("/api/v1/figures/campaign/decoys",
                       params={"from": "2025-11-01", "to": "2025-11-30"}).json()
    assert month["layout"]["xaxis"]["tickformat"] == "%b %Y"
    assert "partial" not in month["layout"]["xaxis"]["title"]["text"]
