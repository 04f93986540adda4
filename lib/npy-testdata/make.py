"""Writes the .npy files that lib/npy.test.ts reads, with real numpy, and expected.json with
numpy's own view of each (dtype, shape, flat values; 64-bit integers as strings so JSON keeps them).
Run: /usr/bin/python3 lib/npy-testdata/make.py   (Debian python3-numpy)"""
import json
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUR_DTYPE = {'f4': 'float32', 'f8': 'float64', 'f2': 'float16', 'i1': 'int8', 'u1': 'uint8', 'b1': 'bool',
             'i2': 'int16', 'u2': 'uint16', 'i4': 'int32', 'u4': 'uint32', 'i8': 'int64', 'u8': 'uint64'}
expected = {}


def flat(a):
    v = a.ravel(order='C').tolist()
    if a.dtype.kind in 'iu' and a.dtype.itemsize == 8:
        return [str(x) for x in v]
    if a.dtype.kind == 'b':
        return [1 if x else 0 for x in v]
    if a.dtype.kind == 'f':
        # JSON has no inf/nan literals JavaScript accepts.
        return [x if np.isfinite(x) else str(x) for x in v]
    return v


def save(name, a, version=None):
    path = os.path.join(HERE, name + '.npy')
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, a, version=version, allow_pickle=True)
    entry = {'dtype': OUR_DTYPE.get(a.dtype.str[1:]), 'shape': list(a.shape), 'values': flat(a) if a.dtype.kind in 'fiub' and a.dtype.names is None else None}
    expected[name] = entry


def err(name, a, pattern):
    path = os.path.join(HERE, name + '.npy')
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, a, allow_pickle=True)
    expected[name] = {'error': pattern}


rng = np.random.default_rng(7)
base = np.arange(24).reshape(2, 3, 4)
save('f4_le', (base / 7 - 1.5).astype('<f4'))
save('f4_be', (base / 7 - 1.5).astype('>f4'))
save('f8_le', (rng.standard_normal((3, 5)) * 1e6).astype('<f8'))
save('f8_be', (rng.standard_normal((3, 5)) * 1e-6).astype('>f8'))
save('f2_le', np.array([0, 1, -2.5, 65504, 6e-8, np.inf, -np.inf, 0.1], dtype='<f2'))
save('f2_be', np.array([[0.5, -0.25], [1000, 3.140625]], dtype='>f2'))
save('i1', np.array([-128, -1, 0, 1, 127], dtype='i1'))
save('u1', np.arange(256, dtype='u1').reshape(16, 16))
save('b1', np.array([[True, False, True], [False, False, True]]))
save('i2_le', np.array([-32768, -2, 0, 3, 32767], dtype='<i2'))
save('i2_be', np.array([-32768, -2, 0, 3, 32767], dtype='>i2'))
save('u2_be', np.array([0, 1, 256, 65535], dtype='>u2'))
save('i4_le', np.array([-2**31, -7, 0, 9, 2**31 - 1], dtype='<i4'))
save('u4_le', np.array([0, 1, 2**31, 2**32 - 1], dtype='<u4'))
save('u4_be', np.array([0, 1, 2**31, 2**32 - 1], dtype='>u4'))
save('i8_le', np.array([-2**63, -1, 0, 2**53 + 1, 2**63 - 1], dtype='<i8'))
save('i8_be', np.array([[-2**63, 5], [2**40 + 3, 2**63 - 1]], dtype='>i8'))
save('u8_le', np.array([0, 2**63, 2**64 - 1], dtype='<u8'))
save('scalar', np.array(3.5, dtype='<f4'))
save('empty', np.zeros((0, 3), dtype='<f4'))
save('v2', np.arange(6, dtype='<i4').reshape(3, 2), version=(2, 0))
save('v3', np.arange(6, dtype='<f8').reshape(1, 6), version=(3, 0))
save('fortran_1d', np.asfortranarray(np.arange(5, dtype='<f4').reshape(5, 1)))
err('fortran', np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)), 'Fortran-order')
err('object', np.array([{'a': 1}, None], dtype=object), 'object arrays')
err('structured', np.zeros(3, dtype=[('a', '<i4'), ('b', '<f4')]), 'structured dtypes')
err('unicode', np.array(['ab', 'c']), 'string arrays')
err('complex', np.array([1 + 2j], dtype='<c8'), 'complex arrays')

with open(os.path.join(HERE, 'expected.json'), 'w') as f:
    json.dump(expected, f, separators=(',', ':'))
    f.write('\n')
