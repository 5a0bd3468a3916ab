// A serving request and the record of what happened to it. Times are seconds
// from the start of the run; lengths are tokens.
#pragma once

#include <cstdint>

namespace cw {

struct Request {
  int64_t id = 0;
  double arrival = 0;  // when it reaches the router (MLPerf: LoadGen's scheduled time)
  int64_t input = 1;   // prompt tokens
  int64_t output = 1;  // tokens to generate; the first one comes out of the prefill
  int width = 1;       // sequences decoded together: the beam width (1 = greedy)
  bool operator==(const Request&) const = default;
};

struct RequestRecord {
  int64_t id = 0;
  int replica = 0;
  double arrival = 0;
  double first_token = 0;  // end of the iteration that emitted the first token
  double finish = 0;       // end of the iteration that emitted the last token
  int64_t input = 0;
  int64_t output = 0;
  int preemptions = 0;  // times its KV cache was dropped and recomputed
  // Disaggregated runs: `replica` prefilled it; its KV moved to decode
  // replica `decode_replica` (-1: colocated, or nothing to decode) over
  // [transfer_start, transfer_end].
  int decode_replica = -1;
  double transfer_start = 0, transfer_end = 0;

  double ttft() const { return first_token - arrival; }
  double e2e() const { return finish - arrival; }
  // MLPerf's TPOT (reference/mlperf.md §1.3): (e2e − TTFT) / (tokens − 1);
  // undefined for a single token, reported as 0.
  double tpot() const {
    return output > 1 ? (e2e() - ttft()) / static_cast<double>(output - 1) : 0.0;
  }
};

}  // namespace cw
