#!/usr/bin/python3
"""Export the benchmark models to ONNX (bench/models/, git-ignored).

    resnet18, mobilenet_v2, squeezenet1_1, efficientnet_b0   torchvision, 1x3x224x224
    transformer_encoder   4 x nn.TransformerEncoderLayer(d_model 256, 4 heads,
                          ff 1024), input 1x128x256 (batch, seq, d_model)

All weights are random (torchvision `weights=None`, seeded): nothing is
downloaded. The files are for counting (params, MACs, memory) and timing, not
for accuracy. torch's merging of initializers with equal values (which random
weights trigger a lot; see undedup_initializers) is undone, so the files have
the structure of real exports. Eval mode, opset 13, do_constant_folding=True (so BatchNorm is
folded into the convolutions), static shapes (batch 1), input "input",
output "output".

A model whose file already exists is skipped unless --force.

    /usr/bin/python3 bench/export_models.py            # all, into bench/models/
    /usr/bin/python3 bench/export_models.py --force resnet18
"""

import argparse
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
TORCHVISION = ["resnet18", "mobilenet_v2", "squeezenet1_1", "efficientnet_b0"]
ALL = TORCHVISION + ["transformer_encoder"]

# Transformer encoder geometry.
T_LAYERS, T_DMODEL, T_HEADS, T_FF, T_SEQ = 4, 256, 4, 1024, 128


def build(torch, name, seed):
    torch.manual_seed(seed)
    if name in TORCHVISION:
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
        return model.eval(), torch.randn(1, 3, 224, 224)

    nn = torch.nn

    class Encoder(nn.Module):
        """nn.TransformerEncoder deep-copies one layer N times, so every layer would
        start with the same weights (and the exporter might share them): here each
        layer is constructed, and so initialised, on its own."""

        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(
                nn.TransformerEncoderLayer(T_DMODEL, T_HEADS, dim_feedforward=T_FF,
                                           dropout=0.1, batch_first=True)
                for _ in range(T_LAYERS))

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Encoder().eval()
    # Each layer's weights must differ from the others'.
    w = [layer.linear1.weight for layer in model.layers]
    assert all(not torch.equal(w[0], other) for other in w[1:]), "layers share weights"
    return model, torch.randn(1, T_SEQ, T_DMODEL)


def undedup_initializers(m):
    """Undoes torch's initializer de-duplication; returns how many were undone.

    torch 1.13's exporter merges initializers whose *values* are equal and feeds
    the other users through Identity nodes. With random weights that hits many
    tensors: BatchNorm at its initial state (mean 0, var 1, gamma 1, beta 0) folds
    into all-zero conv biases, LayerNorm starts at 1/0, attention biases at 0. A
    trained model has none of that, so the benchmark files would differ from real
    ones (fewer initializers, extra Identity nodes, parameters not counted where
    they are used). Each Identity whose input is an initializer becomes a copy of
    that initializer under the Identity's output name."""
    inits = {t.name: t for t in m.graph.initializer}
    keep, copies = [], []
    for n in m.graph.node:
        if n.op_type == "Identity" and len(n.input) == 1 and n.input[0] in inits:
            t = type(inits[n.input[0]])()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            copies.append(t)
        else:
            keep.append(n)
    if copies:
        del m.graph.node[:]
        m.graph.node.extend(keep)
        m.graph.initializer.extend(copies)
    return len(copies)


def export(torch, name, path, seed):
    model, x = build(torch, name, seed)
    tmp = path + ".tmp"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Not under torch.no_grad(): in eval mode with grad off, torch 1.13's
        # TransformerEncoderLayer takes its "fast path", one fused op
        # (aten::_transformer_encoder_layer_fwd) that the ONNX exporter cannot
        # export. With grad on (weights require grad) it runs the plain
        # MultiheadAttention / Linear / LayerNorm path, which exports.
        torch.onnx.export(model, x, tmp, opset_version=13, do_constant_folding=True,
                          input_names=["input"], output_names=["output"],
                          export_params=True)
    seen = {}
    for w in caught:
        key = (w.category.__name__, str(w.message).splitlines()[0],
               os.path.basename(w.filename), w.lineno)
        seen[key] = seen.get(key, 0) + 1
    for (cat, msg, fname, line), count in seen.items():
        print(f"  exporter warning ({name}, {fname}:{line}, x{count}): {cat}: {msg}",
              file=sys.stderr)
    import onnx
    m = onnx.load(tmp)
    n_undup = undedup_initializers(m)
    if n_undup:
        print(f"  {name}: {n_undup} Identity nodes over shared initializers replaced by copies",
              file=sys.stderr)
    m.producer_name = "pytorch (torch.onnx.export) + bench/export_models.py"
    m.graph.name = name  # torch calls every graph "torch_jit"
    m.doc_string = (f"{name}, random weights (seed {seed}), for chipfit benchmarks only; "
                    "not a trained model")
    onnx.checker.check_model(m)
    onnx.save(m, tmp)
    os.replace(tmp, path)
    ops = {}
    for n in m.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    return len(m.graph.node), ops


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Export chipfit's benchmark models (random weights) to ONNX, opset 13.",
        epilog="Models: " + ", ".join(ALL) + ". Run with /usr/bin/python3 "
               "(Debian's python3-torch, python3-torchvision, python3-onnx).")
    p.add_argument("models", nargs="*", metavar="MODEL",
                   help="models to export (default: all)")
    p.add_argument("--out-dir", default=os.path.join(HERE, "models"),
                   help="where to write NAME.onnx (default: bench/models)")
    p.add_argument("--force", action="store_true", help="re-export models that already exist")
    p.add_argument("--seed", type=int, default=0, help="seed for the random weights (default 0)")
    args = p.parse_args(argv)
    names = args.models or ALL
    bad = [n for n in names if n not in ALL]
    if bad:
        p.error("unknown model(s): " + ", ".join(bad) + "; known: " + ", ".join(ALL))

    try:
        import torch
        import torchvision  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as e:
        sys.exit(f"error: {e}; run with /usr/bin/python3 "
                 "(Debian's python3-torch, python3-torchvision, python3-onnx)")
    torch.set_num_threads(2)
    os.makedirs(args.out_dir, exist_ok=True)

    for name in names:
        path = os.path.join(args.out_dir, name + ".onnx")
        if os.path.exists(path) and not args.force:
            print(f"{name:20s} kept     {os.path.getsize(path) / 1e6:8.2f} MB  {path}")
            continue
        t = time.time()
        n_nodes, ops = export(torch, name, path, args.seed)
        top = ", ".join(f"{k} {v}" for k, v in sorted(ops.items(), key=lambda kv: -kv[1])[:4])
        print(f"{name:20s} exported {os.path.getsize(path) / 1e6:8.2f} MB  {path}  "
              f"({n_nodes} nodes: {top}; {time.time() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
