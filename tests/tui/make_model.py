"""Writes a chain of N convolutions (8 channels, 16x16, 3x3, pad 1), an ONNX
model for the TUI tests: big enough that a profile takes a while, small enough
to load at once. --long-names gives each layer a name of about 60 characters.

usage: /usr/bin/python3 make_model.py OUT.onnx [--convs N] [--long-names]
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--convs", type=int, default=300)
    ap.add_argument("--long-names", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    c, hw = 8, 16
    nodes, inits = [], []
    prev = "input"
    for i in range(a.convs):
        name = f"conv_{i:03d}"
        if a.long_names:
            name = f"encoder_block_{i:03d}_depthwise_separable_convolution_main_path"
        w = numpy_helper.from_array(
            (rng.standard_normal((c, c, 3, 3)) * 0.1).astype(np.float32), f"w{i}")
        inits.append(w)
        out = f"t{i}"
        nodes.append(helper.make_node("Conv", [prev, f"w{i}"], [out], name=name,
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
        prev = out
    graph = helper.make_graph(
        nodes, "conv_chain",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, c, hw, hw])],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, c, hw, hw])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="chipfit-tests")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, a.out)


if __name__ == "__main__":
    main()
