#include "serving/replica.hpp"

#include <algorithm>
#include <limits>

#include "config/error.hpp"

namespace cw {
namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// A uniform draw in [0, 1) from (seed, request, tokens generated): splitmix64
// (Steele et al. 2014) over the three, top 53 bits.
double acceptance_draw(uint64_t seed, int64_t request, int64_t generated) {
  uint64_t z = seed ^ (static_cast<uint64_t>(request) * 0x9E3779B97F4A7C15ULL) ^
               (static_cast<uint64_t>(generated) * 0xC2B2AE3D27D4EB4FULL);
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

// Paged KV (vLLM): a sequence holds ceil(tokens / block) blocks. Beams share
// the prompt's blocks and each holds its own blocks for generated tokens
// (TensorRT-LLM beam search with shared context blocks).
int64_t paged_blocks(int64_t prompt, int64_t stored, int width, int64_t block) {
  if (width == 1) return ceil_div(stored, block);
  const int64_t shared = std::min(stored, prompt);
  return ceil_div(shared, block) + width * ceil_div(stored - shared, block);
}

}  // namespace

Replica::Replica(int index, const EngineConfig& config, const StepCostFn& step_cost,
                 const std::vector<Request>& requests, std::vector<RequestRecord>& records,
                 ReplicaRole role)
    : index_(index),
      role_(role),
      cfg_(config),
      step_cost_(step_cost),
      requests_(requests),
      records_(records),
      free_blocks_(config.kv_blocks),
      watermark_blocks_(
          static_cast<int64_t>(config.watermark * static_cast<double>(config.kv_blocks))) {
  if (cfg_.max_batch < 1 || cfg_.max_tokens < 1 || cfg_.block_size < 1 || cfg_.kv_blocks < 1) {
    throw InternalError("replica needs max_batch, max_tokens, block_size and kv_blocks >= 1");
  }
  if (cfg_.attention_ranks > 1 && cfg_.pipeline_stages > 1)
    throw InternalError("a replica has attention-DP ranks or pipeline stages, not both");
  const int n = std::max(cfg_.attention_ranks, cfg_.pipeline_stages);
  if (n > 1) {
    if (role != ReplicaRole::colocated) {
      throw InternalError("rank and micro-batch schedulers run in colocated replicas only");
    }
    EngineConfig rank = cfg_;
    rank.attention_ranks = rank.pipeline_stages = 1;
    rank.kv_blocks = cfg_.kv_blocks / n;
    rank.max_batch = ceil_div(cfg_.max_batch, n);
    // Attention-DP ranks split the iteration's tokens; each pipeline
    // micro-batch is an iteration of its own.
    if (cfg_.attention_ranks > 1) rank.max_tokens = ceil_div(cfg_.max_tokens, n);
    ranks_.reserve(static_cast<size_t>(n));
    for (int k = 0; k < n; ++k)
      ranks_.emplace_back(index, rank, step_cost, requests, records, role);
    running_ranks_.assign(static_cast<size_t>(n), 0);
  }
}

bool Replica::has_work() const {
  if (!ranks_.empty())
    return std::any_of(ranks_.begin(), ranks_.end(), [](const Replica& r) { return r.has_work(); });
  return !waiting_.empty() || !running_.empty();
}

int64_t Replica::outstanding() const {
  int64_t n =
      static_cast<int64_t>(waiting_.size() + running_.size() + incoming_.size() + landing_.size());
  for (const Replica& r : ranks_) n += r.outstanding();
  return n;
}

int64_t Replica::used_blocks() const {
  int64_t n = cfg_.kv_blocks - free_blocks_;
  if (!ranks_.empty()) {
    n = 0;
    for (const Replica& r : ranks_) n += r.used_blocks();
  }
  return n;
}

int64_t Replica::blocks_for(const Seq& s, int64_t stored) const {
  return paged_blocks(s.prompt, stored, s.width, cfg_.block_size);
}

int64_t Replica::peak_blocks(const Request& r) const {
  // The last decode step stores input + output − 1 tokens (the final token's
  // KV is never written), plus the k drafts it verifies.
  return paged_blocks(r.input, r.input + r.output - 1 + cfg_.speculation.draft_tokens, r.width,
                      cfg_.block_size);
}

Replica::Seq Replica::new_seq(int64_t r) const {
  const Request& q = requests_[static_cast<size_t>(r)];
  Seq s;
  s.r = r;
  s.output = q.output;
  s.prompt = q.input;
  s.width = q.width;
  return s;
}

void Replica::enqueue(int64_t r) {
  if (!ranks_.empty()) {  // SGLang's DP controller deals requests round-robin
    ranks_[next_rank_++ % ranks_.size()].enqueue(r);
    return;
  }
  Seq s = new_seq(r);
  records_[static_cast<size_t>(r)].replica = index_;
  waiting_.push_back(s);
}

void Replica::release(int64_t blocks) {
  held_blocks_ -= blocks;
  free_blocks_ += blocks;
}

void Replica::enqueue_transfer(int64_t r) {
  Seq s = new_seq(r);
  s.prefilled = s.prompt;
  s.generated = 1;  // the prefill replica emitted the first token
  s.first_token = true;
  records_[static_cast<size_t>(r)].decode_replica = index_;
  incoming_.push_back(s);
}

void Replica::reserve(std::vector<int64_t>& reserved) {
  // The transferred KV is the prompt's; the decode that follows grows it.
  while (!incoming_.empty() &&
         static_cast<int64_t>(running_.size() + landing_.size()) < cfg_.max_batch) {
    Seq& s = incoming_.front();
    const int64_t need = blocks_for(s, s.prompt);
    // vLLM can_allocate, as for a new prompt (admit()).
    const bool idle = running_.empty() && landing_.empty();
    if (!(idle ? need <= free_blocks_ : free_blocks_ - need >= watermark_blocks_)) return;
    free_blocks_ -= need;
    s.blocks = need;
    reserved.push_back(s.r);
    landing_.push_back(s);
    incoming_.pop_front();
  }
}

void Replica::land(int64_t r) {
  auto it = std::find_if(landing_.begin(), landing_.end(), [r](const Seq& s) { return s.r == r; });
  if (it == landing_.end()) throw InternalError("a KV transfer landed on the wrong replica");
  running_.push_back(*it);
  landing_.erase(it);
}

void Replica::preempt_last() {
  Seq s = running_.back();
  running_.pop_back();
  s.chunk = 0;  // a chunk planned this iteration is dropped with it
  s.decode = false;
  const bool decoding = s.prefilled == s.prompt;
  if (cfg_.preemption == Preemption::swap && decoding && cfg_.swap_bandwidth > 0) {
    // Copy its blocks to host memory over the host link.
    s.swapped_blocks = s.blocks;
    swap_seconds_ += static_cast<double>(s.blocks * cfg_.block_size) * cfg_.kv_bytes_per_token /
                     cfg_.swap_bandwidth;
  } else {
    // Recompute: everything so far becomes the prompt of a later prefill.
    s.prompt = requests_[static_cast<size_t>(s.r)].input + s.generated;
    s.gen_at_prompt = s.generated;
    s.prefilled = 0;
  }
  free_blocks_ += s.blocks;
  s.blocks = 0;
  ++preemptions;
  ++records_[static_cast<size_t>(s.r)].preemptions;
  ++info_.preempted;
  waiting_.push_front(s);
}

bool Replica::grow_for_decode(size_t i) {
  // The fed token's KV and the k drafts' are written this iteration.
  const int64_t need =
      blocks_for(running_[i], running_[i].stored() + cfg_.speculation.draft_tokens) -
      running_[i].blocks;
  // vLLM's _schedule_running: preempt the most recently admitted request
  // until the block fits; if that is this one, it waits.
  while (need > free_blocks_) {
    const bool self = running_.size() - 1 == i;
    preempt_last();
    if (self) return false;
  }
  free_blocks_ -= need;
  running_[i].blocks += need;
  return true;
}

void Replica::plan_decodes(int64_t& budget) {
  for (size_t i = 0; i < running_.size(); ++i) {
    Seq& s = running_[i];
    if (s.prefilled < s.prompt || s.chunk > 0 || s.decode) continue;
    const int64_t tokens = s.width * cfg_.speculation.verify_tokens();
    if (budget < tokens) break;
    if (!grow_for_decode(i)) break;  // it was the last running request
    running_[i].decode = true;
    budget -= tokens;
  }
}

void Replica::plan_prefills(int64_t& budget) {
  // Prompts already being prefilled continue first, in admission order.
  for (Seq& s : running_) {
    if (budget <= 0) return;
    if (s.prefilled == s.prompt || s.chunk > 0) continue;
    const int64_t left = s.prompt - s.prefilled;
    const int64_t n = std::min(left, budget);
    if (!cfg_.chunked_prefill && n < left) continue;
    s.chunk = n;
    budget -= n;
  }
  // No new admissions in an iteration that had to preempt (vLLM v0 does the
  // same): re-admitting would only thrash.
  if (info_.preempted == 0) admit(budget);
}

void Replica::admit(int64_t& budget) {
  while (!waiting_.empty() && static_cast<int64_t>(running_.size()) < cfg_.max_batch &&
         budget > 0) {
    Seq& s = waiting_.front();
    const bool swapped = s.swapped_blocks > 0;
    const int64_t need = swapped ? s.swapped_blocks : ceil_div(s.prompt, cfg_.block_size);
    // vLLM can_allocate: keep a watermark free unless nothing else runs.
    const bool fits =
        running_.empty() ? need <= free_blocks_ : free_blocks_ - need >= watermark_blocks_;
    if (!fits) return;
    if (!swapped && !cfg_.chunked_prefill && s.prompt > budget) return;
    free_blocks_ -= need;
    s.blocks = need;
    if (swapped) {
      swap_seconds_ += static_cast<double>(need * cfg_.block_size) * cfg_.kv_bytes_per_token /
                       cfg_.swap_bandwidth;
      s.swapped_blocks = 0;  // decodes again from the next iteration
    } else {
      s.chunk = std::min(s.prompt, budget);
      budget -= s.chunk;
    }
    running_.push_back(s);
    waiting_.pop_front();
  }
}

double Replica::start(double now) {
  if (!ranks_.empty()) return start_ranks(now);
  if (!plan()) return std::numeric_limits<double>::infinity();
  StepCost step;
  if (!batch_.prefill.empty() || !batch_.decode.empty()) step = step_cost_(batch_);
  commit(now, step.time + swap_seconds_, step.joules);
  return info_.end;
}

bool Replica::plan() {
  swap_seconds_ = 0;
  info_ = IterationInfo{};
  info_.replica = index_;
  int64_t budget = cfg_.max_tokens;
  if (cfg_.policy == SchedulePolicy::decode_first) {
    plan_decodes(budget);
    plan_prefills(budget);
  } else {
    plan_prefills(budget);
    plan_decodes(budget);
  }
  batch_.prefill.clear();
  batch_.decode.clear();
  batch_.group_tokens = 0;
  // Decode attention cost is close to linear in the total KV read, so all
  // decodes form one group at the mean context (error tested in
  // tests/serving/step_time_test.cpp).
  int64_t seqs = 0, context_sum = 0;
  for (const Seq& s : running_) {
    if (s.chunk > 0) {
      const int64_t done = s.prefilled + s.chunk;
      batch_.prefill.push_back({1, s.chunk, done, done == s.prompt});
      info_.prefill_tokens += s.chunk;
    } else if (s.decode) {
      seqs += s.width;
      context_sum += s.width * s.stored();
    }
  }
  const int64_t drafts = cfg_.speculation.draft_tokens;
  if (seqs > 0) {
    batch_.decode.push_back(
        {seqs, (context_sum + seqs - 1) / seqs + drafts, cfg_.speculation.verify_tokens()});
  }
  info_.prefill_seqs = static_cast<int64_t>(batch_.prefill.size());
  info_.decode_seqs = seqs;
  if (seqs == 0 && batch_.prefill.empty() && swap_seconds_ == 0) {
    // Waiting on blocks that in-flight KV transfers hold: idle until one ends.
    if (held_blocks_ > 0 || !landing_.empty()) return false;
    throw InternalError("replica " + std::to_string(index_) + " has " +
                        std::to_string(outstanding()) + " requests but scheduled nothing");
  }
  return true;
}

void Replica::commit(double now, double dt, double step_joules) {
  joules += step_joules;
  info_.start = now;
  info_.end = now + dt;
  info_.kv_total = cfg_.kv_blocks;
  info_.kv_used = used_blocks();
  busy_time += dt;
  kv_block_seconds += static_cast<double>(info_.kv_used) * dt;
  kv_peak = std::max(kv_peak, info_.kv_used);
  ++iterations;
}

double Replica::start_ranks(double now) {
  info_ = IterationInfo{};
  info_.replica = index_;
  // Every rank with work plans its own iteration; the experts see the
  // tokens of all of them.
  int64_t group_tokens = 0, most_tokens = -1, most_kv = -1;
  size_t by_tokens = 0, by_kv = 0;
  double swap = 0;
  for (size_t k = 0; k < ranks_.size(); ++k) {
    Replica& rank = ranks_[k];
    running_ranks_[k] = rank.has_work() && rank.plan();
    if (!running_ranks_[k]) continue;
    const Batch& b = rank.batch_;
    const int64_t tokens = b.new_tokens();
    int64_t kv = 0;  // KV tokens its decodes read
    for (const DecodeGroup& d : b.decode) kv += d.sequences * d.context;
    group_tokens += tokens;
    swap = std::max(swap, rank.swap_seconds_);
    info_.prefill_tokens += rank.info_.prefill_tokens;
    info_.prefill_seqs += rank.info_.prefill_seqs;
    info_.decode_seqs += rank.info_.decode_seqs;
    info_.preempted += rank.info_.preempted;
    if (tokens > most_tokens) most_tokens = tokens, by_tokens = k;
    if (kv > most_kv) most_kv = kv, by_kv = k;
  }
  if (most_tokens < 0) {
    throw InternalError("replica " + std::to_string(index_) + " has " +
                        std::to_string(outstanding()) + " requests but no rank scheduled any");
  }
  preemptions += info_.preempted;
  if (cfg_.pipeline_stages > 1) return start_micro_batches(now, swap);
  // The step lasts as long as the busiest rank's: the one with the most
  // tokens through the linear layers or the one reading the most KV.
  auto rank_cost = [&](size_t k) {
    Batch& b = ranks_[k].batch_;
    if (b.prefill.empty() && b.decode.empty()) return StepCost{};
    b.group_tokens = group_tokens;
    return step_cost_(b);
  };
  StepCost step = rank_cost(by_tokens);
  if (by_kv != by_tokens) {
    const StepCost other = rank_cost(by_kv);
    if (other.time > step.time) step = other;
  }
  const double dt = step.time + swap;
  for (size_t k = 0; k < ranks_.size(); ++k)
    if (running_ranks_[k]) ranks_[k].commit(now, dt, 0);
  commit(now, dt, step.joules);
  return info_.end;
}

double Replica::start_micro_batches(double now, double swap) {
  // Every micro-batch passes through all stages; the stages work on
  // different micro-batches at once, so a round takes the longest pass or
  // the stages' summed occupancy, whichever is larger.
  double longest = 0, occupancy = 0, joules_sum = 0;
  for (size_t k = 0; k < ranks_.size(); ++k) {
    if (!running_ranks_[k]) continue;
    const Batch& b = ranks_[k].batch_;
    if (b.prefill.empty() && b.decode.empty()) continue;
    const StepCost c = step_cost_(b);
    longest = std::max(longest, c.time);
    occupancy += c.stage_interval();
    joules_sum += c.joules;
  }
  const double dt = std::max(longest, occupancy) + swap;
  for (size_t k = 0; k < ranks_.size(); ++k)
    if (running_ranks_[k]) ranks_[k].commit(now, dt, 0);
  commit(now, dt, joules_sum);
  return info_.end;
}

void Replica::finish_ranks(std::vector<int64_t>& completed) {
  for (size_t k = 0; k < ranks_.size(); ++k) {
    if (running_ranks_[k]) ranks_[k].finish(completed);
    running_ranks_[k] = 0;
  }
}

void Replica::finish(std::vector<int64_t>& completed, std::vector<HandOff>* handed_off) {
  if (!ranks_.empty()) {
    finish_ranks(completed);
    return;
  }
  const double end = info_.end;
  size_t kept = 0;
  for (size_t i = 0; i < running_.size(); ++i) {
    Seq& s = running_[i];
    const bool decoded = s.decode;
    bool emits = decoded;
    if (s.chunk > 0) {
      s.prefilled += s.chunk;
      emits = s.prefilled == s.prompt;  // the last chunk emits a token
    }
    s.chunk = 0;
    s.decode = false;
    if (emits) {
      // A decode under speculation emits its accepted drafts and one more
      // (never past the request's output).
      int64_t tokens = 1;
      if (decoded && cfg_.speculation.enabled()) {
        const double u = acceptance_draw(cfg_.acceptance_seed, s.r, s.generated);
        tokens = std::min(cfg_.speculation.sampled_tokens(u), s.output - s.generated);
      }
      s.generated += tokens;
      RequestRecord& rec = records_[static_cast<size_t>(s.r)];
      if (!s.first_token) {
        s.first_token = true;
        rec.first_token = end;
      }
      if (role_ == ReplicaRole::prefill && s.generated < s.output) {
        // Decoding continues on a decode replica once the KV has moved there.
        held_blocks_ += s.blocks;
        handed_off->push_back({s.r, s.blocks});
        continue;
      }
      if (s.generated >= s.output) {
        free_blocks_ += s.blocks;
        rec.finish = end;
        completed.push_back(s.r);
        continue;  // leaves the batch
      }
    }
    if (kept != i) running_[kept] = s;
    ++kept;
  }
  running_.resize(kept);
}

}  // namespace cw
