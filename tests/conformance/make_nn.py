"""Extra conformance models for the nn kernels (MatMul broadcasting and 1-D
operands, Gemm transposes, Einsum forms, grouped/dilated/asymmetric Conv,
AveragePool modes). numpy computes the reference outputs. Run with Debian
python3-onnx; outputs are committed."""
import onnx, numpy as np, os, itertools
from onnx import helper as h, TensorProto as T, numpy_helper as nh
rng=np.random.default_rng(0)
def save(name, node, ins, outs, opset=13, inits=()):
    d=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'nn', name); os.makedirs(d+'/test_data_set_0', exist_ok=True)
    g=h.make_graph([node],'g',[h.make_tensor_value_info(k,nh.from_array(v).data_type,v.shape) for k,v in ins],
        [h.make_tensor_value_info(k,nh.from_array(v).data_type,v.shape) for k,v in outs])
    m=h.make_model(g,opset_imports=[h.make_opsetid('',opset)]); onnx.save(m,d+'/model.onnx')
    for i,(k,v) in enumerate(ins): open(f'{d}/test_data_set_0/input_{i}.pb','wb').write(nh.from_array(v,k).SerializeToString())
    for i,(k,v) in enumerate(outs): open(f'{d}/test_data_set_0/output_{i}.pb','wb').write(nh.from_array(v,k).SerializeToString())
f=lambda *s: rng.standard_normal(s).astype(np.float32)
# matmul broadcasting
for nm,(sa,sb) in {'mm_1d_3d':((4,),(2,4,5)),'mm_3d_1d':((2,3,4),(4,)),'mm_bcast':((2,1,3,4),(5,4,6)),'mm_1d_1d':((4,),(4,))}.items():
    a,b=f(*sa),f(*sb); save(nm,h.make_node('MatMul',['a','b'],['y']),[('a',a),('b',b)],[('y',np.matmul(a,b))])
a,b,c=f(4,3),f(5,4),f(5); save('gemm_tt',h.make_node('Gemm',['a','b','c'],['y'],transA=1,transB=1,alpha=0.5,beta=2.0),[('a',a),('b',b),('c',c)],[('y',0.5*a.T@b.T+2*c)])
a,b,c=f(3,4),f(4,5),f(3,1); save('gemm_col',h.make_node('Gemm',['a','b','c'],['y']),[('a',a),('b',b),('c',c)],[('y',a@b+c)])
# einsum
for nm,(eq,shapes,ref) in {
  'ein_ell':('...ij,...jk->...ik',[(2,3,4),(2,4,5)],None),
  'ein_impl':('ij,jk',[(3,4),(4,5)],None),
  'ein_3op':('ij,jk,kl->il',[(3,4),(4,5),(5,2)],None),
  'ein_trace':('ii',[(4,4)],None),
  'ein_bcast':('...j,j->...',[(2,3,4),(4,)],None),
  'ein_outer_ell':('b...,b->...b',[(2,3,4),(2,)],None)}.items():
    xs=[f(*s) for s in shapes]
    save(nm,h.make_node('Einsum',[f'x{i}' for i in range(len(xs))],['y'],equation=eq),[(f'x{i}',x) for i,x in enumerate(xs)],[('y',np.einsum(eq,*xs).astype(np.float32))])
# conv naive
def conv(x,w,b,s,d,pb,group):
    N,C=x.shape[:2]; M=w.shape[0]; ns=x.ndim-2; k=w.shape[2:]
    xp=np.pad(x,[(0,0),(0,0)]+[(pb[i][0],pb[i][1]) for i in range(ns)])
    out=[(xp.shape[2+i]-((k[i]-1)*d[i]+1))//s[i]+1 for i in range(ns)]
    y=np.zeros((N,M)+tuple(out),np.float64); Cg=C//group; Mg=M//group
    for o in itertools.product(*[range(v) for v in out]):
        for kk in itertools.product(*[range(v) for v in k]):
            idx=tuple(o[i]*s[i]+kk[i]*d[i] for i in range(ns))
            for g in range(group):
                xv=xp[(slice(None),slice(g*Cg,(g+1)*Cg))+idx]  # N,Cg
                wv=w[(slice(g*Mg,(g+1)*Mg),slice(None))+kk]      # Mg,Cg
                y[(slice(None),slice(g*Mg,(g+1)*Mg))+o]+=xv@wv.T
    if b is not None: y+=b.reshape((1,M)+(1,)*ns)
    return y.astype(np.float32)
x,w,b=f(2,4,9,8),f(6,2,3,2),f(6)
save('conv_group_dil',h.make_node('Conv',['x','w','b'],['y'],group=2,dilations=[2,1],strides=[2,3],pads=[1,0,2,1]),[('x',x),('w',w),('b',b)],[('y',conv(x,w,b,[2,3],[2,1],[(1,2),(0,1)],2))])
x,w=f(1,3,10),f(4,3,4)
# SAME_LOWER 1D stride 3: out=ceil(10/3)=4, total=(4-1)*3+4-10=3, lower: pb=2 pe=1
save('conv1d_same_lower',h.make_node('Conv',['x','w'],['y'],auto_pad='SAME_LOWER',strides=[3]),[('x',x),('w',w)],[('y',conv(x,w,None,[3],[1],[(2,1)],1))])
x,w,b=f(1,2,5,4,6),f(4,1,3,2,3),f(4)
save('conv3d_dw',h.make_node('Conv',['x','w','b'],['y'],group=2,pads=[1,0,1,1,1,1]),[('x',x),('w',w),('b',b)],[('y',conv(x,w,b,[1,1,1],[1,1,1],[(1,1),(0,1),(1,1)],2))])
# avgpool count_include_pad + ceil
x=f(1,2,7,7)
def avg(x,k,s,pb,pe,incl,ceil):
    H=x.shape[2]; 
    def od(i): sp=H+pb+pe-k; return (-(-sp//s) if ceil else sp//s)+1
    o=od(0)
    if ceil and (o-1)*s>=H+pb: o-=1
    y=np.zeros((1,2,o,o),np.float32)
    for i in range(o):
        for j in range(o):
            hs,ws=i*s-pb,j*s-pb; he,we=hs+k,ws+k
            if incl: cnt=(min(he,H+pe)-hs)*(min(we,H+pe)-ws)
            hs2,ws2,he2,we2=max(hs,0),max(ws,0),min(he,H),min(we,H)
            v=x[:,:,hs2:he2,ws2:we2].sum((2,3))
            if not incl: cnt=(he2-hs2)*(we2-ws2)
            y[:,:,i,j]=v/cnt
    return y
save('avg_incl_ceil',h.make_node('AveragePool',['x'],['y'],kernel_shape=[3,3],strides=[2,2],pads=[1,1,1,1],count_include_pad=1,ceil_mode=1),[('x',x)],[('y',avg(x,3,2,1,1,1,1))])
save('avg_excl_ceil',h.make_node('AveragePool',['x'],['y'],kernel_shape=[3,3],strides=[2,2],pads=[1,1,1,1],count_include_pad=0,ceil_mode=1),[('x',x)],[('y',avg(x,3,2,1,1,0,1))])
