#!/usr/bin/python3
"""
Independent reference for the TF.js reader tests: counts nodes/ops and decodes a few weight
values straight from the JSON and the shard bytes with nothing but the standard library.

Usage: /usr/bin/python3 make_expected.py HUMAN_MODELS_DIR NSFWJS_MOBILENET_V2_DIR > expected.json
"""
import collections
import json
import os
import struct
import sys

SIZES = {'float32': 4, 'int32': 4, 'bool': 1, 'uint8': 1}
QSIZES = {'uint8': 1, 'uint16': 2, 'float16': 2}


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def element_count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def samples(model_path):
    """For the first weight of each storage kind: values at a few indices, decoded by hand."""
    m = json.load(open(model_path))
    folder = os.path.dirname(model_path)
    out = {}
    for group in m['weightsManifest']:
        data = b''.join(open(os.path.join(folder, os.path.basename(p)), 'rb').read() for p in group['paths'])
        off = 0
        for w in group['weights']:
            n = element_count(w['shape'])
            q = w.get('quantization')
            kind = q['dtype'] if q else w['dtype']
            size = QSIZES[kind] if q else SIZES[w['dtype']]
            raw = data[off:off + n * size]
            off += n * size
            if kind in out or n < 16 or w['dtype'] != 'float32':
                continue
            idx = sorted({0, 1, n // 2, n - 1})
            if kind == 'uint8':
                vals = [f32(raw[i] * q['scale'] + q['min']) for i in idx]
            elif kind == 'uint16':
                vals = [f32(struct.unpack_from('<H', raw, 2 * i)[0] * q['scale'] + q['min']) for i in idx]
            elif kind == 'float16':
                vals = [struct.unpack_from('<e', raw, 2 * i)[0] for i in idx]
            else:
                vals = [struct.unpack_from('<f', raw, 4 * i)[0] for i in idx]
            out[kind] = {'name': w['name'], 'indices': idx, 'values': vals}
    return out


def graph_summary(path):
    m = json.load(open(path))
    nodes = m['modelTopology']['node']
    ops = collections.Counter('tf.' + n['op'] for n in nodes if n['op'] not in ('Const', 'Placeholder'))
    return {
        'kind': 'graph',
        'nodeCount': sum(ops.values()),
        'ops': dict(sorted(ops.items())),
        'inputCount': sum(1 for n in nodes if n['op'] == 'Placeholder'),
        'constCount': sum(1 for n in nodes if n['op'] == 'Const'),
        'weightCount': sum(len(g['weights']) for g in m['weightsManifest']),
        'samples': samples(path),
    }


def layers_summary(path):
    m = json.load(open(path))
    cfg = m['modelTopology'].get('model_config', m['modelTopology'])
    layers = cfg['config']['layers'] if isinstance(cfg['config'], dict) else cfg['config']
    ops = collections.Counter('keras.' + l['class_name'] for l in layers if l['class_name'] != 'InputLayer')
    return {
        'kind': 'layers',
        'nodeCount': sum(ops.values()),
        'ops': dict(sorted(ops.items())),
        'inputCount': sum(1 for l in layers if l['class_name'] == 'InputLayer'),
        'weightCount': sum(len(g['weights']) for g in m['weightsManifest']),
        'samples': samples(path),
    }


def main():
    human, nsfw = sys.argv[1], sys.argv[2]
    out = {}
    for name in ['blazeface', 'emotion', 'handtrack', 'movenet-lightning', 'centernet', 'iris']:
        out['human/models/%s.json' % name] = graph_summary(os.path.join(human, name + '.json'))
    out['nsfwjs/mobilenet_v2/model.json'] = layers_summary(os.path.join(nsfw, 'model.json'))
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


main()
