#!/usr/bin/python3
"""Run one .tflite in Arm NN (Debian python3-pyarmnn, CpuRef backend) and report the outputs.

Run with /usr/bin/python3 (Debian's pyarmnn is built for it). Arm NN can abort or segfault on
some models, so callers run this in a subprocess with a timeout.

Two ways to call it:
  1. Protocol (used by lib/verify/armnn.ts): no arguments; stdin and stdout carry
     u32 LE header length + UTF-8 JSON header + payload.
       request : {"modelBytes": n, "runs"?: r, "inputs": [{"name", "dtype", "shape", "byteLength"}]}
                 payload = model bytes, then each input's raw little-endian data
       response: {"ok": true, "runs": r, "outputs": [{"name", "dtype", "shape", "byteLength"}], "inputs": [...]}
                 or {"ok": false, "kind": "unsupported" | "error", "stage": ..., "message": ...}
  2. Command line: run.py model.tflite --input a.npy[,b.npy] [--output out_%d.npy]
     (without --output it prints a JSON summary of each output).
`runs` > 1 runs the loaded network once per input set (inputs and outputs listed run-major), so a
whole test set costs one process start and one network load.
"""
import json
import logging
import os
import re
import struct
import sys
import tempfile

# Keep fd 1 for the response only: pyarmnn and Arm NN's C++ logging print to stdout.
_RESPONSE_FD = os.dup(1)
os.dup2(2, 1)

import numpy as np  # noqa: E402

# pyarmnn's import logs one warning per parser Debian leaves out (Caffe, ONNX, TF); keep stderr
# for what matters.
logging.getLogger("pyarmnn").setLevel(logging.ERROR)
try:
    import pyarmnn as ann  # noqa: E402
except Exception as e:  # pragma: no cover - reported to the caller
    ann = None
    _IMPORT_ERROR = str(e)

# Our dtype names (lib/ir/types.ts DType) <-> numpy <-> Arm NN DataType.
NP = {
    "float32": np.float32, "int32": np.int32, "int8": np.int8, "uint8": np.uint8,
    "int16": np.int16, "bool": np.bool_, "float16": np.float16,
}


def armnn_dtype_name(dt):
    table = {
        ann.DataType_Float32: "float32", ann.DataType_Signed32: "int32",
        ann.DataType_QAsymmU8: "uint8", ann.DataType_QAsymmS8: "int8",
        ann.DataType_QSymmS8: "int8", ann.DataType_QSymmS16: "int16",
        ann.DataType_Boolean: "bool", ann.DataType_Float16: "float16",
    }
    return table.get(dt, "unknown(%d)" % dt)


# Arm NN's wording for "this feature is missing" (as opposed to a broken file or a crash):
# unknown operators, several subgraphs, weights computed at run time (DEQUANTIZE of float16),
# unsupported data types or layer parameters.
LACKS = re.compile(r"Operator not supported|only supports 1 subgraph|Buffer #\d+ has 0 bytes|not supported|unsupported", re.I)


def lacks_or_error(message):
    return "unsupported" if LACKS.search(message) else "error"


class Failure(Exception):
    def __init__(self, kind, stage, message):
        super().__init__(message)
        self.kind, self.stage, self.message = kind, stage, message


def shape_of(info):
    s = info.GetShape()
    return [int(s[i]) for i in range(info.GetNumDimensions())]


def run(model_path, arrays, runs=1):
    """Loads once, runs once per input set (arrays run-major). Returns (inputs_seen, outputs)
    where outputs is a run-major list of (name, dtype, ndarray)."""
    if ann is None:
        raise Failure("error", "import", "pyarmnn is not importable: " + _IMPORT_ERROR)
    parser = ann.ITfLiteParser()
    try:
        network = parser.CreateNetworkFromBinaryFile(model_path)
    except Exception as e:  # parse errors name the op or the feature Arm NN lacks
        raise Failure(lacks_or_error(str(e)), "parse", str(e).strip())
    in_names = list(parser.GetSubgraphInputTensorNames(0))
    out_names = list(parser.GetSubgraphOutputTensorNames(0))
    in_bind = [parser.GetNetworkInputBindingInfo(0, n) for n in in_names]
    out_bind = [parser.GetNetworkOutputBindingInfo(0, n) for n in out_names]
    seen = [{"name": n, "dtype": armnn_dtype_name(b[1].GetDataType()), "shape": shape_of(b[1])}
            for n, b in zip(in_names, in_bind)]
    if len(arrays) != len(in_bind) * runs:
        raise Failure("error", "inputs", "model has %d inputs, got %d tensors for %d run(s)" % (len(in_bind), len(arrays), runs))
    for j, a in enumerate(arrays):
        i, s = j % len(seen), seen[j % len(seen)]
        if list(a.shape) != s["shape"]:
            raise Failure("error", "inputs", "input %d (%s) wants shape %s, got %s" % (i, s["name"], s["shape"], list(a.shape)))
        if np.dtype(NP.get(s["dtype"], np.void)) != a.dtype:
            raise Failure("error", "inputs", "input %d (%s) is %s, got %s" % (i, s["name"], s["dtype"], a.dtype))

    runtime = ann.IRuntime(ann.CreationOptions())
    try:
        opt, messages = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions())
    except Exception as e:  # "Layer of type X is not supported on any preferred backend"
        raise Failure(lacks_or_error(str(e)), "optimize", str(e).strip())
    try:
        net_id, _ = runtime.LoadNetwork(opt)
    except Exception as e:
        raise Failure(lacks_or_error(str(e)), "load", str(e).strip())
    outs = []
    k = len(in_bind)
    for r in range(runs):
        in_tensors = ann.make_input_tensors(in_bind, [np.ascontiguousarray(a) for a in arrays[r * k:(r + 1) * k]])
        out_tensors = ann.make_output_tensors(out_bind)
        try:
            runtime.EnqueueWorkload(net_id, in_tensors, out_tensors)
        except Exception as e:
            raise Failure("error", "run", str(e).strip())
        results = ann.workload_tensors_to_ndarray(out_tensors)
        for n, b, res in zip(out_names, out_bind, results):
            dtype = armnn_dtype_name(b[1].GetDataType())
            want = NP.get(dtype)
            arr = np.asarray(res)
            if want is not None and arr.dtype != want:
                arr = arr.view(want) if arr.dtype.itemsize == np.dtype(want).itemsize else arr.astype(want)
            outs.append((n, dtype, arr.reshape(shape_of(b[1])).copy()))
    return seen, outs


def respond(header, chunks=()):
    body = json.dumps(header).encode("utf-8")
    data = struct.pack("<I", len(body)) + body + b"".join(chunks)
    view = memoryview(data)
    while view:
        n = os.write(_RESPONSE_FD, view)
        view = view[n:]


def read_request(buf):
    if len(buf) < 4:
        raise Failure("error", "request", "request shorter than its 4-byte header length")
    (hlen,) = struct.unpack_from("<I", buf, 0)
    if 4 + hlen > len(buf):
        raise Failure("error", "request", "request header (%d bytes) runs past the end" % hlen)
    header = json.loads(buf[4:4 + hlen].decode("utf-8"))
    at = 4 + hlen

    def take(n):
        nonlocal at
        if not isinstance(n, int) or n < 0 or at + n > len(buf):
            raise Failure("error", "request", "payload of %r bytes runs past the end at %d" % (n, at))
        out = buf[at:at + n]
        at += n
        return out

    runs = header.get("runs", 1)
    if not isinstance(runs, int) or runs < 1:
        raise Failure("error", "request", "runs must be a positive integer, got %r" % (runs,))
    model = take(header.get("modelBytes"))
    arrays = []
    for t in header.get("inputs", []):
        dt = NP.get(t.get("dtype"))
        if dt is None:
            raise Failure("unsupported", "inputs", "dtype %s is not supported by Arm NN here" % t.get("dtype"))
        raw = take(t.get("byteLength"))
        arrays.append(np.frombuffer(raw, dtype=dt).reshape(t.get("shape")).copy())
    return model, arrays, runs


def main_protocol():
    try:
        model, arrays, runs = read_request(sys.stdin.buffer.read())
        with tempfile.NamedTemporaryFile(suffix=".tflite") as f:
            f.write(model)
            f.flush()
            seen, outs = run(f.name, arrays, runs)
        header = {"ok": True, "runs": runs, "inputs": seen, "outputs": []}
        chunks = []
        for n, dtype, arr in outs:
            b = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
            header["outputs"].append({"name": n, "dtype": dtype, "shape": list(arr.shape), "byteLength": len(b)})
            chunks.append(b)
        respond(header, chunks)
    except Failure as f:
        respond({"ok": False, "kind": f.kind, "stage": f.stage, "message": f.message[:4000]})
    except Exception as e:
        respond({"ok": False, "kind": "error", "stage": "internal", "message": repr(e)[:4000]})


def main_cli(argv):
    import argparse
    ap = argparse.ArgumentParser(description="Run a .tflite in Arm NN (CpuRef).")
    ap.add_argument("model")
    ap.add_argument("--input", default="", help="comma-separated .npy files, in input order")
    ap.add_argument("--output", default="", help="out.npy, or a pattern with %%d for several outputs")
    a = ap.parse_args(argv)
    arrays = [np.load(p) for p in a.input.split(",") if p]
    try:
        seen, outs = run(a.model, arrays)
    except Failure as f:
        os.write(_RESPONSE_FD, (json.dumps({"ok": False, "kind": f.kind, "stage": f.stage, "message": f.message}) + "\n").encode())
        return 2 if f.kind == "unsupported" else 1
    summary = []
    for i, (n, dtype, arr) in enumerate(outs):
        if a.output:
            path = a.output % i if "%d" in a.output else a.output
            np.save(path, arr)
        summary.append({"name": n, "dtype": dtype, "shape": list(arr.shape),
                        "min": float(arr.min()) if arr.size else None, "max": float(arr.max()) if arr.size else None})
    os.write(_RESPONSE_FD, (json.dumps({"ok": True, "inputs": seen, "outputs": summary}) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main_cli(sys.argv[1:]) if len(sys.argv) > 1 else main_protocol())
