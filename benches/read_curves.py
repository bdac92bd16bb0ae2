#!/usr/bin/env python3
"""Reads a results directory's `curves.parquet` with pandas, polars and DuckDB, one line
each, and checks that all three give exactly the numbers of its `curves.csv` (every row,
every column, nulls where the CSV cell is empty), and times each read.

usage: python3 benches/read_curves.py RESULTS_DIR
       (`sweep report RESULTS_DIR --curves-csv` writes curves.csv for a large sweep)
needs: pip install pandas pyarrow polars duckdb   (not needed by `cargo test`)
"""
import sys, time

import duckdb
import numpy as np
import pandas as pd
import polars as pl

COLUMNS = ["run_id", "epoch", "train_loss", "train_acc", "test_loss", "test_acc"]


def timed(name, read):
    start = time.perf_counter()
    frame = read()
    print(f"{name:>7}: {len(frame):,} rows in {time.perf_counter() - start:.2f} s")
    return frame


def same(name, got, want):
    """`got` (a pandas frame) equals `want` exactly: ids, epochs and every float's bits."""
    got = got[COLUMNS].reset_index(drop=True)
    assert list(got.columns) == COLUMNS, f"{name}: columns {list(got.columns)}"
    assert len(got) == len(want), f"{name}: {len(got)} rows, the CSV has {len(want)}"
    assert (got["run_id"].astype(str).values == want["run_id"].values).all(), f"{name}: run_id"
    assert (got["epoch"].astype(np.int64).values == want["epoch"].values).all(), f"{name}: epoch"
    for c in COLUMNS[2:]:
        a = got[c].astype(np.float64).values
        b = want[c].values
        nan = np.isnan(b)
        assert (np.isnan(a) == nan).all(), f"{name}: {c} nulls differ"
        assert (a[~nan].view(np.uint64) == b[~nan].view(np.uint64)).all(), f"{name}: {c} bits"
    print(f"{name:>7}: every number equals curves.csv's, bit for bit")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    parquet, csv = f"{d}/curves.parquet", f"{d}/curves.csv"
    # The CSV's numbers are printed shortest-round-trip; pandas reads them to the bit.
    want = timed("csv", lambda: pd.read_csv(csv, dtype={"run_id": str}))
    same("pandas", timed("pandas", lambda: pd.read_parquet(parquet)), want)
    same("polars", timed("polars", lambda: pl.read_parquet(parquet)).to_pandas(), want)
    same("duckdb", timed("duckdb", lambda: duckdb.sql(
        f"SELECT * FROM '{parquet}'").df()), want)


if __name__ == "__main__":
    main()
