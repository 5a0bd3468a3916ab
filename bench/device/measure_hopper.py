"""Kernel measurements on one Hopper GPU (H100/H200) for chipwright's accuracy cases.

Run on the GPU machine:  python3 bench/device/measure_hopper.py OUTDIR
Writes OUTDIR/cases.yaml (calibration-schema cases, README of
../shared/data/calibration) and OUTDIR/conditions.txt (GPU, driver, clocks,
power limit, library versions) and OUTDIR/power.txt (board power while a
kernel loops).  Timing: CUDA events around each run, L2 flushed by reading
256 MB before each run (see bench()), median of 200 runs.
"""
import json, os, subprocess, sys, threading, time

import torch
import torch.nn.functional as F
import triton
from torch.nn.attention import SDPBackend, sdpa_kernel

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
dev = torch.device("cuda")
props = torch.cuda.get_device_properties(0)
name = props.name
chip = "h200-sxm" if "H200" in name else "h100-sxm"
cases = []


# L2 flush by READING 256 MB (a sum): writing a buffer (triton's do_bench
# flush) leaves up to an L2's worth of dirty lines that the timed kernel then
# writes back to HBM, adding ~L2/bandwidth (~15 us on an H100) to every run.
_flush = torch.ones(64 << 20, dtype=torch.float32, device="cuda")


def bench(fn, reps=200):
    fn(); fn(); torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        _flush.sum()
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record()
        times.append((s, e))
    torch.cuda.synchronize()
    ms = sorted(a.elapsed_time(b) for a, b in times)
    return ms[len(ms) // 2] * 1e-3  # median, seconds


def smi(q):
    return subprocess.run(["nvidia-smi", "--query-gpu=" + q, "--format=csv,noheader,nounits"],
                          capture_output=True, text=True).stdout.strip()


SRC = (f"measured by chipwright bench/device/measure_hopper.py on one {name} "
       f"(torch {torch.__version__}, CUDA {torch.version.cuda}), 2026-11-25, median, L2 flushed by a 256 MB read")


def add(case):
    cases.append(case)
    print(json.dumps(case), flush=True)


# ---- the flush method matters for short kernels: one weight-streaming GEMM
# timed after a read flush, after a write flush (triton do_bench) and warm.
_xd = torch.randn(8, 8192, dtype=torch.bfloat16, device=dev)
_wd = torch.randn(8192, 8192, dtype=torch.bfloat16, device=dev)
t_read = bench(lambda: F.linear(_xd, _wd))
t_write = triton.testing.do_bench(lambda: F.linear(_xd, _wd), return_mode="median") * 1e-3
print(f"flush check m8 n8192 k8192 bf16: read-flush {t_read*1e6:.1f} us, "
      f"write-flush {t_write*1e6:.1f} us, 134 MB/3.0 TB/s = {134.2e6/3.0e12*1e6:.1f} us", flush=True)
del _xd, _wd

# ---- memory_stream: BabelStream-style triad a = b + s*c, 2^25 doubles per array
n = 1 << 25
a = torch.empty(n, dtype=torch.float64, device=dev)
b = torch.rand(n, dtype=torch.float64, device=dev)
c = torch.rand(n, dtype=torch.float64, device=dev)
t = bench(lambda: torch.add(b, c, alpha=0.4, out=a))
add(dict(id=f"dev-{chip}-stream-triad", kind="memory_stream", chip=chip, metric="tb_per_s",
         measured=round(3 * n * 8 / t / 1e12, 3), source=SRC, software="torch.add triad fp64 2^25"))
big = 1 << 30
x = torch.empty(big // 2, dtype=torch.bfloat16, device=dev)
y = torch.empty_like(x)
t = bench(lambda: y.copy_(x))
print("copy 1 GiB each way TB/s", 2 * big / t / 1e12, flush=True)
del a, b, c, x, y

# ---- gemm: x[m,k] @ W[n,k]^T as a serving engine's linear layer
FP8 = torch.float8_e4m3fn
gemm_shapes = [
    (8192, 8192, 8192), (4096, 4096, 4096), (16384, 16384, 16384), (2048, 2048, 2048),
    # Llama-3.1-8B tp1 layers: qkv, o, gate_up, down at prefill-size m
    (4096, 6144, 4096), (4096, 4096, 4096), (4096, 28672, 4096), (4096, 4096, 14336),
    # Llama-3.1-70B tp8 layers at mid m
    (1024, 1280, 8192), (1024, 8192, 1024), (1024, 7168, 8192), (1024, 8192, 3584),
    # decode-size m (weight streaming)
    (1, 6144, 4096), (8, 28672, 4096), (16, 4096, 14336), (32, 8192, 8192), (64, 28672, 8192),
    (128, 8192, 28672), (256, 10240, 8192), (512, 57344, 8192),
]
for m, nn_, k in gemm_shapes:
    xa = torch.randn(m, k, dtype=torch.bfloat16, device=dev)
    w = torch.randn(nn_, k, dtype=torch.bfloat16, device=dev) * 0.02
    t = bench(lambda: F.linear(xa, w))
    add(dict(id=f"dev-{chip}-gemm-bf16-m{m}-n{nn_}-k{k}", kind="gemm", chip=chip, m=m, n=nn_, k=k,
             dtype="bf16", metric="tflops", measured=round(2 * m * nn_ * k / t / 1e12, 3),
             source=SRC, software="torch F.linear (cuBLAS), bf16 out"))
    wq = w.to(FP8)
    one = torch.ones((), device=dev)
    ws = torch.tensor(0.02, device=dev)

    def fp8_linear():
        amax = xa.abs().amax().float()
        s = amax / 448.0
        xq = (xa / s).to(FP8)
        return torch._scaled_mm(xq, wq.t(), scale_a=s, scale_b=ws, out_dtype=torch.bfloat16)

    try:
        t = bench(fp8_linear)
    except Exception as e:  # cuBLASLt fp8 needs dims that are multiples of 16
        print(f"fp8 m{m} n{nn_} k{k} failed: {e}", flush=True)
        del xa, w, wq
        continue
    add(dict(id=f"dev-{chip}-gemm-fp8-m{m}-n{nn_}-k{k}", kind="gemm", chip=chip, m=m, n=nn_, k=k,
             dtype="fp8", metric="tflops", measured=round(2 * m * nn_ * k / t / 1e12, 3),
             source=SRC, software="torch dynamic per-tensor fp8 quantise (amax, scale, cast) + torch._scaled_mm (cuBLASLt), bf16 out"))
    xq = xa.to(FP8)
    t_bare = bench(lambda: torch._scaled_mm(xq, wq.t(), scale_a=one, scale_b=ws, out_dtype=torch.bfloat16))
    print(f"fp8 bare cuBLASLt m{m} n{nn_} k{k}: {2*m*nn_*k/t_bare/1e12:.1f} TFLOP/s "
          f"(with quantise {2*m*nn_*k/t/1e12:.1f})", flush=True)
    del xa, w, wq, xq

# ---- attention prefill: flash (FA2) and cuDNN backends, bf16
for (bsz, h, kvh, s, d, causal) in [(1, 16, 16, 16384, 128, False), (1, 16, 16, 16384, 128, True),
                                    (4, 32, 32, 4096, 128, True), (16, 32, 32, 1024, 128, True),
                                    (2, 64, 64, 8192, 128, True), (8, 32, 32, 2048, 64, False)]:
    q = torch.randn(bsz, h, s, d, dtype=torch.bfloat16, device=dev)
    k_ = torch.randn(bsz, kvh, s, d, dtype=torch.bfloat16, device=dev)
    v = torch.randn(bsz, kvh, s, d, dtype=torch.bfloat16, device=dev)
    flops = 4 * bsz * h * s * s * d / (2 if causal else 1)
    for backend, tag in [(SDPBackend.CUDNN_ATTENTION, "cudnn"), (SDPBackend.FLASH_ATTENTION, "flash-attention-2")]:
        try:
            with sdpa_kernel(backend):
                t = bench(lambda: F.scaled_dot_product_attention(q, k_, v, is_causal=causal))
        except Exception as e:  # backend refuses the shape
            print("attention", tag, "failed:", e, flush=True)
            continue
        add(dict(id=f"dev-{chip}-attn-{tag}-b{bsz}-h{h}-s{s}-d{d}-{'causal' if causal else 'full'}",
                 kind="attention", chip=chip, batch=bsz, heads=h, seq=s, head_dim=d, causal=causal,
                 dtype="bf16", metric="tflops", measured=round(flops / t / 1e12, 2), source=SRC,
                 software=f"torch SDPA {tag} backend"))
    del q, k_, v

# ---- decode attention: one new token per sequence, contiguous bf16 KV, GQA
# packed (the heads/kv_heads query heads of a KV head form the query rows of one
# flash call, as FlashDecoding does), kernel only (no rotary or KV write).
for (bsz, h, kvh, d, ctx) in [(16, 32, 8, 128, 512), (64, 8, 2, 128, 1024), (128, 32, 4, 128, 256),
                              (2, 16, 2, 128, 16384), (32, 64, 8, 128, 2048), (64, 32, 8, 128, 8192),
                              (128, 8, 1, 128, 8192), (4, 16, 4, 128, 2048), (256, 32, 8, 128, 1024),
                              (8, 64, 8, 128, 32768)]:
    g = h // kvh
    q = torch.randn(bsz, kvh, g, d, dtype=torch.bfloat16, device=dev)
    k_ = torch.randn(bsz, kvh, ctx, d, dtype=torch.bfloat16, device=dev)
    v = torch.randn(bsz, kvh, ctx, d, dtype=torch.bfloat16, device=dev)
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        t = bench(lambda: F.scaled_dot_product_attention(q, k_, v))
    add(dict(id=f"dev-{chip}-decattn-kvbf16-b{bsz}-h{h}-kv{kvh}-ctx{ctx}", kind="decode_attention",
             chip=chip, batch=bsz, heads=h, kv_heads=kvh, head_dim=d, context=ctx, dtype="bf16",
             kv_dtype="bf16", metric="time_us", measured=round(t * 1e6, 2), source=SRC,
             software="torch SDPA flash-attention-2 backend, GQA-packed queries, contiguous KV, kernel only"))
    del q, k_, v

# ---- board power while one kernel loops for 6 s (nvidia-smi power.draw every 100 ms)
def power_of(fn, seconds=6.0):
    samples, clocks, stop = [], [], threading.Event()

    def sample():
        while not stop.is_set():
            try:
                w, mhz = smi("power.draw,clocks.sm").split(",")
                samples.append(float(w))
                clocks.append(float(mhz))
            except ValueError:
                pass
            time.sleep(0.1)

    fn(); torch.cuda.synchronize()
    th = threading.Thread(target=sample); th.start()
    end = time.time() + seconds
    iters = 0
    while time.time() < end:
        for _ in range(20):
            fn()
        iters += 20
        torch.cuda.synchronize()
    stop.set(); th.join()
    tail = samples[len(samples) // 3:]  # skip ramp-up
    mhz = clocks[len(clocks) // 3:]
    return sum(tail) / max(1, len(tail)), max(tail, default=0.0), sum(mhz) / max(1, len(mhz))


if os.environ.get("SKIP_POWER"):
    json.dump(cases, open(os.path.join(out, "cases.json"), "w"), indent=1)
    sys.exit(0)
lines = []
A = torch.randn(8192, 8192, dtype=torch.bfloat16, device=dev)
B = torch.randn(8192, 8192, dtype=torch.bfloat16, device=dev)
lines.append(("bf16 gemm 8192^3 (compute bound)", power_of(lambda: A @ B)))
Aq, Bq = A.to(FP8), B.to(FP8).t().contiguous().t()
one = torch.ones((), device=dev)
lines.append(("fp8 gemm 8192^3 (compute bound)", power_of(lambda: torch._scaled_mm(Aq, Bq, scale_a=one, scale_b=one, out_dtype=torch.bfloat16))))
W = torch.randn(28672, 8192, dtype=torch.bfloat16, device=dev)
X = torch.randn(64, 8192, dtype=torch.bfloat16, device=dev)
lines.append(("bf16 gemm m64 n28672 k8192 (weight streaming)", power_of(lambda: F.linear(X, W))))
src = torch.empty(1 << 30, dtype=torch.uint8, device=dev)
dst = torch.empty_like(src)
lines.append(("copy 1 GiB (HBM bound)", power_of(lambda: dst.copy_(src))))
torch.cuda.synchronize(); time.sleep(3)
lines.append(("idle", (float(smi("power.draw")), 0.0, float(smi("clocks.sm")))))
with open(os.path.join(out, "power.txt"), "w") as f:
    for what, (avg, mx, mhz) in lines:
        f.write(f"{what}: mean {avg:.0f} W, max {mx:.0f} W, SM clock {mhz:.0f} MHz\n")
        print("power", what, avg, mx, mhz, flush=True)

with open(os.path.join(out, "conditions.txt"), "w") as f:
    f.write(f"gpu: {name}, {props.multi_processor_count} SMs, {props.total_memory/2**30:.0f} GiB\n")
    f.write(subprocess.run(["nvidia-smi", "-q", "-d", "CLOCK,POWER,PERFORMANCE"], capture_output=True, text=True).stdout)
    f.write(f"torch {torch.__version__} cuda {torch.version.cuda} cudnn {torch.backends.cudnn.version()} triton {triton.__version__}\n")
with open(os.path.join(out, "cases.json"), "w") as f:
    json.dump(cases, f, indent=1)
print("done", len(cases), "cases")
