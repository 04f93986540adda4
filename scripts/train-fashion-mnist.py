#!/usr/bin/python3
"""Train the studio's own sample model: a small Fashion-MNIST CNN, exported to ONNX.

Run with Debian's python (python3-torch + python3-onnx + dataset-fashion-mnist):
    /usr/bin/python3 scripts/train-fashion-mnist.py

Writes public/models/fashion-mnist-cnn.onnx, fashion-mnist-cnn.json (accuracy, labels, input
normalisation, param count) and fashion-mnist-samples.bin (16 test images, uint8 28x28 each).
Seeds are fixed and threads limited to 2, so a rerun on the same machine gives the same model.
"""
import gzip
import json
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = '/usr/share/datasets/fashion-mnist'
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
OUT = os.path.join(ROOT, 'public', 'models')
LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
          'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
EPOCHS = 3
BATCH = 64
SEED = 1234
N_SAMPLES = 16


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    magic, = struct.unpack('>I', raw[:4])
    ndim = magic & 0xff
    dims = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Net(nn.Module):
    # Conv-BN-ReLU-Pool twice: the BatchNorm is there on purpose, so conversion work has one to fold.
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc1 = nn.Linear(32 * 7 * 7, 96)
        self.fc2 = nn.Linear(96, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def evaluate(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


def main():
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)

    train_x = read_idx(f'{DATA}/train-images-idx3-ubyte.gz')
    train_y = read_idx(f'{DATA}/train-labels-idx1-ubyte.gz')
    test_x = read_idx(f'{DATA}/t10k-images-idx3-ubyte.gz')
    test_y = read_idx(f'{DATA}/t10k-labels-idx1-ubyte.gz')
    # Input normalisation is only /255 so the browser side needs nothing more than that.
    tx = torch.from_numpy(train_x.astype(np.float32) / 255.0).unsqueeze(1)
    ty = torch.from_numpy(train_y.astype(np.int64))
    vx = torch.from_numpy(test_x.astype(np.float32) / 255.0).unsqueeze(1)
    vy = torch.from_numpy(test_y.astype(np.int64))

    model = Net()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(SEED)
    start = time.time()
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(tx), generator=gen)
        total = 0.0
        for i in range(0, len(tx), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = F.cross_entropy(model(tx[idx]), ty[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        acc = evaluate(model, vx, vy)
        print(f'epoch {epoch + 1}: loss {total / len(tx):.4f}, test accuracy {acc:.4f}, '
              f'{time.time() - start:.0f}s', flush=True)

    model.eval()
    os.makedirs(OUT, exist_ok=True)
    onnx_path = os.path.join(OUT, 'fashion-mnist-cnn.onnx')
    # PRESERVE on an eval-mode model keeps inference BatchNormalization nodes; the default (EVAL)
    # would fold them into the convolutions, and folding is the converter's job to show.
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, opset_version=13,
                      input_names=['image'], output_names=['logits'], do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)

    import onnx
    exported = onnx.load(onnx_path)
    # Record intermediate shapes (value_info) so viewers show them on every edge.
    exported = onnx.shape_inference.infer_shapes(exported)
    onnx.save(exported, onnx_path)
    onnx.checker.check_model(exported)
    ops = [n.op_type for n in exported.graph.node]
    assert ops.count('BatchNormalization') == 2 and 'Identity' not in ops, ops

    # 16 test images: the first of each class, then the next six test images, so every label shows.
    picks = [int(np.argmax(test_y == c)) for c in range(10)]
    picks += [i for i in range(len(test_y)) if i not in picks][:N_SAMPLES - len(picks)]
    with open(os.path.join(OUT, 'fashion-mnist-samples.bin'), 'wb') as f:
        f.write(test_x[picks].astype(np.uint8).tobytes())
    with torch.no_grad():
        sample_pred = model(vx[picks]).argmax(1).tolist()

    meta = {
        'name': 'Fashion-MNIST CNN',
        'file': 'fashion-mnist-cnn.onnx',
        'opset': 13,
        'input': {'name': 'image', 'dtype': 'float32', 'shape': [1, 1, 28, 28],
                  'layout': 'NCHW', 'normalisation': 'pixel / 255 (range [0, 1]), no mean/std'},
        'output': {'name': 'logits', 'dtype': 'float32', 'shape': [1, 10],
                   'meaning': 'unnormalised class scores; apply softmax for probabilities'},
        'labels': LABELS,
        'params': params,
        'epochs': EPOCHS,
        'batchSize': BATCH,
        'seed': SEED,
        'testAccuracy': round(evaluate(model, vx, vy), 4),
        'testSet': 'Fashion-MNIST t10k (10000 images), Debian dataset-fashion-mnist',
        'training': '/usr/bin/python3 scripts/train-fashion-mnist.py',
        'torch': torch.__version__,
        'samples': {
            'file': 'fashion-mnist-samples.bin',
            'count': len(picks),
            'format': 'uint8 28x28 row-major per image, images back to back, no header',
            'testIndices': picks,
            'labels': [int(test_y[i]) for i in picks],
            'predicted': sample_pred,
        },
    }
    with open(os.path.join(OUT, 'fashion-mnist-cnn.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f'wrote {onnx_path}: {params} params, test accuracy {meta["testAccuracy"]}')


if __name__ == '__main__':
    sys.exit(main())
