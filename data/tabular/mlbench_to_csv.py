#!/usr/bin/python3
"""Converts two UCI tables from Debian's r-cran-mlbench package to the CSV files beside this script.

Run once, by hand (the CSV files and SHA256SUMS are committed; nothing runs this at build or test time):

    apt-get install python3-rdata          # Debian's reader of R data files; no R needed
    /usr/bin/python3 data/tabular/mlbench_to_csv.py            # writes the CSVs and SHA256SUMS
    /usr/bin/python3 data/tabular/mlbench_to_csv.py --check    # rebuilds in memory, compares with SHA256SUMS

It fetches the package with `apt-get download` and unpacks it with `dpkg-deb -x` into a temporary
directory (no root install), reads the .rda files with python3-rdata, and writes for each table a
seeded 70/30 train/test split with a header line and the target in the column `label`:

  pima-{train,test}.csv    PimaIndiansDiabetes: 768 women, 8 numeric measurements, label 1 = diabetes
                           ("pos"), 0 = not ("neg"); classification
  boston-{train,test}.csv  BostonHousing: 506 census tracts, 13 features (chas 0/1), label = medv
                           (median home value, $1000s); regression
"""
import hashlib
import pathlib
import random
import subprocess
import sys
import tempfile
import warnings

import rdata

PACKAGE = "r-cran-mlbench"
SEED = 20261201
HERE = pathlib.Path(__file__).resolve().parent


def fetch(staging):
    subprocess.run(["apt-get", "download", PACKAGE], cwd=staging, check=True, capture_output=True)
    deb = next(staging.glob("*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(staging / "root")], check=True)
    return deb.name, staging / "root/usr/lib/R/site-library/mlbench/data"


def frame(data_dir, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Unknown encoding. Assumed ASCII." for these ASCII files
        return rdata.conversion.convert(rdata.parser.parse_file(str(data_dir / (name + ".rda"))))[name]


def number(v):
    f = float(v)
    return str(int(f)) if f == int(f) else repr(f)


def table(df, target, label):
    features = [c for c in df.columns if c != target]
    rows = []
    for _, r in df.iterrows():
        rows.append([number(r[c]) for c in features] + [label(r[target])])
    return features + ["label"], rows


def split(header, rows):
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    cut = round(0.7 * len(rows))
    out = {}
    for part, idx in (("train", sorted(order[:cut])), ("test", sorted(order[cut:]))):
        out[part] = ",".join(header) + "\n" + "".join(",".join(rows[i]) + "\n" for i in idx)
    return out


def build(data_dir):
    files = {}
    pima = frame(data_dir, "PimaIndiansDiabetes")
    for part, text in split(*table(pima, "diabetes", lambda v: "1" if v == "pos" else "0")).items():
        files["pima-" + part + ".csv"] = text
    boston = frame(data_dir, "BostonHousing")
    for part, text in split(*table(boston, "medv", number)).items():
        files["boston-" + part + ".csv"] = text
    return files


def main():
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        deb, data_dir = fetch(pathlib.Path(tmp))
        files = build(data_dir)
    sums = "".join(hashlib.sha256(text.encode()).hexdigest() + "  " + name + "\n" for name, text in sorted(files.items()))
    if check:
        expected = (HERE / "SHA256SUMS").read_text()
        if sums != expected:
            sys.exit("rebuilt from " + deb + ":\n" + sums + "differs from SHA256SUMS:\n" + expected)
        print("rebuilt from " + deb + ": identical to SHA256SUMS")
        return
    for name, text in files.items():
        (HERE / name).write_text(text)
    (HERE / "SHA256SUMS").write_text(sums)
    print("wrote " + ", ".join(sorted(files)) + " and SHA256SUMS from " + deb)


if __name__ == "__main__":
    main()
