"""Minimal safetensors reader/writer (no `safetensors` package needed).

File layout: 8-byte little-endian header length N, N bytes of JSON header
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
then the data; offsets are relative to the end of the header.
"""
import json
import struct

import numpy as np

_NP = {"F32": np.float32, "F16": np.float16}


def read(path):
    """Returns {name: float32 numpy array} for F32, F16 and BF16 tensors."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin, end = meta["data_offsets"]
        buf = raw[base + begin:base + end]
        shape = meta["shape"]
        dtype = meta["dtype"]
        if dtype == "BF16":
            # bf16 is the top half of a float32: widen int16 -> int32, shift left 16, view as f32
            bits = np.frombuffer(buf, dtype="<i2").astype(np.int32) << 16
            arr = bits.view(np.float32)
        elif dtype in _NP:
            arr = np.frombuffer(buf, dtype=np.dtype(_NP[dtype]).newbyteorder("<")).astype(np.float32)
        else:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {dtype}")
        out[name] = arr.reshape(shape).copy()
    return out


def to_bf16_bits(a):
    """float32 array -> uint16 bf16 bit patterns, round to nearest even."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding = ((bits >> 16) & 1) + 0x7FFF
    return ((bits + rounding) >> 16).astype(np.uint16)


def write(path, tensors, dtype):
    """Writes {name: float32 array} as one dtype (F32, F16 or BF16)."""
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, a in tensors.items():
        if dtype == "BF16":
            data = to_bf16_bits(a).astype("<u2").tobytes()
        else:
            data = np.ascontiguousarray(a, dtype=np.dtype(_NP[dtype]).newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # HF pads the header to a multiple of 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)
