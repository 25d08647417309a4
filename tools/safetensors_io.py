"""The fixture scripts' safetensors writer and reader (no safetensors package is needed).

write_safetensors: float32 tensors sorted by name (all F32, so the dtype-alignment key ties as in the reference
writer), header padded with spaces to a multiple of 8, written to a temporary file and renamed. Values may be
torch tensors (any dtype, detached and rounded to float32) or numpy arrays.
"""
import json
import os
import struct


def _float32_bytes(value):
    if hasattr(value, "detach"):   # torch.Tensor
        import torch
        t = value.detach().to(torch.float32).contiguous().cpu()
        return list(t.shape), t.numpy().astype("<f4").tobytes()
    import numpy as np
    a = np.ascontiguousarray(value, dtype="<f4")
    return list(a.shape), a.tobytes()


def write_safetensors(path, tensors, metadata=None):
    header = {"__metadata__": metadata} if metadata else {}
    blobs, offset = [], 0
    for name in sorted(tensors):
        shape, raw = _float32_bytes(tensors[name])
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


def read_safetensors(path):
    """(tensors as float64 torch tensors, metadata) of a float32 safetensors file."""
    import torch
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", (name, info["dtype"])
        a, b = info["data_offsets"]
        vals = struct.unpack(f"<{(b - a) // 4}f", data[8 + n + a:8 + n + b])
        out[name] = torch.tensor(vals, dtype=torch.float64).reshape(info["shape"])
    return out, meta
