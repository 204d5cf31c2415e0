"""Writes bench/models/big5000.onnx: a model of 5,000 small layers for
bench/tui_bench.sh (how the TUI copes with a long layer table).

1,000 blocks of five layers on a 1x4x8x8 activation, each
    Conv 3x3 (4 -> 4, pad 1) -> Relu -> Add (the block's input) -> MatMul (8x8) -> Relu
named blockNNNN/conv, /relu, /add, /matmul, /out. The shapes are tiny, so the
file is about 1 MB and loads in milliseconds: the bench measures the TUI, not
the loader. Seeded random weights; the same bytes on every run. Passes
onnx.checker.

usage: /usr/bin/python3 bench/make_big_model.py [--layers N] [--out PATH] [--force]
  --layers N   a multiple of 5 (default 5000)
  --out PATH   default bench/models/big<N>.onnx
  --force      rewrite the file when it exists
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def build(layers):
    rng = np.random.default_rng(0)
    c, hw = 4, 8
    nodes, inits = [], []
    x = "input"
    for b in range(layers // 5):
        p = f"block{b:04d}"
        w = numpy_helper.from_array(
            (rng.standard_normal((c, c, 3, 3)) * 0.15).astype(np.float32), f"{p}/conv.weight")
        m = numpy_helper.from_array(
            (rng.standard_normal((hw, hw)) * 0.3).astype(np.float32), f"{p}/matmul.weight")
        inits += [w, m]
        nodes += [
            helper.make_node("Conv", [x, w.name], [f"{p}/conv_out"], name=f"{p}/conv",
                             kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
            helper.make_node("Relu", [f"{p}/conv_out"], [f"{p}/relu_out"], name=f"{p}/relu"),
            helper.make_node("Add", [f"{p}/relu_out", x], [f"{p}/add_out"], name=f"{p}/add"),
            helper.make_node("MatMul", [f"{p}/add_out", m.name], [f"{p}/matmul_out"],
                             name=f"{p}/matmul"),
            helper.make_node("Relu", [f"{p}/matmul_out"], [f"{p}/out"], name=f"{p}/out"),
        ]
        x = f"{p}/out"
    graph = helper.make_graph(
        nodes, f"big{layers}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, c, hw, hw])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, c, hw, hw])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="chipfit-bench")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser(
        description="Writes a model of N small layers for bench/tui_bench.sh.")
    ap.add_argument("--layers", type=int, default=5000, help="a multiple of 5 (default 5000)")
    ap.add_argument("--out", help="default bench/models/big<N>.onnx")
    ap.add_argument("--force", action="store_true", help="rewrite the file when it exists")
    a = ap.parse_args()
    if a.layers < 5 or a.layers % 5:
        sys.exit(f"make_big_model.py: --layers must be a positive multiple of 5 (got {a.layers})")
    out = a.out or os.path.join(HERE, "models", f"big{a.layers}.onnx")
    if os.path.exists(out) and not a.force:
        print(f"{out}: exists (--force rewrites it)")
        return
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    onnx.save(build(a.layers), out)
    print(f"{out}: {a.layers} layers, {os.path.getsize(out):,} bytes")


if __name__ == "__main__":
    main()
