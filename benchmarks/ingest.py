"""Ingest benchmark: the real release replicated x1, x100 and x1000 (about 3.2 M rows).

Each copy is shifted by a whole number of 1,200-day blocks so that its nights stay distinct,
and its source posts get a copy suffix. Times `strikescope.ingest` (the product path: staged
copy, ingest, night rebuild, checkpoint, fsync, rename) into a fresh store and a
straightforward pandas computation of the same nightly totals, and prints rows/s and the
ratio; each scale is ingested `--repeat` times (5) and the median printed, with the
range, since timings on a shared machine vary. First it ingests 20 separate files one after
another into one store and prints the resident memory, to show that it does not grow with
the number of files.

    .venv/bin/python benchmarks/ingest.py [--scales 1 100 1000] [--repeat 5] [--source PATH]

With `--against-duckdb N` it instead times `strikescope ingest` of the release replicated
N times (the whole command, as a user runs it: ingest, rebuild, summary) against DuckDB's
plain load of the same file (`CREATE TABLE t AS SELECT * FROM read_csv(FILE)`), each in a
process of its own, alternating (A B A B ...), and prints the ratios A/B of wall time, CPU
time and peak resident memory (medians and ranges). A bulk load leaves the nights to the
first read (`strikescope ingest --nights auto`), so `strikescope build` is timed after each
ingest too, and the ratio of the two together printed as well. `--csv PATH` keeps the
replicated file there and reuses it on the next run (at 1000x it takes a minute to write).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

import strikescope
from strikescope.nightrule import nights_of_ends
from strikescope.taxonomy import classify

DEFAULT_SOURCE = (
    Path(__file__).resolve().parents[2] / "shared/data/attacks/missile_attacks_daily.csv"
)
SHIFT_DAYS = 1200


def _shift(col: str) -> str:
    ts = f"try_strptime(trim({col}), ['%Y-%m-%d %H:%M', '%Y-%m-%d'])"
    moved = f"({ts} + to_days(CAST(k * {SHIFT_DAYS} AS INTEGER)))"
    return (
        f"coalesce(CASE WHEN length(trim({col})) > 10 "
        f"THEN strftime({moved}, '%Y-%m-%d %H:%M') ELSE strftime({moved}, '%Y-%m-%d') END,"
        f" {col}) AS {col}"
    )


def replicate(source: Path, copies: int, out: Path, first: int = 0) -> int:
    con = duckdb.connect()
    cols = [
        c[0]
        for c in con.execute(
            f"DESCRIBE SELECT * FROM read_csv('{source}', all_varchar=true)"
        ).fetchall()
    ]
    select = []
    for c in cols:
        q = f'"{c}"'
        if c in ("time_start", "time_end"):
            select.append(_shift(q))
        elif c == "source":
            select.append(f"{q} || '/copy' || k AS {q}")
        else:
            select.append(q)
    con.execute(
        f"COPY (SELECT {', '.join(select)} FROM read_csv('{source}', all_varchar=true), "
        f"range({first}, {first + copies}) t(k) ORDER BY k) TO '{out}' (HEADER, DELIMITER ',')"
    )
    n = con.execute(f"SELECT count(*) FROM read_csv('{out}', all_varchar=true)").fetchall()[0][0]
    con.close()
    return n


def pandas_nights(path: Path) -> pd.DataFrame:
    """The straightforward way: read with pandas, parse, classify, group (same policy)."""
    df = pd.read_csv(path, dtype=str)
    df = df[pd.to_numeric(df.launched, errors="coerce").notna()]
    end = pd.to_datetime(df.time_end.str.strip(), format="mixed", errors="coerce")
    has_time = df.time_end.str.strip().str.len() > 10
    # every row on its own window's night, as the store counts it
    df = df.assign(night=nights_of_ends(end, has_time.to_numpy()),
                   launched=df.launched.astype(float))
    info = {m: classify(m, warn=False) for m in df.model.unique()}
    df["weapon_class"] = df.model.map(lambda m: info[m].weapon_class)
    df["kind"] = df.model.map(lambda m: info[m].kind)
    df["long_range"] = df.model.map(lambda m: info[m].long_range)
    channel = df.source.str.extract(r"^(?:https?://)?(?:t\.me/)?([^/?#]+)")[0].str.lower()
    df["rank"] = channel.map({"kpszsu": 0, "cincafu": 1, "generalstaff.ua": 2}).fillna(3)
    best = df.groupby(["night", "weapon_class", "kind"])["rank"].transform("min")
    df = df[df["rank"] == best]
    df["group"] = df.kind.where(df.long_range, "short")
    return df.pivot_table(
        index="night", columns="group", values="launched", aggfunc="sum", fill_value=0
    )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_scale(source: Path, copies: int, tmp: Path, repeat: int = 1) -> None:
    path = tmp / f"x{copies}.csv"
    rows = replicate(source, copies, path)
    times = []
    for i in range(repeat):
        db = tmp / f"x{copies}-{i}.duckdb"
        t0 = time.perf_counter()
        # The product's path: staged copy, ingest, rebuild (now, as below a bulk load),
        # checkpoint, fsync, rename.
        report = strikescope.ingest([path], db=db, nights="now")[0]
        times.append(time.perf_counter() - t0)
        assert report.read == rows, (report.read, rows)
        db.unlink()
    t0 = time.perf_counter()
    pandas_nights(path)
    t_pandas = time.perf_counter() - t0
    t_ingest = statistics.median(times)
    spread = f" (runs {min(times):.2f}-{max(times):.2f} s)" if repeat > 1 else ""
    print(
        f"x{copies:<5} rows {rows:>10,}  strikescope {t_ingest:7.2f} s "
        f"({rows / t_ingest:>10,.0f} rows/s)  pandas {t_pandas:7.2f} s "
        f"({rows / t_pandas:>10,.0f} rows/s)  ratio {t_pandas / t_ingest:5.2f}x"
        f"{', median of ' + str(repeat) + spread if repeat > 1 else ''}",
        flush=True,
    )
    path.unlink()


def bench_memory(source: Path, tmp: Path, files: int = 20) -> None:
    db = tmp / "many.duckdb"
    readings = []
    for i in range(files):
        path = tmp / f"file{i}.csv"
        replicate(source, 1, path, first=i + 1)
        strikescope.ingest([path], db=db)
        path.unlink()
        gc.collect()
        readings.append(rss_mb())
    marks = sorted({1, files // 4 or 1, files // 2 or 1, files})
    print(
        "resident memory after "
        + ", ".join(f"{i} file(s): {readings[i - 1]:.0f} MB" for i in marks)
    )


# DuckDB's own load of a CSV file into a table, the baseline of --against-duckdb
PLAIN_LOAD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar = false")
path = sys.argv[2].replace("'", "''")
con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
con.close()
"""


def _child(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one process, from its own rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(cmd)} failed: {err[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _spread(values: list[float]) -> str:
    return (f"median {statistics.median(values):.2f}x "
            f"(range {min(values):.2f}-{max(values):.2f})")


def bench_against_duckdb(source: Path, copies: int, runs: int, csv: Path | None,
                         tmp: Path) -> None:
    path = csv or tmp / f"x{copies}.csv"
    if not path.exists():
        replicate(source, copies, path)
    db = tmp / "bench.duckdb"
    ours = [sys.executable, "-m", "strikescope", "ingest", str(path), "--db", str(db)]
    build = [sys.executable, "-m", "strikescope", "build", "--db", str(db)]
    plain = [sys.executable, "-c", PLAIN_LOAD, str(db), str(path)]
    ratios: dict[str, list[float]] = {"wall": [], "CPU": [], "peak RSS": []}
    built: dict[str, list[float]] = {"wall": [], "CPU": []}
    for i in range(runs):
        pair = {}
        for name, cmd in ((("ours", ours), ("plain", plain)) if i % 2 == 0
                          else (("plain", plain), ("ours", ours))):
            pair[name] = _child(cmd)
            if name == "ours":  # the nights a bulk ingest leaves to the first read
                pair["build"] = _child(build)
            for f in tmp.glob("bench.duckdb*"):
                f.unlink()
        for k, key in enumerate(ratios):
            ratios[key].append(pair["ours"][k] / pair["plain"][k])
        for k, key in enumerate(built):
            built[key].append((pair["ours"][k] + pair["build"][k]) / pair["plain"][k])
        print(f"  run {i + 1}: strikescope {pair['ours'][0]:.1f} s, {pair['ours'][2]:.0f} MiB"
              f" (then `strikescope build` {pair['build'][0]:.1f} s, "
              f"{pair['build'][2]:.0f} MiB); plain load {pair['plain'][0]:.1f} s, "
              f"{pair['plain'][2]:.0f} MiB", flush=True)
    print(f"x{copies} ({path.stat().st_size / 2**20:,.0f} MiB), {runs} alternating pairs: "
          "`strikescope ingest` / DuckDB's plain read_csv load:")
    for key, values in ratios.items():
        print(f"  {key:<9} {_spread(values)}")
    print("`strikescope ingest` and then `strikescope build` (the nights a bulk load leaves "
          "to the first read) / the plain load:")
    for key, values in built.items():
        print(f"  {key:<9} {_spread(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5,
                        help="ingests per scale; the median is printed (timings vary)")
    parser.add_argument("--against-duckdb", type=int, metavar="COPIES",
                        help="time the CLI ingest of COPIES copies against DuckDB's plain load")
    parser.add_argument("--runs", type=int, default=3, help="pairs with --against-duckdb")
    parser.add_argument("--csv", type=Path, help="with --against-duckdb: keep the file here")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.against_duckdb:
        with tempfile.TemporaryDirectory() as tmp:
            bench_against_duckdb(args.source, args.against_duckdb, args.runs, args.csv,
                                 Path(tmp))
        return
    with tempfile.TemporaryDirectory() as tmp:
        # First, so that what the large ingests leave allocated is not counted.
        bench_memory(args.source, Path(tmp), args.files)
        for copies in args.scales:
            bench_scale(args.source, copies, Path(tmp), args.repeat)


if __name__ == "__main__":
    main()
