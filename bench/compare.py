#!/usr/bin/python3
"""Helpers of bench/compare.sh (chipfit against ONNX Runtime). Run with /usr/bin/python3
(Debian's python3-numpy and python3-onnx).

    compare.py inputs MODEL.onnx DIR [--seed S]
        Writes one seeded random .npy per graph input (not initializers) to DIR,
        with the input's element type and shape (symbolic dimensions fixed to 1, as
        `chipfit profile` does); prints NAME=FILE lines. Floats are uniform in
        [0, 1), integers 0..9, booleans 0/1 -- the same ranges as chipfit's own
        random inputs.

    compare.py report WORKDIR
        Reads WORKDIR/runs.tsv and the JSON, stderr and output files it names, and
        prints the Markdown table: model | threads | chipfit ms | ORT ms | ratio |
        max abs diff | max |ORT out| | diff / max |ORT|, then the geometric-mean
        and the worst ratio.
        Exit 0: every row has both timings; 1: some row failed.
"""

import argparse
import json
import math
import os
import re
import sys


def die(msg, code=2):
    print(f"compare.py: {msg}", file=sys.stderr)
    sys.exit(code)


# ---- inputs ----------------------------------------------------------------------

def cmd_inputs(args):
    try:
        import numpy as np
        import onnx
        from onnx.mapping import TENSOR_TYPE_TO_NP_TYPE
    except ImportError as e:
        die(f"{e}; run with /usr/bin/python3 (Debian's python3-numpy, python3-onnx)")
    m = onnx.load(args.model, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    n = 0
    for vi in m.graph.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        if not vi.type.HasField("tensor_type") or tt.elem_type not in TENSOR_TYPE_TO_NP_TYPE:
            die(f"{args.model}: input {vi.name} is not a tensor of a known element type", 1)
        dtype = np.dtype(TENSOR_TYPE_TO_NP_TYPE[tt.elem_type])
        shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1
                 for d in tt.shape.dim]
        if dtype.kind == "f":
            x = rng.random(shape, dtype=np.float64).astype(dtype)
        elif dtype.kind in "iu":
            x = rng.integers(0, 10, size=shape).astype(dtype)
        elif dtype.kind == "b":
            x = rng.integers(0, 2, size=shape).astype(dtype)
        else:
            die(f"{args.model}: input {vi.name} has element type {dtype}, not supported here", 1)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", vi.name)
        path = os.path.join(args.dir, f"{n}_{safe}.npy")
        np.save(path, np.ascontiguousarray(x))
        print(f"{vi.name}={path}")
        n += 1
    if n == 0:
        die(f"{args.model}: no graph inputs", 1)
    return 0


# ---- report ----------------------------------------------------------------------

def first_error_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
    except OSError:
        return "no output"
    # chipfit prints one line `chipfit: ...`; node may print a stack, its first line says it.
    for ln in lines:
        if ln.startswith(("chipfit:", "run.mjs:")):
            return ln
    return lines[0] if lines else "failed without a message"


def read_json(path):
    """The JSON document in path (chipfit prints it over many lines, run.mjs on one)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except OSError:
        return None
    for candidate in (text, text.splitlines()[-1] if text else ""):
        try:
            data = json.loads(candidate)
            return data if isinstance(data, dict) else None
        except ValueError:
            pass
    return None


def max_abs_diff(chipfit_dir, ort_dir):
    """(max abs diff, max |ORT output|, their ratio) as texts, over every output ORT
    wrote (both tools name the files alike)."""
    import numpy as np
    if not os.path.isdir(ort_dir) or not os.listdir(ort_dir):
        return "no ORT outputs", "", ""
    worst, scale, notes = 0.0, 0.0, []
    for name in sorted(os.listdir(ort_dir)):
        if not name.endswith(".npy"):
            continue
        ref = np.load(os.path.join(ort_dir, name))
        p = os.path.join(chipfit_dir, name)
        if not os.path.exists(p):
            return f"chipfit wrote no {name}", "", ""
        got = np.load(p)
        if got.shape != ref.shape:
            return f"{name}: shape {got.shape} vs ORT {ref.shape}", "", ""
        a, b = got.astype(np.float64), ref.astype(np.float64)
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        if (nan_a != nan_b).any():
            notes.append(f"{name}: NaN in {int((nan_a != nan_b).sum())} places")
        ok = ~(nan_a | nan_b)
        if ok.any():
            worst = max(worst, float(np.abs(a[ok] - b[ok]).max()))
            scale = max(scale, float(np.abs(b[ok]).max()))
    text = f"{worst:.2e}" + ("; " + "; ".join(notes) if notes else "")
    rel = f"{worst / scale:.1e}" if scale > 0 else "—"
    return text, f"{scale:.3g}", rel


def cmd_report(args):
    runs = os.path.join(args.workdir, "runs.tsv")
    try:
        with open(runs, encoding="utf-8") as f:
            rows = [ln.rstrip("\n").split("\t") for ln in f if ln.strip()]
    except OSError as e:
        die(f"{runs}: {e.strerror}")
    # runs.tsv: model  threads  tool  round  rc  json  stderr  outdir
    cells, order = {}, []
    for model, threads, tool, _round, rc, js, err, outdir in rows:
        key = (model, int(threads))
        if key not in cells:
            cells[key] = {"chipfit": [], "ort": [], "chipfit_err": None, "ort_err": None,
                          "chipfit_out": None, "ort_out": None, "ort_version": None}
            order.append(key)
        c = cells[key]
        if outdir:
            c[f"{tool}_out"] = outdir
        data = read_json(js) if rc == "0" else None
        if tool == "chipfit":
            ms = data.get("latency", {}).get("median_us") if data else None
            ms = ms / 1000.0 if isinstance(ms, (int, float)) else None
        else:
            ms = data.get("median_ms") if data else None
            if data:
                c["ort_version"] = data.get("ort_version")
        if ms is None:
            if c[f"{tool}_err"] is None:
                c[f"{tool}_err"] = (first_error_line(err) if rc != "0"
                                    else "printed no median") + (f" (exit {rc})" if rc != "0" else "")
        else:
            c[tool].append(ms)

    def esc(s):
        return s.replace("|", "\\|")

    out = ["| model | threads | chipfit ms | ORT ms | ratio chipfit/ORT | max abs diff "
           "| max \\|ORT out\\| | diff / max \\|ORT\\| |",
           "|---|--:|--:|--:|--:|---|--:|--:|"]
    ratios, failed, versions = [], False, set()
    for key in order:
        model, threads = key
        c = cells[key]
        if c["ort_version"]:
            versions.add(c["ort_version"])
        cf = min(c["chipfit"]) if c["chipfit"] else None
        ort = min(c["ort"]) if c["ort"] else None
        cf_s = f"{cf:.3f}" if cf is not None else "error"
        ort_s = f"{ort:.3f}" if ort is not None else "error"
        if cf is not None and ort is not None and ort > 0:
            ratio = cf / ort
            ratios.append((ratio, model, threads))
            ratio_s = f"{ratio:.2f}"
        else:
            ratio_s = "—"
            failed = True
        if c["chipfit_out"] and c["ort_out"] and cf is not None and ort is not None:
            diff, scale, rel = max_abs_diff(c["chipfit_out"], c["ort_out"])
        else:
            diff, scale, rel = "—", "", ""
        def label(tool, msg):
            for prefix in ("chipfit:", "run.mjs:"):
                if msg.startswith(prefix):
                    msg = msg[len(prefix):].strip()
            return f"{tool}: {msg}"
        errs = [label("chipfit", c["chipfit_err"]) if cf is None and c["chipfit_err"] else None,
                label("ORT", c["ort_err"]) if ort is None and c["ort_err"] else None]
        errs = [e for e in errs if e]
        if errs:
            diff = "; ".join(errs) if diff == "—" else diff + "; " + "; ".join(errs)
        out.append(f"| {model} | {threads} | {cf_s} | {ort_s} | {ratio_s} | {esc(diff)} | {scale} | {rel} |")
    out.append("")
    if ratios:
        gm = math.exp(sum(math.log(r) for r, _, _ in ratios) / len(ratios))
        worst = max(ratios)
        out.append(f"geometric-mean ratio chipfit/ORT: **{gm:.2f}** over {len(ratios)} "
                   f"row(s); worst: **{worst[0]:.2f}** ({worst[1]}, {worst[2]} thread(s)). "
                   "Below 1 means chipfit is faster.")
    else:
        out.append("geometric-mean ratio: none (no row has both timings)")
    if failed:
        out.append(f"{sum(1 for k in order if not (cells[k]['chipfit'] and cells[k]['ort']))} "
                   "row(s) without both timings: not in the means.")
    if versions:
        out.append(f"ONNX Runtime (onnxruntime-node) {', '.join(sorted(versions))}.")
    print("\n".join(out))
    return 1 if failed else 0


def main(argv=None):
    p = argparse.ArgumentParser(description="Helpers of bench/compare.sh.")
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("inputs", help="write seeded random .npy inputs for a model")
    a.add_argument("model")
    a.add_argument("dir")
    a.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("report", help="print the table of a compare.sh work folder")
    r.add_argument("workdir")
    args = p.parse_args(argv)
    return cmd_inputs(args) if args.cmd == "inputs" else cmd_report(args)


if __name__ == "__main__":
    sys.exit(main())
