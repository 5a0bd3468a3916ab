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

}  // namespace cw
