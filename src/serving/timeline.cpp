#include "serving/timeline.hpp"

#include <fmt/core.h>

#include "report/atomic_file.hpp"

namespace cw {
namespace {

// Trace-event timestamps are microseconds (Trace Event Format, "ts").
double us(double seconds) {
  return seconds * 1e6;
}

}  // namespace

IterationObserver Timeline::observer() {
  return [this](const IterationInfo& info, int64_t) { iterations_.push_back(info); };
}

void Timeline::write(const std::string& path, const SimulationResult& result) const {
  // Built in memory, then written atomically (temporary file, fsync, rename),
  // so an interrupted run never leaves a truncated timeline.
  std::string out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  bool first = true;
  auto event = [&](const std::string& json) {
    if (!first) out += ",\n";
    out += json;
    first = false;
  };
  const auto P = static_cast<size_t>(result.prefill_replicas);
  for (size_t k = 0; k < result.replicas.size(); ++k) {
    const std::string name = P == 0  ? fmt::format("replica {}", k)
                             : k < P ? fmt::format("prefill replica {}", k)
                                     : fmt::format("decode replica {}", k - P);
    event(fmt::format(
        R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":"{}"}}}})", k, name));
    event(fmt::format(
        R"({{"name":"thread_name","ph":"M","pid":{},"tid":0,"args":{{"name":"iterations"}}}})", k));
    if (P > 0 && k >= P) {
      event(fmt::format(
          R"({{"name":"thread_name","ph":"M","pid":{},"tid":1,"args":{{"name":"kv transfers"}}}})",
          k));
    }
  }
  for (const IterationInfo& it : iterations_) {
    const char* name = it.prefill_seqs > 0 ? (it.decode_seqs > 0 ? "mixed" : "prefill") : "decode";
    event(fmt::format(
        R"({{"name":"{}","cat":"iteration","ph":"X","pid":{},"tid":0,"ts":{:.3f},"dur":{:.3f},)"
        R"("args":{{"prefill_tokens":{},"prefill_seqs":{},"decode_seqs":{},"preempted":{}}}}})",
        name, it.replica, us(it.start), us(it.end - it.start), it.prefill_tokens, it.prefill_seqs,
        it.decode_seqs, it.preempted));
    event(fmt::format(
        R"({{"name":"batch","ph":"C","pid":{},"ts":{:.3f},"args":{{"decode":{},"prefill":{}}}}})",
        it.replica, us(it.start), it.decode_seqs, it.prefill_seqs));
    event(fmt::format(
        R"({{"name":"kv_blocks","ph":"C","pid":{},"ts":{:.3f},"args":{{"used":{},"free":{}}}}})",
        it.replica, us(it.start), it.kv_used, it.kv_total - it.kv_used));
  }
  // Requests as nested async spans (same category and id), emitted in time
  // order: the request, inside it waiting + prefill, then decode.
  for (const RequestRecord& r : result.records) {
    auto mark_on = [&](int pid, const char* ph, const std::string& name, double t,
                       const std::string& args) {
      event(
          fmt::format(R"({{"name":"{}","cat":"request","ph":"{}","id":{},"pid":{},"ts":{:.3f}{}}})",
                      name, ph, r.id, pid, us(t), args));
    };
    auto mark = [&](const char* ph, const std::string& name, double t, const std::string& args) {
      mark_on(r.replica, ph, name, t, args);
    };
    const std::string name = fmt::format("request {}", r.id);
    mark("b", name, r.arrival,
         fmt::format(R"(,"args":{{"input":{},"output":{},"preemptions":{}}})", r.input, r.output,
                     r.preemptions));
    mark("b", "queue+prefill", r.arrival, "");
    mark("e", "queue+prefill", r.first_token, "");
    if (r.decode_replica >= 0) {
      // Disaggregated: the request ends on its prefill replica at the first
      // token and continues on its decode replica (same id, that process):
      // waiting for KV blocks and the link, the transfer, then decode. The
      // transfer is also a slice on the decode replica's "kv transfers"
      // track (one transfer at a time per replica link, so slices never overlap).
      mark("e", name, r.first_token, "");
      const int d = r.decode_replica;
      mark_on(d, "b", name, r.first_token, "");
      mark_on(d, "b", "kv wait", r.first_token, "");
      mark_on(d, "e", "kv wait", r.transfer_start, "");
      mark_on(d, "b", "kv transfer", r.transfer_start, "");
      mark_on(d, "e", "kv transfer", r.transfer_end, "");
      mark_on(d, "b", "decode", r.transfer_end, "");
      mark_on(d, "e", "decode", r.finish, "");
      mark_on(d, "e", name, r.finish, "");
      event(fmt::format(
          R"({{"name":"kv transfer","cat":"transfer","ph":"X","pid":{},"tid":1,"ts":{:.3f},)"
          R"("dur":{:.3f},"args":{{"request":{},"from_replica":{},"tokens":{}}}}})",
          d, us(r.transfer_start), us(r.transfer_end - r.transfer_start), r.id, r.replica,
          r.input));
      continue;
    }
    if (r.finish > r.first_token) {
      mark("b", "decode", r.first_token, "");
      mark("e", "decode", r.finish, "");
    }
    mark("e", name, r.finish, "");
  }
  out += "\n]}\n";
  write_file_atomically(path, out);
}

}  // namespace cw
