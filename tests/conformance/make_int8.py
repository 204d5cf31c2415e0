"""Extra conformance cases for the 8-bit fast paths of the CPU kernels: 2-D
MaxPool of uint8/int8 (pads, strides, dilations, ceil_mode, auto_pad), and
QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear between float32
and uint8/int8 (ties at .5, saturation, negative int8 zero points, per-axis
parameters, NaN and infinities). numpy computes the expected outputs from
the ONNX definitions, not chipfit. Writes tests/conformance/extra/q8_*
(removing only those), each model.onnx + test_data_set_0/{input,output}_N.pb.
Run with Debian python3-onnx and numpy:
    /usr/bin/python3 tests/conformance/make_int8.py
The outputs are committed, so the tests need no Python."""
import glob, itertools, os, shutil
import numpy as np, onnx
from onnx import helper as h, numpy_helper as nh

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'extra')
for d in glob.glob(os.path.join(OUT, 'q8_*')):
    shutil.rmtree(d)
rng = np.random.default_rng(8)


def save(name, node, ins, outs, opset=13, inits=()):
    """ins, outs: (name, array) in graph order; inits: (name, array) constants."""
    d = os.path.join(OUT, name)
    os.makedirs(d + '/test_data_set_0')
    vi = lambda k, v: h.make_tensor_value_info(k, nh.from_array(v).data_type, v.shape)
    g = h.make_graph([node], name, [vi(k, v) for k, v in ins], [vi(k, v) for k, v in outs],
                     initializer=[nh.from_array(v, k) for k, v in inits])
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)])
    onnx.checker.check_model(m)
    onnx.save(m, d + '/model.onnx')
    for i, (k, v) in enumerate(ins):
        open(f'{d}/test_data_set_0/input_{i}.pb', 'wb').write(nh.from_array(v, k).SerializeToString())
    for i, (k, v) in enumerate(outs):
        open(f'{d}/test_data_set_0/output_{i}.pb', 'wb').write(nh.from_array(v, k).SerializeToString())


# ---------------- MaxPool, 2-D, uint8 / int8 ----------------

def out_len(n, k, s, d, pb, pe, ceil):
    """ONNX MaxPool output length; with ceil_mode a window that would start in
    the right padding is dropped (as torch and onnx.reference do)."""
    span = n + pb + pe - ((k - 1) * d + 1)
    o = (-(-span // s) if ceil else span // s) + 1
    if ceil and (o - 1) * s >= n + pb:
        o -= 1
    return o


def maxpool_ref(x, k, s, d, pads, ceil):
    """Max over the taps inside the input; padding holds no value."""
    N, C, H, W = x.shape
    oh = out_len(H, k[0], s[0], d[0], pads[0], pads[2], ceil)
    ow = out_len(W, k[1], s[1], d[1], pads[1], pads[3], ceil)
    y = np.zeros((N, C, oh, ow), x.dtype)
    for i, j in itertools.product(range(oh), range(ow)):
        rows = [i * s[0] - pads[0] + a * d[0] for a in range(k[0])]
        cols = [j * s[1] - pads[1] + b * d[1] for b in range(k[1])]
        rows = [r for r in rows if 0 <= r < H]
        cols = [c for c in cols if 0 <= c < W]
        assert rows and cols, 'a window all in padding'
        y[:, :, i, j] = x[:, :, rows][:, :, :, cols].max(axis=(2, 3))
    return y


def same_pads(n, k, s, d, upper):
    o = -(-n // s)
    tot = max(0, (o - 1) * s + (k - 1) * d + 1 - n)
    return (tot // 2, tot - tot // 2) if upper else (tot - tot // 2, tot // 2)


def q8(dt, *shape):
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max + 1, shape).astype(dt)


def pool_case(name, x, k, s=(1, 1), d=(1, 1), pads=(0, 0, 0, 0), ceil=0, auto_pad=None):
    attrs = dict(kernel_shape=list(k), strides=list(s))
    if d != (1, 1):
        attrs['dilations'] = list(d)
    if ceil:
        attrs['ceil_mode'] = 1
    if auto_pad:
        attrs['auto_pad'] = auto_pad
        ph = same_pads(x.shape[2], k[0], s[0], d[0], auto_pad == 'SAME_UPPER')
        pw = same_pads(x.shape[3], k[1], s[1], d[1], auto_pad == 'SAME_UPPER')
        pads = (ph[0], pw[0], ph[1], pw[1])
    elif any(pads):
        attrs['pads'] = list(pads)
    save(name, h.make_node('MaxPool', ['x'], ['y'], **attrs), [('x', x)],
         [('y', maxpool_ref(x, k, s, d, pads, ceil))], opset=12)


# resnet's stem: 3x3, stride 2, pads 1
pool_case('q8_maxpool_u8_stem', q8(np.uint8, 1, 3, 15, 16), (3, 3), (2, 2), pads=(1, 1, 1, 1))
# int8 below zero: a window over the padding must not see a 0 there
x = q8(np.int8, 2, 2, 9, 11)
x[0, 0] = rng.integers(-128, -100, (9, 11))
x[1, 1, :3, :3] = -128
pool_case('q8_maxpool_i8_pads_neg', x, (3, 3), (2, 2), pads=(1, 2, 2, 1))
pool_case('q8_maxpool_u8_dil_stride', q8(np.uint8, 1, 2, 13, 17), (3, 2), (1, 2), d=(2, 3),
          pads=(2, 1, 0, 1))
x = q8(np.int8, 1, 3, 12, 14)
x[0, 2] = rng.integers(-128, -120, (12, 14))
pool_case('q8_maxpool_i8_dil_ceil', x, (2, 3), (2, 3), d=(3, 2), pads=(1, 1, 1, 2), ceil=1)
# ceil_mode: one more output on each axis, whose window runs off the end
pool_case('q8_maxpool_u8_ceil', q8(np.uint8, 2, 1, 10, 11), (3, 3), (2, 2), ceil=1)
# ceil_mode where a last window would start in the right padding: dropped
pool_case('q8_maxpool_i8_ceil_drop', q8(np.int8, 1, 2, 7, 8), (2, 2), (3, 3), pads=(1, 1, 1, 1),
          ceil=1)
# (no dilation here: ONNX Runtime 1.30 leaves dilations out of SAME padding)
pool_case('q8_maxpool_u8_same_lower', q8(np.uint8, 1, 2, 9, 10), (4, 3), (2, 3),
          auto_pad='SAME_LOWER')
x = q8(np.int8, 1, 2, 8, 9)
x[0, 1] = -128
pool_case('q8_maxpool_i8_same_upper', x, (3, 2), (3, 2), auto_pad='SAME_UPPER')

# ---------------- QuantizeLinear / DequantizeLinear ----------------

def quant(x, s, z, dt):
    """ONNX QuantizeLinear: round(x / s) half to even, + z, saturate. The
    quotient is a float32 division, as the ONNX reference computes it."""
    info = np.iinfo(dt)
    with np.errstate(invalid='ignore', divide='ignore', over='ignore'):
        v = np.rint(np.float32(x) / np.float32(s)).astype(np.float64) + np.asarray(z, np.float64)
    return np.clip(v, info.min, info.max).astype(dt)


def dequant(x, s, z):
    return (x.astype(np.int32) - np.asarray(z, np.int32)).astype(np.float32) * np.float32(s)


def vec(*v):
    return np.array(v, np.float32)


def ties(s, lo, hi):
    """Every (k + 0.5) * s for k in [lo, hi): exact halfway points of x / s."""
    return ((np.arange(lo, hi) + 0.5) * s).astype(np.float32)


def qcase(name, x, s, z, dt, axis=None):
    """QuantizeLinear with scale and zero point as constants (z None: omitted)."""
    sh = (-1,) + (1,) * (x.ndim - 1 - (axis % x.ndim)) if axis is not None else ()
    inits = [('s', np.asarray(s, np.float32))]
    if z is not None:
        inits.append(('z', np.asarray(z, dt)))
    attrs = {} if axis is None else dict(axis=axis)
    zz = 0 if z is None else np.asarray(z).reshape(sh)
    y = quant(x, np.asarray(s, np.float32).reshape(sh), zz, dt)
    save(name, h.make_node('QuantizeLinear', ['x', 's'] + (['z'] if z is not None else []), ['y'],
                           **attrs), [('x', x)], [('y', y)], inits=inits)


def dqcase(name, x, s, z, axis=None):
    sh = (-1,) + (1,) * (x.ndim - 1 - (axis % x.ndim)) if axis is not None else ()
    inits = [('s', np.asarray(s, np.float32)), ('z', np.asarray(z, x.dtype))]
    attrs = {} if axis is None else dict(axis=axis)
    y = dequant(x, np.asarray(s, np.float32).reshape(sh), np.asarray(z).reshape(sh))
    save(name, h.make_node('DequantizeLinear', ['x', 's', 'z'], ['y'], **attrs), [('x', x)],
         [('y', y)], inits=inits)


# Ties at .5 on both sides of the zero point, with more elements than one
# vector (the fast path's loop and its scalar tail).
x = np.concatenate([ties(0.5, -300, 300), ties(0.5, -3, 3), vec(0.0, -0.0)])
qcase('q8_quant_u8_ties', x, 0.5, 128, np.uint8)
qcase('q8_quant_i8_ties', x, 0.5, 0, np.int8)
# A scale that is not a power of two: the quotient is a float division
x = np.concatenate([ties(0.1, -200, 200), rng.standard_normal(61).astype(np.float32) * 20])
qcase('q8_quant_u8_ties_scale01', x, np.float32(0.1), 7, np.uint8)
# int8 with negative zero points: saturation at both ends moves with them
x = np.concatenate([np.linspace(-400, 400, 211, dtype=np.float32), ties(1.0, -260, 260),
                    vec(-128.5, 127.5, -129.5, 128.5, 3e38, -3e38)])
qcase('q8_quant_i8_negzp', x, 1.0, -100, np.int8)
qcase('q8_quant_i8_negzp_min', x, 2.0, -128, np.int8)
qcase('q8_quant_i8_zp127', x, 0.75, 127, np.int8)
# Saturation of uint8 at 0 and 255; infinities; a quotient that overflows
x = np.concatenate([np.linspace(-300, 600, 97, dtype=np.float32),
                    vec(np.inf, -np.inf, 3.4e38, -3.4e38, 254.5, 255.5, 256.5, -0.5, 1e-45)])
qcase('q8_quant_u8_sat', x, 1.0, 0, np.uint8)
qcase('q8_quant_u8_sat_zp255', x, 1e-3, 255, np.uint8)
qcase('q8_quant_u8_nozp_overflow', x, 1e-38, None, np.uint8)
# NaN: ONNX leaves it undefined. chipfit writes 0 (not the zero point); ONNX Runtime
# 1.30 writes 0 for uint8 but -128 for int8. These two cases pin chipfit's choice.
x = np.tile(vec(np.nan, 1.5, -np.nan, 2.5, np.inf, -np.inf, -3.5, 0.0), 9)
y = quant(np.where(np.isnan(x), 0, x), 1.0, 10, np.uint8)
y[np.isnan(x)] = 0
save('q8_quant_u8_nan', h.make_node('QuantizeLinear', ['x', 's', 'z'], ['y']), [('x', x)],
     [('y', y)], inits=[('s', np.float32(1.0)), ('z', np.uint8(10))])
y = quant(np.where(np.isnan(x), 0, x), 1.0, -7, np.int8)
y[np.isnan(x)] = 0
save('q8_quant_i8_nan', h.make_node('QuantizeLinear', ['x', 's', 'z'], ['y']), [('x', x)],
     [('y', y)], inits=[('s', np.float32(1.0)), ('z', np.int8(-7))])
# Per axis: the channel axis (long runs), the last axis (runs of one), the
# first; ties in every channel
x = (rng.integers(-300, 300, (2, 3, 5, 7)) + 0.5).astype(np.float32)
x[0, :, 0] = 1e9
qcase('q8_quant_u8_axis1', x * np.float32(0.25), vec(0.25, 0.5, 1.0), [0, 128, 255], np.uint8, axis=1)
qcase('q8_quant_i8_axis1', x, vec(1.0, 0.5, 2.0), [-128, -3, 127], np.int8, axis=1)
x = (rng.integers(-200, 200, (4, 3, 6)) + 0.5).astype(np.float32)
qcase('q8_quant_i8_axis_last', x, vec(1.0, 0.5, 0.25, 2.0, 1.0, 3.0), [-5, 0, 5, -128, 127, 1],
      np.int8, axis=-1)
qcase('q8_quant_u8_axis0', x, vec(1.0, 0.5, 2.0, 0.125), [0, 100, 200, 255], np.uint8, axis=0)
# Per axis with short runs (here 5 and 3 elements a channel): chipfit lays the
# parameters out per element for these
x = (rng.integers(-300, 300, (3, 4, 5)) + 0.5).astype(np.float32) * np.float32(0.5)
qcase('q8_quant_u8_axis_short', x, vec(0.5, 0.25, 1.0, 3.0), [128, 0, 255, 17], np.uint8, axis=1)
dqcase('q8_dequant_i8_axis_short', q8(np.int8, 2, 6, 3), vec(0.5, 0.1, 2.0, 1e-3, 7.0, 0.3),
       np.array([-128, -1, 0, 1, 127, 64], np.int8), axis=1)
# Dequantize: every 8-bit value, zero points at the ends of the range
xu = np.tile(np.arange(256, dtype=np.uint8), 2)
xi = np.tile(np.arange(-128, 128, dtype=np.int8), 2)
dqcase('q8_dequant_u8_all', xu, np.float32(0.1), np.uint8(255))
dqcase('q8_dequant_i8_all_negzp', xi, np.float32(0.37), np.int8(-128))
dqcase('q8_dequant_i8_all_zp127', xi, np.float32(3e-3), np.int8(127))
x = q8(np.uint8, 2, 3, 4, 5)
dqcase('q8_dequant_u8_axis1', x, vec(0.5, 0.1, 2.0), np.array([0, 128, 255], np.uint8), axis=1)
x = q8(np.int8, 3, 4, 5)
dqcase('q8_dequant_i8_axis_last', x, vec(0.5, 0.1, 2.0, 1e-3, 7.0), np.array([-128, -1, 0, 1, 127], np.int8),
       axis=-1)

# ---------------- DynamicQuantizeLinear ----------------

def dyn(x):
    lo = min(np.float32(0), x.min())
    hi = max(np.float32(0), x.max())
    sc = np.float32((hi - lo) / np.float32(255))
    zp = quant(np.float32(0) - lo, sc, 0, np.uint8) if sc != 0 else np.uint8(0)
    y = quant(x, sc, np.float64(zp), np.uint8) if sc != 0 else np.zeros(x.shape, np.uint8)
    return y, sc, np.uint8(zp)


def dyn_case(name, x):
    y, sc, zp = dyn(x)
    save(name, h.make_node('DynamicQuantizeLinear', ['x'], ['y', 'ys', 'yz']), [('x', x)],
         [('y', y), ('ys', np.float32(sc)), ('yz', zp)], opset=11)


# range [0, 255]: scale 1, ties at .5 round to even
dyn_case('q8_dynq_ties', np.concatenate([ties(1.0, 0, 255), vec(255.0)]))
# range [-128, 127]: scale 1, zero point 128
dyn_case('q8_dynq_ties_neg', np.concatenate([ties(1.0, -128, 127), vec(-128.0, 127.0)]))
# more than one block of the range loop, and a remainder; min and max at the ends
x = rng.standard_normal(1000).astype(np.float32) * 3
x[0], x[-1] = -9.75, 11.5
dyn_case('q8_dynq_long', x)
print('ok')
