#include "engine/batch.hpp"

namespace cw {

int64_t Batch::new_tokens() const {
  int64_t n = 0;
  for (const auto& p : prefill) n += p.sequences * p.new_tokens;
  for (const auto& d : decode) n += d.sequences;
  return n;
}

int64_t Batch::logits_rows() const {
  int64_t n = decode_sequences();
  for (const auto& p : prefill) n += p.last_chunk ? p.sequences : 0;
  return n;
}

int64_t Batch::decode_sequences() const {
  int64_t n = 0;
  for (const auto& d : decode) n += d.sequences;
  return n;
}

namespace {

// Sequences among positions [first, first + n) that rank 0 receives when
// positions are dealt round-robin over `ranks`: the multiples of ranks.
int64_t dealt_to_rank0(int64_t first, int64_t n, int64_t ranks) {
  auto upto = [ranks](int64_t end) { return (end + ranks - 1) / ranks; };  // multiples < end
  return upto(first + n) - upto(first);
}

}  // namespace

Batch busiest_rank_share(const Batch& batch, int ranks) {
  Batch share;
  int64_t next = 0;
  for (const auto& p : batch.prefill) {
    PrefillChunk c = p;
    c.sequences = dealt_to_rank0(next, p.sequences, ranks);
    next += p.sequences;
    if (c.sequences > 0) share.prefill.push_back(c);
  }
  next = 0;
  for (const auto& d : batch.decode) {
    DecodeGroup g = d;
    g.sequences = dealt_to_rank0(next, d.sequences, ranks);
    next += d.sequences;
    if (g.sequences > 0) share.decode.push_back(g);
  }
  return share;
}

}  // namespace cw
