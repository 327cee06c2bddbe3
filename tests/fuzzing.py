"""Mutated slices of the real releases, and what an ingest of each must do.

`mutated_files()` draws 20-60 consecutive rows of either shared release and applies some of:
cells replaced by junk, bare `NaN`, huge or negative numbers, Cyrillic text, quoted newlines,
rows with a field too many or too few, columns dropped, renamed or reordered, header only,
then on the bytes: a stray quote, blank lines, CRLF, a truncated last line, cp1251, a BOM,
an empty file.

`expect()` says what the ingest must do with the bytes, without the product's reader:

* A *record* is a non-empty row that Python's `csv.reader` (default dialect) yields after
  the header from the bytes decoded as UTF-8 (one leading BOM dropped). A blank line is no
  record. A quoted newline is part of its record, so a stray quote can merge the rest of the
  file into one (malformed) record. A truncated last line is one record: loaded if it still
  has every field (with a warning, or quarantined when its cut last field is a number or a
  date), quarantined as malformed if not. Empty cells past the last column (a trailing
  comma) are no extra fields.
* The file is rejected whole when it is empty, its first line is blank, it is not UTF-8
  (e.g. cp1251 with Cyrillic, or a last line cut inside a multi-byte character), a
  required column is missing, or two columns name the same field.
* It is rejected as not an attack release when fewer than two required columns remain (a
  file named on its own; one found in a folder is skipped).
* Otherwise it loads, and `read` must equal the number of records.

`check()` runs one ingest against a store and returns the outcome, raising AssertionError
when the ingest breaks these rules; tests/test_fuzz.py and benchmarks/fuzz.py share it.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from hypothesis import note
from hypothesis import strategies as st

from strikescope.rules import nights as night_rules
from strikescope.sources.attacks import MissingColumnError, UnreadableFileError
from tests.conftest import ATTACKS, OLD_RELEASE

# The column rules as the README states them, written out again so that the expectation
# does not come from the code under test.
REQUIRED = {"time_start", "time_end", "model", "launched"}
KNOWN = REQUIRED | {
    "launch_place", "target", "target_main", "carrier", "source", "destroyed",
    "not_reach_goal", "still_attacking", "is_shahed", "num_hit_location",
    "num_fall_fragment_location", "turbojet", "turbojet_destroyed", "border_crossing",
    "affected_region", "destroyed_details", "launched_details", "launch_place_details",
    "cross_border_belarus", "back_russia",
}
ALIASES = {
    "start": "time_start", "end": "time_end", "weapon": "model", "shot_down": "destroyed",
    "lost": "not_reach_goal", "source_url": "source", "affected_regions": "affected_region",
}
NUMERIC = {"launched", "destroyed", "not_reach_goal", "still_attacking", "is_shahed",
           "num_hit_location", "num_fall_fragment_location", "turbojet", "turbojet_destroyed"}

NAN = ["NaN", "nan", "NAN", " NaN ", "-NaN"]
HUGE = ["1e400", "9" * 30, "1e6", "1000001", "1.7976931348623157e308", "inf", "Infinity"]
NEGATIVE = ["-1", "-0", "-0.5", "-1e3", "-999999999999"]
CYRILLIC = ["Київ", "Молнія", "Одеська область", "Шахед-136", "ґанок їжак"]
JUNK_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
JUNK = st.one_of(
    st.sampled_from(["", " ", "x", "?", "--", "1,000", "12.5", "0x1F", "½", "١٢", "yesterday",
                     "2025-13-45", "2025-02-30 25:61", "{'a':", "[1, 2", "None", "null",
                     "TRUE", '"', '""', "'", "\\", "\t", "\u00a0", "\ufeff"]),
    st.sampled_from(NAN + HUGE + NEGATIVE + CYRILLIC),
    JUNK_TEXT,
)


def ingest_into(store, paths):
    """`Store.ingest` and the rebuild of the nights it touched, as `strikescope.ingest` does."""
    reports = store.ingest(paths)
    night_rules.after_ingest(store, reports)
    return reports


def normalize(name: str) -> str:
    """The field a column name stands for: known names by their spelling rules, others as
    written."""
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    key = ALIASES.get(key, key)
    return key if key in KNOWN else name


@functools.cache
def release(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    mutations: list[str] = field(default_factory=list)

    def cols(self, names: set[str]) -> list[int]:
        return [i for i, c in enumerate(self.header) if normalize(c) in names]


# -- cell and row mutations (on the original header) ---------------------------------------


def _set_cells(draw, t: Table, cols: list[int], values, label: str, most: int = 5) -> None:
    if not t.rows or not cols:
        return
    for _ in range(draw(st.integers(1, most))):
        r = draw(st.integers(0, len(t.rows) - 1))
        c = draw(st.sampled_from(cols))
        t.rows[r][c] = draw(values)
    t.mutations.append(label)


def junk_cells(draw, t: Table) -> None:
    _set_cells(draw, t, list(range(len(t.header))), JUNK, "junk cells")


def nan_cells(draw, t: Table) -> None:
    _set_cells(draw, t, t.cols(NUMERIC), st.sampled_from(NAN), "bare NaN")


def huge_numbers(draw, t: Table) -> None:
    _set_cells(draw, t, t.cols(NUMERIC), st.sampled_from(HUGE), "huge numbers")


def negative_numbers(draw, t: Table) -> None:
    _set_cells(draw, t, t.cols(NUMERIC), st.sampled_from(NEGATIVE), "negative numbers")


def cyrillic_cells(draw, t: Table) -> None:
    cols = t.cols({"model", "target", "launch_place", "carrier"})
    _set_cells(draw, t, cols, st.sampled_from(CYRILLIC), "Cyrillic text")


def quoted_newlines(draw, t: Table) -> None:
    if not t.rows:
        return
    for _ in range(draw(st.integers(1, 3))):
        row = t.rows[draw(st.integers(0, len(t.rows) - 1))]
        c = draw(st.integers(0, len(row) - 1))
        cut = draw(st.integers(0, len(row[c])))
        row[c] = row[c][:cut] + draw(st.sampled_from(["\n", "\r\n", "\n\n", "\r"])) + row[c][cut:]
    t.mutations.append("quoted newlines")


def ragged_rows(draw, t: Table) -> None:
    if not t.rows:
        return
    for _ in range(draw(st.integers(1, 3))):
        row = t.rows[draw(st.integers(0, len(t.rows) - 1))]
        if draw(st.booleans()) and len(row) > 1:
            row.pop(draw(st.integers(0, len(row) - 1)))
        else:
            row.append(draw(JUNK))
    t.mutations.append("ragged rows")


def header_only(draw, t: Table) -> None:
    t.rows = []
    t.mutations.append("header only")


# -- column mutations ----------------------------------------------------------------------


def _drop_column(t: Table, i: int) -> None:
    del t.header[i]
    for row in t.rows:
        if i < len(row):
            del row[i]


def drop_columns(draw, t: Table) -> None:
    for _ in range(draw(st.integers(1, 3))):
        if len(t.header) > 1:
            _drop_column(t, draw(st.integers(0, len(t.header) - 1)))
    t.mutations.append("columns dropped")


def _new_name(draw, t: Table, old: str) -> str:
    field_name = normalize(old)
    variants = [old.upper(), old.title(), f" {old} ", old.replace("_", " "),
                old.replace("_", "-"), *[a for a, f in ALIASES.items() if f == field_name]]
    return draw(st.one_of(
        st.sampled_from(variants),
        st.sampled_from(t.header),  # another column's name: two columns for one field
        st.text("abcxyz_", max_size=6).map(lambda s: f"x_{s}"),
        st.just(""),
    ))


def rename_columns(draw, t: Table) -> None:
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(t.header) - 1))
        t.header[i] = _new_name(draw, t, t.header[i])
    t.mutations.append("columns renamed")


def reorder_columns(draw, t: Table) -> None:
    order = draw(st.permutations(range(len(t.header))))
    t.header = [t.header[i] for i in order]
    t.rows = [[row[i] for i in order if i < len(row)] + row[len(order):] for row in t.rows]
    t.mutations.append("columns reordered")


CELL_MUTATIONS = [junk_cells, nan_cells, huge_numbers, negative_numbers, cyrillic_cells,
                  quoted_newlines, ragged_rows, header_only]
COLUMN_MUTATIONS = [drop_columns, rename_columns, reorder_columns]


# -- text and byte mutations ---------------------------------------------------------------


def serialize(t: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(t.header)
    writer.writerows(t.rows)
    return out.getvalue()


def _body_offset(text: str) -> int:
    return text.find("\n") + 1 if "\n" in text else len(text)


def stray_quote(draw, text: str) -> str:
    pos = draw(st.integers(_body_offset(text), len(text)))
    return text[:pos] + '"' + text[pos:]


def blank_lines(draw, text: str) -> str:
    ends = [m.start() for m in re.finditer("\n", text)] or [len(text)]
    pos = draw(st.sampled_from(ends))
    return text[:pos] + "\n" * draw(st.integers(1, 3)) + text[pos:]


def truncate_last_line(draw, data: bytes) -> bytes:
    """Cut the file inside its last line (possibly inside a multi-byte character)."""
    body = data.rstrip(b"\r\n")
    start = max(body.rfind(b"\n") + 1, 1)
    return data[: draw(st.integers(start, len(data) - 1))] if len(data) > start else data


@st.composite
def mutated_files(draw) -> tuple[bytes, list[str]]:
    """(file bytes, names of the mutations applied)."""
    src = draw(st.sampled_from([ATTACKS, OLD_RELEASE]))
    header, rows = release(src)
    n = draw(st.integers(20, 60))
    first = draw(st.integers(0, len(rows) - n))
    t = Table(list(header), [list(r) for r in rows[first:first + n]], [src.name])
    for mutate in draw(st.lists(st.sampled_from(CELL_MUTATIONS), max_size=3, unique=True)):
        mutate(draw, t)
    for mutate in draw(st.lists(st.sampled_from(COLUMN_MUTATIONS), max_size=2, unique=True)):
        mutate(draw, t)
    text = serialize(t)
    text_steps = {"stray quote": stray_quote, "blank lines": blank_lines,
                  "CRLF": lambda _draw, s: s.replace("\n", "\r\n")}
    for name in draw(st.lists(st.sampled_from(sorted(text_steps)), max_size=2, unique=True)):
        text = text_steps[name](draw, text)
        t.mutations.append(name)
    return _encode(draw, text, t.mutations), t.mutations


def _one_in(draw, n: int) -> bool:
    # Not `integers(0, n - 1) == 0`: Hypothesis favours the bounds, so that would be far
    # likelier than 1 in n. This shrinks to False, i.e. to leaving the mutation out.
    return draw(st.sampled_from(range(n))) == n - 1


def _encode(draw, text: str, mutations: list[str]) -> bytes:
    encoding = "cp1251" if _one_in(draw, 5) else "utf-8"
    data = text.encode(encoding, errors="replace")
    if encoding != "utf-8":
        mutations.append(encoding)
    if _one_in(draw, 6):
        data = truncate_last_line(draw, data)
        mutations.append("truncated last line")
    if _one_in(draw, 5):
        data = b"\xef\xbb\xbf" + data
        mutations.append("BOM")
    if _one_in(draw, 30):
        data = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\n", b"\r\n"]))
        mutations.append("empty file")
    return data


# -- the expectation and the check ---------------------------------------------------------


@dataclass
class Expected:
    outcomes: set[str]  # of "load", "reject", "skip"
    records: int | None = None
    why: str = ""
    fields: list[str] = field(default_factory=list)  # what each column stands for
    rows: list[list[str]] = field(default_factory=list)  # the records, in file order

    def malformed(self) -> set[int]:
        """Record numbers (1-based) of the records without one cell per column (empty cells
        past the last column do not count: a trailing comma)."""
        width = len(self.fields)
        return {i for i, r in enumerate(self.rows, start=1)
                if len(r) < width or any(r[width:])}


def expect(data: bytes) -> Expected:
    try:
        text = data.decode("utf-8-sig")
        utf8 = True
    except UnicodeDecodeError:
        text, utf8 = data.decode("utf-8-sig", errors="replace"), False
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return Expected({"reject"}, why=f"csv: {exc}")
    if not rows or not rows[0]:
        return Expected({"reject"}, why="no header")
    fields = [normalize(c) for c in rows[0]]
    if len(REQUIRED & set(fields)) < 2:
        # The header decides before the body is read; a bad byte near the top may be seen
        # first.
        # A file named on its own is rejected with the reason (one in a folder is skipped).
        return Expected({"reject"}, why="not an attack release")
    if not utf8:
        return Expected({"reject"}, why="not UTF-8")
    if len(set(fields)) < len(fields):
        return Expected({"reject"}, why="a field named twice")
    if not REQUIRED.issubset(fields):
        return Expected({"reject"}, why="a required column missing")
    records = [r for r in rows[1:] if r]
    return Expected({"load"}, len(records), fields=fields, rows=records)


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict:
    """Row count and an order-free hash of every table of the store."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1").fetchall()]
    return {t: con.execute(f'SELECT count(*), bit_xor(hash(x)) FROM "{t}" x').fetchall()[0]
            for t in tables}


def rejection_reason(exc: ValueError) -> str:
    if isinstance(exc, MissingColumnError):
        return "required column missing"
    text = exc.problem
    for key, label in (("empty", "empty file"), ("blank", "blank header line"),
                       ("UTF-8", "not UTF-8"), ("are both", "column named twice"),
                       ("not an attack release", "not an attack release"),
                       ("binary data", "not an attack release"),
                       ("separated by", "not an attack release")):
        if key in text:
            return label
    return text[:40]


# Whether to rebuild the nights after a load: now and then, as the rebuild is slower.
REBUILD = st.sampled_from([False, False, False, True])


def run_case(store, folder: Path, case: tuple[bytes, list[str]], rebuild: bool) -> str:
    """One drawn example: note what was mutated (shown when it fails), then `check` it."""
    data, mutations = case
    note(f"mutations: {mutations}; {len(data)} bytes: {data[:300]!r}")
    return check(store, folder / "mutated.csv", data, rebuild)


def check(store, path: Path, data: bytes, rebuild: bool = False) -> str:
    """Ingest `data` written to `path`; the outcome (`loaded`, `skipped`, `rejected: ...`),
    or AssertionError when the ingest breaks the rules above. `rebuild` also rebuilds the
    nights after a load."""
    path.write_bytes(data)
    exp = expect(data)
    before = fingerprint(store.con) if exp.outcomes & {"reject", "skip"} else None
    try:
        [report] = ingest_into(store, [path])
    except (MissingColumnError, UnreadableFileError) as exc:
        assert "reject" in exp.outcomes, f"rejected ({exc}); expected {exp}"
        assert str(path) in str(exc), f"message does not name the file: {exc}"
        assert fingerprint(store.con) == before, "a rejected file changed the store"
        return f"rejected: {rejection_reason(exc)}"
    if report.kind == "other":
        assert "skip" in exp.outcomes, f"skipped; expected {exp}"
        assert fingerprint(store.con) == before, "a skipped file changed the store"
        return "skipped"
    assert "load" in exp.outcomes, f"loaded ({report.summary()}); expected {exp}"
    assert report.read == report.loaded + report.quarantined, report.summary()
    assert report.read == exp.records, f"read {report.read}, the file has {exp.records} records"
    # A file drawn again is "already ingested": its quarantine is checked all the same, so
    # that Hypothesis' rerun of a failing example fails again. Its stored rows may since
    # have been replaced by a later file's.
    rid = store.con.execute("SELECT release_id FROM releases WHERE sha256 = ?",
                            [hashlib.sha256(data).hexdigest()]).fetchall()[0][0]
    _check_quarantine(store.con, rid, report, exp)
    if report.status != "already ingested":
        _check_cells(store.con, rid, exp)
    if rebuild:
        night_rules.rebuild_store(store)
    return "loaded"


def _check_quarantine(con, rid: int, report, exp: Expected) -> None:
    """One or more rows per quarantined record, each with its record number, field and
    reason; every malformed record among them."""
    rows = con.execute("SELECT rec, field, reason FROM quarantine WHERE release_id = ?",
                       [rid]).fetchall()
    assert len({r[0] for r in rows}) == report.quarantined, (rows, report.summary())
    for rec, field_name, reason in rows:
        assert rec is not None and 1 <= rec <= report.read, (rec, report.summary())
        assert field_name and reason, (rec, field_name, reason)
    lines = {rec for rec, field_name, _ in rows if field_name == "line"}
    assert lines == exp.malformed(), f"malformed records {exp.malformed()}, quarantined {lines}"


def _check_cells(con, rid: int, exp: Expected) -> None:
    """The rows this release stored carry the model and launched count of their record.
    (DuckDB's trim() takes spaces only, so a newline at the edge of a cell is kept.)"""
    model, launched = exp.fields.index("model"), exp.fields.index("launched")
    for rec, got_model, got_launched in con.execute(
            "SELECT rec, model, launched FROM reports WHERE release_id = ?", [rid]).fetchall():
        cells = exp.rows[rec - 1]
        assert got_model.strip() == cells[model].strip(), (rec, got_model, cells)
        assert got_launched == float(cells[launched]), (rec, got_launched, cells)
