// The MLPerf Inference datacenter LLM benchmarks (reference/mlperf.md §2):
// model, dataset, sample count, latency limits and how tokens are counted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "serving/trace.hpp"

namespace cw {

// p99 limits a Server/Interactive run must stay strictly under (LoadGen
// compares with '<', checker extra_check_llm).
struct LatencyLimits {
  double ttft = 0;  // seconds; 0 = not constrained
  double tpot = 0;  // seconds; 0 = not constrained
  double e2e = 0;   // seconds; 0 = not constrained (GPT-J only)
};

struct MlperfBenchmark {
  std::string id;       // "llama2-70b"
  std::string model;    // model preset id
  std::string summary;  // one line for listings
  int64_t samples = 0;  // dataset size N (= Offline min_query_count = perf sample count)
  std::optional<LatencyLimits> server, interactive;
  // GPT-J reports inferred tokens: 69 x samples (token_latency_scaling_factor).
  double inferred_tokens_per_sample = 0;
  int beam_width = 1;  // sequences decoded per sample (GPT-J: beam search, 4)
};

const std::vector<MlperfBenchmark>& mlperf_benchmarks();
// Throws UserError with a did-you-mean for an unknown id.
const MlperfBenchmark& find_benchmark(const std::string& id);

// The benchmark's samples with the output lengths the benchmark's model
// produces (reference/mlperf.md §3), in dataset order. See the .cpp for the
// output-length model of each benchmark.
std::vector<TraceRow> mlperf_dataset(const MlperfBenchmark& b);

// Named datasets for `serve --dataset`: "mlperf-<benchmark>".
std::vector<std::string> dataset_names();
// Rows of a named dataset; UserError with a did-you-mean for an unknown name.
// `width` receives the beam width its requests decode with.
std::vector<TraceRow> load_dataset(const std::string& name, int* width = nullptr);

}  // namespace cw
