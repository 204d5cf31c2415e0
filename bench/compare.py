#!/usr/bin/python3
"""Helpers of bench/compare.sh (chipfit against ONNX Runtime) and bench/int8.sh (int8
against fp32). Run with /usr/bin/python3 (Debian's python3-numpy and python3-onnx).

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

    compare.py int8-report WORKDIR --fp32 NAME --int8 NAME
        The table of bench/int8.sh (same runs.tsv format, two models): per tool
        and thread count, fp32 ms | int8 ms | ratio int8/fp32 | max abs diff of the
        outputs int8 against fp32 | max |fp32 out| | diff / max |fp32| | top-1
        the same; then chipfit against ORT on each model.
        Exit 0: every row has all four timings; 1: some run failed.
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


def max_abs_diff(got_dir, ref_dir, got_label="chipfit", ref_label="ORT"):
    """(max abs diff, max |reference output|, their ratio) as texts, over every output
    the reference (by default ORT) wrote (both tools name the files alike)."""
    import numpy as np
    if not os.path.isdir(ref_dir) or not os.listdir(ref_dir):
        return f"no {ref_label} outputs", "", ""
    worst, scale, notes = 0.0, 0.0, []
    for name in sorted(os.listdir(ref_dir)):
        if not name.endswith(".npy"):
            continue
        ref = np.load(os.path.join(ref_dir, name))
        p = os.path.join(got_dir, name)
        if not os.path.exists(p):
            return f"{got_label} wrote no {name}", "", ""
        got = np.load(p)
        if got.shape != ref.shape:
            return f"{name}: shape {got.shape} vs {ref_label} {ref.shape}", "", ""
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


def same_top1(a_dir, b_dir):
    """'yes' / 'no': the index of the largest value agrees in every output file."""
    import numpy as np
    names = sorted(n for n in os.listdir(b_dir) if n.endswith(".npy"))
    for name in names:
        a, b = np.load(os.path.join(a_dir, name)), np.load(os.path.join(b_dir, name))
        if a.shape != b.shape or np.argmax(a) != np.argmax(b):
            return "no"
    return "yes" if names else "—"


def read_runs(workdir):
    """runs.tsv gathered per (model, threads): each tool's medians (ms) over the
    rounds, its first error, its output folder; and the order of first mention."""
    runs = os.path.join(workdir, "runs.tsv")
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
    return cells, order


def esc(s):
    return s.replace("|", "\\|")


def error_label(tool, msg):
    for prefix in ("chipfit:", "run.mjs:"):
        if msg.startswith(prefix):
            msg = msg[len(prefix):].strip()
    return f"{tool}: {msg}"


def cmd_report(args):
    cells, order = read_runs(args.workdir)

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
        errs = [error_label("chipfit", c["chipfit_err"]) if cf is None and c["chipfit_err"]
                else None,
                error_label("ORT", c["ort_err"]) if ort is None and c["ort_err"] else None]
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


def cmd_int8_report(args):
    cells, _order = read_runs(args.workdir)
    threads = sorted({t for (_m, t) in cells})
    empty = {"chipfit": [], "ort": [], "chipfit_err": None, "ort_err": None,
             "chipfit_out": None, "ort_out": None, "ort_version": None}
    out = ["| tool | threads | fp32 ms | int8 ms | ratio int8/fp32 | max abs diff int8 vs fp32 "
           "| max \\|fp32 out\\| | diff / max \\|fp32\\| | top-1 same |",
           "|---|--:|--:|--:|--:|---|--:|--:|---|"]
    failed, versions = False, set()
    for tool, label in (("chipfit", "chipfit"), ("ort", "ORT")):
        for t in threads:
            c32 = cells.get((args.fp32, t), empty)
            c8 = cells.get((args.int8, t), empty)
            for c in (c32, c8):
                if c["ort_version"]:
                    versions.add(c["ort_version"])
            ms32 = min(c32[tool]) if c32[tool] else None
            ms8 = min(c8[tool]) if c8[tool] else None
            ratio = f"{ms8 / ms32:.2f}" if ms32 and ms8 is not None else "—"
            diff, scale, rel, top1 = "—", "", "", ""
            if ms32 is not None and ms8 is not None and c32[f"{tool}_out"] and c8[f"{tool}_out"]:
                diff, scale, rel = max_abs_diff(c8[f"{tool}_out"], c32[f"{tool}_out"],
                                                "int8", "fp32")
                if scale:
                    top1 = same_top1(c8[f"{tool}_out"], c32[f"{tool}_out"])
            errs = [error_label(f"{label} {kind}", c[f"{tool}_err"])
                    for kind, c, ms in (("fp32", c32, ms32), ("int8", c8, ms8))
                    if ms is None and c[f"{tool}_err"]]
            if ms32 is None or ms8 is None:
                failed = True
                diff = "; ".join(errs) or "no run"
            out.append(f"| {label} | {t} | {'error' if ms32 is None else f'{ms32:.3f}'} "
                       f"| {'error' if ms8 is None else f'{ms8:.3f}'} | {ratio} | {esc(diff)} "
                       f"| {scale} | {rel} | {top1} |")
    out += ["", "Ratio below 1: the int8 model is faster than the fp32 one with that tool.", "",
            "chipfit against ORT on the same model (first round's outputs):", "",
            "| model | threads | max abs diff chipfit vs ORT | max \\|ORT out\\| "
            "| diff / max \\|ORT\\| | top-1 same |",
            "|---|--:|---|--:|--:|---|"]
    for name in (args.fp32, args.int8):
        for t in threads:
            c = cells.get((name, t), empty)
            if c["chipfit"] and c["ort"] and c["chipfit_out"] and c["ort_out"]:
                diff, scale, rel = max_abs_diff(c["chipfit_out"], c["ort_out"])
                top1 = same_top1(c["chipfit_out"], c["ort_out"]) if scale else ""
            else:
                diff, scale, rel, top1 = "—", "", "", ""
            out.append(f"| {name} | {t} | {esc(diff)} | {scale} | {rel} | {top1} |")
    out.append("")
    if versions:
        out.append(f"ONNX Runtime (onnxruntime-node) {', '.join(sorted(versions))}.")
    print("\n".join(out))
    return 1 if failed else 0


def main(argv=None):
    p = argparse.ArgumentParser(description="Helpers of bench/compare.sh and bench/int8.sh.")
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("inputs", help="write seeded random .npy inputs for a model")
    a.add_argument("model")
    a.add_argument("dir")
    a.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("report", help="print the table of a compare.sh work folder")
    r.add_argument("workdir")
    q = sub.add_parser("int8-report", help="print the table of a bench/int8.sh work folder")
    q.add_argument("workdir")
    q.add_argument("--fp32", required=True, help="the fp32 model's name in runs.tsv")
    q.add_argument("--int8", required=True, help="the int8 model's name in runs.tsv")
    args = p.parse_args(argv)
    return {"inputs": cmd_inputs, "report": cmd_report,
            "int8-report": cmd_int8_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
