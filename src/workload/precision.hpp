// A precision is a recipe, not one dtype (DESIGN.md, Data formats): the
// storage/compute format of each layer class and of the KV cache, with
// block-scale overhead for block-scaled formats. Recipes are data files under
// data/precisions/ (bf16.yaml, fp8.yaml, fp4.yaml, ...).
#pragma once

#include <optional>
#include <string>

#include "workload/dtype.hpp"

namespace cw {

// A numeric format as stored: element dtype plus optional block scaling
// (e.g. NVFP4: fp4 elements, one 8-bit scale per 16 elements), and the dtype
// the matrix units multiply in when it differs from the stored one
// (weight-only quantisation: W4A16 kernels such as Marlin or gpt-oss's MXFP4
// on Hopper widen the weights in registers and run 16-bit MMAs).
struct NumberFormat {
  Dtype dtype = Dtype::bf16;
  int block_size = 0;       // elements per scale; 0 = no block scale
  double scale_bits = 0;    // bits per scale
  std::optional<Dtype> compute;  // unset: computes in `dtype`
  Dtype compute_dtype() const { return compute.value_or(dtype); }
  // Bytes per element including the amortised scale.
  double bytes_per_element() const {
    double bits = dtype_bits(dtype) + (block_size > 0 ? scale_bits / block_size : 0.0);
    return bits / 8.0;
  }
};

struct Precision {
  std::string name;
  std::string source_file;
  NumberFormat attention_projections;  // q/k/v/o (and MLA down/up projections)
  NumberFormat attention_math;         // QK^T and PV inside the attention kernel
  NumberFormat dense_mlp;
  NumberFormat moe_experts;
  NumberFormat lm_head;                // also the embedding table
  NumberFormat kv_cache;
  Dtype activations = Dtype::bf16;     // activations between ops
};

}  // namespace cw
