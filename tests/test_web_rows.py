"""The report-row browser: hand-built rows, the real file's rows, and the export of a view."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from strikescope.web import create_app
from strikescope.web.rows import RowQuery, browse, view_rows
from tests.conftest import ATTACKS, SHARED


@pytest.fixture
def tiny_con(tiny_db):
    import strikescope.api as api

    with api.connect(tiny_db, read_only=True) as store:
        yield store.con


@pytest.fixture(scope="module")
def client(real_db, tmp_path_factory):
    return TestClient(create_app(db=real_db, alerts_path=SHARED / "alerts",
                                 events_file=tmp_path_factory.mktemp("ev") / "ev.csv"))


# --- hand-built: three rows (tiny_db), answers counted by hand ----------------------------


def test_no_filter_shows_every_row_with_facet_counts(tiny_con):
    page = browse(tiny_con, RowQuery())
    assert page.total == 3
    classes = dict(zip(page.facets["class"]["value"], page.facets["class"]["n"], strict=True))
    assert classes == {"strike_drone": 2, "ballistic": 1}
    nights = dict(zip(page.facets["night"]["value"], page.facets["night"]["n"], strict=True))
    assert nights == {"2025-03-02": 2, "2025-02-28": 1}
    regions = dict(zip(page.facets["region"]["value"], page.facets["region"]["n"], strict=True))
    # The two rows of the night ending 2025-03-02 name Kyiv as their target.
    assert regions == {"kyiv_city": 2}


def test_a_facet_and_a_text_filter_narrow_the_rows(tiny_con):
    assert browse(tiny_con, RowQuery(cls=("ballistic",))).rows["model"].tolist() == [
        "Iskander-M"]
    page = browse(tiny_con, RowQuery(q="SHAHED", night=("2025-03-02",)))
    assert page.total == 1 and page.rows["launched"].tolist() == [100]
    # A wildcard typed by the user is text, not a pattern.
    assert browse(tiny_con, RowQuery(q="%")).total == 0


def test_sort_and_pages(tiny_con):
    q = RowQuery(sort="launched", desc=True, size=2)
    first, second = browse(tiny_con, q), browse(tiny_con, RowQuery(sort="launched", desc=True,
                                                                   size=2, page=2))
    assert first.rows["launched"].tolist() == [100, 40] and first.pages == 2
    assert second.rows["launched"].tolist() == [5]
    assert view_rows(tiny_con, q)["launched"].tolist() == [100, 40, 5]


def test_bad_sort_and_page_size_are_refused():
    with pytest.raises(ValueError, match="sort"):
        RowQuery(sort="source; DROP TABLE reports")
    with pytest.raises(ValueError):
        RowQuery(size=0)


def test_the_url_holds_the_view_and_toggles_facets():
    q = RowQuery(cls=("cruise",), q="kalibr", sort="night", desc=True, page=3)
    assert q.url() == "/rows?class=cruise&q=kalibr&sort=night&page=3&desc=1"
    assert q.toggled("class", "cruise") == "/rows?q=kalibr&sort=night&desc=1"
    assert q.toggled("region", "odesa") == (
        "/rows?class=cruise&region=odesa&q=kalibr&sort=night&desc=1")


# --- the real data ------------------------------------------------------------------------


def raw_record(rec: int) -> dict:
    """Record `rec` (1-based after the header) of the current release, read directly."""
    with open(ATTACKS, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            if i == rec:
                return row
    raise LookupError(rec)


def test_a_facet_and_text_query_find_the_ballistic_row_of_4_july_2025(client):
    # The Air Force reported 6 Iskander-M/KN-23 on the night of 3-4 July 2025; the southern
    # command's 2 Iskander-M of the same night are in the file too, not counted.
    r = client.get("/api/v1/rows", params={"night": "2025-07-04", "class": "ballistic"})
    rows = pd.DataFrame(r.json())
    assert sorted(zip(rows.model, rows.launched, rows.counted, strict=True)) == [
        ("Iskander-M", 2, False), ("Iskander-M/KN-23", 6, True)]
    r = client.get("/api/v1/rows", params={"night": "2025-07-04", "class": "ballistic",
                                           "q": "kn-23"})
    (row,) = r.json()
    assert (row["group"], row["release"]) == ("national", "missile_attacks_daily.csv")
    raw = raw_record(row["rec"])  # the file row it links to says the same
    assert (raw["model"], int(float(raw["launched"]))) == ("Iskander-M/KN-23", 6)
    assert raw["source"] == row["source"]


def test_the_page_shows_the_view_and_its_csv_equals_it(client):
    params = {"region": "kyiv_city", "q": "shahed", "sort": "night", "desc": "true",
              "size": "100"}
    html = client.get("/rows", params=params).text
    shown = [int(x) for x in re.findall(r'<td><a href="/api/v1/rows/(\d+)">', html)]
    assert shown, "the view is empty"
    csv_url = re.search(r'href="([^"]+)" id="rows-csv"', html).group(1).replace("&amp;", "&")
    r = client.get(csv_url)
    assert r.headers["content-type"].startswith("text/csv")
    exported = pd.read_csv(io.StringIO(r.text))
    assert exported["row_id"].tolist() == shown
    assert f"<strong>{len(shown):,}</strong> row(s)" in html
    as_json = pd.DataFrame(client.get(csv_url.replace("&format=csv", "")).json())
    assert as_json["row_id"].tolist() == shown
    assert exported["launched"].tolist() == as_json["launched"].tolist()
    assert all("shahed" in m.lower() for m in exported["model"])
    assert all("kyiv_city" in str(x).split(";") for x in exported["regions"])


def test_rows_route_rejects_bad_input(client):
    assert client.get("/api/v1/rows", params={"sort": "nope"}).status_code == 422
    assert client.get("/api/v1/rows", params={"size": "0"}).status_code == 422
    assert client.get("/api/v1/rows/999999999").status_code == 404
