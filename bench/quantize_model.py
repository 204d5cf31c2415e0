#!/usr/bin/python3
"""Quantize bench/models/resnet18.onnx (fp32) to bench/models/resnet18_int8.onnx
in ONNX's standard "QLinear" operator form, for the int8-vs-fp32 benchmark
(bench/int8.sh).

    /usr/bin/python3 bench/quantize_model.py            # skips the file if it exists
    /usr/bin/python3 bench/quantize_model.py --force
    CHIPFIT=/path/to/chipfit /usr/bin/python3 bench/quantize_model.py --help

The form (post-training static quantization, standard ai.onnx ops only, opset 13):
  - QuantizeLinear of the graph input to uint8.
  - Every Conv becomes a QLinearConv: uint8 activations with a per-tensor scale
    and zero point, int8 weights quantized symmetrically per output channel
    (zero point 0, scale max|w|/127), int32 bias with scale x_scale * w_scale[m]
    and zero point 0.
  - A Conv whose only consumer is a Relu takes the Relu into its output
    quantization: zero point 0 and a scale from the Relu's range, so saturation
    at 0 is the Relu.
  - MaxPool runs on uint8 and keeps its input's scale and zero point.
  - Add (and a Relu after it) becomes DequantizeLinear of both operands, float
    Add, Relu, QuantizeLinear: there is no QLinearAdd in ai.onnx (only in
    com.microsoft, which this script does not use).
  - Any other op (here the tail: GlobalAveragePool, Flatten, Gemm) stays float
    after a DequantizeLinear of its quantized inputs.

Calibration: min/max of every activation over N seeded random inputs (uniform
[0, 1), as chipfit's and bench/compare.py's random inputs; seeds 1000..), taken
from runs of the fp32 model *with chipfit itself*: a copy of the model that also
lists every intermediate tensor as a graph output is run with
`chipfit profile COPY --backend cpu-ref --save-outputs DIR`. Why chipfit and not
numpy: chipfit is the runtime under test and already has every op (numpy would
need a second, slow convolution written here only for this), and its reference
kernels (cpu-ref) are plain C with no ISA-dependent code paths (oneDNN picks
its kernels by CPU), so the ranges, and so the file, do not depend on the
machine for one chipfit build. Why not ONNX Runtime: there is no Python
onnxruntime here.

The weights are random (bench/export_models.py), so the model says nothing about
the accuracy of int8 on real data; it is for timing. The script still checks the
quantization: it runs both models with chipfit on held-out random inputs (seeds
1.., not used for calibration; seed 1 is the input bench/int8.sh and
bench/compare.sh use) and prints, per input, the largest absolute difference of
the outputs, that difference relative to the fp32 output's largest magnitude,
and whether the top-1 class agrees. A random-weight network gives nearly the
same output whatever the input (often the same top-1), so it also prints how
well int8 follows the part that does depend on the input: the correlation of
out(seed k) - out(seed k+1), fp32 against int8.

Deterministic: the same input file and chipfit give the same bytes. The file is
written only if it does not exist (--force rewrites it); the check runs either
way (--no-check skips it).

Environment: CHIPFIT (default build/chipfit; --chipfit overrides).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CALIB_SEED0 = 1000   # calibration seeds CALIB_SEED0..; held-out check seeds 1..


def die(msg, code=1):
    print(f"quantize_model.py: {msg}", file=sys.stderr)
    sys.exit(code)


# ---- chipfit runs ------------------------------------------------------------------

def file_name(tensor):
    """The file `chipfit profile --save-outputs` writes for a tensor."""
    return re.sub(r"[/:]", "_", tensor) + ".npy"


def random_input(np, shape, seed):
    """Uniform [0, 1) float32, made as bench/compare.py makes its inputs."""
    return np.random.default_rng(seed).random(shape, dtype=np.float64).astype(np.float32)


def chipfit_run(chipfit, backend, model, feeds, out_dir):
    """Runs the model once with chipfit; its outputs land in out_dir as NAME.npy."""
    cmd = [chipfit, "profile", model, "--backend", backend, "--threads", "1",
           "--repeats", "1", "--warmup", "0", "--save-outputs", out_dir, "--no-store"]
    for name, path in feeds.items():
        cmd += ["--input", f"{name}={path}"]
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        msg = p.stderr.strip().splitlines()
        die(f"{' '.join(cmd)} failed (exit {p.returncode}): {msg[-1] if msg else 'no message'}")


# ---- calibration ---------------------------------------------------------------------

def calibrate(np, onnx, model, chipfit, backend, n_inputs, tmp):
    """{tensor: (min, max)} over n_inputs random inputs, for the graph input and every
    float tensor a node writes."""
    from onnx import TensorProto
    m = onnx.shape_inference.infer_shapes(model)
    vinfo = {vi.name: vi for vi in m.graph.value_info}
    outputs = {o.name for o in m.graph.output}
    extra = []
    for n in m.graph.node:
        for t in n.output:
            vi = vinfo.get(t)
            if t and t not in outputs and vi is not None and \
                    vi.type.tensor_type.elem_type == TensorProto.FLOAT:
                extra.append(vi)
    m.graph.output.extend(extra)
    names = [o.name for o in m.graph.output]
    files = [file_name(t) for t in names]
    if len(set(files)) != len(files):
        die("two tensors map to the same --save-outputs file name; cannot calibrate")
    copy = os.path.join(tmp, "calibrate.onnx")
    onnx.save(m, copy)

    (inp,) = [i for i in model.graph.input
              if i.name not in {t.name for t in model.graph.initializer}]
    shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    ranges = {}

    def note(name, a):
        lo, hi = float(a.min()), float(a.max())
        if name in ranges:
            lo, hi = min(lo, ranges[name][0]), max(hi, ranges[name][1])
        ranges[name] = (lo, hi)

    for k in range(n_inputs):
        x = random_input(np, shape, CALIB_SEED0 + k)
        xp = os.path.join(tmp, f"calib{k}.npy")
        np.save(xp, x)
        out = os.path.join(tmp, f"calib{k}")
        chipfit_run(chipfit, backend, copy, {inp.name: xp}, out)
        note(inp.name, x)
        for t, f in zip(names, files):
            note(t, np.load(os.path.join(out, f)))
            os.remove(os.path.join(out, f))
    return inp.name, ranges


# ---- quantization ---------------------------------------------------------------------

def uint8_params(np, lo, hi):
    """Scale and zero point of uint8 over [lo, hi] widened to hold 0 (zero must be exact:
    padding and Relu)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = np.float32((hi - lo) / 255.0)
    zp = int(np.clip(np.rint(-lo / float(scale)), 0, 255))
    return scale, zp


class Quantizer:
    def __init__(self, np, onnx, model, ranges):
        self.np, self.onnx, self.h = np, onnx, onnx.helper
        self.src = model
        self.ranges = ranges
        self.inits = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
        self.nodes, self.new_inits = [], []
        self.q = {}         # float tensor -> (uint8 tensor, scale name, zero point name)
        self.f = set()      # tensors available in float under their own name
        self.consumers = {}
        for n in model.graph.node:
            for t in n.input:
                self.consumers.setdefault(t, []).append(n)
        self.graph_outputs = {o.name for o in model.graph.output}
        self.counts = {}
        self.scales = {}    # scale initializer -> its value

    def init(self, name, array):
        self.new_inits.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def qparams(self, tensor, lo, hi):
        """Adds the scale and zero point initializers of a uint8 tensor."""
        np = self.np
        scale, zp = uint8_params(np, lo, hi)
        s = self.init(tensor + "_scale", np.array(scale, dtype=np.float32))
        self.scales[s] = scale
        z = self.init(tensor + "_zero_point", np.array(zp, dtype=np.uint8))
        return s, z

    def node(self, op, inputs, outputs, name, **attrs):
        self.nodes.append(self.h.make_node(op, inputs, outputs, name=name, **attrs))
        self.counts[op] = self.counts.get(op, 0) + 1

    def need_q(self, t):
        """The uint8 form of t, quantizing its float form if that is all there is."""
        if t not in self.q:
            lo, hi = self.ranges[t]
            s, z = self.qparams(t, lo, hi)
            self.node("QuantizeLinear", [t, s, z], [t + "_quantized"], t + "_QuantizeLinear")
            self.q[t] = (t + "_quantized", s, z)
        return self.q[t]

    def need_f(self, t):
        """The float form of t under its own name (a DequantizeLinear the first time)."""
        if t in self.inits or t in self.f or not t:
            return t
        qt, s, z = self.q[t]
        self.node("DequantizeLinear", [qt, s, z], [t], t + "_DequantizeLinear")
        self.f.add(t)
        return t

    def sole_relu(self, t):
        """The Relu that is t's only consumer, or None."""
        users = self.consumers.get(t, [])
        if len(users) == 1 and users[0].op_type == "Relu" and t not in self.graph_outputs:
            return users[0]
        return None

    def conv(self, n):
        np = self.np
        x, wname = n.input[0], n.input[1]
        bname = n.input[2] if len(n.input) > 2 and n.input[2] else None
        if wname not in self.inits or (bname and bname not in self.inits):
            die(f"Conv {n.name}: weights and bias must be initializers")
        qx, xs, xz = self.need_q(x)
        x_scale = self.scales[xs]
        relu = self.sole_relu(n.output[0])
        out = relu.output[0] if relu else n.output[0]
        lo, hi = self.ranges[out]
        ys, yz = self.qparams(out, 0.0 if relu else lo, hi)

        w = self.inits[wname].astype(np.float64)
        m = w.shape[0]
        amax = np.abs(w.reshape(m, -1)).max(axis=1)
        w_scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        per = w_scale.astype(np.float64).reshape((m,) + (1,) * (w.ndim - 1))
        wq = np.clip(np.rint(w / per), -127, 127).astype(np.int8)
        tag = out  # names follow the tensor the node writes: unique
        inputs = [qx, xs, xz,
                  self.init(tag + "_weight_quantized", wq),
                  self.init(tag + "_weight_scale", w_scale),
                  self.init(tag + "_weight_zero_point", np.zeros(m, dtype=np.int8)),
                  ys, yz]
        if bname:
            b = self.inits[bname].astype(np.float64)
            bscale = float(x_scale) * w_scale.astype(np.float64)
            bq = np.clip(np.rint(b / bscale), -2**31, 2**31 - 1).astype(np.int32)
            inputs.append(self.init(tag + "_bias_quantized", bq))
        attrs = {a.name: self.h.get_attribute_value(a) for a in n.attribute}
        self.node("QLinearConv", inputs, [out + "_quantized"], n.name + "_quant", **attrs)
        self.q[out] = (out + "_quantized", ys, yz)
        return relu

    def maxpool(self, n):
        if len(n.output) > 1 and n.output[1]:
            die(f"MaxPool {n.name}: the Indices output is not supported")
        qx, xs, xz = self.need_q(n.input[0])
        attrs = {a.name: self.h.get_attribute_value(a) for a in n.attribute}
        out = n.output[0]
        self.node("MaxPool", [qx], [out + "_quantized"], n.name + "_quant", **attrs)
        self.q[out] = (out + "_quantized", xs, xz)   # max commutes with the quantization

    def add(self, n):
        a, b = (self.need_f(t) for t in n.input)
        relu = self.sole_relu(n.output[0])
        out = relu.output[0] if relu else n.output[0]
        if relu:
            self.node("Add", [a, b], [n.output[0]], n.name)
            self.node("Relu", [n.output[0]], [out + "_float"], relu.name)
        else:
            self.node("Add", [a, b], [out + "_float"], n.name)
        lo, hi = self.ranges[out]
        s, z = self.qparams(out, 0.0 if relu else lo, hi)
        self.node("QuantizeLinear", [out + "_float", s, z], [out + "_quantized"],
                  out + "_QuantizeLinear")
        self.q[out] = (out + "_quantized", s, z)
        return relu

    def float_op(self, n):
        ins = [self.need_f(t) for t in n.input]
        self.node(n.op_type, ins, list(n.output), n.name,
                  **{a.name: self.h.get_attribute_value(a) for a in n.attribute})
        self.f.update(t for t in n.output if t)

    def run(self, input_name):
        skip = set()
        self.f.add(input_name)
        for n in self.src.graph.node:
            if id(n) in skip:
                continue
            if n.domain not in ("", "ai.onnx"):
                die(f"{n.name}: op {n.domain}.{n.op_type} is not in ai.onnx")
            fused = None
            if n.op_type == "Conv":
                fused = self.conv(n)
            elif n.op_type == "MaxPool":
                self.maxpool(n)
            elif n.op_type == "Add":
                fused = self.add(n)
            else:
                self.float_op(n)
            if fused is not None:
                skip.add(id(fused))
        for o in self.src.graph.output:
            self.need_f(o.name)
        return self.build()

    def build(self):
        h = self.h
        g = self.src.graph
        used = {t for n in self.nodes for t in n.input}
        kept = [t for t in g.initializer if t.name in used]   # the float tail's (fc)
        graph = h.make_graph(self.nodes, g.name + "_int8", list(g.input), list(g.output),
                             initializer=kept + self.new_inits)
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)],
                             producer_name="bench/quantize_model.py")
        model.ir_version = self.src.ir_version
        return model


# ---- the check: int8 against fp32 -----------------------------------------------------

def check(np, onnx, fp32, int8, chipfit, backend, n_inputs, tmp):
    m = onnx.load(fp32, load_external_data=False)
    (inp,) = [i for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}]
    shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    outs = [file_name(o.name) for o in m.graph.output]
    agree, worst_rel, runs = 0, 0.0, []
    print(f"check: int8 against fp32, chipfit --backend {backend}, held-out random inputs "
          f"(seeds 1..{n_inputs}; calibration used {CALIB_SEED0}..)")
    for seed in range(1, n_inputs + 1):
        xp = os.path.join(tmp, f"check{seed}.npy")
        np.save(xp, random_input(np, shape, seed))
        res = {}
        for tag, path in (("fp32", fp32), ("int8", int8)):
            d = os.path.join(tmp, f"check{seed}-{tag}")
            chipfit_run(chipfit, backend, path, {inp.name: xp}, d)
            res[tag] = [np.load(os.path.join(d, f)).astype(np.float64) for f in outs]
        diff = max(float(np.abs(a - b).max()) for a, b in zip(res["fp32"], res["int8"]))
        scale = max(float(np.abs(a).max()) for a in res["fp32"])
        rel = diff / scale if scale > 0 else float("inf")
        worst_rel = max(worst_rel, rel)
        runs.append((res["fp32"][0].ravel(), res["int8"][0].ravel()))
        t32, t8 = int(np.argmax(res["fp32"][0])), int(np.argmax(res["int8"][0]))
        agree += t32 == t8
        print(f"  seed {seed}: max abs diff {diff:.4g}, max |fp32 out| {scale:.4g}, "
              f"diff / max |fp32| {rel:.3g}, top-1 fp32 {t32} int8 {t8} "
              f"({'agree' if t32 == t8 else 'DIFFER'})")
    print(f"  top-1 agreement {agree}/{n_inputs}; worst diff / max |fp32| {worst_rel:.3g}")
    # With random weights the output barely depends on the input (the same top-1
    # for every input is common): how well int8 follows the part that does
    # depend on it says more. Correlation of out(seed k) - out(seed k+1), fp32
    # against int8.
    if len(runs) > 1:
        corr = [float(np.corrcoef(a32 - b32, a8 - b8)[0, 1])
                for (a32, a8), (b32, b8) in zip(runs, runs[1:])]
        spread = max(float(np.abs(a32 - b32).max()) for (a32, _), (b32, _) in zip(runs, runs[1:]))
        print(f"  the input-dependent part (output of one seed minus the next's): fp32 moves by "
              f"up to {spread:.4g}; int8 follows it with correlation "
              f"{min(corr):.4f} (worst pair)")


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Quantize resnet18 (fp32) to int8 in ONNX's QLinear form "
                    "(QLinearConv, uint8 activations, per-channel int8 weights), calibrated "
                    "on chipfit runs of the fp32 model; then compare the two with chipfit.",
        epilog="Run with /usr/bin/python3 (numpy, onnx). Environment: CHIPFIT "
               "(default build/chipfit).")
    p.add_argument("--model", default=os.path.join(HERE, "models", "resnet18.onnx"),
                   help="the fp32 model (default bench/models/resnet18.onnx)")
    p.add_argument("--out", default=None,
                   help="the int8 model (default: MODEL with _int8 before .onnx)")
    p.add_argument("--force", action="store_true", help="rewrite the int8 model if it exists")
    p.add_argument("--chipfit", default=os.environ.get("CHIPFIT",
                                                        os.path.join(ROOT, "build", "chipfit")),
                   help="chipfit binary (default $CHIPFIT or build/chipfit)")
    p.add_argument("--backend", default="cpu-ref",
                   help="chipfit backend for calibration and the check (default cpu-ref)")
    p.add_argument("--calibrate", type=int, default=8, metavar="N",
                   help="random inputs for calibration (default 8)")
    p.add_argument("--check", type=int, default=3, metavar="N",
                   help="held-out random inputs for the check (default 3)")
    p.add_argument("--no-check", action="store_true", help="skip the check")
    args = p.parse_args(argv)
    if args.calibrate < 1 or args.check < 1:
        p.error("--calibrate and --check need at least 1")
    out = args.out or re.sub(r"(\.onnx)?$", "_int8.onnx", args.model, count=1)

    try:
        import numpy as np
        import onnx
        import onnx.numpy_helper  # noqa: F401
        import onnx.shape_inference  # noqa: F401
    except ImportError as e:
        die(f"{e}; run with /usr/bin/python3 (Debian's python3-numpy, python3-onnx)", 2)
    if not os.path.isfile(args.model):
        die(f"no model {args.model}: run /usr/bin/python3 bench/export_models.py resnet18", 2)
    if not (os.path.isfile(args.chipfit) and os.access(args.chipfit, os.X_OK)):
        die(f"no chipfit at {args.chipfit}: build it (cmake --build build) or set CHIPFIT", 2)

    with tempfile.TemporaryDirectory(prefix="quantize-") as tmp:
        if os.path.exists(out) and not args.force:
            print(f"kept     {os.path.getsize(out) / 1e6:8.2f} MB  {out}")
        else:
            src = onnx.load(args.model)
            input_name, ranges = calibrate(np, onnx, src, args.chipfit, args.backend,
                                           args.calibrate, tmp)
            q = Quantizer(np, onnx, src, ranges)
            model = q.run(input_name)
            model.doc_string = (f"{os.path.basename(args.model)} quantized to int8 (QLinear "
                                f"form) by bench/quantize_model.py; min/max calibration on "
                                f"{args.calibrate} random inputs")
            onnx.checker.check_model(model, full_check=True)
            tmp_out = out + ".tmp"
            onnx.save(model, tmp_out)
            os.replace(tmp_out, out)
            ops = ", ".join(f"{k} {v}" for k, v in sorted(q.counts.items(), key=lambda kv: -kv[1]))
            print(f"written  {os.path.getsize(out) / 1e6:8.2f} MB  {out}  "
                  f"({len(model.graph.node)} nodes: {ops}; calibrated on {args.calibrate} "
                  f"inputs with chipfit --backend {args.backend})")
        if not args.no_check:
            check(np, onnx, args.model, out, args.chipfit, args.backend, args.check, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
