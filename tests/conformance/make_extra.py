"""Extra conformance tests for the ops whose official ONNX node tests cover
little (bidirectional and reverse RNNs, activations, per-axis quantization,
integer conv/matmul corner cases). Reference outputs come from independent
numpy code in this file. Run with Debian python3-onnx / numpy; outputs are
committed so the tests need no Python."""
import glob, numpy as np, onnx, os, shutil
from onnx import helper, numpy_helper, TensorProto
R = np.random.RandomState(0)
# Writes the test folders beside this script: cd tests/conformance && /usr/bin/python3 make_extra.py
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'extra')
# only this script's cases: make_int8.py writes the q8_* ones beside them
for d in glob.glob(os.path.join(OUT, 'qr_*')): shutil.rmtree(d)

def save(name, op, inputs, outputs, attrs, opset, domain_inputs=None):
    """inputs: list of (name, array or None); outputs: list of (name, array)"""
    d = os.path.join(OUT, name); os.makedirs(d + '/test_data_set_0')
    innames = [n if a is not None else '' for n, a in inputs]
    while innames and innames[-1] == '': innames.pop()
    node = helper.make_node(op, innames, [n for n, _ in outputs], **attrs)
    gi = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype) if hasattr(helper,'np_dtype_to_tensor_dtype') else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape) for n, a in inputs if a is not None]
    go = [helper.make_tensor_value_info(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape) for n, a in outputs]
    g = helper.make_graph([node], name, gi, go)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)])
    onnx.save(m, d + '/model.onnx')
    k = 0
    for n, a in inputs:
        if a is None: continue
        t = numpy_helper.from_array(a, n); open(f'{d}/test_data_set_0/input_{k}.pb', 'wb').write(t.SerializeToString()); k += 1
    for k, (n, a) in enumerate(outputs):
        t = numpy_helper.from_array(a, n); open(f'{d}/test_data_set_0/output_{k}.pb', 'wb').write(t.SerializeToString())

# ---------------- recurrent reference ----------------
def sig(x): return 1/(1+np.exp(-x))
ACT = {
 'sigmoid': lambda x,a,b: sig(x), 'tanh': lambda x,a,b: np.tanh(x), 'relu': lambda x,a,b: np.maximum(x,0),
 'hardsigmoid': lambda x,a,b: np.clip(a*x+b,0,1), 'leakyrelu': lambda x,a,b: np.where(x>=0,x,a*x),
 'affine': lambda x,a,b: a*x+b, 'elu': lambda x,a,b: np.where(x>=0,x,a*(np.exp(x)-1)),
 'softsign': lambda x,a,b: x/(1+np.abs(x)), 'softplus': lambda x,a,b: np.log1p(np.exp(x)),
 'scaledtanh': lambda x,a,b: a*np.tanh(b*x), 'thresholdedrelu': lambda x,a,b: np.where(x>a,x,0)}
NP = {'hardsigmoid':2,'leakyrelu':1,'affine':2,'elu':1,'scaledtanh':2,'thresholdedrelu':1}
DEF = {'hardsigmoid':(0.2,0.5),'leakyrelu':(0.01,0),'affine':(1,0),'elu':(1,0),'scaledtanh':(1,1),'thresholdedrelu':(1,0)}

def ref_rnn(kind, X, W, R_, B, SL, H0, C0, P, hidden, direction='forward', layout=0, clip=None,
            acts=None, alpha=None, beta=None, input_forget=0, lbr=0):
    G = {'RNN':1,'GRU':3,'LSTM':4}[kind]; na = {'RNN':1,'GRU':2,'LSTM':3}[kind]
    D = 2 if direction=='bidirectional' else 1
    if layout: X = X.swapaxes(0,1); H0 = None if H0 is None else H0.swapaxes(0,1); C0 = None if C0 is None else C0.swapaxes(0,1)
    T, Bn, I = X.shape; H = hidden
    dflt = {'RNN':['tanh'],'GRU':['sigmoid','tanh'],'LSTM':['sigmoid','tanh','tanh']}[kind]
    names = [a.lower() for a in acts] if acts else dflt*D
    fs = []; ia = ib = 0
    for nm in names:
        a, b = DEF.get(nm,(0,0))
        if NP.get(nm,0)>=1 and alpha and ia < len(alpha): a = alpha[ia]; ia += 1
        if NP.get(nm,0)>=2 and beta and ib < len(beta): b = beta[ib]; ib += 1
        fs.append((lambda f,a,b: (lambda x: f(x,a,b)))(ACT[nm],a,b))
    cl = (lambda x: np.clip(x,-clip,clip)) if clip else (lambda x: x)
    Y = np.zeros((T,D,Bn,H)); Yh = np.zeros((D,Bn,H)); Yc = np.zeros((D,Bn,H))
    for d in range(D):
        f = fs[d*na:(d+1)*na]
        Wd, Rd = W[d].astype(np.float64), R_[d].astype(np.float64)
        Wb = B[d][:G*H] if B is not None else np.zeros(G*H); Rb = B[d][G*H:] if B is not None else np.zeros(G*H)
        rev = direction=='reverse' or d==1
        for b in range(Bn):
            L = SL[b] if SL is not None else T
            h = H0[d,b].astype(np.float64) if H0 is not None else np.zeros(H)
            c = C0[d,b].astype(np.float64) if C0 is not None else np.zeros(H)
            for k in range(L):
                t = L-1-k if rev else k
                x = X[t,b].astype(np.float64)
                if kind=='RNN':
                    h = f[0](cl(Wd@x + Rd@h + Wb + Rb))
                elif kind=='GRU':
                    gx = Wd@x + Wb
                    z = f[0](cl(gx[:H] + Rd[:H]@h + Rb[:H])); r = f[0](cl(gx[H:2*H] + Rd[H:2*H]@h + Rb[H:2*H]))
                    if lbr: hh = f[1](cl(gx[2*H:] + r*(Rd[2*H:]@h + Rb[2*H:])))
                    else: hh = f[1](cl(gx[2*H:] + Rd[2*H:]@(r*h) + Rb[2*H:]))
                    h = (1-z)*hh + z*h
                else:
                    g = Wd@x + Wb + Rd@h + Rb
                    p = P[d] if P is not None else np.zeros(3*H)
                    i = f[0](cl(g[:H] + p[:H]*c))
                    fg = 1-i if input_forget else f[0](cl(g[2*H:3*H] + p[2*H:]*c))
                    cc = f[1](cl(g[3*H:]))
                    c = fg*c + i*cc
                    o = f[0](cl(g[H:2*H] + p[H:2*H]*c))
                    h = o*f[2](c)
                Y[t,d,b] = h
            Yh[d,b] = h; Yc[d,b] = c
    if layout: Y = Y.transpose(2,0,1,3); Yh = Yh.swapaxes(0,1); Yc = Yc.swapaxes(0,1)
    return Y, Yh, Yc

def rnn_case(name, kind, T=4, Bn=3, I=3, H=4, direction='forward', layout=0, seq=True, init=True, bias=True,
             peep=False, dt=np.float32, opset=14, **kw):
    G = {'RNN':1,'GRU':3,'LSTM':4}[kind]; D = 2 if direction=='bidirectional' else 1
    X = R.randn(*( (Bn,T,I) if layout else (T,Bn,I))).astype(dt)
    W = (R.randn(D,G*H,I)*0.5).astype(dt); Rr = (R.randn(D,G*H,H)*0.5).astype(dt)
    B = (R.randn(D,2*G*H)*0.3).astype(dt) if bias else None
    SL = np.array([T, 1, max(T-2,0)][:Bn] + [T]*(Bn-3), dtype=np.int32) if seq else None
    hs = (Bn,D,H) if layout else (D,Bn,H)
    H0 = R.randn(*hs).astype(dt) if init else None
    C0 = R.randn(*hs).astype(dt) if (init and kind=='LSTM') else None
    P = (R.randn(D,3*H)*0.5).astype(dt) if peep else None
    attrs = dict(hidden_size=H, direction=direction)
    if layout: attrs['layout'] = 1
    ref_kw = {}
    for k in ['clip','activations','activation_alpha','activation_beta','input_forget','linear_before_reset']:
        if k in kw: attrs[k] = kw[k]
    Y, Yh, Yc = ref_rnn(kind, X, W, Rr, B, SL, H0, C0, P, H, direction, layout, kw.get('clip'), kw.get('activations'),
                        kw.get('activation_alpha'), kw.get('activation_beta'), kw.get('input_forget',0), kw.get('linear_before_reset',0))
    ins = [('X',X),('W',W),('R',Rr),('B',B),('sequence_lens',SL),('initial_h',H0)]
    if kind=='LSTM': ins += [('initial_c',C0),('P',P)]
    outs = [('Y',Y.astype(dt)),('Y_h',Yh.astype(dt))] + ([('Y_c',Yc.astype(dt))] if kind=='LSTM' else [])
    save(name, kind, ins, outs, attrs, opset)

for kind in ['RNN','GRU','LSTM']:
    k = kind.lower()
    rnn_case(f'qr_{k}_bidir', kind, direction='bidirectional')
    rnn_case(f'qr_{k}_reverse_layout1', kind, direction='reverse', layout=1)
    rnn_case(f'qr_{k}_bidir_layout1_noseq', kind, direction='bidirectional', layout=1, seq=False, bias=False)
    rnn_case(f'qr_{k}_double', kind, dt=np.float64, direction='bidirectional')
    rnn_case(f'qr_{k}_clip', kind, clip=0.7)
rnn_case('qr_gru_lbr_bidir', 'GRU', direction='bidirectional', linear_before_reset=1)
rnn_case('qr_lstm_peep_bidir_forget', 'LSTM', direction='bidirectional', peep=True, input_forget=1)
rnn_case('qr_lstm_peep_reverse', 'LSTM', direction='reverse', peep=True)
rnn_case('qr_rnn_acts', 'RNN', direction='bidirectional', activations=['Relu','LeakyRelu'], activation_alpha=[0.1])
rnn_case('qr_rnn_acts2', 'RNN', activations=['ThresholdedRelu'], activation_alpha=[0.3])
rnn_case('qr_gru_acts', 'GRU', direction='bidirectional', activations=['HardSigmoid','Softsign','Sigmoid','ScaledTanh'],
         activation_alpha=[0.3, 0.7], activation_beta=[0.4, 1.2])
rnn_case('qr_lstm_acts', 'LSTM', activations=['HardSigmoid','Elu','Affine'], activation_alpha=[0.25, 0.9, 0.5], activation_beta=[0.45, 0.1])
rnn_case('qr_lstm_acts_softplus', 'LSTM', activations=['Sigmoid','Softplus','Tanh'])
rnn_case('qr_gru_f16', 'GRU', dt=np.float16)

# ---------------- quant reference ----------------
def sat(v, dt):
    info = np.iinfo(dt); return np.clip(v, info.min, info.max).astype(dt)
def q(x, s, z, dt): return sat(np.rint(x / s) + z, dt)

x = np.array([0.5,1.5,2.5,-0.5,-1.5,-2.5,300,-300,3.49,7.51], np.float32)
save('qr_quant_int8_ties', 'QuantizeLinear', [('x',x),('s',np.float32(1.0)),('z',np.int8(0))], [('y', q(x,1.0,0,np.int8))], {}, 13)
save('qr_quant_uint8_nozp', 'QuantizeLinear', [('x',x),('s',np.float32(2.0))], [('y', q(x,2.0,0,np.uint8))], {}, 13)
x = R.randn(3,4,2).astype(np.float32)*10; s = np.array([0.5,0.1,2.0],np.float32); z = np.array([-3,5,0],np.int8)
save('qr_quant_axis0_int8', 'QuantizeLinear', [('x',x),('s',s),('z',z)], [('y', q(x, s[:,None,None], z[:,None,None].astype(np.float32), np.int8))], {'axis':0}, 13)
s2 = np.array([0.5,0.1],np.float32); z2=np.array([1,200],np.uint8)
save('qr_quant_axisneg1', 'QuantizeLinear', [('x',x),('s',s2),('z',z2)], [('y', q(x, s2, z2.astype(np.float32), np.uint8))], {'axis':-1}, 13)
xi = R.randint(-1000,1000,(5,)).astype(np.int32)
save('qr_dequant_int32', 'DequantizeLinear', [('x',xi),('s',np.float32(0.25))], [('y',(xi.astype(np.float32)*np.float32(0.25)))], {}, 13)
xq = R.randint(-128,127,(3,4)).astype(np.int8); s=np.array([0.5,0.25,2],np.float32); z=np.array([1,-2,3],np.int8)
save('qr_dequant_axis0_int8', 'DequantizeLinear', [('x',xq),('s',s),('z',z)], [('y',((xq.astype(np.float32)-z[:,None])*s[:,None]).astype(np.float32))], {'axis':0}, 13)
save('qr_dequant_opset10', 'DequantizeLinear', [('x',xq),('s',np.float32(0.5)),('z',np.int8(3))], [('y',((xq.astype(np.float32)-3)*0.5).astype(np.float32))], {}, 10)
save('qr_quant_opset10', 'QuantizeLinear', [('x',x),('s',np.float32(0.3)),('z',np.uint8(128))], [('y',q(x,np.float32(0.3),128,np.uint8))], {}, 10)
# DynamicQuantizeLinear all zeros / all positive
for nm, xx in [('zeros', np.zeros(5,np.float32)), ('pos', np.array([1,2,3.3,4],np.float32)), ('neg', np.array([-1,-2,-3.3,-4],np.float32))]:
    lo = min(0, xx.min()); hi = max(0, xx.max()); sc = np.float32((hi-lo)/np.float32(255))
    if sc == 0: zp = np.uint8(0); yy = np.zeros_like(xx, np.uint8)
    else: zp = sat(np.rint((0-lo)/sc), np.uint8); yy = q(xx, sc, zp.astype(np.float32), np.uint8)
    save('qr_dynq_'+nm, 'DynamicQuantizeLinear', [('x',xx)], [('y',yy),('ys',np.float32(sc)),('yz',np.uint8(zp))], {}, 11)

def mm_ref(a, b, az, bz):
    a = a.astype(np.int64); b = b.astype(np.int64)
    return np.matmul(a - az, b - bz)
A = R.randint(-128,127,(2,4,5)).astype(np.int8); Bm = R.randint(0,255,(5,3)).astype(np.uint8)
az = np.array([1,-2,3,0],np.int8); bz = np.array([100,5,200],np.uint8)
save('qr_mmi_rowcol', 'MatMulInteger', [('A',A),('B',Bm),('az',az),('bz',bz)], [('Y', mm_ref(A,Bm,az[:,None],bz).astype(np.int32))], {}, 10)
A1 = R.randint(0,255,(5,)).astype(np.uint8); B3 = R.randint(-128,127,(2,5,3)).astype(np.int8)
save('qr_mmi_1d_batch', 'MatMulInteger', [('A',A1),('B',B3),('az',np.uint8(7))], [('Y', mm_ref(A1,B3,7,0).astype(np.int32))], {}, 10)
B1 = R.randint(0,255,(5,)).astype(np.uint8)
save('qr_mmi_b1d', 'MatMulInteger', [('A',A),('B',B1)], [('Y', mm_ref(A,B1,0,0).astype(np.int32))], {}, 10)
# QLinearMatMul int8 broadcast batch
a = R.randint(-128,127,(3,1,2,4)).astype(np.int8); b = R.randint(-128,127,(2,4,3)).astype(np.int8)
as_, bs_, ys_ = np.float32(0.05), np.float32(0.02), np.float32(0.1)
acc = mm_ref(a,b,np.int8(2),np.int8(-3))
y = sat(np.rint(acc*(np.float64(as_)*bs_/ys_)) + 1, np.int8)
save('qr_qmm_int8_bcast', 'QLinearMatMul', [('a',a),('as',as_),('az',np.int8(2)),('b',b),('bs',bs_),('bz',np.int8(-3)),('ys',ys_),('yz',np.int8(1))], [('y',y)], {}, 10)
# per-row/col scales uint8
a = R.randint(0,255,(3,4)).astype(np.uint8); b = R.randint(0,255,(4,2)).astype(np.uint8)
asv = np.array([0.01,0.02,0.03],np.float32); azv=np.array([10,20,30],np.uint8); bsv=np.array([0.05,0.04],np.float32); bzv=np.array([128,100],np.uint8)
acc = mm_ref(a,b,azv[:,None],bzv)
y = sat(np.rint(acc*(asv[:,None].astype(np.float64)*bsv/np.float32(0.2)))+50, np.uint8)
save('qr_qmm_perrow', 'QLinearMatMul', [('a',a),('as',asv),('az',azv),('b',b),('bs',bsv),('bz',bzv),('ys',np.float32(0.2)),('yz',np.uint8(50))], [('y',y)], {}, 10)

# conv reference
def conv_ref(x, w, strides, pads, dil, group):
    sp = x.ndim - 2; N, C = x.shape[:2]; M = w.shape[0]; cg = C//group; mg = M//group
    xp = np.pad(x, [(0,0),(0,0)] + [(pads[i], pads[i+sp]) for i in range(sp)])
    k = w.shape[2:]
    out = [ (xp.shape[2+i] - ((k[i]-1)*dil[i]+1))//strides[i] + 1 for i in range(sp)]
    y = np.zeros((N,M)+tuple(out), np.int64)
    for idx in np.ndindex(*out):
        sl = tuple(slice(idx[i]*strides[i], idx[i]*strides[i] + (k[i]-1)*dil[i] + 1, dil[i]) for i in range(sp))
        for m in range(M):
            g = m//mg
            patch = xp[(slice(None), slice(g*cg,(g+1)*cg)) + sl]
            y[(slice(None), m) + idx] = (patch * w[m]).reshape(N,-1).sum(1)
    return y

def convint_case(name, xs, ws, attrs, xdt=np.uint8, wdt=np.uint8, perch=False, pads_same=None):
    x = R.randint(np.iinfo(xdt).min, np.iinfo(xdt).max, xs).astype(xdt)
    w = R.randint(np.iinfo(wdt).min, np.iinfo(wdt).max, ws).astype(wdt)
    xz = xdt(R.randint(0,50)); wz = (R.randint(0,50,ws[0]).astype(wdt) if perch else wdt(R.randint(0,50)))
    sp = len(xs)-2
    st = attrs.get('strides',[1]*sp); dl = attrs.get('dilations',[1]*sp); pd = pads_same or attrs.get('pads',[0]*2*sp)
    xc = x.astype(np.int64) - int(xz)
    wc = w.astype(np.int64) - (wz.astype(np.int64).reshape((-1,)+(1,)*(len(ws)-1)) if perch else int(wz))
    # zero point padding: pad the centered x with zeros
    y = conv_ref(xc, wc, st, pd, dl, attrs.get('group',1))
    save(name, 'ConvInteger', [('x',x),('w',w),('xz',xz),('wz',wz)], [('y',y.astype(np.int32))], attrs, 10)
    return x, w, xz, wz, y
convint_case('qr_convint_2d_strides_dil_group', (1,4,7,8), (6,2,3,2), dict(strides=[2,1], dilations=[1,2], pads=[1,0,2,1], group=2), perch=True)
convint_case('qr_convint_1d_int8', (2,3,9), (2,3,3), dict(strides=[2], pads=[1,1]), xdt=np.int8, wdt=np.int8)
convint_case('qr_convint_3d', (1,2,4,5,4), (3,2,2,3,2), dict(pads=[1,0,1,0,1,1]))
convint_case('qr_convint_same_upper', (1,1,5,6), (2,1,3,3), dict(auto_pad='SAME_UPPER', strides=[2,2]), pads_same=[1,0,1,1])
convint_case('qr_convint_same_lower', (1,1,4,4), (1,1,2,2), dict(auto_pad='SAME_LOWER'), pads_same=[1,1,0,0])

def qconv_case(name, xs, ws, attrs, dt=np.uint8, perch=True, bias=True):
    x = R.randint(np.iinfo(dt).min, np.iinfo(dt).max, xs).astype(dt)
    w = R.randint(-128, 127, ws).astype(np.int8)
    xs_, ys_ = np.float32(0.02), np.float32(0.3)
    xz = dt(R.randint(0,30)); yz = dt(R.randint(0,30))
    M = ws[0]
    wsc = (R.rand(M).astype(np.float32)*0.05+0.01) if perch else np.float32(0.03)
    wz = np.zeros(M, np.int8) if perch else np.int8(0)
    B = R.randint(-500,500,M).astype(np.int32) if bias else None
    sp = len(xs)-2
    acc = conv_ref(x.astype(np.int64)-int(xz), w.astype(np.int64), attrs.get('strides',[1]*sp), attrs.get('pads',[0]*2*sp), attrs.get('dilations',[1]*sp), attrs.get('group',1))
    if bias: acc = acc + B.reshape((1,-1)+(1,)*sp)
    scale = (np.float64(xs_) * (wsc.astype(np.float64).reshape((1,-1)+(1,)*sp) if perch else np.float64(wsc))) / np.float64(ys_)
    y = sat(np.rint(acc*scale) + int(yz), dt)
    save(name, 'QLinearConv', [('x',x),('xs',xs_),('xz',xz),('w',w.astype(np.int8) if dt==np.int8 else w.astype(np.int8)),('ws',wsc),('wz',wz),('ys',ys_),('yz',yz),('B',B)], [('y',y)], attrs, 10)
qconv_case('qr_qconv_perch_bias_int8', (1,4,6,6), (4,2,3,3), dict(pads=[1,1,1,1], strides=[2,2], group=2), dt=np.int8)
qconv_case('qr_qconv_tensor_nobias', (2,3,5,5), (2,3,2,2), dict(dilations=[2,2]), dt=np.int8, perch=False, bias=False)
print('ok')
# ---------------- things that must be declined ----------------
OUT = '/tmp/qr_tests/neg'; shutil.rmtree(OUT, ignore_errors=True)
X = R.randn(2,1,3).astype(np.float32); W = R.randn(1,4,3).astype(np.float32); Rr = R.randn(1,4,4).astype(np.float32)
Y0 = np.zeros((2,1,1,4),np.float32)
save('neg_rnn_bad_act', 'RNN', [('X',X),('W',W),('R',Rr)], [('Y',Y0)], dict(hidden_size=4, activations=['Gelu']), 14)
save('neg_rnn_unknown_attr', 'RNN', [('X',X),('W',W),('R',Rr)], [('Y',Y0)], dict(hidden_size=4, foo=1), 14)
save('neg_rnn_int_input', 'RNN', [('X',X.astype(np.int32)),('W',W.astype(np.int32)),('R',Rr.astype(np.int32))], [('Y',Y0.astype(np.int32))], dict(hidden_size=4), 14)
save('neg_rnn_bad_shape', 'RNN', [('X',X),('W',W[:, :3]),('R',Rr)], [('Y',Y0)], dict(hidden_size=4), 14)
x = R.randn(6).astype(np.float32)
save('neg_quant_block', 'QuantizeLinear', [('x',x),('s',np.float32(1))], [('y',np.zeros(6,np.uint8))], dict(block_size=2), 13)
save('neg_quant_double', 'QuantizeLinear', [('x',x.astype(np.float64)),('s',np.float32(1))], [('y',np.zeros(6,np.uint8))], {}, 13)
save('neg_quant_bad_axis_len', 'QuantizeLinear', [('x',x.reshape(2,3)),('s',np.ones(2,np.float32))], [('y',np.zeros((2,3),np.uint8))], {}, 13)
save('neg_mmi_bad_k', 'MatMulInteger', [('A',np.zeros((2,3),np.uint8)),('B',np.zeros((4,2),np.uint8))], [('Y',np.zeros((2,2),np.int32))], {}, 10)
save('neg_convint_big_kernel', 'ConvInteger', [('x',np.zeros((1,1,2,2),np.uint8)),('w',np.zeros((1,1,3,3),np.uint8))], [('y',np.zeros((1,1,1,1),np.int32))], {}, 10)
save('neg_convint_4d', 'ConvInteger', [('x',np.zeros((1,1,2,2,2,2),np.uint8)),('w',np.zeros((1,1,1,1,1,1),np.uint8))], [('y',np.zeros((1,1,2,2,2,2),np.int32))], {}, 10)
save('neg_convint_bad_group', 'ConvInteger', [('x',np.zeros((1,3,4,4),np.uint8)),('w',np.zeros((2,3,1,1),np.uint8))], [('y',np.zeros((1,2,4,4),np.int32))], dict(group=2), 10)
print('neg ok')
