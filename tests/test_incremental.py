"""An ingest that changes a few rows rebuilds only the nights they lie on: what it leaves in
every derived table is what a full rebuild of the same rows gives."""

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strikescope import store as store_module
from strikescope.store import Store
from tests.conftest import ATTACKS, OLD_RELEASE, REFERENCE, write_release

DERIVED = ("rank_map", "class_keys", "attack_rows", "part_rows", "group_parts",
           "report_regions", "night_class_rows")


def derived(store: Store) -> dict[str, pd.DataFrame]:
    """Every derived table, rows sorted."""
    return {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").df() for t in DERIVED}


def assert_same(got: dict, want: dict) -> None:
    for table in DERIVED:
        pd.testing.assert_frame_equal(got[table], want[table], obj=table)


def updated_then_full(store: Store, path: Path) -> tuple[dict, dict]:
    """Apply the release `path` and update the nights it touches; then rebuild every night
    from the same rows. The derived tables after each."""
    store.ingest([path], rebuild=False)
    assert store.update_nights(), "fell back to a full rebuild"
    updated = derived(store)
    store.rebuild()
    return updated, derived(store)


def night(day: str, start: str = "18:00", end: str = "06:00") -> dict:
    prev = (pd.Timestamp(day) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return {"time_start": f"{prev} {start}", "time_end": f"{day} {end}"}


THREE_NIGHTS = [
    {**night("2025-07-01"), "model": "Shahed-136/131", "launched": "40", "destroyed": "30",
     "source": "kpszsu/p/1"},
    {**night("2025-07-02"), "model": "Shahed-136/131", "launched": "50", "destroyed": "45",
     "source": "kpszsu/p/2"},
    {**night("2025-07-02", "02:00"), "model": "Kalibr", "launched": "4", "destroyed": "3",
     "source": "kpszsu/p/2"},
    {**night("2025-07-02"), "model": "Shahed-136/131", "launched": "20", "destroyed": "20",
     "source": "PvKPivden/p/9"},
    {**night("2025-07-03"), "model": "Iskander-M", "launched": "2", "destroyed": "0",
     "source": "kpszsu/p/3"},
]


def test_one_changed_row_rebuilds_its_night_only(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write_release(tmp_path / "v1.csv", THREE_NIGHTS)])
        before = store.con.execute(
            "SELECT night, launched, destroyed FROM night_classes ORDER BY night, "
            "weapon_class").df()
        edited = [dict(r) for r in THREE_NIGHTS]
        edited[1]["launched"] = "60"  # the national drones of 2 July
        updated, full = updated_then_full(store, write_release(tmp_path / "v2.csv", edited))
        after = store.con.execute(
            "SELECT night, launched, destroyed FROM night_classes ORDER BY night, "
            "weapon_class").df()
    assert_same(updated, full)
    moved = before.compare(after)
    # the drones of 2 July only: the national 60 (not the regional 20) now count
    assert before.loc[moved.index, "night"].astype(str).tolist() == ["2025-07-02"]
    assert after.loc[moved.index, ["launched", "destroyed"]].values.tolist() == [[60, 45]]


def test_ingest_of_a_changed_row_updates_without_rebuilding_every_night(tmp_path,
                                                                          monkeypatch):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write_release(tmp_path / "v1.csv", THREE_NIGHTS)])

        def refuse(*args, **kwargs):
            raise AssertionError("every night rebuilt")

        monkeypatch.setattr(store_module.night_rules, "build_parts", refuse)
        edited = [*THREE_NIGHTS[:4], {**THREE_NIGHTS[4], "launched": "3"}]
        [report] = store.ingest([write_release(tmp_path / "v2.csv", edited)])
        launched = store.con.execute(
            "SELECT launched FROM night_classes WHERE night = '2025-07-03'").fetchall()
        left = store.con.execute("SELECT count(*) FROM stale_rows").fetchall()
    assert (report.changed, launched, left) == (1, [(3,)], [(0,)])


def test_rows_left_stale_are_rebuilt_by_the_next_ingest(tmp_path):
    """An ingest told not to rebuild leaves its rows marked; the next ingest updates their
    night even when its own file changes nothing."""
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write_release(tmp_path / "v1.csv", THREE_NIGHTS)])
        edited = [*THREE_NIGHTS[:4], {**THREE_NIGHTS[4], "launched": "3"}]
        store.ingest([write_release(tmp_path / "v2.csv", edited)], rebuild=False)
        [again] = store.ingest([tmp_path / "v2.csv"])
        launched = store.con.execute(
            "SELECT launched FROM night_classes WHERE night = '2025-07-03'").fetchall()
    assert (again.status, launched) == ("already ingested", [(3,)])


def test_post_added_to_another_night_renames_its_attacks(tmp_path):
    """A row of post 1 (1 July) is added on the night of 3 July: only that night is rebuilt,
    yet the post's attack of 1 July is now named by its night too."""
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write_release(tmp_path / "v1.csv", THREE_NIGHTS)])
        added = {**night("2025-07-03"), "model": "Kalibr", "launched": "1",
                 "source": "kpszsu/p/1"}
        updated, full = updated_then_full(
            store, write_release(tmp_path / "v2.csv", [*THREE_NIGHTS, added]))
        split = store.con.execute(
            "SELECT attack_id FROM attacks WHERE source = 'kpszsu/p/1' ORDER BY 1").fetchall()
    assert_same(updated, full)
    assert [r[0] for r in split] == ["kpszsu/p/1#2025-07-01", "kpszsu/p/1#2025-07-03"]


def test_store_of_an_older_layout_rebuilds_every_night(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write_release(tmp_path / "v1.csv", THREE_NIGHTS)])
        store.set_meta("layout", "3")
        store.con.execute("UPDATE attack_rows SET n_rows = 0")  # no night is left as it was
        edited = [*THREE_NIGHTS[:4], {**THREE_NIGHTS[4], "launched": "3"}]
        store.ingest([write_release(tmp_path / "v2.csv", edited)])
        rows = store.con.execute("SELECT count(*), min(n_rows) FROM attack_rows").fetchall()
    assert rows == [(4, 1)]


def test_update_refuses_when_a_model_changed_class(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write_release(tmp_path / "v1.csv", THREE_NIGHTS)])
        store.con.execute("UPDATE built_classes SET weapon_class = 'cruise' "
                          "WHERE model = 'Iskander-M'")
        store.con.execute("INSERT INTO stale_rows VALUES (DATE '2025-07-01', 'kpszsu/p/1')")
        assert not store.update_nights()  # rebuilt every night instead
        kept = store.con.execute("SELECT weapon_class FROM built_classes "
                                 "WHERE model = 'Iskander-M'").fetchall()
        assert kept == [("ballistic",)]
        assert store.con.execute("SELECT count(*) FROM stale_rows").fetchall() == [(0,)]


@pytest.mark.slow
def test_real_releases_updated_equal_full_rebuild(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([OLD_RELEASE, REFERENCE])
        updated, full = updated_then_full(store, ATTACKS)
        marked = store.con.execute("SELECT count(*) FROM releases WHERE changed > 0")
        assert marked.fetchall() == [(1,)]
    assert_same(updated, full)


# A small release for random edits: anchors on the first and last night keep its period (an
# edited release ending earlier would be an older one, and not applied).
ANCHORS = [
    {**night("2025-07-01"), "model": "Shahed-136/131", "launched": "10", "source": "kpszsu/p/a"},
    {**night("2025-07-09"), "model": "Shahed-136/131", "launched": "10", "source": "kpszsu/p/z"},
]
BASE = [
    {**night("2025-07-03", end="09:00"), "model": "Shahed-136/131", "launched": "100",
     "destroyed": "90", "source": "kpszsu/p/1"},
    {**night("2025-07-03", "02:00"), "model": "Kalibr", "launched": "5", "destroyed": "4",
     "source": "kpszsu/p/1"},
    {**night("2025-07-03"), "model": "Shahed-136/131", "launched": "20", "destroyed": "18",
     "source": "PvKPivden/p/2"},
    {**night("2025-07-03"), "model": "Orlan-10", "launched": "3", "destroyed": "3",
     "source": "PvKPivden/p/2"},
    {**night("2025-07-05", "19:00", "08:00"), "model": "Shahed-136/131", "launched": "50",
     "destroyed": "41", "not_reach_goal": "5", "source": "kpszsu/p/3"},
    {**night("2025-07-05", "03:00"), "model": "X-101/X-555 and Kalibr", "launched": "6",
     "destroyed": "5", "launched_details": "{'X-101/X-555': 4, 'Kalibr': 2}",
     "source": "kpszsu/p/3"},
    {**night("2025-07-06", end="17:00"), "model": "Shahed-136/131", "launched": "7",
     "source": "kpszsu/p/3", "target": "Kyiv"},
    {**night("2025-07-06"), "model": "Iskander-M", "launched": "2", "source": ""},
    {**night("2025-07-07"), "model": "Lancet", "launched": "4", "destroyed": "1",
     "source": "PvkZahid/p/4", "target": "Odesa oblast"},
]
MODELS = ["Shahed-136/131", "Kalibr", "Iskander-M", "Orlan-10", "X-59", "Gerbera"]


def _moved(row: dict, days: int = 0, across: bool = False) -> dict:
    """`row` with its window ending `days` later; `across` moves the end over 18:00 (to
    17:30 or 19:30 of its day)."""
    end = pd.Timestamp(row["time_end"]) + pd.Timedelta(days=days)
    if across:
        late = (end.hour, end.minute) > (18, 0)
        end = end.normalize() + pd.Timedelta(hours=17 if late else 19, minutes=30)
    start = end - pd.Timedelta(hours=10)
    return {**row, "time_start": f"{start:%Y-%m-%d %H:%M}", "time_end": f"{end:%Y-%m-%d %H:%M}"}


edits = st.lists(st.tuples(
    st.sampled_from(["count", "move", "delete", "add", "model"]),
    st.integers(0, len(BASE) - 1), st.integers(0, 120)), min_size=1, max_size=5)


def apply_edits(rows: list[dict], todo: list[tuple]) -> list[dict]:
    rows = [dict(r) for r in rows]
    for op, i, value in todo:
        if not rows:
            break
        i %= len(rows)
        if op == "count":
            rows[i]["launched"] = str(value)
        elif op == "move":
            rows[i] = _moved(rows[i], across=True)
        elif op == "delete":
            del rows[i]
        elif op == "add":  # the same post, on another night
            rows.append({**_moved(rows[i], days=1 + value % 2), "model": "Shahed-136/131",
                         "launched": str(value), "destroyed": ""})
        else:
            rows[i]["model"] = MODELS[value % len(MODELS)]
    return rows


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(todo=edits)
def test_random_edits_updated_equal_full_rebuild(todo):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with Store(tmp / "s.duckdb") as store:
            store.ingest([write_release(tmp / "v1.csv", [ANCHORS[0], *BASE, ANCHORS[1]])])
            edited = [ANCHORS[0], *apply_edits(BASE, todo), ANCHORS[1]]
            updated, full = updated_then_full(store, write_release(tmp / "v2.csv", edited))
    assert_same(updated, full)
