"""PyTorch decode speed on the same weights, for the ratio reported in BENCHMARKS.md.

Greedy decoding at batch 1 with a KV cache (the fair comparison to the Java runtime's decode
step): a 16-token prompt, then N one-token steps, float32 compute (weights widened from the file
once); tokens/s = 1 / median step time over 3 runs after a warm-up, as in ModelBench. Threads set with torch.set_num_threads (default 1, like ModelBench).

Usage: /usr/bin/python3 tools/reference/bench_reference.py MODEL_DIR... [--tokens 128] [--threads 1]
"""
import argparse
import os
import sys
import time


def _threads_from_argv():
    return sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"


# Before torch loads: OpenBLAS and OpenMP read these once, so torch.set_num_threads alone leaves
# OpenBLAS's own pthreads running beside the measured thread.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()

import torch  # noqa: E402

import llama_reference  # noqa: E402


class CachedLlama:
    """llama_reference.forward restructured for incremental decoding with a KV cache."""

    def __init__(self, cfg, w):
        self.cfg, self.w = cfg, w
        self.dim = cfg["hidden_size"]
        self.n_heads = cfg["num_attention_heads"]
        self.n_kv = cfg.get("num_key_value_heads", self.n_heads)
        self.head_dim = cfg.get("head_dim", self.dim // self.n_heads)
        self.eps = cfg["rms_norm_eps"]
        self.layers = cfg["num_hidden_layers"]
        self.cos, self.sin = llama_reference.rope(
            self.head_dim, cfg.get("rope_theta", 10000.0), cfg["max_position_embeddings"])
        head = w.get("lm_head.weight")
        self.head = w["model.embed_tokens.weight"] if head is None else head
        # transposed once so every step is a plain x @ W
        self.t = {k: v.T.contiguous() for k, v in w.items() if v.dim() == 2}
        self.head_t = self.head.T.contiguous()

    def reset(self):
        self.k = [None] * self.layers
        self.v = [None] * self.layers
        self.pos = 0

    def step(self, tokens):
        w, t, seq = self.w, self.t, len(tokens)
        cos = self.cos[self.pos:self.pos + seq]
        sin = self.sin[self.pos:self.pos + seq]
        x = w["model.embed_tokens.weight"][torch.tensor(tokens)]
        for i in range(self.layers):
            p = f"model.layers.{i}."
            h = llama_reference.rms_norm(x, w[p + "input_layernorm.weight"], self.eps)
            q = (h @ t[p + "self_attn.q_proj.weight"]).view(seq, self.n_heads, self.head_dim).transpose(0, 1)
            k = (h @ t[p + "self_attn.k_proj.weight"]).view(seq, self.n_kv, self.head_dim).transpose(0, 1)
            v = (h @ t[p + "self_attn.v_proj.weight"]).view(seq, self.n_kv, self.head_dim).transpose(0, 1)
            q = q * cos + llama_reference.rotate_half(q) * sin
            k = k * cos + llama_reference.rotate_half(k) * sin
            self.k[i] = k if self.k[i] is None else torch.cat((self.k[i], k), dim=1)
            self.v[i] = v if self.v[i] is None else torch.cat((self.v[i], v), dim=1)
            rep = self.n_heads // self.n_kv
            kk = self.k[i].repeat_interleave(rep, dim=0)
            vv = self.v[i].repeat_interleave(rep, dim=0)
            att = (q @ kk.transpose(1, 2)) / (self.head_dim ** 0.5)
            if seq > 1:
                mask = torch.full((seq, self.pos + seq), float("-inf")).triu(self.pos + 1)
                att = att + mask
            o = (torch.softmax(att, dim=-1) @ vv).transpose(0, 1).reshape(seq, -1)
            x = x + o @ t[p + "self_attn.o_proj.weight"]
            h = llama_reference.rms_norm(x, w[p + "post_attention_layernorm.weight"], self.eps)
            g = torch.nn.functional.silu(h @ t[p + "mlp.gate_proj.weight"]) * (h @ t[p + "mlp.up_proj.weight"])
            x = x + g @ t[p + "mlp.down_proj.weight"]
        x = llama_reference.rms_norm(x[-1:], w["model.norm.weight"], self.eps)
        self.pos += seq
        return (x @ self.head_t)[0]


def bench(model_dir, tokens, threads):
    torch.set_num_threads(threads)
    cfg, w = llama_reference.load(model_dir)
    m = CachedLlama(cfg, w)
    vocab = cfg["vocab_size"]
    prompt = [(i * 31 + 7) % vocab for i in range(16)]
    full = llama_reference.forward(cfg, w, prompt)[-1]
    m.reset()
    assert torch.allclose(m.step(prompt), full, atol=1e-4), "cached decode disagrees with reference"
    steps = min(tokens, cfg["max_position_embeddings"] - len(prompt) - 9)  # as ModelBench
    times, cpu = [], []
    for run in range(4):  # first run is warm-up
        m.reset()
        logits = m.step(prompt)
        for _ in range(steps):
            c0 = time.thread_time()
            t0 = time.perf_counter()
            logits = m.step([int(torch.argmax(logits))])
            if run > 0:
                times.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
    times.sort()
    cpu.sort()
    params = sum(v.numel() for v in w.values())
    print(f"{os.path.basename(os.path.normpath(model_dir)):24s} pytorch-{torch.__version__} "
          f"threads={threads} params={params / 1e6:.2f}M decode/s={1 / times[len(times) // 2]:.1f}"
          f" /cpu-s={1 / cpu[len(cpu) // 2]:.1f} (1 / median step, wall and thread CPU time)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dirs", nargs="+")
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_grad_enabled(False)
    for d in a.model_dirs:
        bench(d, a.tokens, a.threads)


if __name__ == "__main__":
    main()
