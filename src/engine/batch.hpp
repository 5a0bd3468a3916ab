// What one engine iteration processes: prefill chunks (new prompt tokens of
// some sequences) and decode tokens (one new token for each running sequence).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace cw {

struct PrefillChunk {
  int64_t sequences = 1;    // identical chunks batched together
  int64_t new_tokens = 1;   // prompt tokens processed this iteration, per sequence
  int64_t context = 1;      // tokens attended after this chunk (cached + new)
  bool last_chunk = true;   // the prompt ends here: the sequence emits a token
};

struct DecodeGroup {
  int64_t sequences = 1;  // sequences generating one token each
  int64_t context = 1;    // tokens attended, including the new ones
  // Query tokens per sequence: 1, or k + 1 when the target verifies k
  // speculative draft tokens (engine/speculation.hpp) in one pass.
  int64_t tokens = 1;
};

struct Batch {
  std::vector<PrefillChunk> prefill;
  std::vector<DecodeGroup> decode;
  // Under attention DP: 0 when this is the whole group's batch (the step
  // model takes its busiest rank's share), else this is one rank's own batch
  // (a serving replica's per-rank scheduler) and the group routes this many
  // tokens to the experts.
  int64_t group_tokens = 0;

  int64_t new_tokens() const;       // tokens that run through the linear layers
  int64_t logits_rows() const;      // positions whose logits are computed this iteration
  int64_t decode_sequences() const;
  int64_t decode_tokens() const;  // query tokens of the decode groups (sequences x tokens)
};

// The busiest rank's share when attention runs data-parallel over `ranks`
// chips: the prefill chunks' sequences, then the decode sequences, are each
// dealt round-robin from rank 0, so rank 0 holds ceil(n / ranks) of each list
// and never less work than another rank. Contract: ranks >= 1.
Batch busiest_rank_share(const Batch& batch, int ranks);

// One context-parallel group's share of a batch: ceil(n/cp) of every prefill
// chunk's n new tokens (context unchanged), every decode sequence. Contract: cp >= 1.
Batch context_share(const Batch& batch, int cp);

// The two micro-batches of two-batch overlap: the sequences of every prefill
// chunk and decode group dealt alternately, the first half taking the odd one
// (so first = busiest_rank_share(batch, 2)). A lone prompt chunk is split by
// tokens instead (the first half non-final, the second attending to it); a
// lone decode sequence leaves the second half empty.
std::pair<Batch, Batch> split_micro_batches(const Batch& batch);

}  // namespace cw
