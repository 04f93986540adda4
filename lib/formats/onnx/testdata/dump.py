"""Dump facts about Debian's ONNX test models with the reference `onnx` package.

The JSON it writes (expected.json) is the independent oracle for the TypeScript reader's tests,
so the tests do not need python. Regenerate with:
    /usr/bin/python3 lib/formats/onnx/testdata/dump.py
It also writes typed/*.pb: TensorProtos that use the typed fields (float_data, int32_data, ...)
rather than raw_data, since the Debian files almost always use raw_data.
"""
import glob
import json
import math
import os
import re

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
from onnx import TensorProto as T

DATA = '/usr/share/libonnx-testdata/data'
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_VALUES = 400
SPECIAL = re.compile(r'^test_(if|loop|scan)|quantizelinear|qlinear|matmulinteger|float16|bfloat16|string|_bool')


def num(x):
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        # int64/uint64 do not survive JSON.parse exactly: strings keep them exact.
        return str(int(x))
    x = float(x)
    if math.isnan(x):
        return 'nan'
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return x


def values(arr):
    flat = np.asarray(arr).reshape(-1)[:MAX_VALUES]
    out = []
    for v in flat.tolist() if flat.dtype != object else flat:
        if isinstance(v, bytes):
            out.append(v.decode('utf-8', 'replace'))
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, complex):
            out.append([num(v.real), num(v.imag)])
        else:
            out.append(num(v))
    return out


def tensor(t):
    d = {'name': t.name, 'data_type': t.data_type, 'dims': [int(x) for x in t.dims]}
    if t.data_type in (T.COMPLEX64, T.COMPLEX128) and not t.raw_data:
        # onnx 1.12's to_array cannot build complex arrays from float_data/double_data pairs.
        pairs = np.array(t.float_data if t.data_type == T.COMPLEX64 else t.double_data)
        arr = pairs[0::2] + 1j * pairs[1::2]
    else:
        arr = numpy_helper.to_array(t)
    d['count'] = int(arr.size)
    d['values'] = values(arr)
    return d


def type_info(tp):
    kind = tp.WhichOneof('value')
    if kind == 'tensor_type':
        tt = tp.tensor_type
        shape = None
        if tt.HasField('shape'):
            shape = []
            for dim in tt.shape.dim:
                w = dim.WhichOneof('value')
                shape.append(int(dim.dim_value) if w == 'dim_value' else dim.dim_param if w == 'dim_param' else None)
        return {'kind': 'tensor', 'elem_type': tt.elem_type, 'shape': shape}
    return {'kind': kind}


def value_info(v):
    return {'name': v.name, 'type': type_info(v.type)}


def attr(a):
    A = onnx.AttributeProto
    t = a.type
    if t == A.FLOAT: v = num(a.f)
    elif t == A.INT: v = num(a.i)
    elif t == A.STRING: v = a.s.decode('utf-8', 'replace')
    elif t == A.TENSOR: v = tensor(a.t)
    elif t == A.GRAPH: v = graph(a.g)
    elif t == A.FLOATS: v = [num(x) for x in a.floats]
    elif t == A.INTS: v = [num(x) for x in a.ints]
    elif t == A.STRINGS: v = [s.decode('utf-8', 'replace') for s in a.strings]
    elif t == A.TENSORS: v = [tensor(x) for x in a.tensors]
    elif t == A.GRAPHS: v = [graph(x) for x in a.graphs]
    elif t == A.SPARSE_TENSOR: v = {'dims': [int(x) for x in a.sparse_tensor.dims]}
    elif t == A.TYPE_PROTO: v = type_info(a.tp)
    else: v = None
    return {'type': A.AttributeType.Name(t), 'value': v}


def graph(g):
    return {
        'name': g.name,
        'nodes': [{
            'name': n.name, 'op_type': n.op_type, 'domain': n.domain,
            'inputs': list(n.input), 'outputs': list(n.output),
            'attrs': {a.name: attr(a) for a in n.attribute},
        } for n in g.node],
        'inputs': [value_info(v) for v in g.input],
        'outputs': [value_info(v) for v in g.output],
        'value_info': [value_info(v) for v in g.value_info],
        'initializers': [tensor(t) for t in g.initializer],
    }


def pb_tensors(model_dir):
    out = []
    for f in sorted(glob.glob(os.path.join(model_dir, 'test_data_set_0', '*.pb'))):
        t = TensorProto()
        with open(f, 'rb') as fh:
            try:
                t.ParseFromString(fh.read())
            except Exception:
                continue
        if not t.data_type:  # sequence/map/optional files are other protos
            continue
        try:
            d = tensor(t)
        except Exception:  # a SequenceProto/MapProto file that happened to parse
            continue
        d['file'] = os.path.relpath(f, DATA)
        out.append(d)
    return out


def pick():
    node = sorted(glob.glob(f'{DATA}/node/*/model.onnx'))
    chosen = set(node[::10])
    chosen |= {p for p in node if SPECIAL.search(p.split('/')[-2])}
    for p in sorted(glob.glob(f'{DATA}/*/*/model.onnx')):
        if '/node/' not in p and (len(onnx.load(p).graph.initializer) or '/simple/' in p):
            chosen.add(p)
    return sorted(chosen)


def model(path):
    m = onnx.load(path)
    return {
        'path': os.path.relpath(path, DATA),
        'ir_version': m.ir_version,
        'producer_name': m.producer_name, 'producer_version': m.producer_version,
        'domain': m.domain, 'model_version': m.model_version, 'doc_string': m.doc_string,
        'opsets': {o.domain: o.version for o in m.opset_import},
        'metadata_props': {p.key: p.value for p in m.metadata_props},
        'functions': [f.name for f in m.functions],
        'graph': graph(m.graph),
        'pb_tensors': pb_tensors(os.path.dirname(path)),
    }


def typed_tensors():
    """TensorProtos in typed fields for every type onnx 1.12 can make that way."""
    rng = np.random.default_rng(7)
    T = TensorProto
    cases = {
        'float_data': (T.FLOAT, rng.standard_normal(6).astype(np.float32)),
        'double_data': (T.DOUBLE, rng.standard_normal(5)),
        'int32_data': (T.INT32, np.array([0, -1, 2**31 - 1, -2**31, 7], np.int32)),
        'int64_data': (T.INT64, np.array([0, -1, 2**63 - 1, -2**63, 2**53 + 1, 12345], np.int64)),
        'uint64_data': (T.UINT64, np.array([0, 1, 2**64 - 1, 2**53 + 1], np.uint64)),
        'uint32': (T.UINT32, np.array([0, 1, 2**32 - 1, 123456789], np.uint32)),
        'int8': (T.INT8, np.array([-128, -1, 0, 1, 127], np.int8)),
        'uint8': (T.UINT8, np.array([0, 1, 200, 255], np.uint8)),
        'int16': (T.INT16, np.array([-32768, -1, 0, 32767], np.int16)),
        'uint16': (T.UINT16, np.array([0, 1, 65535, 40000], np.uint16)),
        'bool': (T.BOOL, np.array([True, False, True], np.bool_)),
        'float16': (T.FLOAT16, np.array([1.5, -2.25, 65504, 0.0001], np.float16)),
        'bfloat16': (T.BFLOAT16, [1.5, -2.25, 3.0e38, 0.5]),
        'complex64': (T.COMPLEX64, np.array([1 + 2j, -3.5 - 0.25j], np.complex64)),
        'complex128': (T.COMPLEX128, np.array([1 + 2j, -3.5 - 0.25j], np.complex128)),
        'string': (T.STRING, np.array([b'abc', 'h\u00e9llo \u4e16\u754c'.encode(), b''], object)),
        'scalar': (T.FLOAT, np.array(3.25, np.float32)),
    }
    os.makedirs(os.path.join(HERE, 'typed'), exist_ok=True)
    out = []
    for name, (dt, vals) in cases.items():
        shape = list(np.shape(vals))
        if dt == T.FLOAT16:
            t = helper.make_tensor(name, dt, shape, vals.view(np.uint16).astype(np.int32).tolist())
            t.ClearField('int32_data'); t.int32_data.extend(vals.view(np.uint16).tolist())
        else:
            t = helper.make_tensor(name, dt, shape, np.asarray(vals).reshape(-1).tolist() if dt != T.STRING else list(vals))
        assert not t.raw_data
        with open(os.path.join(HERE, 'typed', name + '.pb'), 'wb') as fh:
            fh.write(t.SerializeToString())
        d = tensor(t)
        d['file'] = f'typed/{name}.pb'
        out.append(d)
    return out


def main():
    doc = {
        'onnx_version': onnx.__version__,
        'models': [model(p) for p in pick()],
        'typed': typed_tensors(),
    }
    with open(os.path.join(HERE, 'expected.json'), 'w') as fh:
        json.dump(doc, fh, separators=(',', ':'))
    print(len(doc['models']), 'models,', len(doc['typed']), 'typed tensors')


if __name__ == '__main__':
    main()
