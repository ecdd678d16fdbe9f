"""Independent reference for the LLaMA forward pass, for golden values.

A functional PyTorch re-implementation of Hugging Face's `LlamaForCausalLM` (RMSNorm, rotate_half
RoPE, grouped-query attention, SwiGLU MLP, tied or untied output head) computed in float32 from a
weight dict. It reads `config.json` and `model.safetensors` (or the sharded
`model.safetensors.index.json`) itself; it shares no code with the Java runtime.

Usage (Debian's python has torch):
  /usr/bin/python3 tools/reference/llama_reference.py MODEL_DIR --tokens 1 2 3
"""
import argparse
import json
import os

import numpy as np
import torch

import safetensors_io


def load(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    index = os.path.join(model_dir, "model.safetensors.index.json")
    weights = {}
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
        for name in files:
            weights.update(safetensors_io.read(os.path.join(model_dir, name)))
    else:
        weights = safetensors_io.read(os.path.join(model_dir, "model.safetensors"))
    return cfg, {k: torch.from_numpy(v) for k, v in weights.items()}


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return x * torch.rsqrt(var + eps) * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope(head_dim, theta, seq_len):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    t = torch.arange(seq_len, dtype=torch.float32)
    freqs = torch.outer(t, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()  # [seq, head_dim]


def forward(cfg, w, tokens):
    """tokens: list[int] -> logits [seq, vocab] (float32), one causal pass from position 0."""
    dim = cfg["hidden_size"]
    n_heads = cfg["num_attention_heads"]
    n_kv = cfg.get("num_key_value_heads", n_heads)
    head_dim = cfg.get("head_dim", dim // n_heads)
    eps = cfg["rms_norm_eps"]
    seq = len(tokens)
    cos, sin = rope(head_dim, cfg.get("rope_theta", 10000.0), seq)
    mask = torch.full((seq, seq), float("-inf")).triu(1)

    x = w["model.embed_tokens.weight"][torch.tensor(tokens)]  # [seq, dim]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(seq, n_heads, head_dim).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(seq, n_kv, head_dim).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(seq, n_kv, head_dim).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin  # [heads, seq, head_dim]
        k = k * cos + rotate_half(k) * sin
        rep = n_heads // n_kv  # HF repeat_kv: head j uses kv head j // rep
        k = k.repeat_interleave(rep, dim=0)
        v = v.repeat_interleave(rep, dim=0)
        att = (q @ k.transpose(1, 2)) / (head_dim ** 0.5) + mask
        att = torch.softmax(att.float(), dim=-1)
        o = (att @ v).transpose(0, 1).reshape(seq, n_heads * head_dim)
        x = x + o @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w.get("lm_head.weight")
    if head is None or cfg.get("tie_word_embeddings", False):
        head = w["model.embed_tokens.weight"]
    return x @ head.T


def greedy(cfg, w, prompt, n):
    """Greedy continuation of `prompt` by n tokens (full recompute each step; argmax, lowest id on
    ties). Also returns the smallest top-1/top-2 logit margin seen, to flag fragile goldens."""
    tokens = list(prompt)
    margin = float("inf")
    for _ in range(n):
        logits = forward(cfg, w, tokens)[-1]
        top2 = torch.topk(logits, 2).values
        margin = min(margin, float(top2[0] - top2[1]))
        tokens.append(int(torch.argmax(logits)))
    return tokens[len(prompt):], margin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--tokens", type=int, nargs="+", required=True)
    ap.add_argument("--greedy", type=int, default=0, help="also generate this many tokens")
    args = ap.parse_args()
    torch.set_grad_enabled(False)
    cfg, w = load(args.model_dir)
    logits = forward(cfg, w, args.tokens)
    np.set_printoptions(precision=5, suppress=True)
    print("logits[-1][:8] =", logits[-1][:8].numpy())
    if args.greedy:
        print("greedy =", greedy(cfg, w, args.tokens, args.greedy))


if __name__ == "__main__":
    main()
