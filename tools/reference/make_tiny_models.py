"""Creates the tiny random-weight test models and their golden logits.

Writes under model/src/test/resources/models/:
  tokenizer.json                 byte-level BPE (256 byte tokens + 14 merges + <|endoftext|>)
  tiny-gqa-f32/                  GQA (4 heads, 2 KV heads), untied head, F32
  tiny-mqa-bf16-tied/            MQA (6 heads, 1 KV head), tied embeddings, BF16, eos as a list
  tiny-mha-f16-sharded/          MHA, untied, F16, two shards + model.safetensors.index.json
Each model dir gets config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
weights and golden.json:
  {"sequences": [{"tokens": [...], "logits": [[vocab floats] per position]}],
   "greedy": [{"prompt": [...], "tokens": [...], "min_margin": float}]}
computed by llama_reference.py (PyTorch, float32). Fixed seed: reruns give identical files.

Usage: /usr/bin/python3 tools/reference/make_tiny_models.py
"""
import json
import os
import shutil

import numpy as np
import torch

import llama_reference
import safetensors_io

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "model", "src", "test", "resources", "models")
VOCAB = 272  # 271 tokenizer entries + one id the tokenizer never produces

MODELS = [
    dict(name="tiny-gqa-f32", dtype="F32", hidden=64, inter=128, heads=4, kv=2, tied=False,
         theta=10000.0, eps=1e-5, eos=0, shards=1),
    dict(name="tiny-mqa-bf16-tied", dtype="BF16", hidden=48, inter=96, heads=6, kv=1, tied=True,
         theta=500000.0, eps=1e-6, eos=[0, 270], shards=1),
    dict(name="tiny-mha-f16-sharded", dtype="F16", hidden=32, inter=64, heads=4, kv=4, tied=False,
         theta=10000.0, eps=1e-5, eos=0, shards=2),
]
MERGES = ["Ġ t", "h e", "i n", "Ġt he", "e r", "a n", "Ġ a", "o n", "r e", "Ġ s", "e d", "i s",
          "o r", "Ġ w"]


def bytes_to_unicode():
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def tokenizer_json():
    enc = bytes_to_unicode()
    vocab = {"<|endoftext|>": 0}
    for b in range(256):
        vocab[enc[b]] = 1 + b
    for m in MERGES:
        vocab[m.replace(" ", "")] = len(vocab)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                  "use_regex": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": False,
                          "special": True}],
        "normalizer": None, "pre_tokenizer": byte_level,
        "post_processor": dict(byte_level, trim_offsets=False), "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": MERGES},
    }


def weights(spec, rng):
    d, f, hd = spec["hidden"], spec["inter"], spec["hidden"] // spec["heads"]

    def lin(out_f, in_f):
        return rng.normal(0, 1 / np.sqrt(in_f), (out_f, in_f)).astype(np.float32)

    def norm(n):
        return (1 + 0.1 * rng.normal(size=n)).astype(np.float32)

    w = {"model.embed_tokens.weight": rng.normal(0, 1, (VOCAB, d)).astype(np.float32)}
    for i in range(2):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm(d)
        w[p + "self_attn.q_proj.weight"] = lin(spec["heads"] * hd, d)
        w[p + "self_attn.k_proj.weight"] = lin(spec["kv"] * hd, d)
        w[p + "self_attn.v_proj.weight"] = lin(spec["kv"] * hd, d)
        w[p + "self_attn.o_proj.weight"] = lin(d, spec["heads"] * hd)
        w[p + "post_attention_layernorm.weight"] = norm(d)
        w[p + "mlp.gate_proj.weight"] = lin(f, d)
        w[p + "mlp.up_proj.weight"] = lin(f, d)
        w[p + "mlp.down_proj.weight"] = lin(d, f)
    w["model.norm.weight"] = norm(d)
    if not spec["tied"]:
        w["lm_head.weight"] = 3 * lin(VOCAB, d)
    return w


def config(spec):
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "hidden_size": spec["hidden"], "intermediate_size": spec["inter"],
        "num_hidden_layers": 2, "num_attention_heads": spec["heads"],
        "num_key_value_heads": spec["kv"], "rms_norm_eps": spec["eps"],
        "rope_theta": spec["theta"], "max_position_embeddings": 128, "vocab_size": VOCAB,
        "tie_word_embeddings": spec["tied"], "bos_token_id": 0, "eos_token_id": spec["eos"],
        "hidden_act": "silu", "torch_dtype": {"F32": "float32", "BF16": "bfloat16",
                                              "F16": "float16"}[spec["dtype"]],
    }


def write_weights(d, spec, w):
    if spec["shards"] == 1:
        safetensors_io.write(os.path.join(d, "model.safetensors"), w, spec["dtype"])
        return
    names = list(w)
    half = len(names) // 2
    weight_map = {}
    for s, part in enumerate([names[:half], names[half:]]):
        fname = f"model-{s + 1:05d}-of-00002.safetensors"
        safetensors_io.write(os.path.join(d, fname), {n: w[n] for n in part}, spec["dtype"])
        weight_map.update({n: fname for n in part})
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=1)


def golden(d, rng):
    cfg, w = llama_reference.load(d)
    seqs = [rng.integers(0, VOCAB, 12).tolist(), rng.integers(1, 271, 9).tolist()]
    out = {"sequences": [], "greedy": []}
    for s in seqs:
        logits = llama_reference.forward(cfg, w, s)
        out["sequences"].append(
            {"tokens": s, "logits": [[round(float(v), 6) for v in row] for row in logits]})
    for prompt in (seqs[0][:5], seqs[1][:3]):
        tokens, margin = llama_reference.greedy(cfg, w, prompt, 16)
        out["greedy"].append({"prompt": prompt, "tokens": tokens, "min_margin": margin})
        print(f"  greedy from {prompt}: {tokens} (min top-2 margin {margin:.4f})")
    with open(os.path.join(d, "golden.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


def main():
    torch.set_grad_enabled(False)
    os.makedirs(OUT, exist_ok=True)
    tok_path = os.path.join(OUT, "tokenizer.json")
    with open(tok_path, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(), f, ensure_ascii=False, indent=1)
    for i, spec in enumerate(MODELS):
        rng = np.random.default_rng(1234 + i)
        d = os.path.join(OUT, spec["name"])
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config(spec), f, indent=1)
        gen = {"bos_token_id": 0, "eos_token_id": spec["eos"]}
        if i == 0:
            gen.update(do_sample=True, temperature=0.8, top_k=40, top_p=0.9)
        with open(os.path.join(d, "generation_config.json"), "w") as f:
            json.dump(gen, f, indent=1)
        shutil.copy(tok_path, os.path.join(d, "tokenizer.json"))
        with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
            json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|endoftext|>",
                       "eos_token": {"content": "<|endoftext|>", "special": True}}, f, indent=1)
        write_weights(d, spec, weights(spec, rng))
        print(spec["name"])
        golden(d, rng)


if __name__ == "__main__":
    main()
