#!/usr/bin/python3
"""Train chipfit's demo model, a small CNN on Fashion-MNIST, and export it to ONNX.

The model (the classic Keras-example CNN, without dropout):

    input  1x1x28x28 float32, pixel/255, no normalisation
    conv1   Conv 3x3, 1 -> 32   + ReLU (relu1)   -> 32x26x26
    pool1   MaxPool 2x2                          -> 32x13x13
    conv2   Conv 3x3, 32 -> 64  + ReLU (relu2)   -> 64x11x11
    pool2   MaxPool 2x2                          -> 64x5x5
    flatten                                      -> 1600
    fc      Gemm 1600 -> 10
    softmax                                      -> probs, 10 class probabilities

Data: the real Fashion-MNIST files from Debian's dataset-fashion-mnist package
(/usr/share/datasets/fashion-mnist/*-ubyte.gz, IDX format, gzip), read here with
gzip + struct + numpy. Nothing is downloaded.

Training: Adam (lr 1e-3, cosine decay to 0 over the epochs), cross-entropy on
the logits, batch 64, fixed seeds, deterministic
algorithms, 2 threads. The exported module ends in Softmax so the ONNX output
"probs" is probabilities. The batch dimension of the ONNX model is symbolic
("batch"); everything else is fixed.

After export the file is checked with onnx.checker, and the exported weights are
run through an independent numpy implementation of the same graph (read from
the ONNX file, not from torch) on the whole test set: its accuracy and its
largest difference from torch's probabilities are printed and recorded.

Run with Debian's python (the python3 first on PATH may not see Debian's torch):

    /usr/bin/python3 models/train_fashion_cnn.py            # 10 epochs, seed 1
    /usr/bin/python3 models/train_fashion_cnn.py --help
"""

import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np

DATA_DIR = "/usr/share/datasets/fashion-mnist"
SCRIPT_NAME = "models/train_fashion_cnn.py"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# ONNX node names, in graph order, by op type (see rename_nodes).
NODE_NAMES = [("Conv", "conv1"), ("Relu", "relu1"), ("MaxPool", "pool1"),
              ("Conv", "conv2"), ("Relu", "relu2"), ("MaxPool", "pool2"),
              ("Flatten", "flatten"), ("Gemm", "fc"), ("Softmax", "softmax")]


# --- data -------------------------------------------------------------------

def read_idx(path):
    """Reads a gzip'd IDX file (big-endian header: magic, dims) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:  # 0x08: unsigned byte, the only type MNIST uses
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    expected = int(np.prod(dims))
    if body.size != expected:
        raise ValueError(f"{path}: {body.size} bytes of data, header says {expected}")
    return body.reshape(dims)


def load_split(data_dir, split):
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f"{split}: images {images.shape} and labels {labels.shape} disagree")
    x = (images.astype(np.float32) / 255.0)[:, None, :, :]  # N x 1 x 28 x 28, pixel/255
    y = labels.astype(np.int64)
    return x, y


# --- model ------------------------------------------------------------------

def build_modules(torch):
    nn = torch.nn

    class FashionCNN(nn.Module):
        """Outputs logits (used for training)."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3)
            self.pool1 = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(32, 64, 3)
            self.pool2 = nn.MaxPool2d(2)
            self.fc = nn.Linear(1600, 10)

        def forward(self, x):
            x = self.pool1(torch.relu(self.conv1(x)))
            x = self.pool2(torch.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            return self.fc(x)

    class WithSoftmax(nn.Module):
        """The exported module: the same layers, output = softmax probabilities."""

        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return torch.softmax(self.net(x), dim=1)

    return FashionCNN, WithSoftmax


def evaluate(torch, model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(torch.from_numpy(x[i:i + batch]))
            correct += int((out.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)


# --- ONNX post-processing and an independent check ---------------------------

def rename_nodes(onnx, model):
    """Gives nodes and tensors the layer names chipfit shows (conv1, pool1, ...).

    torch names nodes after the op and a counter; the graph of this model is
    known, so the nodes are matched by op type in order and renamed. A graph
    that does not match (another torch version may export differently) is
    left alone with a warning, never renamed half-way."""
    nodes = list(model.graph.node)
    ops = [n.op_type for n in nodes]
    want = [op for op, _ in NODE_NAMES]
    if ops != want:
        print(f"warning: exported graph has ops {ops}, expected {want}; node names kept",
              file=sys.stderr)
        return [n.name for n in nodes], False
    old = [n.name for n in nodes]
    # Tensor names: weights lose the wrapper's "net." prefix (conv1.weight),
    # activations are named after the layer that writes them (conv1_out); the
    # graph input and output keep their names.
    keep = {v.name for v in model.graph.input} | {v.name for v in model.graph.output}
    rename = {}
    for init in model.graph.initializer:
        if init.name.startswith("net."):
            rename[init.name] = init.name[len("net."):]
    for n, (_, name) in zip(nodes, NODE_NAMES):
        n.name = name
        for o in n.output:
            if o not in keep:
                rename[o] = name + "_out"
    for init in model.graph.initializer:
        init.name = rename.get(init.name, init.name)
    for n in nodes:
        for i, v in enumerate(n.input):
            n.input[i] = rename.get(v, v)
        for i, v in enumerate(n.output):
            n.output[i] = rename.get(v, v)
    for v in model.graph.value_info:
        v.name = rename.get(v.name, v.name)
    return old, True


def numpy_forward(onnx, model, x):
    """Runs the exported graph's math with numpy, weights read from the ONNX file.

    Supports exactly the ops of this model; it follows the node list, so it
    checks the exported graph (wiring, attributes, weights), not torch's module."""
    from onnx import numpy_helper
    env = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for n in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        ins = [env[i] for i in n.input]
        if n.op_type == "Conv":
            w = ins[1]
            b = ins[2] if len(ins) > 2 else np.zeros(w.shape[0], np.float32)
            if list(a.get("strides", [1, 1])) != [1, 1] or any(a.get("pads", [0, 0, 0, 0])) \
                    or list(a.get("dilations", [1, 1])) != [1, 1] or a.get("group", 1) != 1:
                raise ValueError(f"{n.name}: conv attributes {a} not handled by the check")
            inp = ins[0]
            kh, kw = w.shape[2], w.shape[3]
            oh, ow = inp.shape[2] - kh + 1, inp.shape[3] - kw + 1
            # im2col: N x (C*kh*kw) x (oh*ow)
            cols = np.empty((inp.shape[0], inp.shape[1], kh, kw, oh, ow), np.float32)
            for i in range(kh):
                for j in range(kw):
                    cols[:, :, i, j] = inp[:, :, i:i + oh, j:j + ow]
            cols = cols.reshape(inp.shape[0], -1, oh * ow)
            out = np.einsum("ok,nkp->nop", w.reshape(w.shape[0], -1), cols, optimize=True)
            out = out.reshape(inp.shape[0], w.shape[0], oh, ow) + b[None, :, None, None]
        elif n.op_type == "Relu":
            out = np.maximum(ins[0], 0)
        elif n.op_type == "MaxPool":
            if list(a["kernel_shape"]) != [2, 2] or list(a.get("strides", [1, 1])) != [2, 2] \
                    or any(a.get("pads", [0, 0, 0, 0])):
                raise ValueError(f"{n.name}: pool attributes {a} not handled by the check")
            inp = ins[0]
            h, w_ = inp.shape[2] // 2 * 2, inp.shape[3] // 2 * 2  # floor mode
            v = inp[:, :, :h, :w_].reshape(inp.shape[0], inp.shape[1], h // 2, 2, w_ // 2, 2)
            out = v.max(axis=(3, 5))
        elif n.op_type == "Flatten":
            axis = a.get("axis", 1)
            s = ins[0].shape
            out = ins[0].reshape(int(np.prod(s[:axis])), -1)
        elif n.op_type == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            out = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2:
                out = out + a.get("beta", 1.0) * ins[2]
        elif n.op_type == "Softmax":
            axis = a.get("axis", -1)
            e = np.exp(ins[0] - ins[0].max(axis=axis, keepdims=True))
            out = e / e.sum(axis=axis, keepdims=True)
        else:
            raise ValueError(f"{n.name}: op {n.op_type} not handled by the check")
        env[n.output[0]] = out.astype(np.float32)
    return env[model.graph.output[0].name]


# --- main -------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=SCRIPT_NAME,
        description="Train the Fashion-MNIST demo CNN for chipfit and export it to ONNX "
                    "(opset 13, input 'input' batchx1x28x28, output 'probs' batchx10).",
        epilog="Run with /usr/bin/python3 (Debian's python3-torch, python3-onnx). "
               "Data: " + DATA_DIR + " (Debian package dataset-fashion-mnist).")
    p.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "fashion_cnn.onnx"),
                   help="ONNX file to write (default: fashion_cnn.onnx beside this script)")
    p.add_argument("--seed", type=int, default=1, help="seed for torch and numpy (default 1)")
    p.add_argument("--batch-size", type=int, default=64, help="training batch size (default 64)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam initial learning rate, cosine-decayed to 0 (default 1e-3)")
    p.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    p.add_argument("--data", default=DATA_DIR, help="folder of the IDX .gz files (default %(default)s)")
    p.add_argument("--min-accuracy", type=float, default=0.89,
                   help="fail (exit 1, no file written) below this test accuracy (default 0.89)")
    args = p.parse_args(argv)
    if args.epochs < 1:
        p.error("--epochs must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        import torch
        import onnx
    except ImportError as e:
        sys.exit(f"error: {e}; run with /usr/bin/python3 (Debian's python3-torch, python3-onnx)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(args.seed)

    t0 = time.time()
    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    print(f"data: {len(x_train)} train, {len(x_test)} test images from {args.data} "
          f"({time.time() - t0:.1f} s)")

    FashionCNN, WithSoftmax = build_modules(torch)
    net = FashionCNN()
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    # Cosine decay of the learning rate to 0 over the run, stepped per epoch:
    # the last epochs settle instead of bouncing (no dropout in this model).
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    loss_fn = torch.nn.CrossEntropyLoss()

    t_train = time.time()
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = rng.permutation(len(x_train))
        total, n = 0.0, 0
        te = time.time()
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            xb = torch.from_numpy(x_train[idx])
            yb = torch.from_numpy(y_train[idx])
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
            n += len(idx)
        sched.step()
        acc = evaluate(torch, net, x_test, y_test)
        print(f"epoch {epoch:2d}/{args.epochs}  loss {total / n:.4f}  test accuracy "
              f"{acc * 100:.2f}%  ({time.time() - te:.1f} s)", flush=True)
    train_s = time.time() - t_train

    model = WithSoftmax(net).eval()
    test_acc = evaluate(torch, model, x_test, y_test)
    print(f"training: {args.epochs} epochs in {train_s:.1f} s on {args.threads} threads")
    print(f"test accuracy (torch, exported module with softmax): {test_acc * 100:.2f}% "
          f"on {len(x_test)} images")
    if test_acc < args.min_accuracy:
        sys.exit(f"error: test accuracy {test_acc * 100:.2f}% is below "
                 f"{args.min_accuracy * 100:.1f}%; nothing written")

    # Export to a temporary file, post-process, write the final file atomically.
    out = os.path.abspath(args.out)
    tmp = out + ".tmp"
    dummy = torch.zeros(1, 1, 28, 28)
    with torch.no_grad():
        torch.onnx.export(model, dummy, tmp, opset_version=13, input_names=["input"],
                          output_names=["probs"], dynamic_axes={"input": {0: "batch"},
                                                                "probs": {0: "batch"}},
                          do_constant_folding=True, export_params=True)
    m = onnx.load(tmp)
    os.remove(tmp)
    old_names, renamed = rename_nodes(onnx, m)
    print("nodes as torch named them: " + ", ".join(old_names))
    if renamed:
        print("renamed to: " + ", ".join(n.name for n in m.graph.node))

    # Independent check of the exported graph: numpy on the ONNX weights.
    probs_np = np.concatenate([numpy_forward(onnx, m, x_test[i:i + 1000])
                               for i in range(0, len(x_test), 1000)])
    with torch.no_grad():
        probs_t = model(torch.from_numpy(x_test)).numpy()
    np_acc = float((probs_np.argmax(1) == y_test).mean())
    max_diff = float(np.abs(probs_np - probs_t).max())
    agree = float((probs_np.argmax(1) == probs_t.argmax(1)).mean())
    print(f"numpy re-implementation of the exported graph: accuracy {np_acc * 100:.2f}%, "
          f"max |probs - torch| = {max_diff:.2e}, argmax agreement {agree * 100:.2f}%")
    if max_diff > 1e-4 or np_acc != test_acc:
        sys.exit("error: the exported graph does not compute what torch computes; nothing written")

    m.producer_name = "pytorch (torch.onnx.export) + " + SCRIPT_NAME
    m.producer_version = torch.__version__
    m.doc_string = ("Fashion-MNIST demo CNN for chipfit: conv1-relu1-pool1-conv2-relu2-pool2-"
                    "flatten-fc-softmax. Input: batchx1x28x28 float32, pixel/255. "
                    "Output 'probs': batchx10 class probabilities (" + ", ".join(CLASSES) + ").")
    m.graph.name = "fashion_cnn"
    del m.metadata_props[:]
    meta = {
        "test_accuracy": f"{test_acc:.4f}",
        "test_images": str(len(x_test)),
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist, " + DATA_DIR + "), "
                   "60000 train / 10000 test; input pixel/255, no normalisation",
        "classes": ",".join(CLASSES),
        "epochs": str(args.epochs),
        "seed": str(args.seed),
        "optimizer": f"Adam lr={args.lr} cosine-annealed to 0 per epoch, batch={args.batch_size}, "
                     "cross-entropy on logits",
        "script": SCRIPT_NAME,
        "torch_version": torch.__version__,
        "numpy_check": f"accuracy {np_acc:.4f}, max abs diff vs torch {max_diff:.2e}",
    }
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m, full_check=True)  # full_check: shape inference too
    onnx.save(m, tmp)
    os.replace(tmp, out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes), onnx.checker: ok")
    print(f"TEST ACCURACY {test_acc * 100:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
