#include "serving/engine_config.hpp"

#include "config/did_you_mean.hpp"
#include "config/error.hpp"

namespace cw {

const char* policy_name(SchedulePolicy p) {
  return p == SchedulePolicy::decode_first ? "decode-first" : "prefill-first";
}

SchedulePolicy parse_policy(const std::string& s) {
  if (s == "decode-first") return SchedulePolicy::decode_first;
  if (s == "prefill-first") return SchedulePolicy::prefill_first;
  throw UserError("unknown scheduler '" + s + "'. " +
                  suggestion(s, {"decode-first", "prefill-first"}));
}

}  // namespace cw
