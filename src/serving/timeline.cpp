#include "serving/timeline.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "config/error.hpp"

namespace cw {
namespace {

// Trace-event timestamps are microseconds (Trace Event Format, "ts").
double us(double seconds) {
  return seconds * 1e6;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

IterationObserver Timeline::observer() {
  return [this](const IterationInfo& info, int64_t) { iterations_.push_back(info); };
}

void Timeline::write(const std::string& path, const SimulationResult& result) const {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path tmp = target.string() + ".tmp";
  auto fail = [&](const std::string& what) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw UserError(SourceLocation{path}, "", "cannot write the timeline: " + what,
                    "check that the folder exists and is writable");
  };
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(tmp.string().c_str(), "w"));
  if (!f) fail("cannot create " + tmp.string());
  std::FILE* out = f.get();
  fmt::print(out, "{{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
  bool first = true;
  auto event = [&](const std::string& json) {
    fmt::print(out, "{}{}", first ? "" : ",\n", json);
    first = false;
  };
  for (size_t k = 0; k < result.replicas.size(); ++k) {
    event(fmt::format(
        R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":"replica {}"}}}})", k, k));
    event(fmt::format(
        R"({{"name":"thread_name","ph":"M","pid":{},"tid":0,"args":{{"name":"iterations"}}}})", k));
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
    auto mark = [&](const char* ph, const std::string& name, double t, const std::string& args) {
      event(
          fmt::format(R"({{"name":"{}","cat":"request","ph":"{}","id":{},"pid":{},"ts":{:.3f}{}}})",
                      name, ph, r.id, r.replica, us(t), args));
    };
    const std::string name = fmt::format("request {}", r.id);
    mark("b", name, r.arrival,
         fmt::format(R"(,"args":{{"input":{},"output":{},"preemptions":{}}})", r.input, r.output,
                     r.preemptions));
    mark("b", "queue+prefill", r.arrival, "");
    mark("e", "queue+prefill", r.first_token, "");
    if (r.finish > r.first_token) {
      mark("b", "decode", r.first_token, "");
      mark("e", "decode", r.finish, "");
    }
    mark("e", name, r.finish, "");
  }
  fmt::print(out, "\n]}}\n");
  if (std::fflush(out) != 0 || std::ferror(out)) fail("write error");
  f.reset();
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) fail(ec.message());
}

}  // namespace cw
