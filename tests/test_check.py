from __future__ import annotations

import datetime as dt
import gc
import importlib.util
import json
import time
from pathlib import Path

import pytest
import typer.testing

import strikescope
import strikescope.claimtext as ct
from strikescope.check import (
    _span_doubt,
    _time_doubt,
    _typed_total_doubt,
    check,
    extract_claims,
    fits,
    parse_article,
)
from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SHARED_ARTICLE = SHARED / "articles" / "2025-07-06-russia-strikes-kyiv-after-talks.md"
D = dt.date


def _claim(result, kind, contains=""):
    hits = result.claims[(result.claims.type == kind)
                         & result.claims.text.str.contains(contains, case=False, regex=False)]
    assert len(hits), f"no {kind} claim containing {contains!r} in {result.claims.text.tolist()}"
    return hits.iloc[0]


def _figures(text, published="2025-07-06"):
    art = ct.extract(text, published)
    return [c for c in art.claims if c.kind == "figure"]


# --- qualifiers and tolerance -------------------------------------------------------------


@pytest.mark.parametrize("value, high, qualifier, ok", [
    (100, None, "exact", True), (99, None, "exact", True),      # |1| <= 5 % of 100
    (94, None, "exact", False),                                 # 6 > 5
    (95, None, "about", True), (80, None, "about", False),      # tolerance 10 % of 95 / 80
    (90, None, "more_than", True), (110, None, "more_than", False),   # 100 > 105 fails
    (100, None, "at_least", True), (120, None, "up_to", True), (80, None, "up_to", False),
    (90, 95, "between", True), (50, 60, "between", False),
])
def test_fits_store_figure_100(value, high, qualifier, ok):
    c = ct.Claim("figure", 0, 0, 0, value=value, high=high, qualifier=qualifier)
    assert fits(100, c) is ok


@pytest.mark.parametrize("store, value, qualifier, ok", [
    (0, 1, "exact", False), (1, 0, "exact", False),   # none against one is no late count
    (0, 1, "at_least", False), (0, 2, "up_to", True), (0, 0, "exact", True),
    (2, 1, "exact", True), (3, 2, "exact", True),     # a count one off still fits
])
def test_a_tolerance_of_one_never_joins_none_and_some(store, value, qualifier, ok):
    c = ct.Claim("figure", 0, 0, 0, value=value, qualifier=qualifier)
    assert fits(store, c) is ok


def test_an_article_before_a_named_missile_counts_one():
    figs = _figures("Overnight Russia also fired a Kh-59 cruise missile at the Odesa region.")
    assert [(f.value, f.qualifier, f.model) for f in figs] == [(1, "at_least", "x-59")]
    # a bare "a ballistic missile" names no missile and is often background
    assert _figures("Russia has often struck Kharkiv with a ballistic missile.") == []
    # "one Iskander-M" is a number already; "an" is not counted again beside it
    figs = _figures("Russia launched two drones and one Iskander-M ballistic missile.")
    assert sorted(f.value for f in figs) == [1, 2]


def test_officials_of_a_named_place_are_that_place_s_speakers():
    def who(text):
        return [f.attribution for f in _figures(text)]
    assert who("Authorities in Kharkiv said two drones hit the city overnight.") == ["regional"]
    # the capital's officials may speak for the government; plain "officials" too
    assert who("Officials in Kyiv said Russia launched 40 drones overnight.") == ["officials"]
    assert who("Russia launched 40 drones overnight, officials said.") == ["officials"]


def test_an_outcome_verb_before_the_figure_outweighs_a_launch_participle_after_it():
    def measures(text):
        return [f.measure for f in _figures(text)]
    assert measures("Air defence shoots down 40 drones sent by Russia overnight.") == [
        "shot_down"]
    assert measures("The army destroyed 12 missiles fired from bombers.") == ["shot_down"]
    # with no outcome verb before it, the participle still counts the launch
    assert measures("Overnight, 40 drones launched by Russia were seen over Kyiv.") == [
        "launched"]


def test_parse_article_published_and_meta():
    text, published, meta = parse_article("Body.\n\n**META_DESCRIPTION:** Short.\n\n"
                                          "Published: July 06, 2025\n")
    assert str(published) == "2025-07-06" and meta == "Short."


def test_published_time_and_zone_move_the_kyiv_day():
    # 23:30 UTC on 5 July is 02:30 on 6 July in Kyiv (UTC+3 in summer)
    assert ct.kyiv_date(ct.parse_published("2025-07-05 23:30 +00:00")) == D(2025, 7, 6)
    assert ct.kyiv_date(ct.parse_published("2025-07-09 14:28 +05:30")) == D(2025, 7, 9)


# --- structured figures -------------------------------------------------------------------


def test_measures_shot_down_lost_and_suppressed():
    figs = _figures("Air defences shot down 296 drones and seven missiles, and 415 more drones "
                    "were lost from radar or jammed, the air force said. The Air Force said "
                    "747 drones were shot down or jammed by electronic warfare.")
    assert [(c.value, c.subject, c.measure) for c in figs] == [
        (296, "drones", "shot_down"), (7, "missiles", "shot_down"), (415, "drones", "lost"),
        (747, "drones", "suppressed")]


def test_out_of_scope_sources_and_subjects():
    figs = _figures("Russia's defence ministry said it had shot down 110 Ukrainian drones. "
                    "President Volodymyr Zelensky said about 100 missiles were fired. Five "
                    "drones entered Belarusian airspace, the Air Force said.")
    assert [(c.value, c.attribution, c.subject, c.measure) for c in figs] == [
        (110, "russia_mod", "ukrainian", "shot_down"), (100, "president", "missiles", "launched"),
        (5, "air_force", "drones", "other")]


def test_subjects_qualifiers_and_models():
    figs = _figures("Russia used 367 drones and missiles, including nine Iskander-K cruise "
                    "missiles, and between 500 and 600 drones. Of the 728 drones, about 300 were "
                    "Shaheds.")
    got = [(c.value, c.high, c.qualifier, c.subject, c.model) for c in figs]
    assert got == [(367, None, "exact", "all", None), (9, None, "exact", "model", "iskander-k"),
                   (500, 600, "between", "drones", None), (728, None, "exact", "drones", None),
                   (300, None, "about", "shahed", None)]


def test_of_the_noun_and_quantity_words_in_lists():
    figs = _figures("Russia fired 122 missiles and dozens of drones. Air defences intercepted "
                    "87 of the missiles and 27 of the Shahed-type drones overnight.")
    assert [(c.value, c.subject, c.measure) for c in figs] == [
        (122, "missiles", "launched"), (87, "missiles", "intercepted"),
        (27, "drones", "intercepted")]


def test_holidays_and_earlier_records():
    # New Year's Eve before 31 July 2024 is 31 Dec 2023: the night ending 1 Jan 2024
    [c] = _figures("On last New Year's Eve Russia launched 90 drones.", "2024-07-31")
    assert c.night == D(2024, 1, 1)
    art = ct.extract("This year's largest had been 81 missiles on March 9.", "2023-12-29")
    assert [c.kind for c in art.claims] == ["figure"] and art.claims[0].night == D(2023, 3, 9)


def test_war_totals_stocks_and_forecasts_are_not_nights():
    figs = _figures("Since the start of the full-scale invasion, Russia has fired more than "
                    "30,000 drones at Ukraine. Russia produces 2,700 Shahed drones a month. "
                    "Moscow fired 367 drones and missiles overnight into May 25.", "2025-05-25")
    assert [(c.value, c.scope) for c in figs] == [(30000, "war"), (2700, "other"),
                                                  (367, "night")]


def test_ukraines_strikes_on_russia_are_out_of_scope():
    figs = _figures("Ukraine launched 337 drones at Russia overnight. Russia launched 90 drones "
                    "at Ukraine.")
    assert [(c.value, c.subject) for c in figs] == [(337, "ukrainian"), (90, "drones")]


def test_blind_run_two_forms():
    figs = _figures("Ukrainian defences shot down 81 of 94 missiles and 80 of the 193 drones "
                    "Russia launched. Sixty-eight drones vanished from radar. Air defences "
                    "intercepted 81 missiles, 11 of them cruise missiles brought down by F-16s. "
                    "Mathernova said Russia launched at least 93 ballistic and cruise missiles.")
    got = [(c.value, c.subject, c.measure, c.scope, c.attribution) for c in figs]
    assert got == [(81, "missiles", "shot_down", "night", "air_force"),
                   (94, "missiles", "launched", "night", "air_force"),
                   (80, "drones", "shot_down", "night", "air_force"),
                   (193, "drones", "launched", "night", "air_force"),
                   (68, "drones", "lost", "night", "air_force"),
                   (81, "missiles", "intercepted", "night", "air_force"),
                   (11, "cruise", "shot_down", "part", "air_force"),
                   (93, "missiles", "launched", "night", "other")]


def test_blind_run_three_forms():
    art = ct.extract("Russia launched a record number of drones in an overnight attack on "
                     "Saturday, officials said on Sunday. Air defences shot down 138 drones, "
                     "while 119 others did not reach their targets. There, 66 of the 75 drones "
                     "were shot down. In the early hours of October 5, 2025 Russian forces "
                     "launched drones.", "2025-02-23")
    figs = [c for c in art.claims if c.kind == "figure"]
    got = [(c.value, c.measure, c.scope, str(c.night)) for c in figs]
    assert got == [(138, "shot_down", "night", "2025-02-23"), (119, "lost", "night", "2025-02-23"),
                   (66, "shot_down", "city", "2025-02-23"), (75, "launched", "city", "2025-02-23")]
    # "267 drones seen between Saturday and Sunday were a record": the night into Sunday,
    # and a drone record
    art = ct.extract("The 267 drones seen between Saturday and Sunday were a record for a "
                     "single attack, the air force said.", "2025-02-23")
    fig, rec = art.claims
    assert fig.night == D(2025, 2, 23) and rec.kind == "record" and rec.subject == "drones"


def test_blind_run_four_forms():
    figs = _figures("Ukraine's military said on Monday it shot down 67 of 73 Russian drones "
                    "launched overnight, in an attack that also included two ballistic and two "
                    "cruise missiles. From 10:30 p.m. on August 8 Russia launched 47 drones.",
                    "2024-09-30")
    got = [(c.value, c.subject, c.measure) for c in figs]
    assert got == [(67, "drones", "shot_down"), (73, "drones", "launched"),
                   (2, "ballistic", "launched"), (2, "cruise", "launched"),
                   (47, "drones", "launched")]
    assert figs[-1].night == D(2024, 8, 9)       # an evening time starts the next night


def test_contradicted_needs_the_figures_own_weapon_and_verb(tiny_db):
    # "120 more" names no weapon: its subject is a guess, so never contradicted
    r = check("On 2 March Russia launched 100 drones. Later 120 more were reported, the Air "
              "Force said.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "120")
    assert c.label == "unverifiable" and "names no weapon of its own" in c.evidence


def test_x_of_y_gives_both_measures():
    figs = _figures("According to the Air Force, 102 of 127 missiles were shot down.")
    assert [(c.value, c.measure) for c in figs] == [(102, "shot_down"), (127, "launched")]


# --- nights -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, published, night", [
    ("Russia attacked on Monday with 236 missiles and drones.", "2024-08-26", D(2024, 8, 26)),
    ("On Friday Russia launched 539 drones.", "2025-07-04", D(2025, 7, 4)),
    ("On Friday Russia launched 539 drones.", "2025-07-06", D(2025, 7, 4)),
    ("On Saturday night Russia launched 100 drones.", "2025-07-06", D(2025, 7, 6)),
    ("On the night of July 3–4 Russia launched 539 drones.", "2025-07-06", D(2025, 7, 4)),
    ("On the night of 3 to 4 July Russia launched 539 drones.", "2025-07-06", D(2025, 7, 4)),
    ("Overnight into February 8, 2024, Russia launched 17 drones.", "2024-02-09", D(2024, 2, 8)),
    ("Russia launched 100 drones overnight.", "2025-07-06", D(2025, 7, 6)),
    # 22:30 GMT on Saturday 5 July is 01:30 on Sunday in Kyiv: the night ending 6 July
    ("The attack began at 22:30 GMT on Saturday with 100 drones.", "2025-07-06", D(2025, 7, 6)),
    # both sides of the 18:00 boundary (nightrule): 14:59 GMT is 17:59 in Kyiv, 15:00 is 18:00
    ("The attack began at 14:59 GMT on Saturday with 100 drones.", "2025-07-06", D(2025, 7, 5)),
    ("The attack began at 15:00 GMT on Saturday with 100 drones.", "2025-07-06", D(2025, 7, 6)),
    ("From the evening of Saturday, November 9, Russia sent 145 drones.", "2024-11-10",
     D(2024, 11, 10)),
])
def test_night_resolution(text, published, night):
    [c] = _figures(text, published)
    assert c.night == night


def test_last_weekday_days_ago_and_vague_nights():
    # published Monday 26 Aug 2024: "last Monday" is the 19th, "two days ago" the 24th
    assert _figures("Last Monday Russia fired 100 drones.", "2024-08-26")[0].night == \
        D(2024, 8, 19)
    assert _figures("Two days ago Russia fired 100 drones.", "2024-08-26")[0].night == \
        D(2024, 8, 24)
    [c] = _figures("The night before, Russia had fired 100 drones.", "2024-08-26")
    assert c.night is None and c.confidence == "low"
    [c] = _figures("Three weeks ago Russia fired 100 drones.", "2024-08-26")
    assert c.scope == "period"


def test_a_stated_date_beats_overnight_and_two_dates_are_uncertain():
    art = ct.extract("Russia launched 100 drones overnight. The attack on Nov. 26 was a record.",
                     "2024-11-27")
    assert art.night == D(2024, 11, 26) and art.claims[0].night == D(2024, 11, 26)
    art = ct.extract("On Nov. 24 Russia sent 188 drones. Air defences shot down 76 drones. "
                     "Four missiles were fired on Nov. 26.", "2024-11-26")
    undated = [c for c in art.claims if c.value == 76][0]
    # several nights: the undated figure is a guess, the night its paragraph last named
    assert "several nights" in art.basis
    assert undated.confidence == "low" and undated.night == D(2024, 11, 24)


def test_phrases_that_are_not_dates_anchor_nothing():
    art = ct.extract('It wounded 44. "2026 must be the year", he said in December at 20:40 '
                     "(17:40 GMT).", "2025-07-06")
    assert not any(art.anchors) and not art.claims


# --- labels on a hand-built store ----------------------------------------------------------
def test_launches_fit_the_national_statement_alone(release, tmp_path):
    # The national report gives 13 cruise missiles; a regional command adds 2 ballistic the
    # national one lacks: the combined count is 15, the press quotes the statement's 13.
    night = {"time_start": "2025-07-08 18:00", "time_end": "2025-07-09 08:00"}
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([
        {**night, "model": "X-101/X-555", "launched": "13", "destroyed": "7",
         "source": "kpszsu/posts/n1"},
        {"time_start": "2025-07-09", "time_end": "2025-07-09", "model": "Iskander-M",
         "launched": "2", "destroyed": "0", "source": "PvKPivden/posts/r1"}])], db=db)
    r = check("Overnight Russia launched 13 missiles at Ukraine, the Air Force said. It also "
              "launched 20 missiles, the Air Force said.", published="2025-07-09", db=db)
    ok = _claim(r, "count", "13 missiles")
    assert ok.label == "supported" and "13 in the national statement alone" in ok.evidence
    assert _claim(r, "count", "20 missiles").label == "contradicted"


# tiny_db: night ending 2025-03-02: 100 drones (90 shot down), 5 Iskander-M (2 shot down);
# night ending 2025-02-28: 40 drones, all shot down.


def test_check_tiny_store_by_hand(tiny_db):
    r = check("Overnight Russia launched 100 drones and 5 ballistic missiles, the Air Force "
              "said. Air defences shot down 90 drones. Later, it said Russia launched 120 "
              "drones. It was a record.", published="2025-03-02", db=tiny_db)
    assert str(r.night.date()) == "2025-03-02"
    assert _claim(r, "count", "100 drones").label == "supported"
    assert _claim(r, "count", "5 ballistic").label == "supported"
    # 90 is compared with the 90 shot down, not with the 100 launched
    shot = _claim(r, "count", "90 drones")
    assert shot.label == "supported" and "90 drones shot down" in shot.evidence
    bad = _claim(r, "count", "120 drones")
    assert bad.label == "contradicted" and "has 100 drones_launched" in bad.evidence
    # 105 weapons against the only earlier night's 40: a record, and the old one is named
    rec = _claim(r, "comparison", "record")
    assert rec.label == "supported" and "40 on the night ending 2025-02-28" in rec.evidence
    assert "https://www.facebook.com/kpszsu/posts/p1" in _claim(r, "count", "100").sources


def test_a_figure_matching_another_column_is_not_contradicted(tiny_db):
    # 105 is the night's weapons in all (100 drones + 5 missiles): "105 missiles" may be a
    # misread subject, so it is not called wrong
    r = check("On 2 March Russia launched 105 missiles, the Air Force said.",
              published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "105 missiles")
    assert c.label == "unverifiable" and "matches the store's total_launched" in c.evidence
    # with its own verb a wrong measure stays contradicted
    r = check("On 2 March air defences shot down 100 drones.", published="2025-03-02",
              db=tiny_db)
    assert _claim(r, "count", "100 drones").label == "contradicted"


def test_out_of_scope_is_unverifiable_not_contradicted(tiny_db):
    r = check("Russia's defence ministry said it shot down 7 Ukrainian drones. President "
              "Volodymyr Zelensky said 300 drones were fired.", published="2025-03-02",
              db=tiny_db)
    assert set(r.claims.label) == {"unverifiable"}
    assert r.claims.evidence.str.contains("out of scope", case=False).all()


def test_next_day_overnight_points_to_the_night_before(tiny_db):
    r = check("Russia launched 100 drones overnight, the Air Force said.",
              published="2025-03-03", db=tiny_db)
    c = _claim(r, "count", "100 drones")
    assert c.label == "unverifiable"
    assert "matches the night ending 2025-03-02, not 2025-03-03" in c.evidence


def test_stated_wrong_night_is_contradicted(tiny_db):
    r = check("On 28 February Russia launched 100 drones, the Air Force said.",
              published="2025-03-03", db=tiny_db)
    c = _claim(r, "count", "100 drones")
    assert c.label == "contradicted" and "2025-03-02" in c.evidence


def test_record_not_on_the_measure_used(tiny_db):
    # 40 drones on 2025-02-28 was the first night: 100 drones on 2025-03-02 is a drone record
    r = check("On 2 March Russia launched a record 100 drones.", published="2025-03-02",
              db=tiny_db)
    assert _claim(r, "comparison", "record").label == "supported"


def test_check_without_dates_picks_largest_night_for_place(tiny_db):
    r = check("Drones hit Kyiv.", published="2025-03-04", db=tiny_db)
    assert str(r.night.date()) == "2025-03-02" and "assumed" in r.night_reason
    assert _claim(r, "place", "Kyiv").label == "supported"


def test_report_rows_are_read_for_a_bounded_number_of_nights(real_db, monkeypatch):
    import strikescope.check as check_module

    calls = []
    real_night = check_module.api.night
    monkeypatch.setattr(check_module.api, "night",
                        lambda d, db=None: calls.append(d) or real_night(d, db=db))
    text = " ".join(f"On {d} March 2025 Russia launched 3 Iskander-K cruise missiles."
                    for d in range(1, 29))
    r = check(text, published="2025-03-31", db=real_db)
    assert len(r.claims[r.claims.type == "count"]) == 28
    assert len(set(calls)) <= check_module.MAX_DETAIL_NIGHTS


# --- fixture articles and the corpus ------------------------------------------------------


@pytest.mark.parametrize("name, kind, contains, label", [
    ("correct-count", "count", "539 drones", "supported"),
    ("correct-count", "count", "11 missiles", "supported"),
    ("wrong-count", "count", "700 drones", "contradicted"),
    ("wrong-date", "count", "539 drones", "contradicted"),
    ("unverifiable", "damage", "power grid", "unverifiable"),
])
def test_fixture_articles(real_db, name, kind, contains, label):
    r = check((FIXTURES / f"{name}.md").read_text(), db=real_db)
    assert _claim(r, kind, contains).label == label


def test_wrong_date_names_the_stated_night(real_db):
    r = check((FIXTURES / "wrong-date.md").read_text(), db=real_db)
    assert "Night ending 2025-07-10" in _claim(r, "count", "539 drones").evidence


def _benchmark():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "checker.py"
    spec = importlib.util.spec_from_file_location("checker_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_planted_error_is_caught_for_its_reason(real_db, monkeypatch):
    monkeypatch.setenv("STRIKESCOPE_DB", str(real_db))
    bench = _benchmark()
    planted = [(k, t) for k, t in bench.load("all") if "planted" in k]
    assert len(planted) >= 6
    n = bench.evaluate(planted)
    assert n["planted_ok"] == n["planted_all"] == len(planted)


def test_extraction_is_near_linear():
    # the same kind of text at both sizes: 16 KB is eight copies of the 2 KB
    texts = [p.read_text().split("\n\n", 1)[1].rsplit("Published:", 1)[0]
             for p in sorted((FIXTURES / "corpus").glob("*.md"))]
    small = "\n\n".join(texts)[:2048]
    large = ((small + "\n\n") * 8)[:16384]

    def cpu(text, times):
        # CPU time of this process, so that other processes on the machine do not count
        start = time.process_time()
        for _ in range(times):
            ct.extract(text, "2025-07-09")
        return time.process_time() - start

    gc.disable()
    try:
        cpu(small, 2)
        one = min(cpu(small, 8) / 8 for _ in range(5))
        assert min(cpu(large, 1) for _ in range(5)) < 10 * one
    finally:
        gc.enable()


# --- the seed article ---------------------------------------------------------------------


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
    assert surge.label == ("supported" if 1.5 * before <= 550 else "unverifiable")
    damage = _claim(shared, "damage", "infrastructure")
    assert damage.label == "unverifiable" and "not verifiable" in damage.evidence


def test_shared_article_outputs(shared):
    data = json.loads(shared.to_json(), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["night"] == "2025-07-04" and len(data["claims"]) == len(shared.claims)
    html = shared.html
    assert '<mark class="supported"' in html and '<mark class="unverifiable"' in html
    assert "legend" in html and "http://" not in html.split("<h2>Claims")[0].split("<body>")[0]
    assert shared.summary().startswith(f"{len(shared.claims)} claims")
    # the embeddable fragment carries no page-wide rules
    frag = shared.fragment
    assert "<body" not in frag and "<html" not in frag
    rules = [r.split("{")[0] for r in frag.split("<style>")[1].split("</style>")[0].split("}")
             if "{" in r]
    assert rules and all(sel.strip().startswith(".check-result") for r in rules
                         for sel in r.split(","))


def test_extract_claims_dicts():
    claims = extract_claims("Last night Russia launched more than 500 drones and ballistic "
                            "missiles at Kyiv after the Putin-Trump phone call, a record. "
                            "The power grid was hit.", published="2025-07-04")
    kinds = {c["type"] for c in claims}
    assert {"count", "place", "timing", "comparison", "damage"} <= kinds
    count = next(c for c in claims if c["type"] == "count")
    assert count["data"]["value"] == 500 and count["data"]["qualifier"] == "more_than"
    assert count["text"] == "more than 500 drones and ballistic missiles"


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


# --- blind6: rules for text the rules had not seen ------------------------------------


@pytest.mark.parametrize("words, value", [
    ("one hundred and twenty", 120), ("a hundred", 100), ("two hundred", 200),
    ("three hundred forty-five", 345), ("ninety-five", 95), ("twelve", 12)])
def test_numbers_written_as_words(words, value):
    assert ct.number_value(words) == value
    [f] = _figures(f"Overnight Russia launched {words} drones, the Air Force said.")
    assert (f.value, f.subject, f.measure) == (value, "drones", "launched")


@pytest.mark.parametrize("sentence, scope", [
    ("The military said seven drones were shot down over the southern Odesa region.", "city"),
    ("The military reported four more drones brought down over nearby Odesa.", "city"),
    ("In the Poltava region, three drones were shot down, the air force said.", "city"),
    ("Air defences shot down 20 drones over the city of Kharkiv.", "city"),
    # a list of regions is the national figure
    ("The air force shot down 20 drones over the Kharkiv, Poltava and Odesa regions.", "night"),
    # a place in another clause says nothing about the figure
    ("The air force shot down 589 drones, but 18 people were killed in Kyiv.", "night"),
])
def test_a_figure_for_one_region_or_city_is_not_the_national_count(sentence, scope):
    assert _figures(sentence)[0].scope == scope


def test_one_region_figure_is_never_contradicted(tiny_db):
    # the night had 90 drones shot down; 7 over one region says nothing against that
    r = check("On 2 March the air force said seven drones were shot down over the southern "
              "Odesa region.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "seven drones")
    assert c.label == "unverifiable" and "one city or region" in c.evidence


def test_said_yesterday_moves_overnight_back_a_day():
    [f] = _figures("Russia fired 100 drones at Ukraine overnight, officials said yesterday.",
                   "2025-03-03")
    assert (f.night, f.confidence) == (D(2025, 3, 2), "medium")
    # without "yesterday" overnight is the publication day
    [f] = _figures("Russia fired 100 drones at Ukraine overnight, officials said.", "2025-03-03")
    assert f.night == D(2025, 3, 3)


def test_overnight_before_the_morning_statement_is_the_night_before():
    # 06:32 in Hong Kong is 01:32 in Kyiv (UTC+3 in September): the night under way has no
    # statement yet, so "overnight" must be the night ending the day before, as a guess
    [f] = _figures("Russia launched 67 drones overnight, the air force said.",
                   "2024-09-08 06:32 +08:00")
    assert (f.night, f.confidence) == (D(2024, 9, 7), "low")
    [f] = _figures("Russia launched 67 drones overnight, the air force said.",
                   "2024-09-08 09:30 +03:00")
    assert (f.night, f.confidence) == (D(2024, 9, 8), "medium")


def test_a_low_confidence_night_is_never_contradicted(tiny_db):
    # published 01:00 Kyiv on 3 March: "overnight" is read as the night ending 2 March, a
    # guess; 120 does not fit its 100 drones, but that is no contradiction
    r = check("Russia launched 120 drones overnight, the air force said.",
              published="2025-03-03 01:00 +02:00", db=tiny_db)
    c = _claim(r, "count", "120 drones")
    assert c.label == "unverifiable" and "uncertain" in c.evidence
    r = check("Russia launched 100 drones overnight, the air force said.",
              published="2025-03-03 01:00 +02:00", db=tiny_db)
    assert _claim(r, "count", "100 drones").label == "supported"


def test_ukraine_says_russia_launched_is_russias_launch():
    [f] = _figures("Ukraine says Russia launched 67 drones in overnight attack.")
    assert f.subject == "drones"
    [f] = _figures("Ukraine launched 337 drones at Russia overnight.")
    assert f.subject == "ukrainian"


def test_bringing_down_n_of_the_m_launched():
    down, total = _figures("The air force said it fought off the attack, bringing down 58 of "
                           "the 67 long-range drones launched overnight.")
    assert (down.value, down.measure, down.measure_firm) == (58, "shot_down", True)
    assert (total.value, total.measure) == (67, "launched")
    # with no verb of its own the part of an "N of the M ... launched" is not a launch
    part, _total = _figures("Of the attack, 58 of the 67 drones launched overnight were a "
                            "worry.")
    assert not part.measure_firm


def test_overnight_is_not_contradicted_when_the_next_night_fits(tiny_db):
    # dated 1 March (a far-west time zone, say) while the 100 drones were the night ending
    # 2 March: the night may be wrong, not the figure
    r = check("Russia launched 100 drones overnight, the air force said.",
              published="2025-03-01", db=tiny_db)
    c = _claim(r, "count", "100 drones")
    assert c.label == "unverifiable"
    assert "matches the night ending 2025-03-02, not 2025-03-01" in c.evidence
    # no neighbouring night fits 300: that stays contradicted
    r = check("Russia launched 300 drones overnight, the air force said.",
              published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "300 drones").label == "contradicted"


def test_shahed_only_outcomes_are_not_checked(tiny_db):
    # the night had 90 drones shot down; "80 Shaheds" is not compared with a missile class
    r = check("On 2 March air defences shot down 80 Shaheds, the air force said.",
              published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "80 Shaheds")
    assert c.label == "unverifiable" and "do not separate Shahed-type" in c.evidence
    assert "shahed missiles" not in c.evidence


# --- "contradicted" only when no plausible reading fits -----------------------------------

N2 = {"time_start": "2025-03-01 18:00", "time_end": "2025-03-02 06:00"}
N3 = {"time_start": "2025-03-02 18:00", "time_end": "2025-03-03 06:00"}


@pytest.fixture
def readings_db(release, tmp_path):
    """Night ending 2025-03-02: 100 drones, 60 shot down, 30 lost, and 12 drones of unknown
    type (shot down) in the national post; night ending 2025-03-03: 80 drones, 70 shot
    down. Worked by hand: shot down or lost on the 2nd is 90; both nights launched 180;
    drones of every type on the 2nd 112 launched, 72 shot down."""
    import strikescope

    path = release([
        {**N2, "model": "Shahed-136/131", "launched": "100", "destroyed": "60",
         "not_reach_goal": "30", "source": "kpszsu/posts/p1"},
        {**N2, "model": "Unknown UAV", "launched": "12", "destroyed": "12",
         "source": "kpszsu/posts/p1"},
        {**N3, "model": "Shahed-136/131", "launched": "80", "destroyed": "70",
         "source": "kpszsu/posts/p2"},
    ])
    db = tmp_path / "readings.duckdb"
    strikescope.ingest([path], db=db)
    return db


def _label(text: str, contains: str, db) -> tuple[str, str]:
    c = _claim(check(text, published="2025-03-02", db=db), "count", contains)
    return c.label, c.evidence


@pytest.mark.parametrize("text, contains, fits", [
    # a wrong figure with its own verb, the Air Force and a stated date: contradicted
    ("On 2 March air defences shot down 50 drones, the Air Force said.", "50 drones", None),
    # the night after holds it (a date read a night early)
    ("On 2 March Russia launched 80 drones, the Air Force said.", "80 drones",
     "night ending 2025-03-03"),
    # 'downed' is used for shot down or jammed: 60 + 30
    ("On 2 March air defences downed 90 drones, the Air Force said.", "90 drones",
     "shot down or lost"),
    # launch and outcome verbs in one sentence leave the measure open: 60 shot down
    ("On 2 March the Air Force said Russia launched 60 drones and destroyed 40.",
     "60 drones", "shot down"),
    # two nights together (100 + 80)
    ("On 2 March Russia launched 180 drones, the Air Force said.", "180 drones",
     "two nights"),
    # the national post's drones of every type (100 + 12 of unknown type)
    ("On 2 March Russia launched 112 drones, the Air Force said.", "112 drones",
     "every type"),
])
def test_contradicted_needs_every_reading_to_miss(readings_db, text, contains, fits):
    label, evidence = _label(text, contains, readings_db)
    if fits is None:
        assert label == "contradicted", evidence
    else:
        assert label == "unverifiable" and fits in evidence, evidence


@pytest.mark.parametrize("text, why", [
    # a speaker the rules do not know, in an article about the Air Force's figures
    ("The Air Force reported the attack. On 2 March Russia launched 75 drones, according "
     "to Kovalenko.", "quotes someone"),
    ("The Air Force reported the attack. On 2 March Russia launched 75 drones, the "
     "ministry said.", "quotes someone"),
    ("On 2 March Ukrainian officials said Russia launched 75 drones.", "not attributed"),
    # a place the scope rules do not read as the figure's own
    ("On 2 March Russia launched 75 drones as it attacked the Kyiv region, the Air Force "
     "said.", "one place"),
    ("On 2 March Russia launched 75 drones targeting Kharkiv, the Air Force said.",
     "one place"),
])
def test_contradicted_needs_the_air_force_and_the_whole_country(readings_db, text, why):
    label, evidence = _label(text, "75 drones", readings_db)
    assert label == "unverifiable" and why in evidence, evidence


def test_unattributed_statement_of_the_article_can_be_contradicted(readings_db):
    # no speaker at all: the article's own claim
    label, _ = _label("On 2 March air defences shot down 50 drones.", "50 drones",
                      readings_db)
    assert label == "contradicted"


def test_clock_times_and_participles_in_one_sentence():
    extract, split_sentences = ct.extract, ct.split_sentences
    text = ("The air force said Russia fired 17 missiles and 31 drones in waves that began "
            "at about 10:00 p.m. (1900 GMT) on Thursday (May 25) and went on until 5:00 a.m. "
            "on Friday.")
    assert len(split_sentences(text)) == 1
    # a day and the day after: the night between them, ending on Friday 26 May
    art = extract(text, "2023-05-26")
    assert {c.night for c in art.claims} == {dt.date(2023, 5, 26)}
    # "launched" after the object of "brought down" describes the missiles
    art = extract("Its units brought down 10 missiles launched from the Caspian Sea.",
                  "2023-05-26")
    assert [(c.value, c.measure) for c in art.claims] == [(10, "shot_down")]
    art = extract("The air force downed 460 drones as well as 19 missiles launched overnight.",
                  "2025-06-09")
    assert [(c.value, c.measure) for c in art.claims] == [(460, "shot_down"),
                                                          (19, "shot_down")]
    # a passive "were launched" is the figure's own verb
    art = extract("Overnight, 19 missiles were launched and 12 were shot down.", "2025-06-09")
    assert art.claims[0].measure == "launched"


def test_shahed_only_figure_supported_only_when_every_drone_row_is_shahed(tiny_db, release,
                                                                           tmp_path):
    # tiny store, 2 March: one drone row, Shahed-136/131, 90 shot down
    r = check("On 2 March air defences shot down 90 Shaheds, the air force said.",
              published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "90 Shaheds")
    assert c.label == "supported" and "every long-range drone row" in c.evidence
    # a Shahed-only figure below the row's count is unverifiable, never contradicted
    r = check("On 2 March air defences shot down 50 Shaheds, the air force said.",
              published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "50 Shaheds").label == "unverifiable"
    # another long-range drone row (Geran-3, 10 shot down) besides the Shahed row's 60:
    # the drones column (70) is no Shahed count, so 70 Shaheds is not supported
    import strikescope

    db = tmp_path / "mixed.duckdb"
    strikescope.ingest([release([
        {**N2, "model": "Shahed-136/131", "launched": "80", "destroyed": "60",
         "source": "kpszsu/posts/p1"},
        {**N2, "model": "Geran-3", "launched": "10", "destroyed": "10",
         "source": "kpszsu/posts/p1"}])], db=db)
    assert strikescope.api.nights(db=db).drones_destroyed.max() == 70
    r = check("On 2 March air defences shot down 70 Shaheds, the air force said.",
              published="2025-03-02", db=db)
    c = _claim(r, "count", "70 Shaheds")
    assert c.label == "unverifiable" and "do not separate Shahed-type" in c.evidence


def test_overnight_on_a_date_may_be_the_night_from_that_date(readings_db):
    # readings store: 100 drones on the night ending 2 March, 80 on the night ending 3 March
    r = check("Overnight on March 2, Russia launched 80 drones, the Air Force said.",
              published="2025-03-04", db=readings_db)
    c = _claim(r, "count", "80 drones")
    assert c.label == "supported" and c.night == "2025-03-03"
    assert "night from 2025-03-02 into 2025-03-03" in c.evidence
    # the night into the 2nd still comes first when it fits
    r = check("Overnight on March 2, Russia launched 100 drones, the Air Force said.",
              published="2025-03-04", db=readings_db)
    assert _claim(r, "count", "100 drones").night == "2025-03-02"
    # a range names one night and is never moved
    r = check("On the night of March 1-2, Russia launched 80 drones, the Air Force said.",
              published="2025-03-04", db=readings_db)
    c = _claim(r, "count", "80 drones")
    assert c.night == "2025-03-02" and c.label != "supported"


@pytest.mark.parametrize("sentence, both", [
    ("Russia launched 235 drones and 27 missiles overnight.", True),
    ("A total of 728 drones and 13 cruise and ballistic missiles.", True),
    ("27 Kh-101 cruise missiles and 40 Shahed drones were fired.", True),
    ("Russia launched 235 drones and missiles.", False),
    ("Russia fired 40 drones overnight, and missiles hit Kyiv.", False),
])
def test_a_sentence_that_counts_drones_and_missiles_apart(sentence, both):
    from strikescope.check import _counts_both_kinds

    assert _counts_both_kinds(sentence) is both


def test_drones_given_the_total_of_all_weapons_is_contradicted(real_db):
    # night ending 2025-07-26: 208 drones and 27 missiles, 235 weapons in all
    said = "Moscow's troops launched {} overnight, the Ukrainian Air Force said."
    apart = check(said.format("235 drones and 27 missiles"), published="2025-07-26",
                  db=real_db).claims.set_index("text")
    assert apart.loc["235 drones", "label"] == "contradicted"
    assert apart.loc["27 missiles", "label"] == "supported"
    together = check(said.format("235 drones and missiles"), published="2025-07-26",
                     db=real_db).claims
    assert together.label.tolist() == ["supported"]


# --- phrasings of the blind9 first run ----------------------------------------------------


def _only(text, value, published="2025-06-08"):
    hits = [c for c in _figures(text, published) if c.value == value]
    assert len(hits) == 1, [(c.value, c.measure) for c in _figures(text, published)]
    return hits[0]


def test_downs_is_an_outcome_verb():
    c = _only("Ukraine says it downs 4 missiles, 15 Russia-launched drones", 4)
    assert (c.measure, c.subject, c.attribution) == ("shot_down", "missiles", "officials")


def test_kiev_and_moscow_as_speakers():
    text = ("Moscow says it shot down 51 Ukrainian drones, while Kiev says it downed 283 out "
            "of 320 drones, as well as missiles.")
    assert _only(text, 283).attribution == "officials"
    assert _only(text, 51).attribution == "russia_mod"


@pytest.mark.parametrize("text, value, measure", [
    ('Of the 132 drones, the air force downed 88, 41 were "lost" and one went back.', 88,
     "shot_down"),
    ("Of the 2,023 drones launched last month it had intercepted 1,185, and another 738 were "
     "lost.", 1185, "intercepted"),
])
def test_a_bare_number_after_an_outcome_verb_counts_the_weapon_before_it(text, value, measure):
    c = _only(text, value)
    assert (c.measure, c.subject) == (measure, "drones")
    # no figure before it in the sentence: the number is left alone
    assert not [c for c in _figures("The air force downed 88, the statement said.")]


def test_crashed_before_reaching_their_targets_is_lost():
    c = _only("Russia launched 110 drones overnight. Of those, 62 were shot down and 29 others "
              "crashed before reaching their targets.", 29)
    assert c.measure == "lost"


def test_anti_radar_missile_is_the_x31p_of_the_reports():
    from strikescope.check import _has_family

    c = _only("Russia used 38 cruise missiles and one anti-radar missile overnight.", 1)
    assert (c.subject, c.model) == ("model", "x-31")
    assert _has_family("x-31p", "x-31") and not _has_family("x-31p", "x-59")


@pytest.mark.parametrize("tail, scope", [
    (", although it did not say how many had been aimed at the capital.", "night"),
    (", without saying how many were aimed at the capital.", "night"),
    (" at the capital.", "city"),
])
def test_what_a_source_did_not_say_about_a_city_is_no_place(tail, scope):
    text = "The air force said all 18 missiles Russia fired overnight were brought down" + tail
    assert _only(text, 18).scope == scope


def test_from_monday_to_today_is_a_span_not_the_monday():
    text = "Over the past week, from Monday to today, Russia used nearly 190 missiles."
    assert _only(text, 190, "2024-03-24").scope == "period"
    art = ct.extract("From Monday to today Russia used 190 missiles.", "2024-03-24")
    assert not [a for found in art.anchors for a in found if a.strength == "weekday"]


@pytest.mark.parametrize("tag, speaker", [
    ("he said, warning of more attacks.", "president"),
    ("the air force said.", "air_force"),
])
def test_a_quote_over_two_sentences_takes_the_speaker_named_where_it_closes(tag, speaker):
    text = ("Rescue work went on in several regions, President Volodymyr Zelenskyy said. "
            '"Over 400 drones, more than 40 missiles were launched by the Russians. Some may '
            f'still be under the debris," {tag}')
    assert _only(text, 400).attribution == speaker
    assert _only(text, 40).attribution == speaker


def test_a_source_line_names_the_speaker_of_what_follows():
    quote = '\n\nQuote: "Russia used nearly 190 missiles overnight."\n'
    told = ct.extract("Source: President Volodymyr Zelenskyy in his address" + quote,
                      "2024-03-24")
    assert [c.attribution for c in told.claims if c.kind == "figure"] == ["president"]
    link = ct.extract("Source: https://example.com/zelensky-kellogg" + quote, "2024-03-24")
    assert [c.attribution for c in link.claims if c.kind == "figure"] == ["unattributed"]


def test_every_one_of_the_missiles_is_no_figure_one():
    values = [c.value for c in _figures("Ukraine said every one of the 18 missiles fired "
                                        "overnight was shot down.")]
    assert values == [18]


def test_the_members_of_a_list_share_its_verb():
    listed = _figures("The military said all 18 missiles, six Shahed drones and three "
                      "reconnaissance drones that Russia fired overnight were brought down.",
                      "2023-05-16")
    assert [(c.value, c.measure, c.measure_firm) for c in listed] == [
        (18, "shot_down", True), (6, "shot_down", True), (3, "shot_down", True)]
    # a comma before a clause of its own, or a total before a bare number, is no list
    two = _figures("Air defences shot down 296 drones and seven missiles, and 415 more drones "
                   "were lost from radar.")
    assert [(c.value, c.measure) for c in two] == [(296, "shot_down"), (7, "shot_down"),
                                                   (415, "lost")]
    total = _figures("Of the 215 projectiles, 112 were confirmed shot down.")
    assert [(c.value, c.measure_firm) for c in total] == [(215, False), (112, True)]


def test_what_a_source_did_not_say_raises_no_place_doubt():
    from strikescope.check import _place_doubt

    said = "The military said all 18 missiles were brought down"
    assert _place_doubt(said + ", although it did not say how many were aimed at the "
                               "capital.") is None
    assert _place_doubt(said + " over the capital.") is not None


# --- phrasings of the blind10 first run ---------------------------------------------------


def _records(text, published="2025-10-22"):
    return [c for c in ct.extract(text, published).claims if c.kind == "record"]


def test_a_superlative_about_a_place_is_no_record():
    assert not _records("A kindergarten was hit in Kharkiv, Ukraine's second-largest city, "
                        "as Russia launched 405 drones overnight.")
    ranked = _records("Russia launched the second-largest drone attack of the war overnight.")
    assert [c.record.get("rank") for c in ranked] == [2]


@pytest.mark.parametrize("text, scope", [
    ("Russia hit Kyiv in one of the biggest aerial assaults of recent months.", "vague"),
    ("Russia hit Kyiv in one of its largest attacks of the war.", "vague"),
    ("Russia hit Kyiv in the biggest aerial assault of recent months.", "vague"),
    ("Russia hit Kyiv in the biggest aerial assault of the war.", None),
])
def test_one_of_the_biggest_names_no_rank_that_could_be_checked(text, scope):
    assert [c.record.get("scope") for c in _records(text)] == [scope]


@pytest.mark.parametrize("text, night", [
    ("Two days before Christmas, Russian forces fired 635 drones at Ukraine.", D(2025, 12, 23)),
    ("A day after Christmas, Russian forces fired 99 drones at Ukraine.", D(2025, 12, 26)),
    ("Russian forces fired 635 drones overnight, just ahead of Christmas.", D(2025, 12, 23)),
])
def test_days_before_a_holiday_move_its_date_and_before_alone_names_none(text, night):
    published = "2025-12-27" if "after" in text else "2025-12-23"
    assert _figures(text, published)[0].night == night


def test_a_quote_that_opens_a_sentence_goes_on_from_the_speaker_before_it():
    said = '"All night, Ukraine was under a massive attack," Zelensky wrote on social media.'
    quote = ' "The enemy launched 40 missiles and about 580 drones. I thank our pilots."'
    assert [c.attribution for c in _figures(said + quote)] == ["president", "president"]
    # in a paragraph of its own, the quote is not carried over
    apart = [c.attribution for c in _figures(said + "\n\n" + quote.strip())]
    assert "president" not in apart


def test_as_well_as_adds_a_kind_the_number_does_not_count():
    c = _figures("According to the military, the enemy launched 673 Shaheds as well as "
                 "missiles.")[0]
    assert (c.value, c.subject) == (673, "shahed")
    both = _figures("According to the military, the enemy launched 673 drones and missiles.")
    assert [(c.value, c.subject) for c in both] == [(673, "all")]


def test_a_ballistic_figure_may_count_the_kinzhal_as_ballistic():
    from strikescope.check import Figure, _fits_figure, _with_kinzhal

    claim = ct.Claim("figure", 0, 0, 0, value=15, subject="ballistic")
    fig = Figure(11.0, "ballistic_launched", [])
    assert not _fits_figure(fig, claim)
    fig = _with_kinzhal(fig, 4.0)             # 11 Iskander-M and 4 Kinzhal
    assert fig.alternatives == (15.0,) and _fits_figure(fig, claim)
    assert _with_kinzhal(Figure(11.0, "x", []), 0.0).alternatives == ()


def test_the_parts_of_a_total_are_counted_as_the_total_but_not_firmly():
    parts = _figures("Air defence units destroyed or neutralised 483 of the 524 aerial attack "
                     "weapons detected, among them 442 drones, 34 Kh-101 cruise missiles and "
                     "seven Kalibrs, the statement said.")
    got = {c.value: (c.measure, c.measure_firm, c.model) for c in parts}
    assert got[442] == ("suppressed", False, None)
    assert got[34] == ("suppressed", False, "x-101")
    assert got[7] == ("suppressed", False, "kalibr")      # a plural model name
    # a part with a verb of its own keeps it
    own = _figures("Overnight, Russia launched 60 drones, of which 42 were shot down.")
    assert [(c.value, c.measure) for c in own] == [(60, "launched"), (42, "shot_down")]


def test_whoever_gives_the_attack_a_name_is_not_the_source_of_its_figures():
    c = _figures("Russia aimed at least 22 missiles at Ukraine overnight, in what Ukraine's "
                 "energy minister called a massive attack.")[0]
    assert c.attribution != "other"
    told = _figures("Ukraine's energy minister said Russia aimed 22 missiles at Ukraine.")[0]
    assert told.attribution == "other"


def test_a_bare_number_before_an_outcome_participle_counts_the_weapon_before_it():
    c = _only("Ukrainian Air Force: 38 drones launched, 26 destroyed or suppressed", 26)
    assert (c.subject, c.measure) == ("drones", "suppressed")
    assert [c.value for c in _figures("The air force said 26 destroyed buildings.")] == []


@pytest.mark.parametrize("verb, measure", [
    ("neutralised", "intercepted"),           # loose: shot down, or shot down plus jammed
    ("destroyed or neutralised", "suppressed"),
])
def test_neutralised_alone_is_a_loose_verb(verb, measure):
    assert _only(f"Air defences {verb} 34 missiles overnight.", 34).measure == measure


def _dated_claim(night: str, published: str, phrase: str) -> ct.Claim:
    return ct.Claim("figure", 0, 1, 0, value=10, night=dt.date.fromisoformat(night),
                    basis=f"explicit date phrase {phrase!r}",
                    published=dt.date.fromisoformat(published))


def test_time_doubt_yearless_date_half_a_year_back_or_a_night_after_the_article():
    # 366 days back by a phrase without a year: another year's Christmas, likely misread
    assert "366 days before" in _time_doubt(
        _dated_claim("2024-12-23", "2025-12-24", "two days before Christmas"))
    # the same night named with its year stands
    assert _time_doubt(_dated_claim("2024-12-23", "2025-12-24", "23 December 2024")) is None
    # 94 days back without a year: the latest such day, as read
    assert _time_doubt(_dated_claim("2025-04-01", "2025-07-04", "1 April")) is None
    # the night of the morning after an evening article is the latest possible one
    assert _time_doubt(_dated_claim("2025-07-05", "2025-07-04", "tonight")) is None
    assert "after the article" in _time_doubt(
        _dated_claim("2025-07-10", "2025-07-04", "10 July"))


# --- blind11 mends ------------------------------------------------------------------------


def test_all_but_a_number_is_no_figure():
    figs = _figures("Air defences destroyed all but seven of the 60 drones Russia launched "
                    "overnight.")
    assert [f.value for f in figs if f.measure != "launched"] == []
    assert 7 not in [f.value for f in figs]
    # without "all but" the number is a figure
    assert 7 in [f.value for f in _figures("Air defences destroyed seven of the 60 drones "
                                           "Russia launched overnight.")]


def test_a_since_phrase_of_a_superlative_does_not_make_the_figure_a_period():
    [f] = _figures("The barrage included 12 Kinzhal missiles, the most fired in one attack "
                   "since the war began two years ago.", "2025-03-05")
    assert f.scope == "night"
    [f] = _figures("The barrage included 12 Kinzhal missiles, the most fired in one attack "
                   "since the full-scale invasion.", "2025-03-05")
    assert f.scope == "night"
    # a period of its own still is one
    [f] = _figures("Russia fired 300 Kinzhal missiles two years ago.", "2025-03-05")
    assert f.scope == "period"


def test_a_figure_aimed_into_ukraine_is_national_whatever_a_later_clause_places():
    [f] = _figures("Russia fired 90 drones into Ukraine overnight, a day after a strike killed "
                   "two people in the capital.")
    assert f.scope == "night"
    [f] = _figures("Russia fired 90 drones at the capital overnight.")
    assert f.scope == "city"
    [f] = _figures("Russia fired 90 drones at Ukraine's capital overnight.")
    assert f.scope == "city"
    # "a day after" dates the strike; "a day" alone is a rate
    [f] = _figures("Russia fires 90 drones a day.")
    assert f.scope == "other"


def test_a_place_most_of_the_attack_went_to_is_not_the_figure_s_place():
    figs = _figures("The air force said 30 missiles and 50 drones were used, largely aimed at "
                    "targets in southern Ukraine.")
    assert {f.scope for f in figs} == {"night"}
    [f] = _figures("The air force said 30 drones were shot down in southern Ukraine.")
    assert f.scope == "city"


def test_shot_down_or_had_signals_jammed_is_shot_down_or_suppressed():
    [f] = _figures("The air force said 120 drones were downed or had their signals jammed.")
    assert f.measure == "suppressed"


def test_a_bare_number_after_shot_down_or_suppressed_counts_the_weapon_before_it():
    figs = _figures("Of the 90 drones launched, air defences shot down or suppressed 81.")
    assert sorted((f.value, f.subject, f.measure) for f in figs) == [
        (81, "drones", "suppressed"), (90, "drones", "launched")]


def test_bare_numbers_listed_with_a_month_or_a_place_count_the_weapon_before_them():
    figs = _figures("Russia launched 1,200 drones in May, 1,100 in April and 900 in March.")
    assert [(f.value, f.subject, f.scope) for f in figs] == [
        (1200, "drones", "period"), (1100, "drones", "period"), (900, "drones", "period")]
    figs = _figures("Moscow said 40 Ukrainian drones were downed, 25 of them over the Kursk "
                    "region and 9 over the Lipetsk region.")
    assert [f.value for f in figs] == [40, 25, 9]
    assert {f.subject for f in figs} == {"ukrainian"}


def test_a_list_of_missile_classes_with_commas_is_one_weapon_phrase():
    [f] = _figures("In June Russia fired 140 ballistic, cruise and guided aircraft missiles.")
    assert (f.value, f.subject) == (140, "missiles")


def test_figures_over_a_russian_region_are_ukraine_s_strikes():
    [f] = _figures("Air defences there destroyed 11 missiles over the Bryansk region.")
    assert f.subject == "ukrainian"


def test_the_commander_in_chief_speaks_for_the_military():
    [f] = _figures("Army chief Oleksandr Syrskyi said air defences managed to intercept 40 "
                   "drones overnight.")
    assert (f.attribution, f.measure) == ("air_force", "intercepted")


def test_a_ukrainian_strike_on_russia_does_not_date_the_article():
    art = ct.extract("A Ukrainian drone attack hit an oil depot on Sunday. On Saturday Russia "
                     "launched 70 drones at Ukraine, the air force said.", "2025-03-10")
    assert art.night == D(2025, 3, 8)
    art = ct.extract("Russia attacked Ukraine's energy grid on Saturday in retaliation for last "
                     "week's raid into the Kursk region. Russia fired 70 drones overnight.",
                     "2025-03-09")
    [f] = [c for c in art.claims if c.kind == "figure"]
    assert (art.night, f.night) == (D(2025, 3, 8), D(2025, 3, 8))


def test_the_last_or_first_days_of_a_year_or_month_are_a_period():
    figs = _figures("In the closing days of 2024 and the first weeks of January, Russia fired "
                    "about 250 missiles.", "2025-01-20")
    assert [(f.value, f.scope) for f in figs] == [(250, "period")]
    # a date of its own in the sentence still makes it one night's figure
    [f] = _figures("Russia fired 40 missiles on the night of 3 to 4 January.", "2025-01-20")
    assert f.scope == "night"


def test_a_figure_in_the_skies_of_a_region_or_over_the_speaker_s_region_is_one_place():
    [f] = _figures("Air defences downed 12 drones in the skies of the Mykolaiv region.")
    assert f.scope == "city"
    [f] = _figures("The governor said the military shot down three drones over her region.")
    assert f.scope == "city"
    # "their regions" names no one place
    [f] = _figures("The air force said 40 drones were shot down over their regions.")
    assert f.scope == "night"


def test_numbers_in_dozens():
    assert [ct.number_value(w) for w in ("two dozen", "three-dozen", "half a dozen",
                                         "a dozen")] == [24, 36, 6, 12]
    [f] = _figures("Russia launched two dozen drones overnight, the air force said.")
    assert (f.value, f.subject, f.measure) == (24, "drones", "launched")


def test_a_total_after_of_the_keeps_its_qualifier_and_counts_the_launches():
    figs = _figures("The air force said it downed 30 of the more than 40 drones Russia fired.")
    assert sorted((f.value, f.qualifier, f.measure) for f in figs) == [
        (30, "exact", "shot_down"), (40, "more_than", "launched")]
    figs = _figures("The air force said it downed 30 of the 40 drones.")
    assert sorted((f.value, f.qualifier) for f in figs) == [(30, "exact"), (40, "exact")]


def test_russia_and_ukraine_each_launching_counts_russia_s_launches_too():
    [f] = _figures("Officials said Russia and Ukraine each launched more than 90 drones.")
    assert (f.subject, f.qualifier) == ("drones", "more_than")
    [f] = _figures("Officials said Ukraine launched more than 90 drones.")
    assert f.subject == "ukrainian"


@pytest.mark.parametrize("sentence, span", [
    ("From Monday to today Russia fired nearly 190 missiles at Ukraine.", "From Monday to"),
    ("It fired almost 300 missiles in the last days of 2023 and the first days of 2024.",
     "last days"),
    ("Russia carried out 264 drone attacks in 48 hours.", "48 hours"),
    ("In July Russia launched 6,297 drones.", "In July"),
    ("one of the biggest aerial assaults of recent months", "recent months"),
])
def test_span_doubt_names_the_span_longer_than_a_night(sentence, span):
    assert f"({span!r})" in _span_doubt(sentence)


@pytest.mark.parametrize("sentence", [
    "On the night of 9 July Russia launched 728 drones, the largest since the start of the war.",
    "The air force said 40 drones were launched in the past 24 hours.",
    "Russia attacked overnight on July 9 with 741 drones and missiles.",
])
def test_span_doubt_leaves_one_night_alone(sentence):
    assert _span_doubt(sentence) is None


@pytest.mark.parametrize("sentence, value", [
    ("At night Russia hit energy facilities in the west and the north with 41 drones.", 41),
    ("Kharkiv was attacked overnight with about 30 Shahed drones.", 30),
    ("The army struck the city with a total of 12 missiles, the air force said.", 12),
])
def test_a_figure_after_with_in_an_attack_counts_the_weapons_used(sentence, value):
    [f] = _figures(sentence)
    assert (f.value, f.measure) == (value, "launched")
    [f] = _figures("At night 41 drones hit energy facilities in the west.")
    assert f.measure == "hit"


@pytest.mark.parametrize("sentence", [
    "Another 17 drones fell on their own, the air force said.",
    "The air force said 17 Shaheds came down on their own.",
    "Seventeen drones went down on their own after jamming, it said.",
])
def test_drones_that_came_down_on_their_own_are_lost(sentence):
    [f] = _figures(sentence)
    assert (f.value, f.measure) == (17, "lost") and f.subject in ("drones", "shahed")


def test_others_that_flew_off_are_found_and_not_counted_as_shot_down():
    figs = _figures("The air force downed 40 drones; four others flew back towards Russia.")
    assert sorted((f.value, f.measure) for f in figs) == [(4, "other"), (40, "shot_down")]


@pytest.mark.parametrize("sentence", [
    "They shot down 199 drones and electronically disabled or forced down another 169 decoys.",
    "The air force said 169 drones were electronically suppressed.",
])
def test_drones_electronically_disabled_or_forced_down_are_lost(sentence):
    f = [f for f in _figures(sentence) if f.value == 169][0]
    assert f.measure == "lost"


def test_the_most_since_is_a_record_of_the_count_it_follows():
    [rec] = _records("The air force said Russia used 407 drones in one night, the most since "
                     "February 2022.")
    assert (rec.subject, rec.record["since"]) == ("drones", "February 2022")
    # a type ("six Kinzhals") has no nightly series; "the most affected" compares nothing
    assert not _records("The barrage included six Kinzhal missiles, the most Russia has used "
                        "in a single wave since the war began.")
    assert not _records("Russia launched 40 drones at Kharkiv, the most affected region.")


class _TypedRows:
    """A night whose missiles the reports list type by type (35 + 8 + 8 + 3 + 4 = 58)."""

    def __init__(self, launched):
        import pandas as pd
        self.frame = pd.DataFrame({"kind": "missile", "counted": True,
                                   "model": [f"m{i}" for i in range(len(launched))],
                                   "launched": launched})

    def rows(self, night):
        return self.frame


@pytest.mark.parametrize("value, launched, doubted", [
    (67, [35, 8, 8, 3, 4], True),      # 9 above 58: within a quarter (72.5)
    (73, [35, 8, 8, 3, 4], False),     # beyond a quarter: as checkable as any figure
    (50, [35, 8, 8, 3, 4], False),     # below the rows' sum: no type can be missing
    (67, [50, 8], False),              # two rows: too few types to leave one out
])
def test_a_missile_total_a_little_above_the_typed_rows_is_not_contradicted(
        value, launched, doubted):
    c = ct.Claim("figure", 0, 0, 0, value=value, subject="missiles", measure="launched",
                 night=dt.date(2025, 3, 7))
    assert (_typed_total_doubt(c, _TypedRows(launched)) is not None) == doubted
    drones = ct.Claim("figure", 0, 0, 0, value=value, subject="drones", measure="launched",
                      night=dt.date(2025, 3, 7))
    assert _typed_total_doubt(drones, _TypedRows(launched)) is None


@pytest.mark.parametrize("sentence", [
    "Hits by 13 strike drones were recorded at eight locations, the air force said.",
    "The air force said impacts of 13 Shaheds were recorded in five regions.",
    "Hits by another 13 drones were recorded, and debris fell at one location.",
])
def test_hits_by_a_number_are_hits_whatever_verb_follows(sentence):
    [f] = _figures(sentence)
    assert (f.value, f.measure) == (13, "hit")


def test_the_downing_of_a_number_is_shot_down():
    [f] = _figures("As of 10:00, the downing of 36 enemy UAVs had been confirmed, the air "
                   "force said.")
    assert (f.value, f.measure, f.measure_firm) == (36, "shot_down", True)


@pytest.mark.parametrize("sentence, scope", [
    ("On the night of 21 May air defence destroyed 28 drones, the air force said.", "night"),
    ("On the night of 21st May air defence destroyed 28 drones.", "night"),
    ("In mid-May air defence destroyed 28 drones.", "night"),
    ("Russia may launch 28 drones at once, the air force said.", "other"),
])
def test_may_after_a_day_is_the_month_not_a_forecast(sentence, scope):
    [f] = _figures(sentence)
    assert f.scope == scope


@pytest.mark.parametrize("sentence, subject", [
    ("By 08:00, 76 Russian Shaheds, decoy drones and other UAVs had been shot down.", "drones"),
    ("By 08:00, 76 Shaheds, Gerbera drones, decoys and other drones had been shot down.",
     "drones"),
    ("By 08:00, 76 Shaheds had been shot down.", "shahed"),
])
def test_a_list_of_drone_kinds_after_shaheds_counts_all_drones(sentence, subject):
    [f] = _figures(sentence)
    assert (f.value, f.subject) == (76, subject)


def test_a_sentence_without_a_date_goes_on_with_the_night_its_paragraph_names():
    art = ct.extract("On the night of 14 September air defence shot down 17 of 22 drones.\n\n"
                     "On the night into Wednesday, 13 September, Russia launched 44 drones. "
                     "Air defence shot down 32 drones.\n\n"
                     "Air defence also shot down 5 drones.", "2023-09-14")
    by_value = {c.value: c for c in art.claims if c.kind == "figure"}
    assert by_value[32].night == D(2023, 9, 13) and by_value[32].confidence == "low"
    # a new paragraph without a date of its own falls back to the article's night
    assert by_value[5].night == D(2023, 9, 14) and by_value[5].confidence == "low"
    # with one night named, nothing is carried: the article's night is that night
    one = ct.extract("On the night of 14 September Russia launched 22 drones.\n\n"
                     "Air defence shot down 17 drones.", "2023-09-14")
    assert [c.night for c in one.claims if c.kind == "figure"] == [D(2023, 9, 14)] * 2


def test_a_quote_after_one_closed_by_he_wrote_goes_on_with_that_speaker():
    art = ct.extract('Zelensky said on Sunday that Russia had attacked overnight.\n\n'
                     '"Every day we stand," he wrote on X. "Russia launched 267 attack drones '
                     'against Ukraine."', "2025-02-23")
    [f] = [c for c in art.claims if c.kind == "figure"]
    assert (f.value, f.attribution) == (267, "president")
    # a speaker named where the quote before closes still wins
    art = ct.extract('"Every day we stand," the air force wrote. "Russia launched 267 attack '
                     'drones."', "2025-02-23")
    assert [c.attribution for c in art.claims if c.kind == "figure"] == ["air_force"]


@pytest.mark.parametrize("sentence, scope", [
    ("Russia launched 88 drones and five ballistic missiles, also in a night attack.", "night"),
    ("Russia launched five ballistic missiles in a night raid.", "night"),
    ("Russia can launch five ballistic missiles a night.", "other"),
])
def test_a_night_attack_names_the_attack_it_is_no_rate(sentence, scope):
    f = [f for f in _figures(sentence) if f.value == 5][0]
    assert f.scope == scope


@pytest.mark.parametrize("sentence, measure", [
    ("Defence forces managed to neutralise six missiles and 359 drones.", "intercepted"),
    ("Air defence managed to destroy six missiles.", "shot_down"),
    ("Ukraine's forces shoot down six missiles.", "shot_down"),
])
def test_outcome_verbs_count_in_their_base_form(sentence, measure):
    f = [f for f in _figures(sentence) if f.value == 6][0]
    assert (f.measure, f.measure_firm) == (measure, True)


def test_an_undated_figure_after_a_night_named_past_the_lead_days_before_is_a_guess():
    lead = "Ukraine launches 300 drones at Russia\n\nThe drones flew at 13 regions.\n\n"
    late = ("On Sunday, Russia launched its largest drone attack of the war.\n\n"
            "In response, Russia launched 88 drones, also in a night attack.")
    [f] = [c for c in ct.extract(lead + late, "2025-05-28").claims if c.value == 88]
    assert f.night == D(2025, 5, 25) and f.confidence == "low"
    # the same night named in the lead: the piece is about it
    [f] = [c for c in ct.extract(late, "2025-05-28").claims if c.value == 88]
    assert f.confidence == "high"
    # named past the lead but the day before the piece: the latest night, kept
    [f] = [c for c in ct.extract(lead + late, "2025-05-26").claims if c.value == 88]
    assert f.confidence == "high"


def test_a_bare_number_in_an_of_which_clause_counts_the_noun_it_hangs_on():
    art = ct.extract("Russia launched five missiles and 12 drones overnight, the air force "
                     "said. It said the missiles, of which it shot down two, hit the north, "
                     "while the drones, of which 11 were downed, flew west.", "2023-10-16")
    got = {c.value: c for c in art.claims if c.kind == "figure"}
    assert (got[2].subject, got[2].measure, got[2].subject_firm) == ("missiles", "shot_down",
                                                                      False)
    assert (got[11].subject, got[11].measure) == ("drones", "shot_down")


def test_a_bare_number_after_a_comma_before_lost_counts_the_weapon_before_it():
    got = {f.value: f for f in _figures("Defenders downed 40 of 60 drones overnight, 18 lost "
                                         "to jamming.")}
    assert got[40].measure == "shot_down"
    assert (got[18].subject, got[18].measure) == ("drones", "lost")


def test_unmanned_vehicles_are_drones():
    [f] = _figures("Another 12 unmanned vehicles were lost over the ground.")
    assert (f.subject, f.measure) == ("drones", "lost")


@pytest.mark.parametrize("sentence, measure", [
    ("Officials said 21 of the 30 drones used in the raid were shot down.", "shot_down"),
    ("Officials said 21 of the 30 missiles fired at the city were intercepted.", "intercepted"),
    ("Officials said 21 of the 30 drones launched overnight hit their targets.", "hit"),
])
def test_the_participle_after_x_of_the_y_describes_the_y(sentence, measure):
    f = [f for f in _figures(sentence) if f.value == 21][0]
    assert f.measure == measure


@pytest.mark.parametrize("sentence, scope", [
    ("Russia struck oil production facilities with 25 drones overnight.", "night"),
    ("Russia now produces 25 drones a day.", "other"),
])
def test_production_sites_are_a_target_not_a_production_rate(sentence, scope):
    [f] = _figures(sentence)
    assert f.scope == scope


@pytest.mark.parametrize("sentence, scope", [
    ("In total, the air force said it shot down all 30 missiles overnight.", "night"),
    ("Russia has fired 9,000 missiles in total, the air force said.", "war"),
])
def test_a_sentence_opening_in_total_sums_its_list(sentence, scope):
    [f] = _figures(sentence)
    assert f.scope == scope


@pytest.mark.parametrize("sentence, scope", [
    ("Four Kalibr missiles were heading for Odesa, the air force said.", "city"),
    ("Four Kalibr missiles were heading for Ukraine, the air force said.", "night"),
])
def test_weapons_heading_for_a_city_are_a_figure_for_that_city(sentence, scope):
    [f] = _figures(sentence)
    assert f.scope == scope


def test_a_superlative_said_of_an_earlier_attack_is_no_record_claim():
    text = ("The barrage of 300 drones beat a March attack that was previously the biggest "
            "of the war.")
    assert not [c for c in ct.extract(text, "2025-07-06").claims if c.kind == "record"]
    text = "The barrage of 300 drones was the biggest of the war."
    assert [c for c in ct.extract(text, "2025-07-06").claims if c.kind == "record"]


def test_a_superlative_about_one_kind_of_target_is_not_checked():
    from strikescope.check import label_record

    text = "The 300 drones made it the biggest attack on the power grid so far, the air force said."
    [r] = [c for c in ct.extract(text, "2025-07-06").claims if c.kind == "record"]
    assert r.record["scope"] == "target"
    label, evidence, _fig = label_record(r, store=None)
    assert label == "unverifiable" and "one kind of target" in evidence


@pytest.mark.parametrize("text, who", [
    # "It said" goes on with the air defence that announced the attack, no third party
    ("Ukraine's air defence announced a new attack. It said Russia launched 50 drones.",
     "air_force"),
    ("A local news portal reported that Russia launched 50 drones.", "other"),
    ("The newspaper reported that 50 drones were launched.", "other"),
])
def test_pronoun_and_news_outlet_speakers(text, who):
    f = [f for f in _figures(text) if f.value == 50][0]
    assert f.attribution == who


@pytest.mark.parametrize("text, who", [
    ("Russia launched 30 drones last night. Defenders shot down 20 of them, the General Staff "
     "reported.", "general_staff"),
    ("Russia launched 30 drones last night.\n\nThis was reported by the General Staff.",
     "general_staff"),
    # the next sentence's speaker tells only its own news
    ("Russia launched 30 drones last night. Two people were hurt, the governor said.",
     "unattributed"),
])
def test_the_next_sentence_can_name_who_told_a_figure(text, who):
    f = [f for f in _figures(text) if f.value == 30][0]
    assert f.attribution == who


def test_an_undated_piece_is_about_the_night_before_publication_when_it_fits(release,
                                                                             tmp_path):
    import strikescope

    path = release([
        {**NIGHT1_ROW, "model": "Shahed-136/131", "launched": "100", "destroyed": "90",
         "target": "Odesa"},
        {**NIGHT2_ROW, "model": "Shahed-136/131", "launched": "40", "destroyed": "35",
         "target": "Kyiv"},
    ])
    db = tmp_path / "night.duckdb"
    strikescope.ingest([path], db=db)
    # no place named: the night ending on the day of publication
    r = check("Air defences shot down 35 of the 40 drones.", published="2025-03-02", db=db)
    assert str(r.night.date()) == "2025-03-02"
    assert _claim(r, "count", "35").label == "supported"
    # a place that night's reports do not name: the largest night on it in the week before
    r = check("Air defences shot down 35 of the 40 drones near Odesa.",
              published="2025-03-02", db=db)
    assert str(r.night.date()) == "2025-02-28"
    # ... unless the piece speaks of a night attack
    r = check("Air defences shot down 35 of the 40 drones near Odesa in a night attack.",
              published="2025-03-02", db=db)
    assert str(r.night.date()) == "2025-03-02" and "night attack" in r.night_reason


NIGHT1_ROW = {"time_start": "2025-02-27 18:00", "time_end": "2025-02-28 06:00",
              "source": "kpszsu/posts/n1"}
NIGHT2_ROW = {"time_start": "2025-03-01 18:00", "time_end": "2025-03-02 06:00",
              "source": "kpszsu/posts/n2"}


@pytest.mark.parametrize("text, who", [
    ('"Three drones were shot down by air defence forces, two more hit a depot," the head of '
     'the region said.', "regional"),
    ("The head of the regional council said three drones were shot down.", "regional"),
    ("Three drones were shot down, according to the air force.", "air_force"),
])
def test_the_actor_of_shot_down_by_is_no_speaker(text, who):
    [f] = [f for f in _figures(text) if f.value == 3]
    assert f.attribution == who


@pytest.mark.parametrize("sentence", [
    "Russia has launched 9,000 missiles since its invasion, the air force said on Thursday.",
    "Air defences have shot down 3,000 drones in two years of full-scale war, he said.",
])
def test_totals_since_the_invasion_are_for_the_whole_war(sentence):
    [f] = [f for f in _figures(sentence) if f.value >= 3000]
    assert f.scope == "war"


def test_a_figure_over_twice_any_night_is_never_contradicted(real_db):
    # no night of the store holds more than 127 missiles; the night ending 2024-02-22 had one
    r = check("On 22 February Russia launched 900 missiles at Ukraine, the Air Force said.",
              published="2024-02-22", db=real_db)
    c = _claim(r, "count", "900 missiles")
    assert c.label == "unverifiable" and "over twice" in c.evidence
    r = check("On 22 February Russia launched 200 missiles at Ukraine, the Air Force said.",
              published="2024-02-22", db=real_db)
    assert _claim(r, "count", "200 missiles").label == "contradicted"


def test_one_of_two_national_statements_of_a_night_is_no_contradiction(release, tmp_path):
    # the store's night ending 2025-05-11 holds an overnight statement (80 drones) and a
    # daytime one (30): the press quoting the morning's 80 is not contradicted by the 110
    db = tmp_path / "two.duckdb"
    strikescope.ingest([release([
        {"time_start": "2025-05-10 19:00", "time_end": "2025-05-11 08:00",
         "model": "Shahed-136/131", "launched": "80", "destroyed": "60",
         "source": "kpszsu/posts/a1"},
        {"time_start": "2025-05-11 08:00", "time_end": "2025-05-11 16:00",
         "model": "Shahed-136/131", "launched": "30", "destroyed": "25",
         "source": "kpszsu/posts/a2"}])], db=db)
    r = check("Overnight Russia launched 80 drones at Ukraine, the Air Force said. It also "
              "launched 200 drones, the Air Force said.", published="2025-05-11", db=db)
    ok = _claim(r, "count", "80 drones")
    assert ok.label == "unverifiable"
    assert "national statement for 2025-05-10 19:00" in ok.evidence
    assert _claim(r, "count", "200 drones").label == "contradicted"


@pytest.mark.parametrize("sentence, span", [
    ("Over the week Russia used about 1,000 attack drones.", "Over the week"),
    ("During the whole week the army faced 900 drones.", "During the whole week"),
    ("For the month the air force counted 4,000 drones.", "For the month"),
])
def test_over_the_week_is_a_span_longer_than_a_night(sentence, span):
    assert f"({span!r})" in _span_doubt(sentence)


def test_a_date_of_an_earlier_record_does_not_date_the_figure_before_it():
    # "472 ..., beating its previous record, set on May 26": May 26 is the old record's night
    art = ct.extract("Overnight Russia attacked Ukraine with 472 drones, beating its previous "
                     "record, set on May 26, the Air Force said.", "2025-06-01")
    [c] = [c for c in art.claims if c.kind == "figure" and c.value == 472]
    assert c.night == dt.date(2025, 6, 1)
    # a figure after the comparison words keeps the date: it may be the old record's count
    art = ct.extract("The attack beat the previous record of 355 drones set on May 26.",
                     "2025-06-01")
    [c] = [c for c in art.claims if c.kind == "figure" and c.value == 355]
    assert c.night == dt.date(2025, 5, 26)


@pytest.mark.parametrize("text", [
    # the quote's first paragraph ends open and the next goes on without a mark ...
    '"The enemy fired more than 60 missiles.\n\nMost were shot down," Zelensky said.',
    # ... or opens again with a mark of its own
    '"The enemy fired more than 60 missiles.\n\n"Most were shot down," Zelensky said.',
])
def test_a_quote_left_open_at_its_paragraph_end_runs_into_the_next(text):
    [f] = [f for f in _figures(text) if f.value == 60]
    assert f.attribution == "president"


def test_a_closed_quote_ends_with_its_paragraph():
    text = ('"The enemy fired 60 missiles," the air force said.\n\n'
            'Later 20 drones came, "in waves", Zelensky said.')
    [f] = [f for f in _figures(text) if f.value == 60]
    assert f.attribution == "air_force"


@pytest.mark.parametrize("sentence, role", [
    ("During the previous day and on the night to 12 March the enemy used 40 drones.",
     "attack"),
    ("Last night, 12 March, the enemy used 40 drones.", "attack"),
    ("It beat the previous record, set on 12 March, the air force said.", "previous"),
])
def test_a_time_of_day_after_previous_is_the_attack_s_own_time(sentence, role):
    [x] = [x for x in ct.sentence_anchors(sentence, 0, D(2025, 3, 14)) if "12 March" in x.text]
    assert (x.role, x.night) == (role, dt.date(2025, 3, 12))


@pytest.mark.parametrize("published, night", [
    ("2025-06-10", dt.date(2025, 6, 10)),    # 3 May is weeks back: "overnight" stands
    ("2025-05-04", dt.date(2025, 5, 3)),     # told the day after: 3 May is the night
])
def test_a_stated_date_beats_overnight_only_near_the_piece(published, night):
    text = ("Russia sent 30 drones against Ukraine overnight.\n\n"
            "On 3 May an official said Russia was changing its strike tactics.")
    [f] = [f for f in _figures(text, published) if f.value == 30]
    assert f.night == night


def test_a_line_that_ends_no_sentence_takes_the_night_only_as_a_guess():
    text = ("Russia launched 50 drones overnight on Saturday, the air force said.\n\n"
            "Kyiv downs 12 of 20 missiles in a morning attack, military says\n\n"
            "Air defence shot down 41 drones.\n\nThe drones came from Kursk.")
    figs = {f.value: f for f in _figures(text, "2025-03-01")}
    assert figs[20].confidence == "low" and "ends no sentence" in figs[20].basis
    assert figs[50].confidence == figs[41].confidence == "high"


@pytest.mark.parametrize("text, label", [
    # 30 lost in the store and three that left: the statement's 33 holds both
    ("Overnight 33 decoy drones were lost from tracking, three of them flew off towards "
     "Belarus, the Air Force said.", "unverifiable"),
    ("Overnight 33 decoy drones were lost from tracking, the Air Force said.", "contradicted"),
])
def test_a_lost_count_may_hold_the_part_its_sentence_says_left(readings_db, text, label):
    got, evidence = _label(text, "33", readings_db)
    assert got == label
    assert ("the 3 that left the airspace" in evidence) == (label == "unverifiable")


@pytest.mark.parametrize("sentence, scope", [
    ("Ukraine launched its largest drone attack on Moscow, officials said.", "russia"),
    ("Kyiv sent the biggest wave of drones against Russia in months.", "russia"),
    ("Russia launched its largest drone attack on Ukraine, officials said.", None),
])
def test_a_superlative_about_strikes_on_russia_is_no_record_of_the_reports(sentence, scope):
    [r] = [c for c in ct.extract(sentence, "2025-03-01").claims if c.kind == "record"]
    assert r.record.get("scope") == scope


@pytest.mark.parametrize("sentence", [
    "Overnight 30 decoy drones fell in empty fields, the air force said.",
    "Another 30 drones crashed into uninhabited terrain, the air force said.",
])
def test_drones_that_fell_in_open_country_are_lost(sentence):
    [f] = [f for f in _figures(sentence) if f.value == 30]
    assert f.measure == "lost"


def test_unmanned_aircraft_are_drones():
    [f] = _figures("Russia launched 25 unmanned aircraft at Ukraine overnight.")
    assert (f.subject, f.measure) == ("drones", "launched")


@pytest.mark.parametrize("second, who", [
    ('"In all, air defence forces destroyed 12 drones over the city," she said.', "regional"),
    ("In all, air defence forces destroyed 12 drones over the city.", "air_force"),
])
def test_a_pronoun_speaker_after_the_figure_is_the_previous_sentence_s(second, who):
    text = "The mayor of Dnipro said the drones came in two waves.\n\n" + second
    [f] = [f for f in _figures(text) if f.value == 12]
    assert f.attribution == who


@pytest.mark.parametrize("sentence, value, subject", [
    ('In all the enemy launched 40 "Shaheds" overnight.', 40, "shahed"),
    ("Ships fired six «Kalibr» missiles from the Black Sea.", 6, "model"),
])
def test_a_weapon_name_in_quote_marks_is_the_figure_s_weapon(sentence, value, subject):
    [f] = [f for f in _figures(sentence) if f.value == value]
    assert f.subject == subject


@pytest.mark.parametrize("sentence, value, model", [
    ("The enemy also fired two Kh-22 at Odesa.", 2, "x-22"),
    ("It used three Iskander-Ms from Crimea.", 3, "iskander-m"),
])
def test_a_missile_model_alone_names_the_figure_s_weapon(sentence, value, model):
    [f] = [f for f in _figures(sentence) if f.value == value]
    assert (f.subject, f.model) == ("model", model)


# --- forms that give part of a night's weapons, and who speaks -----------------------------

def _air_force_claim(value, measure="launched", subject="drones", **kw) -> ct.Claim:
    return ct.Claim("figure", 0, 0, 0, value=value, subject=subject, measure=measure,
                    attribution="air_force", confidence="high", **kw)


@pytest.mark.parametrize("sentence, value, measure, form", [
    ("Air defences downed every drone except 12 that hit targets in the south.", 12,
     "shot_down", "remainder"),
    ("Of the 40 drones, the remaining three reached their targets.", 3, "launched",
     "remainder"),
    ("Impacts of 9 drones were recorded in four districts.", 9, "launched", "hits"),
    ("The army downed 45 missiles, six of them Kalibr missiles downed by a Mirage.", 6,
     "shot_down", "share"),
])
def test_a_remainder_a_hit_count_or_one_type_s_share_is_no_night_count(sentence, value,
                                                                        measure, form):
    from strikescope.check import _part_doubt

    assert form in _part_doubt(_air_force_claim(value, measure), sentence)


@pytest.mark.parametrize("sentence, value, measure", [
    ("Russia launched 12 drones, the air force said.", 12, "launched"),
    # the remainder's own count of those lost is a measure the reports give
    ("Air defences shot down 60 drones; the remaining 20 were lost.", 20, "lost"),
    # the figure is the total, not the remainder
    ("They downed all but 10 of the 90 drones.", 90, "launched"),
])
def test_a_figure_that_is_not_the_part_is_still_checked(sentence, value, measure):
    from strikescope.check import _part_doubt

    assert _part_doubt(_air_force_claim(value, measure), sentence) is None


def test_a_regional_official_s_quote_is_not_the_air_force_s_count():
    from strikescope.check import _source_doubt

    c = _air_force_claim(5, "shot_down")
    quote = '"Five drones were destroyed by air defence forces tonight," the mayor told reporters.'
    assert "regional official" in _source_doubt(c, quote)
    own = "The air force said five drones were destroyed by air defence forces tonight."
    assert _source_doubt(c, own) is None


def test_overnight_in_the_figure_s_sentence_points_to_the_piece_s_night(readings_db):
    from strikescope.check import _own_night_doubt, _Store

    store = _Store(readings_db)
    # read as the night ending 2 March from a date elsewhere; the piece of 4 March reports
    # the night ending 3 March, which holds 80 drones launched
    c = _air_force_claim(80, night=dt.date(2025, 3, 2), published=dt.date(2025, 3, 4),
                         basis="explicit date phrase '2 March'")
    sentence = "Russia sent 80 drones at Ukraine overnight."
    assert "2025-03-03" in _own_night_doubt(c, store, sentence)
    # no "overnight" of its own, or a date in its own sentence: the night read stands
    assert _own_night_doubt(c, store, "Russia sent 80 drones at Ukraine.") is None
    c.basis = "explicit date phrase '2 March' in its sentence"
    assert _own_night_doubt(c, store, sentence) is None
    # 95 fits no night the piece reports (80 or 100 launched)
    c = _air_force_claim(95, night=dt.date(2025, 3, 2), published=dt.date(2025, 3, 4),
                         basis="explicit date phrase '2 March'")
    assert _own_night_doubt(c, store, sentence) is None


@pytest.mark.parametrize("sentence, held", [
    ("Zaporizhzhia, the country's sixth-largest city, was hit, the air force said.", True),
    ("It was the heaviest attack against the country's power stations, the air force said.",
     True),
    ("The June barrage, previously the heaviest of the war, was 500 drones, the air force "
     "said.", True),
    ("It was the heaviest attack of the war, the air force said.", False),
])
def test_a_record_claim_needs_a_superlative_about_the_attack(sentence, held):
    from strikescope.check import _record_doubt

    c = ct.Claim("record", 0, 0, 0, subject="all", measure="launched",
                 attribution="air_force", confidence="high", night=dt.date(2025, 3, 2))
    why = _record_doubt(c, None, sentence) if held else None
    assert (why is not None) == held
    if not held:
        from strikescope.check import _attack_superlatives
        assert [w.strip() for w in _attack_superlatives(sentence)] == ["heaviest"]


# --- blind25 mends ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "In total the enemy launched 52 drones and two missiles, the air force said.",
    "In all Russia used 52 drones against Ukraine overnight.",
])
def test_a_sentence_opening_in_total_without_a_comma_is_still_the_night(sentence):
    [f] = [f for f in _figures(sentence) if f.value == 52]
    assert f.scope == "night"


def test_in_total_since_the_invasion_is_still_the_war():
    [f] = _figures("In total, since the invasion, Russia launched 9,000 missiles.")
    assert f.scope == "war"


# 2025-07-06 is a Sunday
@pytest.mark.parametrize("sentence, night", [
    ("From 21:00 on Saturday the enemy launched 30 drones, the air force said.", "2025-07-06"),
    ("Air defence downed 30 drones fired at the country since Saturday evening.", "2025-07-06"),
    ("On Saturday the enemy launched 30 drones, the air force said.", "2025-07-05"),
    # a morning clock time keeps the day
    ("From 06:00 on Saturday the enemy launched 30 drones, the air force said.", "2025-07-05"),
])
def test_an_evening_time_before_a_weekday_starts_the_next_night(sentence, night):
    [f] = _figures(sentence)
    assert str(f.night) == night


@pytest.mark.parametrize("sentence, value", [
    ("The raid ended with the loss of 31 enemy drones over the south.", 31),
    ("Air defence shot down 40 drones, and 12 are still missing, the air force said.", 12),
])
def test_a_loss_of_drones_and_missing_drones_are_lost(sentence, value):
    [f] = [f for f in _figures(sentence) if f.value == value]
    assert f.measure == "lost"


def test_the_speaker_of_a_reporting_clause_speaks_for_its_figures():
    text = ("The president said the army had done well, with the air force reporting 50 "
            "drones shot down.")
    [f] = [f for f in _figures(text) if f.value == 50]
    assert f.attribution == "air_force"


def test_a_launch_site_is_no_place_an_undated_piece_is_about():
    from strikescope.check import _places

    def regions(text):
        return [p.data["region"] for p in _places(ct.extract(text, "2025-07-06"))]

    odesa = regions("Drones hit the Odesa region.")
    assert odesa and regions("Missiles were fired from occupied Crimea at the Odesa "
                             "region.") == odesa
    assert regions("Missiles were fired at the Odesa region from Crimea.")[0] == odesa[0]


@pytest.mark.parametrize("sentence, subject", [
    ("Of the drones, which the enemy sent from the Kursk region, 31 were shot down.", "drones"),
    ("Out of these cruise missiles, 12 were downed over the capital.", "cruise"),
])
def test_a_sentence_opening_on_its_weapon_gives_it_to_a_bare_number(sentence, subject):
    [f] = _figures(sentence)
    assert f.subject == subject and not f.subject_firm


# --- blind26 mends ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The air force reported intercepting 38 drones over the south.",
    "Air defences went on intercepting 38 drones until dawn, the air force said.",
])
def test_intercepting_is_intercepted(sentence):
    [f] = _figures(sentence)
    assert f.measure == "intercepted"


@pytest.fixture
def dated_db(release, tmp_path):
    """Night ending 2025-03-02: 100 drones, 90 shot down; night ending 2024-11-02: 40
    drones, all shot down."""
    import strikescope
    from tests.conftest import NIGHT2

    path = release([
        {**NIGHT2, "model": "Shahed-136/131", "launched": "100", "destroyed": "90",
         "source": "kpszsu/posts/p1"},
        {"time_start": "2024-11-01 18:00", "time_end": "2024-11-02 06:00",
         "model": "Shahed-136/131", "launched": "40", "destroyed": "40",
         "source": "kpszsu/posts/p0"},
    ])
    db = tmp_path / "dated.duckdb"
    strikescope.ingest([path], db=db)
    return db


@pytest.mark.parametrize("headline, label", [
    # 40 is the night the text names (ending 2 November), not the publication night (90)
    ("Air Force says 40 drones shot down overnight", "unverifiable"),
    # 70 fits neither night: the publication night stands, and the figure misses it
    ("Air Force says 70 drones shot down overnight", "contradicted"),
])
def test_an_overnight_figure_that_fits_the_night_the_piece_dates_is_not_contradicted(
        dated_db, headline, label):
    # a piece republished months later: its headline's "overnight" reads as the page's date
    text = (f"{headline}\n\nRussia launched 40 Shahed drones at Ukraine overnight on "
            "November 2, the Air Force said.")
    r = check(text, published="2025-03-02", db=dated_db)
    c = _claim(r, "count", headline.split()[3])
    assert (str(c.night), c.label) == ("2025-03-02", label)
    assert _claim(r, "count", "40 Shahed").night == "2024-11-02"


# --- blind27 mends ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, value", [
    ("The military shot down 63 drones, while 46 others were disabled by electronic jamming.",
     46),
    ("Air defence downed 30 drones, and 12 others were grounded by electronic warfare.", 12),
])
def test_others_taken_by_electronic_means_are_lost(sentence, value):
    [f] = [f for f in _figures(sentence) if f.value == value]
    assert (f.subject, f.measure) == ("drones", "lost")


# --- blind28 mends ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "Air defence has destroyed some 3,000 Shahed drones since March, the commander told "
    "reporters on Friday.",
    "Since early June, crews have shot down 1,200 drones, a spokesman said on Monday.",
])
def test_a_count_since_a_month_is_a_period_whatever_day_the_sentence_names(sentence):
    [f] = _figures(sentence)
    assert f.scope == "period"


def test_a_comparison_since_a_month_in_its_own_clause_leaves_the_night():
    # "the first such raid since March" compares; the 60 drones are Friday night's
    [f] = _figures("Russia sent 60 drones on Friday, the first such raid since March.")
    assert (f.value, f.scope) == (60, "night")


def test_the_early_hours_of_today_name_the_publication_night():
    [f] = _figures("Russia fired 31 drones in the early hours of today, the air force said.",
                   "2024-03-14")
    assert f.night == D(2024, 3, 14)


@pytest.mark.parametrize("sentence, scope", [
    ("Russia launched 52 drones overnight, targeting the capital and several other regions.",
     "night"),
    ("Russia launched 52 drones overnight, aiming at the capital Kyiv and other cities.",
     "night"),
    ("Russia launched 12 drones at the capital overnight.", "city"),
])
def test_the_capital_among_other_places_is_no_one_place(sentence, scope):
    [f] = _figures(sentence)
    assert f.scope == scope


def test_places_named_as_examples_of_a_count_of_regions_raise_no_place_doubt():
    from strikescope.check import _place_doubt

    said = "Air defence downed 40 drones"
    assert _place_doubt(said + " over nine regions, Odesa and Lviv among them.") is None
    assert _place_doubt(said + " in 11 oblasts, including Kharkiv.") is None
    assert _place_doubt(said + " over Odesa and Lviv.") is not None


@pytest.mark.parametrize("hedge", ["probably", "apparently", "presumably"])
def test_a_hedge_before_the_verb_keeps_the_verb(hedge):
    figs = _figures(f"Air defence shot down 30 drones, and nine others {hedge} failed to reach "
                    "their targets.")
    assert [(f.value, f.measure) for f in figs] == [(30, "shot_down"), (9, "lost")]


def test_means_of_enemy_air_attack_count_every_weapon():
    [f] = _figures("In all, 65 means of hostile air attack were tracked, the air force said.")
    assert (f.subject, f.measure) == ("all", "launched")


# --- blind29 mends ------------------------------------------------------------------------

def test_a_sentence_naming_the_president_raises_a_source_doubt():
    from strikescope.check import _source_doubt

    claim = ct.Claim("figure", 0, 0, 0, value=300, subject="drones", measure="launched",
                     attribution="unattributed")
    told = "Homes burned as Russia fired 300 drones overnight"
    assert _source_doubt(claim, told + ", in what President Zelenskyy termed terror.")
    # the Air Force named beside him keeps the figure the Air Force's
    assert _source_doubt(claim, told + ", the air force said as Zelensky flew to Paris.") is None
    assert _source_doubt(claim, told + ".") is None


@pytest.mark.parametrize("sentence, lost", [
    ("Air defence downed 40 drones, and 12 drones were diverted off course, the air force "
     "said.", True),
    ("Air defence downed 40 drones, and 12 drones deviated off course without damage.", True),
    # drones that left the country flew off; they are not the lost ones
    ("Air defence downed 40 drones, and 12 drones went off course and flew into Belarus.",
     False),
])
def test_drones_off_course_are_lost_unless_they_left(sentence, lost):
    [f] = [f for f in _figures(sentence) if f.value == 12]
    assert (f.measure == "lost") is lost


def test_a_hedged_figure_without_a_noun_takes_its_verb():
    figs = _figures("Russia sent 80 drones, of which 50 were shot down and 22 apparently "
                    "failed mid-flight.")
    assert [(f.value, f.measure) for f in figs] == [(80, "launched"), (50, "shot_down"),
                                                    (22, "lost")]


@pytest.mark.parametrize("window, subject", [
    (" assault with Shahed drones on the capital", "drones"),
    (" strike by cruise missiles in weeks", "missiles"),
    (" attack of the war", "all"),
])
def test_a_record_attack_takes_the_weapon_it_was_made_with(window, subject):
    assert ct.record_subject(window) == subject


@pytest.mark.parametrize("sentence, model", [
    ("Besides the drones, Russia fired a Kh-22 anti-ship missile at the port.", "x-22"),
    ("Air defence also destroyed an X-69 air-launched cruise missile.", "x-69"),
])
def test_a_missile_named_by_its_code_counts_at_least_one(sentence, model):
    [f] = _figures(sentence)
    assert (f.value, f.qualifier, f.model) == (1, "at_least", model)


def test_a_bare_missile_is_no_figure():
    assert _figures("A Russian missile hit a warehouse in the city.") == []


# --- Ukrainian and Russian articles, read with the statement parser --------------------------


def test_cyrillic_share_and_the_normalized_offsets():
    import strikescope.cyrillic as cyr

    assert cyr.is_cyrillic("Збито 90 дронів Shahed")       # 11 Cyrillic letters of 17
    assert not cyr.is_cyrillic("Air defence shot down 90 Шахедів")   # 7 of 25
    text, offsets = cyr.normalized("Запущено 1 200 «Шахедів»")
    assert text == 'Запущено 1200 "Шахедів"'
    # each kept character points back to its place: "2" is the body's 12th character
    assert offsets[text.index("200")] == 11 and len(offsets) == len(text)


UK_ARTICLE = (
    "У ніч на 2 березня росіяни атакували Україну 100 ударними БпЛА типу Shahed та 5 "
    "балістичними ракетами Іскандер-М, повідомили Повітряні сили ЗСУ.\n\n"
    "Протиповітряною обороною збито 90 ударних БпЛА та 4 балістичні ракети.")


def test_a_ukrainian_article_through_the_statement_parser(tiny_db):
    r = check(UK_ARTICLE, published="2025-03-02", db=tiny_db)
    counts = r.claims[r.claims.type == "count"]
    # one claim per figure, none doubled by the English reader's "100 ... Shahed"
    assert sorted(counts.value) == [4, 5, 90, 100]
    assert _claim(r, "count", "100 ударними").label == "supported"
    assert _claim(r, "count", "5 балістичними").subject == "ballistic"
    assert _claim(r, "count", "90 ударних").measure == "shot_down"
    # the store has 2 ballistic missiles shot down; the night is stated, the Air Force named
    bad = _claim(r, "count", "4 балістичні")
    assert bad.label == "contradicted" and bad.night == "2025-03-02"
    assert "2 ballistic missiles shot down" in bad.evidence


def test_a_cyrillic_miss_without_a_stated_night_or_the_air_force_is_unverifiable(tiny_db):
    r = check("Уночі росіяни атакували Україну 100 ударними БпЛА, повідомили Повітряні сили. "
              "Збито 70 ударних БпЛА.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "70 ударних")
    assert c.label == "unverifiable" and "night is uncertain" in c.evidence
    assert _claim(r, "count", "100 ударними").label == "supported"
    r = check("У ніч на 2 березня росіяни атакували Україну 100 ударними БпЛА. Збито 70 "
              "ударних БпЛА.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "70 ударних")
    assert c.label == "unverifiable" and "does not name the Air Force" in c.evidence


def test_a_russian_article_and_another_speakers_count(tiny_db):
    r = check("В ночь на 2 марта Россия атаковала Украину 100 ударными беспилотниками, "
              "сообщили Воздушные силы ВСУ. Силы ПВО сбили 90 из них.\n\n"
              "По словам главы Киевской ОВА, над областью сбиты 12 беспилотников.",
              published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "100 ударными").label == "supported"
    assert _claim(r, "count", "90 из").label == "supported"
    other = _claim(r, "count", "12 беспилотников")
    assert other.label == "unverifiable" and other.attribution == "regional"


def test_a_rounded_figure_and_a_recalled_night(tiny_db):
    r = check("У ніч на 2 березня Росія атакувала Україну понад 95 ударними БпЛА, повідомили "
              "Повітряні сили. Як повідомлялося, в ніч на 28 лютого ворог запустив 40 "
              "ударних БпЛА.", published="2025-03-02", db=tiny_db)
    rounded = _claim(r, "count", "95 ударними")
    assert rounded.qualifier == "more_than" and rounded.label == "supported"
    recalled = _claim(r, "count", "40 ударних")
    assert recalled.night == "2025-02-28" and recalled.label == "supported"


def test_an_english_article_never_reaches_the_statement_parser(tiny_db, monkeypatch):
    import strikescope.cyrillic as cyr

    def unexpected(art):
        raise AssertionError("an English article was read as Cyrillic")

    monkeypatch.setattr(cyr, "figure_claims", unexpected)
    r = check("On 2 March Russia launched 100 drones, the Air Force said, and its "
              "Ukrainian-language post said «збито 90».", published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "100 drones").label == "supported"


def test_a_cyrillic_total_of_all_weapons_and_a_total_of_missiles(tiny_db):
    r = check("У ніч на 2 березня ворог атакував 105 засобами повітряного нападу: 100 ударними "
              "БпЛА та 5 ракетами, повідомили Повітряні сили. Станом на 09:00 збито/подавлено "
              "92 засоби повітряного нападу.", published="2025-03-02", db=tiny_db)
    launched = _claim(r, "count", "105 засобами")
    assert (launched.subject, launched.measure, launched.label) == ("all", "launched",
                                                                   "supported")
    # 90 drones and 2 missiles shot down; "збито/подавлено" may count the jammed ones too
    shot = _claim(r, "count", "92 засоби")
    assert (shot.measure, shot.label) == ("intercepted", "supported")
    assert _claim(r, "count", "5 ракетами").subject == "missiles"


def test_a_city_count_first_does_not_displace_the_national_one(tiny_db):
    # the mayor's 20 comes first; read apart, it leaves the Air Force's 90 to the night
    r = check("Мер Києва заявив, що над містом збито 20 дронів.\n\nУ ніч на 2 березня Росія "
              "атакувала Україну 100 ударними БпЛА, з них 90 збито, повідомили Повітряні сили.",
              published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "20 дронів").attribution == "regional"
    assert _claim(r, "count", "90 збито").label == "supported"


def test_a_cyrillic_shot_down_figure_that_counts_the_jammed_is_not_contradicted(release,
                                                                               tmp_path):
    import strikescope
    from tests.conftest import NIGHT2

    path = release([{**NIGHT2, "model": "Shahed-136/131", "launched": "100",
                     "destroyed": "60", "not_reach_goal": "35", "source": "kpszsu/posts/p1"}])
    db = tmp_path / "jammed.duckdb"
    strikescope.ingest([path], db=db)
    text = ("У ніч на 2 березня Росія атакувала Україну 100 ударними БпЛА, повідомили "
            "Повітряні сили. Сили ППО збили {} ударних БпЛА.")
    # 95 is the 60 shot down and the 35 jammed together: the press's "збили" may mean both
    c = _claim(check(text.format(95), published="2025-03-02", db=db), "count", "95 ударних")
    assert c.label == "unverifiable" and "shot down or lost" in c.evidence
    c = _claim(check(text.format(80), published="2025-03-02", db=db), "count", "80 ударних")
    assert c.label == "contradicted"


def test_a_cyrillic_figure_is_not_the_day_of_the_month_of_the_same_value(tiny_db):
    r = check("В ночь на 2 марта ПВО сбила 2 баллистические ракеты из 5, сообщили Воздушные "
              "силы ВСУ.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "2 баллистические")
    assert c.label == "supported" and c.subject == "ballistic"


@pytest.mark.parametrize("figure, label", [(40, "supported"), (48, "contradicted")])
def test_a_recalled_day_named_by_its_date_dates_its_figures(tiny_db, figure, label):
    r = check("У ніч на 2 березня Росія атакувала Україну 100 ударними БпЛА, повідомили "
              f"Повітряні сили. Нагадаємо, 28 лютого ворог запустив {figure} ударних БпЛА.",
              published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", f"{figure} ударних")
    assert (str(c.night), c.label) == ("2025-02-28", label)
    assert _claim(r, "count", "100 ударними").label == "supported"


@pytest.mark.parametrize("speaker, attribution", [
    ("Про це повідомив президент Володимир Зеленський.", "president"),
    ("Об этом сообщил глава ОВА.", "regional"),
    ("Про це повідомили Повітряні сили.", "unattributed"),
])
def test_a_following_about_this_sentence_names_the_speaker(tiny_db, speaker, attribution):
    r = check("У ніч на 2 березня Росія запустила по Україні 100 ударних дронів. Під ударом "
              f"були кілька областей. {speaker}", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "100 ударних")
    # the Air Force named anywhere makes it the article's source
    assert c.attribution == (attribution if attribution != "unattributed" else "air_force")
    assert c.label == ("supported" if attribution == "unattributed" else "unverifiable")


def test_a_class_figure_over_its_named_models_is_the_class_total(tiny_db):
    r = check("Повітряні сили: у ніч на 2 березня ворог випустив 5 балістичних ракет, "
              "збито 2. Першою хвилею летіли 3 ракети Іскандер-М.",
              published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "5 балістичних")
    assert (c.subject, c.label) == ("ballistic", "supported")


def test_a_total_beside_its_waves_is_checked(tiny_db):
    text = ("Повітряні сили: у ніч на 2 березня в першій хвилі збито 50 ударних БпЛА, у "
            "другій ще 30. Загалом за ніч збили {} ударних БпЛА.")
    c = _claim(check(text.format(90), published="2025-03-02", db=tiny_db), "count",
               "90 ударних")
    assert c.label == "supported"
    c = _claim(check(text.format(70), published="2025-03-02", db=tiny_db), "count",
               "70 ударних")
    assert c.label == "contradicted"


def test_an_exact_figure_in_a_rounded_sentence_is_read(tiny_db):
    r = check("У ніч на 2 березня Росія випустила понад 95 ударних БпЛА, 90 із них збили "
              "сили ППО, повідомили Повітряні сили.", published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "90 із").label == "supported"


# --- cyr3 mends ---------------------------------------------------------------------------


def _parsed(sentence: str) -> list:
    from strikescope.sources import statement as st

    rows = st.parse_statement(sentence, dt.date(2025, 3, 2)).rows
    return rows[["launched", "destroyed", "not_reach_goal"]].astype(object).values.tolist()


@pytest.mark.parametrize("sentence, row", [
    # "ударили" beside "вдарили"; the noun "удари" gives no role
    ("Окупанти ударили по Сумах трьома балістичними ракетами.", [3, None, None]),
    # "локально втрачені" beside "локаційно втрачені", and the Russian "локально потеряны"
    ("Сили ППО збили 30 дронів, ще п'ять локально втрачені.", [35, 30, 5]),
    ("Силы ПВО сбили 30 дронов, еще пять локально потеряны.", [35, 30, 5]),
    # half of a hundred, not a hundred
    ("Уночі ворог запустив пів сотні ударних дронів.", [50, None, None]),
    # the launches recorded, while "зафіксовано влучання" stays a hit
    ("Загалом зафіксовано 40 ворожих ударних дронів.", [40, None, None]),
])
def test_cyr3_statement_words(sentence, row):
    [got] = _parsed(sentence)
    assert [None if str(v) == "<NA>" else v for v in got] == row


def test_recorded_debris_is_not_a_launch():
    from strikescope.sources import statement as st

    parsed = st.parse_statement("Зафіксовано падіння уламків 3 дронів у двох громадах.",
                                dt.date(2025, 3, 2))
    assert [m.role for m in parsed.mentions if m.figure.value == 3] != ["launched"]


@pytest.mark.parametrize("follow", [
    "Він також нагадав, що в ніч на 2 березня ворог запустив 100 ударних БпЛА.",
    "За його словами, у ніч на 2 березня ворог запустив 100 ударних БпЛА.",
])
def test_a_pronoun_keeps_the_speaker_before_it(tiny_db, follow):
    r = check("Повітряні сили звітують щоранку.\n\nЦього тижня ворог випустив майже 900 "
              "дронів, сказав президент.\n\n" + follow, published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "100 ударних")
    assert (c.attribution, c.label) == ("president", "unverifiable")


def test_a_regional_head_named_by_surname_keeps_his_paragraph(tiny_db):
    r = check("Начальник Полтавської ОВА Петро Гончаренко звернувся до мешканців.\n\n"
              "За словами Гончаренка, дрони летіли хвилями. Сили ППО знищили 12 дронів.\n\n"
              "Повітряні сили повідомили, що в ніч на 2 березня збито 90 ударних БпЛА.",
              published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "12 дронів").attribution == "regional"
    # read apart, the head's 12 leaves the Air Force's 90 to the night
    assert _claim(r, "count", "90 ударних").label == "supported"


def test_a_sentence_naming_the_air_force_keeps_its_own_speaker(tiny_db):
    r = check("Голова Київської ОВА Микола Калашник розповів про пошкодження. Повітряні сили "
              "повідомили, що в ніч на 2 березня збито 90 ударних БпЛА.",
              published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "90 ударних")
    assert (c.attribution, c.label) == ("air_force", "supported")


def test_the_air_force_spokesman_is_no_regional_head(tiny_db):
    r = check("Про це розповів начальник управління комунікацій командування Повітряних сил "
              "Юрій Ігнат. Він зазначив, що в ніч на 2 березня ворог запустив 100 ударних "
              "БпЛА.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "100 ударних")
    assert (c.attribution, c.label) == ("air_force", "supported")


def test_a_figure_whose_speaker_the_next_sentence_names_is_read_apart(tiny_db):
    r = check("Під час атаки 2 березня ППО збила 80 дронів. Про це написав у телеграмі "
              "президент.\n\nЗа даними Повітряних сил, у ніч на 2 березня збито 90 ударних "
              "БпЛА.", published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "80 дронів").attribution == "president"
    # not "not checked" beside the president's 80: the Air Force's own figure is compared
    assert _claim(r, "count", "90 ударних").label == "supported"


def test_a_quotation_of_several_sentences_takes_its_closing_speaker(tiny_db):
    r = check("Мер Києва написав у телеграмі про нічну атаку.\n\n\"Росія запустила 60 дронів. "
              "Ми збили 50!\", — додав він.\n\nУ ніч на 2 березня, за даними Повітряних сил, "
              "збито 90 ударних БпЛА.", published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "60 дронів").attribution == "regional"
    assert _claim(r, "count", "90 ударних").label == "supported"


def test_a_military_administration_spelled_out_is_regional(tiny_db):
    r = check("У ніч на 2 березня, за даними Повітряних сил, збито 90 ударних БпЛА. "
              "Представник обласної військової адміністрації повідомив, що тут збили сім "
              "дронів.", published="2025-03-02", db=tiny_db)
    assert _claim(r, "count", "сім дронів").attribution == "regional"


def test_missiles_over_the_classes_they_list_are_the_missiles_total(release, tmp_path):
    import strikescope
    from tests.conftest import NIGHT2

    path = release([
        {**NIGHT2, "model": "Shahed-136/131", "launched": "100", "destroyed": "90",
         "source": "kpszsu/posts/p1"},
        {**NIGHT2, "model": "X-101/X-555", "launched": "6", "destroyed": "6",
         "source": "kpszsu/posts/p1"},
        {**NIGHT2, "model": "X-47 Kinzhal", "launched": "2", "destroyed": "1",
         "source": "kpszsu/posts/p1"},
    ])
    db = tmp_path / "classes.duckdb"
    strikescope.ingest([path], db=db)
    r = check("Повітряні сили: у ніч на 2 березня ворог застосував 108 засобів повітряного "
              "нападу, серед них 8 ракет — 6 крилатих і 2 аеробалістичні.",
              published="2025-03-02", db=db)
    c = _claim(r, "count", "8 ракет")
    assert (c.subject, c.label) == ("missiles", "supported")


# --- cyr4 mends ---------------------------------------------------------------------------


@pytest.mark.parametrize("sentence, row", [
    # "of N weapons, managed to shoot down M": N launched, M shot down (not N shot down)
    ("Із 30 ворожих дронів захисникам вдалося знищити 25.", [30, 25, None]),
    ("Из 30 дронов удалось сбить 25.", [30, 25, None]),
    # a launch verb between is no such pair: the carriers are not the weapons
    ("Із 9 ракетоносців Ту-95 ворог випустив 30 ракет.", [30, None, None]),
    # the weapons an air force "detected" are those launched
    ("Повітряні сили виявили 40 ворожих ударних дронів.", [40, None, None]),
    ("ВВС обнаружили 40 вражеских ударных дронов.", [40, None, None]),
])
def test_cyr4_statement_words(sentence, row):
    [got] = _parsed(sentence)
    assert [None if str(v) == "<NA>" else v for v in got] == row


def test_a_means_of_attack_in_the_singular_is_a_total():
    from strikescope.sources import statement as st

    # "151 засіб" (a numeral ending in 1 takes the singular) like "108 засобів"
    parsed = st.parse_statement("Загалом ворог застосував 121 засіб повітряного нападу.",
                                dt.date(2025, 3, 2))
    assert [(v, role) for v, role, _ in parsed.all_totals] == [(121, "launched")]


def test_a_night_recalled_at_the_end_is_not_the_articles(tiny_db):
    # the only "ніч на" names an earlier night, recalled: the figures before it are the
    # night ending on the day of publication
    r = check("Цієї ночі ворог атакував Україну 100 ударними БпЛА, повідомили Повітряні сили. "
              "А також нагадаємо, що в ніч на 28 лютого ворог запустив 40 ударних БпЛА.",
              published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "100 ударними")
    assert (c.night, c.label) == ("2025-03-02", "supported")
    assert _claim(r, "count", "40 ударних").night == "2025-02-28"


@pytest.mark.parametrize("headline, label", [
    ("Понад 95 дронів атакували Україну", "supported"),    # rounds the text's 100
    ("Майже пів сотні дронів атакували Україну", None),    # 50 rounds no 100: set aside
    ("Понад 90 дронів атакували Україну", "supported"),    # over 90: 100 is
    ("До 90 дронів атакували Україну", None),              # up to 90 does not round 100
])
def test_a_rounded_headline_of_the_exact_figure_is_checked(tiny_db, headline, label):
    r = check(f"{headline}\n\nУ ніч на 2 березня ворог атакував Україну 100 ударними БпЛА, "
              "повідомили Повітряні сили.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", headline.split()[1])
    if label:
        assert c.label == label and c.qualifier == "more_than"
        assert c.night == "2025-03-02"
    else:
        assert c.label == "unverifiable" and "Not checked" in c.evidence


def test_half_a_hundred_is_placed_on_its_words(tiny_db):
    r = check("У ніч на 28 лютого ворог запустив майже пів сотні ударних БпЛА, повідомили "
              "Повітряні сили. З них 40 збито.", published="2025-02-28", db=tiny_db)
    c = _claim(r, "count", "пів сотні")
    assert c.value == 50 and c.qualifier == "about"


# --- cyr5 mends ---------------------------------------------------------------------------


@pytest.mark.parametrize("place, one_city, label", [
    # the sea the bombers fire from is no target: the night's national figure
    ("з літаків над Каспієм", False, "supported"),
    ("с самолетов над Каспием", False, "supported"),
    # a city named after "над" is still one city's figure
    ("над Харковом", True, "unverifiable"),
])
def test_a_launch_area_over_a_sea_is_not_a_city(tiny_db, place, one_city, label):
    r = check(f"У ніч на 2 березня ворог атакував Україну 100 ударними БпЛА {place}, "
              "повідомили Повітряні сили.", published="2025-03-02", db=tiny_db)
    c = _claim(r, "count", "100 ударними")
    assert c.label == label and ("one city or region" in c.evidence) == one_city


# --- blind30 mends ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, values", [
    ("Air defence destroyed 40 Shahed 131 and 136 drones overnight.", [40]),
    ("Air defence destroyed 40 Shahed 136 drones overnight.", [40]),
    # a count after the word stays a count
    ("Russia launched more Shaheds: 70 drones overnight.", [70]),
])
def test_a_drones_model_number_is_no_count(sentence, values):
    assert [f.value for f in _figures(sentence)] == values


def test_a_figure_takes_the_date_of_its_own_clause():
    figs = _figures("On 10-11 June Russia launched 300 drones at Ukraine; on 7-8 June, 250 "
                    "drones.", "2025-06-12")
    assert [(f.value, f.night) for f in figs] == [(300, D(2025, 6, 11)), (250, D(2025, 6, 8))]
