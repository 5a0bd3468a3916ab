// A design space (data/spaces/*.yaml, schema in docs/design-space.md): a base
// chip, the knobs to vary and their values, the workload every design runs,
// constraints a design must meet, the objectives to trade off and how to
// sample the space. Contract: load_design_space validates everything (unknown
// keys and knobs, units, empty value lists, a grid too large) and throws
// cw::UserError naming file:line:col and the key; nothing is evaluated here.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "config/config_node.hpp"
#include "engine/workload_run.hpp"
#include "hardware/chip_spec.hpp"
#include "serving/serve.hpp"
#include "workload/model_spec.hpp"
#include "workload/precision.hpp"

namespace cw {

// What a knob sets (dse/chip_variant.hpp says how each one changes the chip).
enum class KnobKind {
  cores,                // matrix cores: compute and on-chip bandwidth scale with them
  clock,                // Hz: compute, on-chip bandwidth and sustained clocks scale with it
  array,                // matrix unit side: granule n = k = side; peaks scale with its area
  hbm_stacks,           // main-memory stacks: bandwidth and capacity scale with them
  hbm_stack_bandwidth,  // bytes/s per stack
  hbm_stack_capacity,   // bytes per stack
  hbm_type,             // HBM generation (HBM3, HBM3E, HBM4, HBM4E): PHY width and energy per bit
  level_capacity,       // memory.<level>.capacity, bytes (per core for a per-core level)
  level_bandwidth,      // memory.<level>.bandwidth, bytes/s whole chip
  links,                // chip-to-chip link count
  link_bandwidth,       // bytes/s per link each direction
  node,                 // process node id (data/nodes/)
  tdp,                  // watts (default: the design's modelled sustained-load power)
  batch,                // workload: requests run together
  tp,                   // workload: tensor-parallel degree (default: the smallest that fits)
  draft_tokens,         // workload: speculative draft tokens per iteration (0 = off)
};

struct KnobValue {
  double number = 0;  // SI value (or a count)
  std::string text;   // node id for `node`, memory type for `hbm_type`
  std::string label;  // as written in the file, for reports
};

struct Knob {
  std::string name;  // as written: "cores", "memory.global_buffer.capacity", ...
  KnobKind kind = KnobKind::cores;
  std::string level;  // memory level name for level_capacity / level_bandwidth
  std::vector<KnobValue> values;
  // The label of value index i ("1.8 GHz", "128").
  const std::string& label(int i) const { return values[static_cast<size_t>(i)].label; }
};

// Metrics a design reports; objectives and constraints name them.
enum class Metric {
  dollars_per_mtok,       // TCO $ per million output tokens (min)
  joules_per_token,       // accelerator energy per output token (min)
  tokens_per_s_per_chip,  // output tokens/s per chip (max)
  ttft,                   // seconds (min)
  tpot,                   // seconds (min)
  unit_cost,              // $ per chip built (min)
  area,                   // mm² of logic die, all dies (min)
  power,                  // W, the design's TDP (min)
};
const char* metric_name(Metric m);
bool metric_maximised(Metric m);

struct Constraints {
  static constexpr double kNone = std::numeric_limits<double>::infinity();
  double max_ttft = kNone;       // seconds
  double max_tpot = kNone;       // seconds
  double max_power = kNone;      // watts (the design's TDP)
  double max_unit_cost = kNone;  // dollars
  double max_area = kNone;       // mm², all dies
  int max_dies = 0;              // 0 = no limit
};

// A serving workload: the requests the serving simulator (serving/serve.hpp)
// sends to one deployment of each design, instead of a fixed batch.
struct ServingWorkload {
  std::string source;  // dataset name or trace path, as written
  ServeRequests requests;
  // `rate: capacity`: each design serves the fastest Poisson rate (seeded by
  // `seed`) whose p99 TTFT and TPOT meet the space's max_ttft/max_tpot.
  bool capacity = false;
  uint64_t seed = 0;
  double min_duration = 0;  // capacity: each probe's arrivals span at least this long (s)
};

// One workload of the space: a fixed batch of one model (engine/workload_run.hpp),
// or, with `serving`, a simulated stream of requests.
struct WorkloadSpec {
  std::string name;          // as given, else the model id
  std::string model_id;      // model preset id or path, as written
  std::string precision_id;  // precision recipe id or path, as written
  ModelSpec model;
  Precision precision;
  FixedWorkload run;  // run.speculation: `speculative:` (off when absent)
  int tp = 0;  // 0 = the smallest power of two that fits, up to max_tp
  int max_tp = 8;
  // Pipeline stages (powers of two) tried when the largest tp cannot hold the
  // workload: chips that keep weights in SRAM need hundreds (1 = none).
  int max_pp = 1;
  double weight = 1;  // its share of the mix's output tokens (the shares sum to 1)
  // Serving workloads only (null for a fixed batch): run.batch is then the
  // engine's request limit (max_batch) and run.input/output the requests'
  // mean lengths, which size the deployment.
  std::shared_ptr<const ServingWorkload> serving;
};

struct DesignSpace {
  std::string file;  // where it was read from
  std::string
      source;        // the file's text as it was read (load_design_space; a results store keeps it)
  std::string base;  // chip preset id or path, as written
  ChipSpec base_chip;
  // The base chip's published die area over the area model's estimate on its
  // own node (1 when none is published): anchors a variant's reticle fit.
  double area_anchor = 1;
  // What every design runs: one workload (`workload:`) or a mix (`workloads:`).
  std::vector<WorkloadSpec> workloads;
  std::vector<Knob> knobs;
  // Chips to print beside the front, run as they are on the same workload
  // (e.g. the GPUs the design competes with).
  std::vector<ChipSpec> reference_chips;
  Constraints constraints;
  std::vector<Metric> objectives;  // Pareto front over these
  // grid: every combination; random: `samples` seeded draws; nsga2: NSGA-II
  // (Deb et al. 2002, pagmo2) evolving `population` designs for `generations`.
  enum class Sampler { grid, random, nsga2 } sampler = Sampler::grid;
  int64_t samples = 0;             // random: designs drawn
  int population = 64;             // nsga2: designs per generation (a multiple of 4)
  int generations = 50;            // nsga2
  uint64_t seed = 1;               // random and nsga2: generator seed
  int refine_rounds = 0;  // random and nsga2: rounds of walking from the front to its neighbours

  // Designs the grid or random sampler yields: the grid's size or `samples`
  // (NSGA-II's designs are those it evaluates: dse/nsga2_search.hpp).
  int64_t design_count() const;
  // The value index of each knob for design `i` (0 <= i < design_count()):
  // mixed-radix digits of i for the grid, seeded draws for random sampling.
  std::vector<int> assignment(int64_t i) const;
};

// "grid", "random" or "nsga2", as a space file names it.
const char* sampler_name(DesignSpace::Sampler s);

// Most designs one run evaluates (every result is kept in memory; a larger
// grid should use `sampler: random` or `nsga2`).
inline constexpr int64_t kMaxGridDesigns = 10'000'000;

// Loads a space by id (data/spaces/ID.yaml) or path.
DesignSpace load_design_space(const std::string& id_or_path);

// Converts an already-parsed space document; `file` is doc.file().
DesignSpace parse_design_space(const ConfigNode& doc);

}  // namespace cw
