// Vector-unit ops (norms, activations, softmax, RoPE, residual adds,
// quantisation): a streaming kernel whose time is the largest of its three
// independent pipes, each at the chip's rate, plus one kernel launch:
//   time = max(flops / vector.flops, special / vector.special_function_ops,
//              (bytes_read + bytes_written) / achievable main-memory bandwidth)
//          + efficiency.kernel_launch
// The pipes overlap because such kernels are software-pipelined streams
// (loads in flight while ALUs and SFUs work on earlier elements). Chips with a
// weak vector unit (TPU VPU) are slower here purely through their preset.
#include <algorithm>
#include <cmath>
#include <string>

#include "config/error.hpp"
#include "perf/ops.hpp"

namespace cw {

Cost vector_op_cost(const ChipSpec& chip, const VectorOpShape& s) {
  if (s.elements < 0 || s.flops_per_element < 0 || s.special_per_element < 0 || s.bytes_read < 0 ||
      s.bytes_written < 0 || !std::isfinite(s.bytes_read) || !std::isfinite(s.bytes_written))
    throw UserError("vector op on chip '" + chip.id +
                    "': element count, per-element work and bytes must be non-negative and finite");
  if (chip.memory.empty())
    throw UserError("vector op: chip '" + chip.id + "' has no memory levels; add at least one");

  double n = static_cast<double>(s.elements);
  double flops = n * s.flops_per_element;
  double special = n * s.special_per_element;
  double bytes = s.bytes_read + s.bytes_written;

  // A chip without a special-function figure evaluates transcendentals on its
  // vector ALUs at one op per FLOP slot.
  double vec_rate = chip.vector.flops;
  double sfu_rate =
      chip.vector.special_function_ops > 0 ? chip.vector.special_function_ops : chip.vector.flops;
  if ((flops > 0 || special > 0) && vec_rate <= 0)
    throw UserError("vector op: chip '" + chip.id +
                    "' has no vector.flops; give the vector unit's FP32 FLOP/s in its YAML");
  double t_flops = flops > 0 ? flops / vec_rate : 0;
  double t_special = special > 0 ? special / sfu_rate : 0;
  double bw = chip.achievable_memory_bandwidth();
  double t_mem = bytes > 0 ? bytes / bw : 0;

  Cost c;
  c.flops = flops;
  c.bytes[std::min<int>(static_cast<int>(chip.memory.size()), kMaxMemoryLevels) - 1] = bytes;
  c.compute_time = std::max(t_flops, t_special);
  c.memory_time = t_mem;
  c.overhead_time = chip.efficiency.kernel_launch;
  c.time = std::max(c.compute_time, t_mem) + c.overhead_time;
  if (t_mem >= c.compute_time && t_mem > 0)
    c.bound = Bound::memory;
  else if (c.compute_time > 0)
    c.bound = Bound::vector;
  else
    c.bound = Bound::overhead;
  if (c.overhead_time > std::max(c.compute_time, t_mem)) c.bound = Bound::overhead;
  return c;
}

}  // namespace cw
