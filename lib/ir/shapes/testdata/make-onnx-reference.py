#!/usr/bin/python3
"""Reference shapes for the fixture ONNX models from python onnx's own shape inference.

Run once from the repo root (after `node scripts/fetch-models.mjs`):
  /usr/bin/python3 lib/ir/shapes/testdata/make-onnx-reference.py
Writes lib/ir/shapes/testdata/onnx-reference.json: per model and input setting ("free" = as
shipped, "fixed" = input dims set as listed), every main-graph tensor onnx could type.
silero v5 takes 512 samples plus 64 of context (576): with 512 its decoder cannot squeeze.
Strict mode is off: onnx 1.12 gives up on some models otherwise, and what it does infer is
still a reference.
"""
import json
import os
import onnx
from onnx import shape_inference

MODELS = {
    "fashion-mnist-cnn": ("public/models/fashion-mnist-cnn.onnx", {}),
    "melspectrogram": ("fixtures/third_party/openwakeword/melspectrogram.onnx", {"input": [1, 1760]}),
    "embedding_model": ("fixtures/third_party/openwakeword/embedding_model.onnx", {"input_1": [1, 76, 32, 1]}),
    "alexa_v0.1": ("fixtures/third_party/openwakeword/alexa_v0.1.onnx", {}),
    "hey_jarvis_v0.1": ("fixtures/third_party/openwakeword/hey_jarvis_v0.1.onnx", {}),
    "hey_mycroft_v0.1": ("fixtures/third_party/openwakeword/hey_mycroft_v0.1.onnx", {}),
    "hey_rhasspy_v0.1": ("fixtures/third_party/openwakeword/hey_rhasspy_v0.1.onnx", {}),
    "timer_v0.1": ("fixtures/third_party/openwakeword/timer_v0.1.onnx", {}),
    "weather_v0.1": ("fixtures/third_party/openwakeword/weather_v0.1.onnx", {}),
    "silero_vad_v5": ("fixtures/third_party/silero-vad/silero_vad_v5.onnx", {"input": [1, 576], "state": [2, 1, 128]}),
    "silero_vad_legacy": ("fixtures/third_party/silero-vad/silero_vad_legacy.onnx", {"input": [1, 512], "h": [2, 1, 64], "c": [2, 1, 64]}),
}

DTYPES = {1: "float32", 2: "uint8", 3: "int8", 5: "int16", 6: "int32", 7: "int64", 9: "bool", 10: "float16", 11: "float64"}


def facts(model):
    g = model.graph
    out = {}
    for vi in list(g.value_info) + list(g.output):
        t = vi.type.tensor_type
        if not vi.type.HasField("tensor_type"):
            continue
        shape = None
        if t.HasField("shape"):
            shape = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in t.shape.dim]
        out[vi.name] = {"dtype": DTYPES.get(t.elem_type, str(t.elem_type)), "shape": shape}
    return out


def main():
    result = {"generator": f"python3-onnx {onnx.__version__} onnx.shape_inference.infer_shapes", "models": {}}
    for key, (path, fixed) in MODELS.items():
        if not os.path.exists(path):
            print("missing", path)
            continue
        m = onnx.load(path)
        # Start from the graph outputs' declared types only: drop value_info so onnx infers them.
        del m.graph.value_info[:]
        entry = {"file": path, "fixed": fixed, "free": facts(shape_inference.infer_shapes(m))}
        if fixed:
            for inp in m.graph.input:
                dims = fixed.get(inp.name)
                if dims is None:
                    continue
                for d, v in zip(inp.type.tensor_type.shape.dim, dims):
                    d.Clear()
                    d.dim_value = v
            entry["fixedResult"] = facts(shape_inference.infer_shapes(m))
        result["models"][key] = entry
        print(key, len(entry["free"]), len(entry.get("fixedResult", {})))
    with open("lib/ir/shapes/testdata/onnx-reference.json", "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)


main()
