"""Writes a random-weight LLaMA model of a chosen size for benchmarks (not committed).

Usage: /usr/bin/python3 tools/reference/make_bench_model.py OUT_DIR [--hidden 512 --layers 8
       --heads 8 --kv 4 --inter 1408 --vocab 2048 --dtype BF16]
"""
import argparse
import json
import os

import numpy as np

import safetensors_io


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv", type=int, default=4)
    ap.add_argument("--inter", type=int, default=1408)
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--dtype", default="BF16", choices=["F32", "F16", "BF16"])
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    d, hd = a.hidden, a.hidden // a.heads

    def lin(o, i):
        return rng.normal(0, 1 / np.sqrt(i), (o, i)).astype(np.float32)

    w = {"model.embed_tokens.weight": rng.normal(0, 1, (a.vocab, d)).astype(np.float32)}
    for i in range(a.layers):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = np.ones(d, np.float32)
        w[p + "self_attn.q_proj.weight"] = lin(a.heads * hd, d)
        w[p + "self_attn.k_proj.weight"] = lin(a.kv * hd, d)
        w[p + "self_attn.v_proj.weight"] = lin(a.kv * hd, d)
        w[p + "self_attn.o_proj.weight"] = lin(d, a.heads * hd)
        w[p + "post_attention_layernorm.weight"] = np.ones(d, np.float32)
        w[p + "mlp.gate_proj.weight"] = lin(a.inter, d)
        w[p + "mlp.up_proj.weight"] = lin(a.inter, d)
        w[p + "mlp.down_proj.weight"] = lin(d, a.inter)
    w["model.norm.weight"] = np.ones(d, np.float32)
    w["lm_head.weight"] = lin(a.vocab, d)
    os.makedirs(a.out, exist_ok=True)
    safetensors_io.write(os.path.join(a.out, "model.safetensors"), w, a.dtype)
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": d,
           "intermediate_size": a.inter, "num_hidden_layers": a.layers,
           "num_attention_heads": a.heads, "num_key_value_heads": a.kv, "rms_norm_eps": 1e-5,
           "rope_theta": 10000.0, "max_position_embeddings": 512, "vocab_size": a.vocab,
           "tie_word_embeddings": False, "bos_token_id": 0, "eos_token_id": 0,
           "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[a.dtype]}
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    n = sum(v.size for v in w.values())
    print(f"{a.out}: {n / 1e6:.1f} M parameters, {a.dtype}")


if __name__ == "__main__":
    main()
