from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.testing

import strikescope
from strikescope.check import _matches, check, extract_claims, parse_article

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SHARED_ARTICLE = (Path(__file__).resolve().parents[2] / "shared" / "data" / "articles"
                  / "2025-07-06-russia-strikes-kyiv-after-talks.md")


def _claim(result, kind, contains=""):
    hits = result.claims[(result.claims.type == kind)
                         & result.claims.text.str.contains(contains, case=False)]
    assert len(hits), f"no {kind} claim containing {contains!r} in {result.claims.text.tolist()}"
    return hits.iloc[0]


def test_matches_qualifiers():
    # 100 reported: "more than 90" true, "about 95" true (|100-95| = 5 <= 9.5),
    # "about 80" false (20 > 8), exact 100 true, exact 99 false
    assert _matches(100, 90, ">") and _matches(100, 95, "~")
    assert not _matches(100, 80, "~") and _matches(100, 100, "") and not _matches(100, 99, "")


def test_parse_article_published_and_meta():
    text, published, meta = parse_article("Body.\n\n**META_DESCRIPTION:** Short.\n\n"
                                          "Published: July 06, 2025\n")
    assert str(published) == "2025-07-06" and meta == "Short."


def test_extract_claims_types():
    claims = extract_claims("Last night Russia launched more than 500 drones and ballistic "
                            "missiles at Kyiv after the Putin-Trump phone call, a record. "
                            "The power grid was hit.", published=None)
    kinds = {c["type"] for c in claims}
    assert {"count", "weapon_type", "place", "timing", "comparison", "damage"} <= kinds
    count = next(c for c in claims if c["type"] == "count")
    assert count["data"] == {"value": 500, "qualifier": ">", "column": "drones_launched"}
    assert count["text"] == "more than 500 drones"


def test_check_tiny_store_by_hand(tiny_db):
    r = check("Overnight Russia launched 100 drones and 5 ballistic missiles. Later, 120 drones "
              "were reported. It was a record.", published="2025-03-02", db=tiny_db)
    assert str(r.night.date()) == "2025-03-02"
    assert _claim(r, "count", "100 drones").label == "supported"
    assert _claim(r, "count", "5 ballistic").label == "supported"
    bad = _claim(r, "count", "120 drones")
    assert bad.label == "contradicted" and "= 100" in bad.evidence
    # 105 weapons against the only earlier nights' maximum 40: a record
    assert _claim(r, "comparison", "record").label == "supported"
    assert "https://www.facebook.com/kpszsu/posts/p1" in _claim(r, "count", "100").sources


def test_check_without_dates_picks_largest_night_for_place(tiny_db):
    # no date named: the largest night naming Kyiv in the 7 nights up to 2025-03-04
    r = check("Drones hit Kyiv.", published="2025-03-04", db=tiny_db)
    assert str(r.night.date()) == "2025-03-02" and "assumed" in r.night_reason
    assert _claim(r, "place", "Kyiv").label == "supported"


@pytest.mark.parametrize("name, kind, contains, label", [
    ("correct-count", "count", "539 drones", "supported"),
    ("correct-count", "count", "11 missiles", "supported"),
    ("wrong-count", "count", "700 drones", "contradicted"),
    ("wrong-date", "date", "10 July", "contradicted"),
    ("unverifiable", "damage", "power grid", "unverifiable"),
])
def test_fixture_articles(real_db, name, kind, contains, label):
    r = check((FIXTURES / f"{name}.md").read_text(), db=real_db)
    assert _claim(r, kind, contains).label == label


def test_wrong_date_points_to_the_right_night(real_db):
    r = check((FIXTURES / "wrong-date.md").read_text(), db=real_db)
    assert "2025-07-04" in _claim(r, "date", "10 July").evidence


@pytest.fixture(scope="module")
def shared(real_db):
    return check(SHARED_ARTICLE.read_text(encoding="utf-8"), db=real_db)


def test_shared_article_claims(shared, real_db):
    assert str(shared.published) == "2025-07-06" and str(shared.night.date()) == "2025-07-04"
    weapons = _claim(shared, "weapon_type", "ballistic missiles")
    assert weapons.label == "supported" and "drones_launched = 539" in weapons.evidence
    timing = _claim(shared, "timing", "Putin")
    assert timing.label == "supported" and "2025-07-03" in timing.evidence
    surge = _claim(shared, "comparison", "surge")
    before = strikescope.nights("2025-06-06", "2025-07-03", db=real_db).total_launched.mean()
    assert f"{before:.1f}" in surge.evidence
    assert surge.label == ("supported" if 1.5 * before <= 550 else "contradicted")
    damage = _claim(shared, "damage", "infrastructure")
    assert damage.label == "unverifiable" and "not verifiable" in damage.evidence


def test_shared_article_outputs(shared):
    data = json.loads(shared.to_json())
    assert data["night"] == "2025-07-04" and len(data["claims"]) == len(shared.claims)
    html = shared.html
    assert '<mark class="supported"' in html and '<mark class="unverifiable"' in html
    assert "legend" in html and "http://" not in html.split("<h2>Claims")[0].split("<body>")[0]
    assert shared.summary().startswith(f"{len(shared.claims)} claims")


def test_check_cli(real_db, tmp_path):
    import strikescope.cli.brief  # noqa: F401
    from strikescope.cli.app import app

    out = tmp_path / "checked.html"
    result = typer.testing.CliRunner().invoke(app, [
        "check", str(FIXTURES / "wrong-count.md"), "--format", "json", "--html", str(out),
        "--db", str(real_db)])
    assert result.exit_code == 0, result.output
    claims = json.loads(result.stdout[:result.stdout.rindex("}") + 1])["claims"]
    assert any(c["label"] == "contradicted" for c in claims) and out.exists()
