"""Hostile input: formula cells in every CSV written, junk model strings, duplicates."""

from __future__ import annotations

import csv
import io
import time

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import strikescope
from strikescope import csvsafe
from strikescope.cli import app
from strikescope.taxonomy import classify
from strikescope.web import create_app
from tests.hostile_workers import busy_check

runner = CliRunner()
NIGHT = {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
         "source": "kpszsu/p/1"}
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3",
            "\tTAB", "\rCR"]


@pytest.mark.parametrize("cell,shown", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-3", "-3"), ("+1.5", "+1.5"), ("-1e3", "-1e3"),
    ("Shahed-136/131", "Shahed-136/131"), ("", ""), (None, None), (5, 5), (-5.0, -5.0),
])
def test_neutralise_prefixes_formula_cells_only(cell, shown):
    assert csvsafe.neutralise(cell) == shown


def test_to_csv_neutralises_text_columns_unless_raw():
    df = pd.DataFrame({"model": ["=1+1", "Kalibr"], "launched": [-3, 4]})
    assert csvsafe.to_csv(df) == "model,launched\n'=1+1,-3\nKalibr,4\n"
    assert csvsafe.to_csv(df, raw=True) == "model,launched\n=1+1,-3\nKalibr,4\n"


@pytest.mark.parametrize("model", ['=HYPERLINK("x")', "+cmd", "@SUM(1)", "qwerty"])
def test_junk_model_is_of_unknown_kind(model):
    c = classify(model, warn=False)
    assert (c.weapon_class, c.kind, c.long_range, c.known) == ("unknown", "unknown", False,
                                                               False)


@pytest.mark.parametrize("model,kind,long_range", [
    ("Zeta-9 jet UAV", "drone", False), ("New cruise missile", "missile", True),
    ("Kalibr and qwerty", "missile", True), ("qwerty and zxcv", "unknown", False)])
def test_unknown_strings_with_a_drone_or_missile_word_keep_their_kind(model, kind, long_range):
    c = classify(model, warn=False)
    assert (c.kind, c.long_range, c.known) == (kind, long_range, False)


@pytest.fixture
def hostile_db(release, tmp_path):
    """One night: 10 Shahed (national), 2 Kalibr, and 4 + 3 + ... rows of junk models,
    one row per formula string, 1 launched each."""
    rows = [{**NIGHT, "model": "Shahed-136/131", "launched": "10", "destroyed": "8"},
            {**NIGHT, "model": "Kalibr", "launched": "2", "destroyed": "1"}]
    rows += [{**NIGHT, "model": f, "launched": "1", "target": f} for f in FORMULAS]
    db = tmp_path / "h.duckdb"
    strikescope.ingest([release(rows)], db=db)
    return db


def test_junk_models_count_in_neither_drones_nor_missiles(hostile_db):
    night = strikescope.nights(db=hostile_db).set_index("night").loc["2025-07-04"]
    assert (night.drones_launched, night.missiles_launched, night.total_launched) == (10, 2, 12)
    w = strikescope.warnings(db=hostile_db)
    junk = w[w.reason.str.contains("counted in neither drones nor missiles")]
    assert len(junk) == len(FORMULAS)


def _csv_cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row}


def _unsafe(cells: set[str]) -> set[str]:
    return {c for c in cells if c.startswith(csvsafe.TRIGGERS)
            and not csvsafe._PLAIN_NUMBER.fullmatch(c)}


def test_cli_csv_outputs_are_neutralised_and_raw_opts_out(hostile_db, tmp_path):
    db = str(hostile_db)
    for args in (["night", "2025-07-04", "--format", "csv"], ["warnings", "--format", "csv"],
                 ["weapons", "--format", "csv"]):
        out = runner.invoke(app, [*args, "--db", db])
        assert out.exit_code == 0, out.output
        cells = _csv_cells(out.stdout)
        assert not _unsafe(cells), args
        assert "'" + FORMULAS[0] in cells
        raw = runner.invoke(app, ["--raw", *args, "--db", db])
        assert FORMULAS[0] in _csv_cells(raw.stdout)
    target = tmp_path / "rows.csv"
    assert runner.invoke(app, ["export", "reports", str(target), "--db", db]).exit_code == 0
    cells = _csv_cells(target.read_bytes().decode())
    assert not _unsafe(cells) and "'@SUM(1+1)" in cells and "'\rCR" in cells
    assert runner.invoke(app, ["--raw", "export", "reports", str(target), "--db", db]
                         ).exit_code == 0
    assert "@SUM(1+1)" in _csv_cells(target.read_bytes().decode())
    out = runner.invoke(app, ["nights", "--format", "csv", "--db", db])
    assert out.exit_code == 0 and not _unsafe(_csv_cells(out.stdout))


def test_python_export_neutralises_unless_raw(hostile_db, tmp_path):
    safe = strikescope.export("reports", tmp_path / "a.csv", db=hostile_db)
    raw = strikescope.export("reports", tmp_path / "b.csv", db=hostile_db, raw=True)
    assert not _unsafe(_csv_cells(safe.read_text()))
    assert "+cmd|' /C calc'!A0" in _csv_cells(raw.read_text())


def test_api_csv_is_neutralised_and_raw_true_opts_out(hostile_db, tmp_path):
    client = TestClient(create_app(db=hostile_db,
                                   events_file=tmp_path / "ev.csv"))
    url = "/api/v1/night/2025-07-04/rows"
    safe = client.get(url, params={"format": "csv"})
    assert safe.status_code == 200 and not _unsafe(_csv_cells(safe.text))
    assert "'-2+3" in _csv_cells(safe.text)
    raw = client.get(url, params={"format": "csv", "raw": "true"})
    assert "-2+3" in _csv_cells(raw.text)
    # the cached neutralised answer is not served to a raw request, nor the reverse
    again = client.get(url, params={"format": "csv"})
    assert not _unsafe(_csv_cells(again.text))


def test_real_national_figures_do_not_move(real_db):
    """Every real model string is in data/weapons.csv: none is of unknown kind, so the
    night of 3-4 July 2025 stays 539 drones and 11 missiles."""
    night = strikescope.nights(db=real_db).set_index("night").loc["2025-07-04"]
    assert (night.drones_launched, night.missiles_launched) == (539, 11)
    weapons = strikescope.weapons(db=real_db)
    assert not (weapons.kind == "unknown").any()


# --- files that are not releases, cut files, readers after an ingest ----------------------

@pytest.mark.parametrize("content,reason", [
    (b"time_start;time_end;model;launched\n2025-07-04;2025-07-04;Kalibr;3\n",
     "separated by semicolons"),
    (b"\x00\x01\x02\x03 binary\n\x04\x05\n", "binary data"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    (b"foo,bar\n1,2\n", "not an attack release"),
])
def test_named_non_release_exits_1_with_its_reason(tmp_path, content, reason):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    db = tmp_path / "s.duckdb"
    out = runner.invoke(app, ["ingest", str(path), "--db", str(db)])
    assert out.exit_code == 1 and reason in " ".join(out.output.split()), out.output
    # found in a folder instead, it is skipped and the rest is ingested
    (tmp_path / "folder").mkdir()
    path.rename(tmp_path / "folder" / "odd.csv")
    if reason != "not UTF-8":
        reports = strikescope.ingest([tmp_path / "folder"], db=db)
        assert reports[0].status.startswith("skipped")


def _cut(release, rows, header=None, cut=4):
    path = release(rows, header=header)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 2 - cut])  # the newline and `cut` characters go
    return path


def test_record_cut_in_its_source_is_flagged(release, tmp_path):
    rows = [{**NIGHT, "model": "Kalibr", "launched": "3"},
            {**NIGHT, "model": "Shahed-136/131", "launched": "10", "source": "kpszsu/p/123456"}]
    from strikescope.sources.attacks import parse_file

    result = parse_file(_cut(release, rows))
    assert len(result.loaded) == 2 and result.loaded.source.iloc[1] == "kpszsu/p/12"
    warned = result.loaded.warnings.iloc[1]
    assert [w["field"] for w in warned] == ["source"]
    assert "ends inside this record" in warned[0]["reason"]
    assert len(result.loaded.warnings.iloc[0]) == 0
    # the same file whole (final newline, or a closed quote) is not flagged
    whole = parse_file(release(rows, "whole.csv"))
    assert all(len(w) == 0 for w in whole.loaded.warnings)


def test_record_cut_in_a_count_is_quarantined(release):
    header = ["time_start", "time_end", "model", "source", "launched"]
    rows = [{**NIGHT, "model": "Kalibr", "launched": "3"},
            {**NIGHT, "model": "Shahed-136/131", "launched": "12345"}]
    from strikescope.sources.attacks import parse_file

    result = parse_file(_cut(release, rows, header, cut=3))  # 12345 -> 12
    assert result.loaded.launched.tolist() == [3]
    assert result.quarantine[["rec", "field"]].values.tolist() == [[2, "launched"]]


def test_reader_sees_the_new_store_while_an_old_reader_is_open(release, tmp_path):
    db = tmp_path / "s.duckdb"
    row = {**NIGHT, "model": "Shahed-136/131"}
    strikescope.ingest([release([{**row, "launched": "10"}], "v1.csv")], db=db)
    held = strikescope.connect(db, read_only=True)
    try:
        strikescope.ingest([release([{**row, "launched": "20"}], "v2.csv")], db=db)
        assert strikescope.nights(db=db).drones_launched.tolist() == [20]
        assert held.con.execute("SELECT sum(launched) FROM reports").fetchall()[0][0] == 10
    finally:
        held.close()


# --- the web server under hostile requests -------------------------------------------------

EVENT = {"date": "2025-07-05", "type": "phone_call", "actors": "FRA,RUS",
         "title": "Test call about the night", "source_url": "https://example.org/x",
         "confidence": "low"}
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def web(hostile_db, tmp_path):
    return TestClient(create_app(db=hostile_db, token="t", events_file=tmp_path / "ev.csv",
                                 alerts_path=tmp_path / "no-alerts"))


def test_body_over_the_route_limit_is_413_plain(web):
    from strikescope.web.app import BODY_LIMITS

    big = b"x" * (BODY_LIMITS["/api/v1/events"] + 1)
    r = web.post("/api/v1/events", content=big, headers=AUTH)
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/plain")
    assert len(r.content) < 200 and "too large" in r.text
    # without a Content-Length (chunked), stopped once the bytes pass the limit
    def chunks():
        for _ in range(100):
            yield b"y" * 10_000
    r = web.post("/api/v1/events", content=chunks(), headers=AUTH)
    assert r.status_code == 413 and len(r.content) < 200
    # a GET carries no body either
    assert web.request("GET", "/api/v1/nights", content=big).status_code == 413


def test_422_does_not_echo_a_large_input(web):
    r = web.post("/api/v1/events", json={**EVENT, "description": "z" * 60_000}, headers=AUTH)
    assert r.status_code == 422 and len(r.content) < 1000 and "zzzz" not in r.text
    r = web.post("/api/v1/events", json={**EVENT, "title": "ab"}, headers=AUTH)
    assert r.status_code == 422 and r.json()["detail"][0]["input"] == "ab"  # short: shown


@pytest.mark.parametrize("change", [
    {"date": "9999-01-01"}, {"date": "1600-01-01"}, {"end_date": "2300-01-01"},
    {"source_url": "http://["}, {"source_url": "http://host:port/x"}, {"source_url": "http://"},
])
def test_event_with_out_of_range_date_or_malformed_url_is_422(web, change):
    r = web.post("/api/v1/events", json={**EVENT, **change}, headers=AUTH)
    assert r.status_code == 422, r.text


def test_check_text_over_the_limit_is_413(web):
    from strikescope.web.routes_api import MAX_CHECK_CHARS

    r = web.post("/api/v1/check", json={"text": "5 drones. " * (MAX_CHECK_CHARS // 10 + 1)})
    assert r.status_code == 413 and "characters" in r.json()["detail"]
    r = web.post("/api/v1/check", json={"text": "x" * 300_000})  # over the body limit
    assert r.status_code == 413 and len(r.content) < 200


def test_pool_refuses_past_its_queue_and_answers_503_past_its_budget():
    import asyncio
    import time

    from fastapi import HTTPException

    from strikescope.web.pool import WorkPool

    async def scenario():
        pool = WorkPool("t", workers=1, queue=1, budget_s=0.3)
        results = await asyncio.gather(*(pool.run(time.sleep, 0.6) for _ in range(3)),
                                       return_exceptions=True)
        codes = sorted(r.status_code if isinstance(r, HTTPException) else 200
                       for r in results)
        await asyncio.sleep(1.0)  # the work past its budget ends in its slot
        left = pool.pending
        quick = await pool.run(lambda: 42)
        pool.shutdown()
        return codes, left, quick

    codes, left, quick = asyncio.run(scenario())
    # one runs (past the 0.3 s budget: 503), one waits (503 too), the third is refused
    assert codes == [429, 503, 503] and left == 0 and quick == 42


@pytest.mark.slow
def test_reads_answer_while_checks_fill_the_pool(web):
    """Slow checks (1 s of CPU each, twice the pool and queue) while cached nights are read:
    every check finishes or is refused, and the reads answer at once meanwhile."""
    import asyncio
    import time

    import httpx

    web.app.state.check_runner = busy_check

    async def scenario():
        transport = httpx.ASGITransport(app=web.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/api/v1/nights")).status_code == 200  # cached now
            checks = [asyncio.create_task(client.post("/api/v1/check", json={"text": "1"}))
                      for _ in range(12)]
            await asyncio.sleep(0.1)
            times = []
            for _ in range(5):
                start = time.perf_counter()
                r = await client.get("/api/v1/nights")
                times.append(time.perf_counter() - start)
                assert r.status_code == 200
            codes = [r.status_code for r in await asyncio.gather(*checks)]
        web.app.state.pools["check"].shutdown()
        return codes, times

    codes, times = asyncio.run(scenario())
    assert set(codes) <= {422, 429, 503} and codes.count(429) >= 6 and 422 in codes
    assert max(times) < 0.2, times


@pytest.mark.slow
def test_a_check_past_its_budget_is_stopped(web):
    from strikescope.web.pool import ProcessPool

    web.app.state.check_runner = busy_check
    web.app.state.pools["check"] = pool = ProcessPool("check", workers=1, queue=1,
                                                      budget_s=5.0, start_s=20.0)
    try:
        assert web.post("/api/v1/check", json={"text": "0.1"}).status_code == 422  # started
        start = time.perf_counter()
        r = web.post("/api/v1/check", json={"text": "60"})
        assert r.status_code == 503 and "stopped after 5 s" in r.json()["detail"]
        assert time.perf_counter() - start < 12
        assert web.post("/api/v1/check", json={"text": "0.1"}).status_code == 422  # new pool
    finally:
        pool.shutdown()


def test_cache_computes_a_cold_key_once_for_concurrent_callers():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from strikescope.web.service import LRU

    cache, calls, lock = LRU(), [], threading.Lock()

    def make():
        with lock:
            calls.append(1)
        time.sleep(0.3)
        return object()

    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda _: cache.get("k", make), range(8)))
    assert len(calls) == 1 and all(v is values[0] for v in values)

    def fail():
        time.sleep(0.2)
        raise LookupError("no such night")

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(cache.get, "bad", fail) for _ in range(4)]
    assert all(isinstance(f.exception(), LookupError) for f in futures)
    assert cache.peek("bad") is None  # an error is not cached: the next caller tries again


def test_after_an_ingest_the_old_answers_serve_until_the_new_are_warm(release, tmp_path):
    """An ingest by another process: requests keep the old (cached) answers while the new
    store's caches are filled, then switch; none waits for a cold computation meanwhile."""
    import threading
    import time

    db = tmp_path / "s.duckdb"
    row = {**NIGHT, "model": "Shahed-136/131"}
    strikescope.ingest([release([{**row, "launched": "10"}], "v1.csv")], db=db)
    app = create_app(db=db, events_file=tmp_path / "ev.csv", alerts_path=tmp_path / "none")
    svc, gate, warmed = app.state.service, threading.Event(), threading.Event()

    def warmer(s):
        gate.wait(10)
        s.all_nights()
        warmed.set()

    svc.warmer = warmer
    client = TestClient(app)

    def drones():
        return client.get("/api/v1/nights").json()[0]["drones_launched"]

    assert drones() == 10
    strikescope.ingest([release([{**row, "launched": "20"}], "v2.csv")], db=db)
    assert drones() == 10 and drones() == 10  # stale while warming, from the cache
    gate.set()
    assert warmed.wait(10)
    deadline = time.monotonic() + 5
    while drones() != 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert drones() == 20


def test_an_error_about_a_large_input_does_not_echo_it(web):
    header = "time_start,time_end," + ",".join(f"junk_column_{i}" for i in range(20_000))
    r = web.post("/api/v1/ingest", content=(header + "\n").encode(), headers=AUTH)
    assert r.status_code == 422 and "required column" in r.json()["detail"]
    assert len(r.content) < 1500 and "cut" in r.json()["detail"]


def test_study_and_brief_pages_run_in_their_bounded_pools(tiny_db, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    app = create_app(db=tiny_db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "no")
    ran = []
    for kind in ("study", "brief"):
        pool = app.state.pools[kind]
        original = pool.run

        async def counted(fn, *a, _kind=kind, _run=original, **kw):
            ran.append(_kind)
            return await _run(fn, *a, **kw)

        pool.run = counted
    client = TestClient(app)
    assert client.get("/brief/2025-03-02").status_code == 200
    client.get("/study?type=phone_call&n_placebo=100")
    assert ran == ["brief", "study"]
    # a full pool is a plain page, not a stall of the server
    app.state.pools["brief"]._pending = 10**6
    full = client.get("/brief/2025-02-28")
    assert full.status_code == 429 and "try again" in full.text
