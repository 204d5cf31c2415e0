"""Extra conformance models for the reduction and normalisation kernels:
cases the ONNX node tests miss (integer, float16, double and bool inputs,
empty reductions, negative axes, TopK ties, legacy Softmax...). numpy computes
the reference outputs. Run with Debian python3-onnx; outputs are committed."""
import numpy as np, onnx, os, shutil
from onnx import helper as h, numpy_helper as nh, TensorProto as TP
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reduce')
shutil.rmtree(OUT, ignore_errors=True)
def case(name, op, inputs, outputs, opset, attrs={}, consts={}):
    """inputs: list of (name, array or None for omitted); outputs: list of (name, array)"""
    d=os.path.join(OUT, 'test_'+name); os.makedirs(d+'/test_data_set_0')
    ins=[]; vi=[]; feeds=[]
    inits=[]
    for n,a in inputs:
        if a is None: ins.append(''); continue
        ins.append(n)
        if n in consts:
            inits.append(nh.from_array(a, n))
        else:
            vi.append(h.make_tensor_value_info(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape))
            feeds.append((n,a))
    outs=[h.make_tensor_value_info(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape) for n,a in outputs]
    node=h.make_node(op, ins, [n for n,_ in outputs], **attrs)
    g=h.make_graph([node], name, vi, outs, initializer=inits)
    m=h.make_model(g, opset_imports=[h.make_opsetid('', opset)])
    m.ir_version=8
    onnx.save(m, d+'/model.onnx')
    for i,(n,a) in enumerate(feeds):
        t=nh.from_array(a, n); open(f'{d}/test_data_set_0/input_{i}.pb','wb').write(t.SerializeToString())
    for i,(n,a) in enumerate(outputs):
        t=nh.from_array(a, n); open(f'{d}/test_data_set_0/output_{i}.pb','wb').write(t.SerializeToString())
rng=np.random.default_rng(0)
x=rng.standard_normal((2,3,4,5)).astype(np.float32)
# opset 18 axes-as-input forms
for op,f in [('ReduceMean',np.mean),('ReduceMax',np.max),('ReduceMin',np.min),('ReduceL2',lambda a,axis,keepdims: np.sqrt(np.sum(a*a,axis=axis,keepdims=keepdims))),
             ('ReduceLogSumExp',lambda a,axis,keepdims: np.log(np.sum(np.exp(a),axis=axis,keepdims=keepdims))),('ReduceProd',np.prod),('ReduceSumSquare',lambda a,axis,keepdims: np.sum(a*a,axis=axis,keepdims=keepdims))]:
    ax=np.array([0,2],dtype=np.int64)
    case(f'r13_{op}', op, [('x',x)], [('y',f(x,axis=(0,2),keepdims=False).astype(np.float32))], 13, {'keepdims':0,'axes':[0,2]})
    case(f'r13_{op}_neg_axes', op, [('x',x)], [('y',f(x,axis=(3,1),keepdims=True).astype(np.float32))], 13, {'axes':[-1,1]})
    case(f'r13_{op}_noaxes', op, [('x',x)], [('y',f(x,axis=None,keepdims=True).astype(np.float32))], 13)
case('rsum13_noop', 'ReduceSum', [('x',x)], [('y',x)], 13, {'noop_with_empty_axes':1})
case('rsum13_noop_emptyaxes', 'ReduceSum', [('x',x),('axes',np.zeros(0,np.int64))], [('y',x)], 13, {'noop_with_empty_axes':1})
case('rsum13_emptyaxes', 'ReduceSum', [('x',x),('axes',np.zeros(0,np.int64))], [('y',np.sum(x,keepdims=False).reshape(()))], 13, {'keepdims':0})
case('rsum13_multi', 'ReduceSum', [('x',x),('axes',np.array([3,1],np.int64))], [('y',np.sum(x,axis=(1,3),keepdims=True))], 13)
# int reductions
xi=rng.integers(-5,6,(3,4,5)).astype(np.int64)
case('rsum_int64', 'ReduceSum', [('x',xi),('axes',np.array([1],dtype=np.int64))], [('y',np.sum(xi,axis=1,keepdims=True))], 13)
case('rprod_int32', 'ReduceProd', [('x',xi.astype(np.int32))], [('y',np.prod(xi.astype(np.int32),axis=(0,2),keepdims=False).astype(np.int32))], 13, {'axes':[0,2],'keepdims':0})
case('rmax_int8', 'ReduceMax', [('x',xi.astype(np.int8))], [('y',np.max(xi.astype(np.int8),axis=2,keepdims=True))], 13, {'axes':[2]})
case('rmin_uint8', 'ReduceMin', [('x',(xi+5).astype(np.uint8))], [('y',np.min((xi+5).astype(np.uint8),axis=(0,1),keepdims=True))], 13, {'axes':[0,1]})
case('rmean_f16', 'ReduceMean', [('x',x.astype(np.float16))], [('y',np.mean(x.astype(np.float16).astype(np.float32),axis=(1,),keepdims=True).astype(np.float16))], 13, {'axes':[1]})
case('rsum_double', 'ReduceSum', [('x',x.astype(np.float64))], [('y',np.sum(x.astype(np.float64),axis=(1,3),keepdims=False))], 11, {'axes':[1,3],'keepdims':0})
# empty reductions
xe=np.zeros((2,0,3),dtype=np.float32)
case('rsum_empty', 'ReduceSum', [('x',xe),('axes',np.array([1],dtype=np.int64))], [('y',np.zeros((2,1,3),np.float32))], 13, consts={'axes'})
case('rprod_empty', 'ReduceProd', [('x',xe)], [('y',np.ones((2,3),np.float32))], 13, {'axes':[1],'keepdims':0})
case('rmax_keep_empty', 'ReduceMax', [('x',xe)], [('y',np.zeros((2,0,1),np.float32))], 13, {'axes':[2]})
# argmax int and f16, scalar-ish
case('argmax_int32', 'ArgMax', [('x',xi.astype(np.int32))], [('y',np.argmax(xi,axis=1)[:,None,:].astype(np.int64))], 13, {'axis':1})
case('argmin_last_f16', 'ArgMin', [('x',xi.astype(np.float16))], [('y',(4-np.argmin(xi[:,:,::-1],axis=2)).astype(np.int64))], 13, {'axis':-1,'keepdims':0,'select_last_index':1})
# softmax legacy
def sm(a,ax): e=np.exp(a-a.max(axis=ax,keepdims=True)); return e/e.sum(axis=ax,keepdims=True)
x2=x.reshape(2,60)
case('softmax_v11_axis2', 'Softmax', [('x',x)], [('y',sm(x.reshape(6,20),1).reshape(x.shape))], 11, {'axis':2})
case('logsoftmax_v11_default', 'LogSoftmax', [('x',x)], [('y',np.log(sm(x2,1)).reshape(x.shape))], 11)
case('hardmax_v11_axis0', 'Hardmax', [('x',x)], [('y',np.eye(120,dtype=np.float32)[np.argmax(x.reshape(1,120),axis=1)].reshape(x.shape))], 11, {'axis':0})
case('softmax_f16_axis1', 'Softmax', [('x',x.astype(np.float16))], [('y',sm(x.astype(np.float16).astype(np.float32),1).astype(np.float16))], 13, {'axis':1})
case('softmax_double', 'Softmax', [('x',x.astype(np.float64))], [('y',sm(x.astype(np.float64),-1))], 13)
# cumsum int, 3d middle axis reverse exclusive
ci=xi.astype(np.int32)
r=np.flip(np.cumsum(np.flip(ci,1),axis=1),1)-ci
case('cumsum_int32_rev_excl', 'CumSum', [('x',ci),('axis',np.array(1,dtype=np.int32))], [('y',r.astype(np.int32))], 14, {'reverse':1,'exclusive':1})
case('cumsum_f_axis2', 'CumSum', [('x',x),('axis',np.array([-2],dtype=np.int64))], [('y',np.cumsum(x,axis=2))], 14)
# topk ties, int, smallest, axis middle
xt=np.array([[3,1,3,2,1,3],[0,0,0,0,0,0]],dtype=np.int64)
case('topk_ties_int', 'TopK', [('x',xt),('k',np.array([3],dtype=np.int64))], [('v',np.array([[3,3,3],[0,0,0]],np.int64)),('i',np.array([[0,2,5],[0,1,2]],np.int64))], 11)
case('topk_ties_smallest', 'TopK', [('x',xt.astype(np.float32)),('k',np.array([2],dtype=np.int64))], [('v',np.array([[1,1],[0,0]],np.float32)),('i',np.array([[1,4],[0,1]],np.int64))], 11, {'largest':0})
idx=np.argsort(-x,axis=1,kind='stable')[:,:2]
case('topk_axis1_v1', 'TopK', [('x',x)], [('v',np.take_along_axis(x,idx,1)),('i',idx.astype(np.int64))], 9, {'axis':1,'k':2})
case('topk_k0', 'TopK', [('x',x),('k',np.array([0],dtype=np.int64))], [('v',np.zeros((2,3,4,0),np.float32)),('i',np.zeros((2,3,4,0),np.int64))], 11)
# layernorm with scale broadcast, no bias, only Y
def ln(a,axis,s,b,eps=1e-5):
    ax=tuple(range(axis,a.ndim)); m=a.mean(axis=ax,keepdims=True); v=((a-m)**2).mean(axis=ax,keepdims=True)
    return (a-m)/np.sqrt(v+eps)*s+b, m, 1/np.sqrt(v+eps)
sc=rng.standard_normal((1,5)).astype(np.float32)
y,m,iv=ln(x.astype(np.float64),2,sc,0)
case('layernorm_bcast_scale', 'LayerNormalization', [('x',x),('s',sc)], [('y',y.astype(np.float32))], 17, {'axis':2})
case('layernorm_f16', 'LayerNormalization', [('x',x.astype(np.float16)),('s',np.ones(5,np.float16)),('b',np.zeros(5,np.float16))], [('y',ln(x.astype(np.float16).astype(np.float64),3,1,0)[0].astype(np.float16))], 17)
# batchnorm opset 15 inference, rank 2
xb=rng.standard_normal((4,3)).astype(np.float32); s=rng.random(3).astype(np.float32); b=rng.random(3).astype(np.float32); mu=rng.random(3).astype(np.float32); var=rng.random(3).astype(np.float32)+.5
case('batchnorm_rank2', 'BatchNormalization', [('x',xb),('s',s),('b',b),('m',mu),('v',var)], [('y',((xb-mu)/np.sqrt(var+1e-5)*s+b).astype(np.float32))], 15)
# nonzero bool and int, 3d
xn=(rng.random((2,3,4))>0.5)
case('nonzero_bool3d', 'NonZero', [('x',xn)], [('y',np.array(np.nonzero(xn),dtype=np.int64))], 13)
case('nonzero_f_negzero', 'NonZero', [('x',np.array([0.0,-0.0,1.5,0,-2],np.float32))], [('y',np.array([[2,4]],dtype=np.int64))], 13)
# LRN size even, 3d input
xl=rng.standard_normal((2,6,7)).astype(np.float32)
def lrn(a,size,alpha=1e-4,beta=0.75,bias=1.0):
    C=a.shape[1]; sq=np.zeros_like(a,dtype=np.float64)
    for c in range(C):
        lo=max(0,c-(size-1)//2); hi=min(C-1,c+int(np.ceil((size-1)/2)))
        sq[:,c]=(a[:,lo:hi+1].astype(np.float64)**2).sum(axis=1)
    return (a/(bias+alpha/size*sq)**beta).astype(np.float32)
case('lrn_size4', 'LRN', [('x',xl)], [('y',lrn(xl,4,0.01,0.6,2.0))], 13, {'size':4,'alpha':0.01,'beta':0.6,'bias':2.0})
# MVN custom axes
mm=x.mean(axis=(1,3),keepdims=True); vv=(x*x).mean(axis=(1,3),keepdims=True)-mm*mm
case('mvn_axes13', 'MeanVarianceNormalization', [('x',x)], [('y',((x-mm)/(np.sqrt(vv)+1e-9)).astype(np.float32))], 13, {'axes':[1,3]})
# instance norm 3d
xs=rng.standard_normal((2,3,4,2,2)).astype(np.float32); s3=rng.random(3).astype(np.float32); b3=rng.random(3).astype(np.float32)
m5=xs.mean(axis=(2,3,4),keepdims=True); v5=xs.var(axis=(2,3,4),keepdims=True)
case('instnorm_5d', 'InstanceNormalization', [('x',xs),('s',s3),('b',b3)], [('y',((xs-m5)/np.sqrt(v5+1e-5)*s3.reshape(1,3,1,1,1)+b3.reshape(1,3,1,1,1)).astype(np.float32))], 6)
# decline cases
#case('reduce_unknown_attr', 'ReduceSum', [('x',x)], [('y',np.sum(x,axis=1,keepdims=True))], 11, {'axes':[1],'foo':1})
case('lnorm_stash_bad', 'LayerNormalization', [('x',x),('s',np.ones(5,np.float32))], [('y',x)], 17, {'stash_type':7})
print('ok')
