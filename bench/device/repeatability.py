"""How repeatable are the kernel timings of measure_hopper.py?  Times each bf16
GEMM shape in two passes with the read flush (200 runs: p10/median/p90) and once
with triton's write-flush do_bench, printing one line per shape and pass."""
import torch, torch.nn.functional as F, triton

_flush = torch.ones(64 << 20, dtype=torch.float32, device="cuda")


def bench(fn, reps=200):
    fn(); fn(); torch.cuda.synchronize()
    ev = []
    for _ in range(reps):
        _flush.sum()
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); ev.append((s, e))
    torch.cuda.synchronize()
    ms = sorted(a.elapsed_time(b) for a, b in ev)
    return ms[reps // 10], ms[reps // 2], ms[reps * 9 // 10]


shapes = [(2048, 2048, 2048), (4096, 4096, 4096), (4096, 6144, 4096), (1024, 8192, 1024),
          (1024, 1280, 8192), (256, 10240, 8192), (8192, 8192, 8192), (8, 8192, 8192)]
for p in range(2):
    for m, n, k in shapes:
        x = torch.randn(m, k, dtype=torch.bfloat16, device="cuda")
        w = torch.randn(n, k, dtype=torch.bfloat16, device="cuda")
        f = lambda: F.linear(x, w)
        lo, med, hi = bench(f)
        tw = triton.testing.do_bench(f, return_mode="median")
        fl = 2 * m * n * k / 1e9
        print(f"pass {p} m{m} n{n} k{k}: read-flush TFLOP/s p90-time {fl/hi:.0f} median {fl/med:.0f} "
              f"p10-time {fl/lo:.0f}; write-flush median {fl/tw:.0f}", flush=True)
