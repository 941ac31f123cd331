#!/usr/bin/env python3
"""One worldring training step, written in PyTorch: the peer `worldring bench peer-torch` compares with.

The model is worldring's LLaMA-2-style decoder (model/src/main/java/io/worldring/model): token embedding;
blocks of RMSNorm, grouped-query attention with RoPE on adjacent pairs (Meta's and llama2.c's order) and
a causal mask, RMSNorm, SwiGLU; final RMSNorm; an untied (or tied) LM head. The step is worldring's: mean
cross-entropy over every token, backward, global-norm clipping at 1.0, AdamW (LWM's betas 0.9/0.95,
eps 1e-8, weight decay 0.1 on matrices only). Weights start as worldring's do: norms at 1, matrices
N(0, 0.02), o_proj and down_proj scaled by 1/sqrt(2 layers). float32 throughout.

The shape comes from the command line (the Java side passes its ModelConfig), so the two cannot drift.
Prints one JSON object on stdout: median seconds of the timed steps after one warm-up step, tokens/s,
the parameter count (checked against worldring's), the final loss, and the environment.
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dim", type=int, required=True)
    p.add_argument("--layers", type=int, required=True)
    p.add_argument("--heads", type=int, required=True)
    p.add_argument("--kv-heads", type=int, required=True)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--vocab", type=int, required=True)
    p.add_argument("--norm-eps", type=float, default=1e-5)
    p.add_argument("--rope-theta", type=float, default=10000.0)
    p.add_argument("--tied-embeddings", action="store_true")
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    if a.heads % a.kv_heads != 0 or a.dim % a.heads != 0 or (a.dim // a.heads) % 2 != 0:
        p.error("heads must be a multiple of kv-heads, and dim / heads an even whole number")
    if min(a.seq, a.batch, a.repeats, a.threads) < 1:
        p.error("seq, batch, repeats and threads must be positive")
    return a


def blas_libraries():
    """The BLAS and LAPACK libraries this process has loaded (Linux), resolved through their symlinks: a
    torch that links the generic libblas.so.3 gets whichever implementation the system provides, and
    Debian's default is the slow reference BLAS unless an optimised one (libopenblas0) is installed."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path)
                if "blas" in name or "lapack" in name or "mkl" in name:
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def main():
    args = parse_args()
    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except ImportError as e:
        print(f"peer_torch: torch not available ({e})", file=sys.stderr)
        return 3

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(args.seed)
    sdpa = getattr(F, "scaled_dot_product_attention", None)

    class RmsNorm(nn.Module):
        def __init__(self, dim, eps):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(dim))
            self.eps = eps

        def forward(self, x):  # x [batch, tokens, dim]
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight

    class RotaryEmbedding:
        """Rotates each head's adjacent pair (x[2i], x[2i+1]) by pos * theta^(-2i/headDim)."""

        def __init__(self, head_dim, theta, seq):
            freq = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)  # [headDim/2]
            angles = torch.outer(torch.arange(seq, dtype=torch.float64), freq)  # [tokens, headDim/2]
            self.cos = angles.cos().float()
            self.sin = angles.sin().float()

        def rotate(self, x):  # x [batch, heads, tokens, headDim]
            pairs = x.unflatten(-1, (-1, 2))  # [batch, heads, tokens, headDim/2, 2]
            x0, x1 = pairs[..., 0], pairs[..., 1]
            out0 = x0 * self.cos - x1 * self.sin
            out1 = x0 * self.sin + x1 * self.cos
            return torch.stack((out0, out1), dim=-1).flatten(-2)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads, self.kv_heads = args.heads, args.kv_heads
            self.head_dim = args.dim // args.heads
            self.q_proj = nn.Linear(args.dim, args.heads * self.head_dim, bias=False)
            self.k_proj = nn.Linear(args.dim, args.kv_heads * self.head_dim, bias=False)
            self.v_proj = nn.Linear(args.dim, args.kv_heads * self.head_dim, bias=False)
            self.o_proj = nn.Linear(args.heads * self.head_dim, args.dim, bias=False)

        def forward(self, x, rope, mask):  # x [batch, tokens, dim]
            b, t, _ = x.shape
            q = rope.rotate(self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2))  # [b, heads, t, hd]
            k = rope.rotate(self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2))  # [b, kvHeads, t, hd]
            v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)  # [b, kvHeads, t, hd]
            group = self.heads // self.kv_heads  # query heads [g*j, g*(j+1)) share key/value head j
            k = k.repeat_interleave(group, dim=1)  # [b, heads, t, hd]
            v = v.repeat_interleave(group, dim=1)  # [b, heads, t, hd]
            if sdpa is not None:
                out = sdpa(q, k, v, is_causal=True)
            else:
                scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))  # [b, heads, t, t]
                out = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v  # [b, heads, t, hd]
            return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))

    class SwiGluMlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.gate_proj = nn.Linear(args.dim, args.hidden, bias=False)
            self.up_proj = nn.Linear(args.dim, args.hidden, bias=False)
            self.down_proj = nn.Linear(args.hidden, args.dim, bias=False)

        def forward(self, x):
            return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))

    class TransformerBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.input_layernorm = RmsNorm(args.dim, args.norm_eps)
            self.self_attn = Attention()
            self.post_attention_layernorm = RmsNorm(args.dim, args.norm_eps)
            self.mlp = SwiGluMlp()

        def forward(self, x, rope, mask):
            x = x + self.self_attn(self.input_layernorm(x), rope, mask)
            return x + self.mlp(self.post_attention_layernorm(x))

    class Llama(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed_tokens = nn.Embedding(args.vocab, args.dim)
            self.layers = nn.ModuleList(TransformerBlock() for _ in range(args.layers))
            self.norm = RmsNorm(args.dim, args.norm_eps)
            self.lm_head = None if args.tied_embeddings else nn.Linear(args.dim, args.vocab, bias=False)
            residual_std = 0.02 / math.sqrt(2 * args.layers)
            for name, p in self.named_parameters():
                if p.dim() == 2:
                    std = residual_std if name.endswith(("o_proj.weight", "down_proj.weight")) else 0.02
                    nn.init.normal_(p, 0.0, std)

        def forward(self, tokens, rope, mask):  # tokens [batch, tokens]
            x = self.embed_tokens(tokens)
            for layer in self.layers:
                x = layer(x, rope, mask)
            x = self.norm(x)
            return x @ self.embed_tokens.weight.t() if self.lm_head is None else self.lm_head(x)

    model = Llama()
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    rope = RotaryEmbedding(args.dim // args.heads, args.rope_theta, args.seq)
    mask = None if sdpa is not None else torch.ones(args.seq, args.seq, dtype=torch.bool).triu(1)  # True: masked
    window = torch.randint(0, min(256, args.vocab), (args.batch, args.seq + 1))
    inputs, targets = window[:, :-1], window[:, 1:]

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(inputs, rope, mask)  # [batch, tokens, vocab]
        loss = F.cross_entropy(logits.reshape(-1, args.vocab), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    step()  # warm-up
    seconds = []
    loss = float("nan")
    for _ in range(args.repeats):
        start = time.perf_counter()
        loss = step()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    blas = blas_libraries()
    if any(os.sep + "blas" + os.sep in path for path in blas):
        print("peer_torch: torch runs on the reference BLAS (" + ", ".join(blas) + "); an optimised one "
              "(Debian: apt-get install libopenblas0-pthread) is what a fair comparison needs", file=sys.stderr)
    print(json.dumps({
        "bench": "peer-torch",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "attention": "scaled_dot_product_attention" if sdpa is not None else "explicit causal softmax",
        "blas_libraries": blas,
        "parameters": sum(p.numel() for p in model.parameters()),
        "seq": args.seq,
        "batch": args.batch,
        "repeats": args.repeats,
        "median_seconds": median,
        "tokens_per_second": args.seq * args.batch / median,
        "loss": loss,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
