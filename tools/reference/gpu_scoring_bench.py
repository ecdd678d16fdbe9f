"""Cost of scoring k+1 positions in one forward against one decode step, on a GPU (or CPU).

For each batch size B and draft length k: a prefill of a CTX-token context for B sequences into a
preallocated KV cache, then one forward of k+1 new positions per sequence (logits at every one of
them, as a verifier needs), timed with CUDA events (perf_counter on CPU) around each forward, the
host's launches included; median of REPS repetitions after WARMUP, the cache position rolled back
after each so the context stays at CTX. float32 keeps strict fp32 matmuls (TF32 off, PyTorch's
default); bf16 weights and activations, norms and softmax in float32. --graphs adds rows with the
same forward captured once per (B, k) as a CUDA graph and replayed (no Python launch overhead).
Before timing, the cached forward is checked against llama_reference.forward (max abs logit
difference printed; float32 must be within 1e-3, else FAIL and exit status 1).

Usage: python3 tools/reference/gpu_scoring_bench.py MODEL_DIR... [--graphs] [--batches 1 8 32 128]
       [--ks 0 1 2 4 8] [--ctx 128] [--reps 30] [--warmup 5] [--dtypes float32 bfloat16]
       /usr/bin/python3 tools/reference/gpu_scoring_bench.py MODEL_DIR --cpu   # B=1, 1 thread, f32
"""
import argparse
import os
import statistics
import sys
import time

if "--cpu" in sys.argv:  # before torch loads, as in bench_reference.py
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import llama_reference  # noqa: E402

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


class BatchedCachedLlama:
    """llama_reference.forward for B sequences at once with a preallocated KV cache: forward(tokens
    [B, T], pos) scores positions pos..pos+T-1 of every sequence, writing their K/V into the cache.
    Same RoPE / RMSNorm / GQA / SwiGLU math; nothing is copied from the host inside forward, so it
    can be captured as a CUDA graph."""

    def __init__(self, cfg, w, device, dtype, max_len):
        self.dtype, self.device = dtype, device
        self.dim = cfg["hidden_size"]
        self.n_heads = cfg["num_attention_heads"]
        self.n_kv = cfg.get("num_key_value_heads", self.n_heads)
        self.rep = self.n_heads // self.n_kv
        self.head_dim = cfg.get("head_dim", self.dim // self.n_heads)
        self.eps = cfg["rms_norm_eps"]
        self.layers = cfg["num_hidden_layers"]
        self.max_len = max_len
        cos, sin = llama_reference.rope(self.head_dim, cfg.get("rope_theta", 10000.0), max_len)
        self.cos, self.sin = cos.to(device, dtype), sin.to(device, dtype)
        # mask[pos:pos+T, :pos+T] is the causal mask of T new rows after pos cached ones
        self.mask = torch.full((max_len, max_len), float("-inf")).triu(1).to(device, torch.float32)
        # 2-D weights in the compute dtype, norms in float32 (applied before the cast back)
        self.w = {k: v.to(device, dtype if v.dim() == 2 else torch.float32) for k, v in w.items()}
        head = self.w.get("lm_head.weight")
        if head is None or cfg.get("tie_word_embeddings", False):
            head = self.w["model.embed_tokens.weight"]
        self.w["head"] = head
        # on the CPU a plain x @ W on weights transposed once is ~2x faster than F.linear (as in
        # bench_reference.py); cuBLAS takes either layout, so the GPU keeps F.linear
        self.t = None
        if device.type == "cpu":
            self.t = {k: v.T.contiguous() for k, v in self.w.items() if v.dim() == 2}
        self.k = self.v = None

    def alloc(self, batch):
        self.k = self.v = None
        shape = (batch, self.n_kv, self.max_len, self.head_dim)
        self.k = [torch.zeros(shape, device=self.device, dtype=self.dtype) for _ in range(self.layers)]
        self.v = [torch.zeros(shape, device=self.device, dtype=self.dtype) for _ in range(self.layers)]

    def lin(self, x, wname):
        return F.linear(x, self.w[wname]) if self.t is None else x @ self.t[wname]

    def norm(self, x, wname):
        return llama_reference.rms_norm(x.float(), self.w[wname], self.eps).to(self.dtype)

    def forward(self, tokens, pos, all_logits=True):
        w, dt = self.w, self.dtype
        b, seq = tokens.shape
        end = pos + seq
        cos, sin = self.cos[pos:end], self.sin[pos:end]
        mask = self.mask[pos:end, :end] if seq > 1 else None
        x = F.embedding(tokens, w["model.embed_tokens.weight"])  # [B, T, dim]
        for i in range(self.layers):
            p = f"model.layers.{i}."
            h = self.norm(x, p + "input_layernorm.weight")
            q = self.lin(h, p + "self_attn.q_proj.weight").view(b, seq, self.n_heads, self.head_dim).transpose(1, 2)
            k = self.lin(h, p + "self_attn.k_proj.weight").view(b, seq, self.n_kv, self.head_dim).transpose(1, 2)
            v = self.lin(h, p + "self_attn.v_proj.weight").view(b, seq, self.n_kv, self.head_dim).transpose(1, 2)
            q = q * cos + llama_reference.rotate_half(q) * sin  # [B, heads, T, hd]
            k = k * cos + llama_reference.rotate_half(k) * sin
            self.k[i][:, :, pos:end] = k
            self.v[i][:, :, pos:end] = v
            kk, vv = self.k[i][:, :, :end], self.v[i][:, :, :end]  # [B, kv, L, hd], views
            # HF repeat_kv: head j uses kv head j // rep, so group the rep heads of each kv head
            qg = q.reshape(b, self.n_kv, self.rep * seq, self.head_dim)
            att = (qg @ kk.transpose(2, 3)) * (self.head_dim ** -0.5)  # [B, kv, rep*T, L]
            att = att.float().view(b, self.n_kv, self.rep, seq, end)
            if mask is not None:
                att = att + mask
            att = torch.softmax(att, dim=-1).to(dt).view(b, self.n_kv, self.rep * seq, end)
            o = (att @ vv).view(b, self.n_heads, seq, self.head_dim).transpose(1, 2).reshape(b, seq, -1)
            x = x + self.lin(o, p + "self_attn.o_proj.weight")
            h = self.norm(x, p + "post_attention_layernorm.weight")
            g = F.silu(self.lin(h, p + "mlp.gate_proj.weight")) * self.lin(h, p + "mlp.up_proj.weight")
            x = x + self.lin(g, p + "mlp.down_proj.weight")
        if not all_logits:
            x = x[:, -1:]
        return self.lin(self.norm(x, "model.norm.weight"), "head")  # [B, T or 1, vocab]


def check(cfg, w, device, dtype):
    """Max abs logit difference, cached batched forward vs llama_reference.forward (CPU, f32):
    2 sequences of 12 tokens, prefill 8, then one forward of the last 4 positions."""
    vocab = cfg["vocab_size"]
    seqs = [[(i * 31 + 7 + 13 * s) % vocab for i in range(12)] for s in range(2)]
    ref = torch.stack([llama_reference.forward(cfg, w, s) for s in seqs])  # [2, 12, vocab]
    m = BatchedCachedLlama(cfg, w, device, dtype, 16)
    m.alloc(2)
    toks = torch.tensor(seqs, device=device)
    first = m.forward(toks[:, :8], 0)
    rest = m.forward(toks[:, 8:], 8)
    got = torch.cat((first, rest), dim=1).float().cpu()
    return float((got - ref).abs().max()), float(ref.abs().max())


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_cell(fn, device, reps, warmup):
    """Median ms of fn() over reps runs after warmup; each run synchronized on its own."""
    for _ in range(warmup):
        fn()
    sync(device)
    times = []
    for _ in range(reps):
        if device.type == "cuda":
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record()
            fn()
            e1.record()
            e1.synchronize()
            times.append(e0.elapsed_time(e1))
        else:
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def graphed(fn, device):
    """fn captured as a CUDA graph (after warm-up on a side stream); returns the replay."""
    s = torch.cuda.Stream(device)
    s.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(s):
        for _ in range(3):
            fn()
    torch.cuda.current_stream(device).wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    return g.replay, g


def bench_model(model_dir, a, device):
    cfg, w = llama_reference.load(model_dir)
    name = os.path.basename(os.path.normpath(model_dir))
    params = sum(v.numel() for v in w.values())
    n_kv = cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    print(f"\n## {name}: {params / 1e6:.2f} M params (hidden {cfg['hidden_size']}, "
          f"{cfg['num_hidden_layers']} layers, {cfg['num_attention_heads']} heads / {n_kv} kv, "
          f"inter {cfg['intermediate_size']}, vocab {cfg['vocab_size']}); context {a.ctx}, "
          f"median of {a.reps} after {a.warmup} warm-up", flush=True)
    ok = True
    for dname in a.dtypes:
        dt = DTYPES[dname]
        diff, scale = check(cfg, w, device, dt)
        tol = 1e-3 if dt == torch.float32 else None
        bad = tol is not None and not diff <= tol
        ok &= not bad
        print(f"check {dname}: max |logit - reference| = {diff:.3g} (max |logit| {scale:.3g})"
              + (" FAIL" if bad else "" if tol is None else " ok") + ("" if tol else " (bf16: info only)"),
              flush=True)
    rng = torch.Generator().manual_seed(1)
    max_len = a.ctx + max(a.ks) + 1
    rows = []
    for dname in a.dtypes:
        dt = DTYPES[dname]
        m = BatchedCachedLlama(cfg, w, device, dt, max_len)
        for b in a.batches:
            m.alloc(b)
            ctx = torch.randint(0, cfg["vocab_size"], (b, a.ctx), generator=rng).to(device)
            new = torch.randint(0, cfg["vocab_size"], (b, max(a.ks) + 1), generator=rng).to(device)
            m.forward(ctx, 0, all_logits=False)  # prefill; later forwards overwrite [ctx, ctx+k]
            sync(device)
            modes = ["eager"] + (["graph"] if a.graphs else [])
            for mode in modes:
                cells = []
                for k in a.ks:
                    toks = new[:, :k + 1].contiguous()

                    def fn(toks=toks):
                        return m.forward(toks, a.ctx)  # position rolled back: always at ctx
                    try:
                        if mode == "graph":
                            fn, g = graphed(fn, device)
                        cells.append(time_cell(fn, device, a.reps, a.warmup))
                    except RuntimeError as e:  # e.g. out of memory, capture refused
                        print(f"{dname} {mode} B={b} k={k}: {type(e).__name__}: {str(e)[:200]}")
                        cells.append(None)
                    g = fn = None
                rows.append((dname, mode, b, cells))
                print(f"  {dname} {mode} B={b}: " + " ".join(
                    "-" if c is None else f"{c:.3f}" for c in cells) + " ms", flush=True)
        m = None
        if device.type == "cuda":
            torch.cuda.empty_cache()
    table(rows, a.ks)
    return ok


def table(rows, ks):
    head = "| dtype | mode | B | " + " | ".join(f"k={k}" for k in ks) + " |"
    sep = "|---|---|---:|" + "---:|" * len(ks)
    print("\nms per forward of k+1 positions per sequence (× the k=0 step):\n")
    print(head)
    print(sep)
    for dname, mode, b, cells in rows:
        base = cells[0]
        print(f"| {dname} | {mode} | {b} | " + " | ".join(
            "-" if c is None else f"{c:.3f} ({c / base:.2f}×)" if base else f"{c:.3f}"
            for c in cells) + " |")
    print("\ntokens scored per second (B·(k+1) / time):\n")
    print(head)
    print(sep)
    for dname, mode, b, cells in rows:
        print(f"| {dname} | {mode} | {b} | " + " | ".join(
            "-" if c is None else f"{b * (k + 1) / (c / 1e3):,.0f}" for k, c in zip(ks, cells)) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dirs", nargs="+")
    ap.add_argument("--cpu", action="store_true", help="CPU, 1 thread, B=1, float32")
    ap.add_argument("--graphs", action="store_true", help="also time CUDA-graph replays")
    ap.add_argument("--batches", type=int, nargs="+")
    ap.add_argument("--ks", type=int, nargs="+", default=[0, 1, 2, 4, 8])
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--dtypes", nargs="+", choices=sorted(DTYPES))
    a = ap.parse_args()
    assert a.ks[0] == 0, "ratios are to the first k, which must be 0"
    torch.set_grad_enabled(False)
    if a.cpu:
        torch.set_num_threads(1)
        device = torch.device("cpu")
        a.batches = a.batches or [1]
        a.dtypes = a.dtypes or ["float32"]
        a.graphs = False
        print(f"pytorch {torch.__version__} on CPU, threads={torch.get_num_threads()}")
    else:
        assert torch.cuda.is_available(), "no CUDA device (use --cpu)"
        device = torch.device("cuda")
        a.batches = a.batches or [1, 8, 32, 128]
        a.dtypes = a.dtypes or ["float32", "bfloat16"]
        pr = torch.cuda.get_device_properties(device)
        print(f"pytorch {torch.__version__} (CUDA {torch.version.cuda}) on {pr.name}, "
              f"{pr.multi_processor_count} SMs, {pr.total_memory / 2**30:.0f} GiB; "
              f"TF32 matmul {torch.backends.cuda.matmul.allow_tf32}")
    ok = True
    for d in a.model_dirs:
        ok &= bench_model(d, a, device)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
