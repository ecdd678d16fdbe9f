"""Golden logits for Tandem's quantized weights (Q8_0 / Q4_0), from PyTorch on de-quantized weights.

Quantizes each model with its own numpy implementation of Tandem's quantizers (Q8_0: ggml's
quantize_row_q8_0_ref, float32 arithmetic and roundf; Q4_0: ggml's quantize_row_q4_0_ref block
or a better one from a least-squares scale search, see q4_0; scales rounded to float16), in the
same plan as Tandem's
quantize-at-load (the blocks' linear layers to the format, except that q4 keeps v_proj and down_proj
at Q8_0 in the layers more_bits picks; the output head -- or a tied embedding table -- to Q8_0; rows whose length is not a multiple
of 32 kept as stored), de-quantizes, and runs
llama_reference.forward on the result. Shares no code with the Java runtime.

Writes model/src/test/resources/quant-golden.json: per model and format, the tokens, the logits of
the last two positions, and (reported, not asserted by the tests) the max abs logit difference
and greedy agreement against the unquantized model.

  /usr/bin/python3 tools/reference/quant_reference.py              # regenerate the goldens
  /usr/bin/python3 tools/reference/quant_reference.py --check-gguf SRC_DIR GGUF_DIR q8_0|q4
      # compare a model.gguf written by `tandem quantize` with this quantizer, block for block

The "random" model is generated from a counter-based hash (splitmix64) that the Java test
(QuantizedGoldenTest.RandomModel) reproduces bit for bit, so no weights file is committed for it.
"""
import argparse
import json
import os
import re
import struct
import sys

import numpy as np
import torch

import llama_reference

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
LINEAR = re.compile(r"model\.layers\.\d+\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)\.weight")
TINY = os.path.join(ROOT, "model", "src", "test", "resources", "models")
FIXTURES = os.path.join(ROOT, "fixtures", "models")
OUT = os.path.join(ROOT, "model", "src", "test", "resources", "quant-golden.json")

# the random model: small enough for the test suite, larger than the fixtures' widths
RANDOM_CFG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 384,
              "intermediate_size": 1056, "num_hidden_layers": 2, "num_attention_heads": 6,
              "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
              "max_position_embeddings": 64, "vocab_size": 1024, "tie_word_embeddings": False,
              "bos_token_id": 0, "eos_token_id": 0}


def q8_0(w):
    """float32 [rows, cols] -> (d16 float16 [blocks], q int8 [blocks, 32])."""
    b = w.reshape(-1, 32).astype(np.float32)
    amax = np.abs(b).max(axis=1)
    d = (amax / np.float32(127)).astype(np.float32)
    inv = np.zeros_like(d)
    nz = d != 0
    inv[nz] = np.float32(1) / d[nz]
    v = (b * inv[:, None]).astype(np.float32)
    q = np.sign(v) * np.floor(np.abs(v).astype(np.float64) + 0.5)  # C roundf
    return d.astype(np.float16), q.astype(np.int8)


def q4_0_ref(b):
    """ggml quantize_row_q4_0_ref on float32 blocks [n, 32] -> (d float32 [n], nibbles uint8 [n, 32])."""
    idx = np.argmax(np.abs(b), axis=1)  # first of the largest magnitudes, as ggml's strict '<'
    m = b[np.arange(len(b)), idx]
    d = (m / np.float32(-8)).astype(np.float32)
    inv = np.zeros_like(d)
    nz = d != 0
    inv[nz] = np.float32(1) / d[nz]
    v = ((b * inv[:, None]).astype(np.float32) + np.float32(8.5)).astype(np.float32)
    q = np.minimum(15, np.trunc(v)).astype(np.uint8)
    return d, m, q


def sums(b, q):
    """(sum x*q, sum q*q) over j in order in float32, q = nibble - 8 (int)."""
    sum_qx = np.zeros(len(b), np.float32)
    sum_qq = np.zeros(len(b), np.float32)
    for j in range(32):
        sum_qx = (sum_qx + b[:, j] * q[:, j].astype(np.float32)).astype(np.float32)
        sum_qq = (sum_qq + (q[:, j] * q[:, j]).astype(np.float32)).astype(np.float32)
    return sum_qx, sum_qq


def squared_error(sum_xx, sum_qx, sum_qq, d16):
    """sum (x - d16 q)^2 expanded as BlockQuant.squaredError: sum_xx - 2 d sum_qx + d d sum_qq."""
    d = d16.astype(np.float32)
    return ((sum_xx - np.float32(2) * d * sum_qx).astype(np.float32) + d * d * sum_qq).astype(np.float32)


def q4_0(w):
    """float32 [rows, cols] -> (d16 float16 [blocks], nibbles uint8 [blocks, 32], value order).

    Tandem's Q4_0 quantizer (BlockQuant.q4Block): ggml's reference block, then 19 candidate inverse
    scales -(8 + s/10) / m (s = -9..9, m the value of largest magnitude) with quants
    clamp(rint(x * iscale), -8, 7) and their least-squares scale sum(x q) / sum(q q); the block keeps
    the candidate with the smallest squared error under its float16 scale, computed as
    sum(x x) - 2 d sum(x q) + d^2 sum(q q) (strictly smaller replaces; blocks with max |x| < 1e-15
    keep the reference)."""
    b = w.reshape(-1, 32).astype(np.float32)
    d, m, best_q = q4_0_ref(b)
    sum_xx = np.zeros(len(b), np.float32)
    for j in range(32):
        sum_xx = (sum_xx + b[:, j] * b[:, j]).astype(np.float32)
    best_d16 = d.astype(np.float16)
    best_err = squared_error(sum_xx, *sums(b, best_q.astype(np.int32) - 8), best_d16)
    searched = np.abs(m) >= np.float32(1e-15)
    m_safe = np.where(searched, m, np.float32(1)).astype(np.float32)
    with np.errstate(all="ignore"):
        for s in range(-9, 10):
            iscale = (-(np.float32(8) + np.float32(0.1) * np.float32(s)) / m_safe).astype(np.float32)
            prod = (b * iscale[:, None]).astype(np.float32)
            q = np.clip(np.rint(prod), -8, 7).astype(np.int32)
            sum_qx, sum_qq = sums(b, q)
            d16 = (sum_qx / sum_qq).astype(np.float32).astype(np.float16)
            err = squared_error(sum_xx, sum_qx, sum_qq, d16)
            better = searched & (err < best_err)
            best_err = np.where(better, err, best_err)
            best_d16 = np.where(better, d16, best_d16)
            best_q = np.where(better[:, None], (q + 8).astype(np.uint8), best_q)
    return best_d16, best_q


def dequantize(fmt, w):
    d16, q = q8_0(w) if fmt == "Q8_0" else q4_0(w)
    qf = q.astype(np.float32) - (0 if fmt == "Q8_0" else 8)
    return (qf * d16.astype(np.float32)[:, None]).astype(np.float32).reshape(w.shape)


def block_bytes(fmt, w):
    """The ggml block bytes of w: per block, float16 scale then quants."""
    d16, q = q8_0(w) if fmt == "Q8_0" else q4_0(w)
    if fmt == "Q4_0":
        q = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    out = np.empty((len(d16), 2 + q.shape[1]), np.uint8)
    out[:, :2] = d16.astype("<f2").view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q.view(np.uint8)
    return out.tobytes()


def more_bits(i, n):
    """llama.cpp's use_more_bits (first and last eighth of the layers, every third between), and
    Tandem's one change: the first layer always."""
    return i < max(1, n // 8) or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def plan(name, w, cfg, quant):
    """The type Tandem's quantize-at-load gives tensor `name`, None when kept as stored."""
    linear, value_or_down, head = {"q8_0": ("Q8_0", "Q8_0", "Q8_0"), "q4": ("Q4_0", "Q8_0", "Q8_0")}[quant]
    if w.ndim != 2 or w.shape[1] % 32 != 0:
        return None
    if LINEAR.fullmatch(name):
        layer = int(name.split(".")[2])
        more = more_bits(layer, cfg["num_hidden_layers"])
        return value_or_down if more and name.endswith((".self_attn.v_proj.weight", ".mlp.down_proj.weight")) else linear
    if name == "lm_head.weight" or (name == "model.embed_tokens.weight" and cfg.get("tie_word_embeddings")):
        return head
    return None


def quantized(cfg, w, quant):
    out = {}
    for name, t in w.items():
        fmt = plan(name, t.numpy(), cfg, quant)
        out[name] = t if fmt is None else torch.from_numpy(dequantize(fmt, t.numpy()))
    return out


def splitmix64(z):
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def random_tensor(seed, shape, scale):
    """Values ((h >> 40) / 2^24 * 2 - 1) * scale of h = splitmix64(seed << 32 | i), float32."""
    n = int(np.prod(shape))
    with np.errstate(over="ignore"):
        h = splitmix64((np.uint64(seed) << np.uint64(32)) | np.arange(n, dtype=np.uint64))
    u = (h >> np.uint64(40)).astype(np.float32) / np.float32(16777216)
    return ((u * np.float32(2) - np.float32(1)) * np.float32(scale)).astype(np.float32).reshape(shape)


def random_model():
    """The weights QuantizedGoldenTest.RandomModel writes: tensor k (in this order) has seed k + 1;
    linear weights scale 1/sqrt(in), embeddings 1, norms all ones."""
    c = RANDOM_CFG
    d, ffn, hd = c["hidden_size"], c["intermediate_size"], c["hidden_size"] // c["num_attention_heads"]
    shapes = [("model.embed_tokens.weight", (c["vocab_size"], d), 1.0)]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes += [(p + "self_attn.q_proj.weight", (c["num_attention_heads"] * hd, d), None),
                   (p + "self_attn.k_proj.weight", (c["num_key_value_heads"] * hd, d), None),
                   (p + "self_attn.v_proj.weight", (c["num_key_value_heads"] * hd, d), None),
                   (p + "self_attn.o_proj.weight", (d, c["num_attention_heads"] * hd), None),
                   (p + "mlp.gate_proj.weight", (ffn, d), None),
                   (p + "mlp.up_proj.weight", (ffn, d), None),
                   (p + "mlp.down_proj.weight", (d, ffn), None)]
    shapes.append(("lm_head.weight", (c["vocab_size"], d), None))
    w = {}
    for k, (name, shape, scale) in enumerate(shapes):
        s = scale if scale is not None else float(np.float32(1 / np.sqrt(shape[1])))
        w[name] = torch.from_numpy(random_tensor(k + 1, shape, s))
    for i in range(c["num_hidden_layers"]):
        w[f"model.layers.{i}.input_layernorm.weight"] = torch.ones(d)
        w[f"model.layers.{i}.post_attention_layernorm.weight"] = torch.ones(d)
    w["model.norm.weight"] = torch.ones(d)
    return c, w


def case(label, cfg, w, quant, tokens):
    q = quantized(cfg, w, quant)
    ref = llama_reference.forward(cfg, q, tokens)
    base = llama_reference.forward(cfg, w, tokens)
    g_q, _ = llama_reference.greedy(cfg, q, tokens[:4], 16)
    g_b, _ = llama_reference.greedy(cfg, w, tokens[:4], 16)
    agree = sum(1 for a, b in zip(g_q, g_b) if a == b)
    first_diff = next((i for i, (a, b) in enumerate(zip(g_q, g_b)) if a != b), len(g_q))
    report = {"max_abs_logit_diff_vs_unquantized": float((ref - base).abs().max()),
              "greedy_same_prefix_of_16": first_diff, "greedy_same_positions_of_16": agree}
    print(f"{label:24s} {quant:5s} {report}")
    rows = ref[-2:].numpy()
    return {"model": label, "quantize": quant, "tokens": tokens, "first_row": len(tokens) - 2,
            "logits": [[float(f"{v:.7g}") for v in r] for r in rows], "report": report}


def goldens():
    torch.set_grad_enabled(False)
    models = [(n, os.path.join(TINY, n)) for n in ("tiny-gqa-f32", "tiny-mqa-bf16-tied", "tiny-mha-f16-sharded")]
    models += [(n, os.path.join(FIXTURES, n)) for n in ("tandem-draft", "tandem-verifier")]
    cases = []
    for label, path in models:
        cfg, w = llama_reference.load(path)
        vocab = cfg["vocab_size"]
        tokens = [(i * 37 + 5) % vocab for i in range(8)]
        for quant in ("q8_0", "q4"):
            cases.append(case(label, cfg, w, quant, tokens))
    cfg, w = random_model()
    tokens = [(i * 101 + 3) % cfg["vocab_size"] for i in range(8)]
    for quant in ("q8_0", "q4"):
        cases.append(case("random", cfg, w, quant, tokens))
    with open(OUT, "w") as f:
        json.dump({"generator": "tools/reference/quant_reference.py", "cases": cases}, f)
        f.write("\n")
    print("wrote", OUT)


def read_gguf(path):
    """{name: (ggml type, shape outermost first, raw bytes)} of a GGUF v3 file."""
    raw = open(path, "rb").read()
    assert raw[:4] == b"GGUF", path
    version, n_tensors, n_kv = struct.unpack_from("<IQQ", raw, 4)
    at, align = 24, 32

    def string(at):
        (n,) = struct.unpack_from("<Q", raw, at)
        return raw[at + 8:at + 8 + n].decode(), at + 8 + n

    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip(t, at):
        if t == 8:
            return string(at)[1]
        if t == 9:
            et, n = struct.unpack_from("<IQ", raw, at)
            at += 12
            for _ in range(n):
                at = skip(et, at)
            return at
        return at + sizes[t]

    for _ in range(n_kv):
        key, at = string(at)
        (t,) = struct.unpack_from("<I", raw, at)
        at += 4
        if key == "general.alignment":
            (align,) = struct.unpack_from("<I", raw, at)
        at = skip(t, at)
    infos = []
    for _ in range(n_tensors):
        name, at = string(at)
        (nd,) = struct.unpack_from("<I", raw, at)
        dims = struct.unpack_from(f"<{nd}Q", raw, at + 4)
        typ, off = struct.unpack_from("<IQ", raw, at + 4 + 8 * nd)
        at += 4 + 8 * nd + 12
        infos.append((name, typ, list(reversed(dims)), off))
    start = (at + align - 1) // align * align
    per = {0: (1, 4), 1: (1, 2), 30: (1, 2), 8: (32, 34), 2: (32, 18)}
    out = {}
    for name, typ, shape, off in infos:
        bs, bb = per[typ]
        n = int(np.prod(shape)) // bs * bb
        out[name] = (typ, shape, raw[start + off:start + off + n])
    return out


def check_gguf(src, gguf_dir, quant):
    cfg, w = llama_reference.load(src)
    tensors = read_gguf(os.path.join(gguf_dir, "model.gguf"))
    bad = 0
    for name, t in w.items():
        fmt = plan(name, t.numpy(), cfg, quant)
        typ, shape, data = tensors[name]
        if fmt is None:
            continue
        want = block_bytes(fmt, t.numpy())
        same = want == data and typ == {"Q8_0": 8, "Q4_0": 2}[fmt]
        bad += not same
        if not same:
            print("DIFFERENT", name, fmt, typ)
    quantized = sum(plan(n, t.numpy(), cfg, quant) is not None for n, t in w.items())
    print(f"{quantized} quantized tensors checked, {bad} differ")
    return bad == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-gguf", nargs=3, metavar=("SRC", "GGUF_DIR", "QUANT"))
    a = ap.parse_args()
    if a.check_gguf:
        sys.exit(0 if check_gguf(*a.check_gguf) else 1)
    goldens()


if __name__ == "__main__":
    main()
