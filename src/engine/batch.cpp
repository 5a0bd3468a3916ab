#include "engine/batch.hpp"

namespace cw {

int64_t Batch::new_tokens() const {
  int64_t n = 0;
  for (const auto& p : prefill) n += p.sequences * p.new_tokens;
  return n + decode_tokens();
}

int64_t Batch::logits_rows() const {
  int64_t n = decode_tokens();
  for (const auto& p : prefill) n += p.last_chunk ? p.sequences : 0;
  return n;
}

int64_t Batch::decode_sequences() const {
  int64_t n = 0;
  for (const auto& d : decode) n += d.sequences;
  return n;
}

int64_t Batch::decode_tokens() const {
  int64_t n = 0;
  for (const auto& d : decode) n += d.sequences * d.tokens;
  return n;
}

namespace {

// Sequences among positions [first, first + n) that rank 0 receives when
// positions are dealt round-robin over `ranks`: the multiples of ranks.
int64_t dealt_to_rank0(int64_t first, int64_t n, int64_t ranks) {
  auto upto = [ranks](int64_t end) { return (end + ranks - 1) / ranks; };  // multiples < end
  return upto(first + n) - upto(first);
}

// Rank 0's share of the sequences dealt round-robin over `ranks`, and the rest.
std::pair<Batch, Batch> deal(const Batch& batch, int ranks) {
  std::pair<Batch, Batch> out;
  auto split = [&](const auto& list, auto member) {
    int64_t next = 0;
    for (const auto& item : list) {
      auto mine = item, rest = item;
      mine.sequences = dealt_to_rank0(next, item.sequences, ranks);
      rest.sequences = item.sequences - mine.sequences;
      next += item.sequences;
      if (mine.sequences > 0) (out.first.*member).push_back(mine);
      if (rest.sequences > 0) (out.second.*member).push_back(rest);
    }
  };
  split(batch.prefill, &Batch::prefill);
  split(batch.decode, &Batch::decode);
  return out;
}

}  // namespace

Batch busiest_rank_share(const Batch& batch, int ranks) {
  return deal(batch, ranks).first;
}

Batch context_share(const Batch& batch, int cp) {
  Batch share = batch;
  for (auto& p : share.prefill) p.new_tokens = (p.new_tokens + cp - 1) / cp;
  return share;
}

std::pair<Batch, Batch> split_micro_batches(const Batch& batch) {
  std::pair<Batch, Batch> halves = deal(batch, 2);
  // One prompt alone: its chunk is cut in two, the second half attending to
  // the first (SGLang's two-batch overlap splits a lone prefill by tokens).
  if (halves.second.new_tokens() == 0 && batch.decode.empty() && batch.prefill.size() == 1 &&
      batch.prefill[0].sequences == 1 && batch.prefill[0].new_tokens >= 2) {
    const PrefillChunk& whole = batch.prefill[0];
    PrefillChunk early = whole, late = whole;
    late.new_tokens = whole.new_tokens / 2;
    early.new_tokens = whole.new_tokens - late.new_tokens;
    early.context = whole.context - late.new_tokens;
    early.last_chunk = false;
    halves = {Batch{{early}, {}, 0}, Batch{{late}, {}, 0}};
  }
  return halves;
}

}  // namespace cw
