"""Conformance cases for the oneDNN kernels: ONNX's own node tests of the ops
oneDNN runs (Conv, ConvTranspose, QLinearConv, ConvInteger, MatMulInteger,
QLinearMatMul) with every input but the first turned into an initializer.
In the official tests the weights are graph inputs, and chipfit's oneDNN
kernels take only constant weights (they reorder them once), so without
these cases only the reference kernels would meet ONNX's data. The expected
outputs are the official ones, unchanged. Writes
tests/conformance/extra/cw_* (removing only those), from Debian's
libonnx-testdata; run with Debian python3-onnx:
    /usr/bin/python3 tests/conformance/make_const_weights.py
The outputs are committed, so the tests need neither Python nor the
generator's input."""
import glob, os, shutil
import onnx
from onnx import numpy_helper as nh

SRC = '/usr/share/libonnx-testdata/data/node'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'extra')
PREFIXES = ('test_conv_', 'test_convtranspose', 'test_qlinearconv', 'test_convinteger',
            'test_matmulinteger', 'test_qlinearmatmul')

for d in glob.glob(os.path.join(OUT, 'cw_*')):
    shutil.rmtree(d)
count = 0
for src in sorted(glob.glob(os.path.join(SRC, 'test_*'))):
    name = os.path.basename(src)
    if not name.startswith(PREFIXES) or not os.path.isdir(os.path.join(src, 'test_data_set_0')):
        continue
    m = onnx.load(os.path.join(src, 'model.onnx'))
    g = m.graph
    data = os.path.join(src, 'test_data_set_0')
    inputs = [i for i in g.input if i.name not in {t.name for t in g.initializer}]
    keep = inputs[:1]
    for k, inp in enumerate(inputs[1:], start=1):
        t = onnx.TensorProto()
        with open(os.path.join(data, 'input_%d.pb' % k), 'rb') as f:
            t.ParseFromString(f.read())
        t.name = inp.name
        g.initializer.append(t)
    if m.ir_version >= 4:   # before IR 4 an initializer must also be a graph input
        del g.input[:]
        g.input.extend(keep)
    onnx.checker.check_model(m)
    dst = os.path.join(OUT, 'cw_' + name[len('test_'):])
    os.makedirs(os.path.join(dst, 'test_data_set_0'))
    onnx.save(m, os.path.join(dst, 'model.onnx'))
    shutil.copy(os.path.join(data, 'input_0.pb'), os.path.join(dst, 'test_data_set_0'))
    for out in sorted(glob.glob(os.path.join(data, 'output_*.pb'))):
        shutil.copy(out, os.path.join(dst, 'test_data_set_0'))
    count += 1
print('wrote %d cases to %s/cw_*' % (count, OUT))
