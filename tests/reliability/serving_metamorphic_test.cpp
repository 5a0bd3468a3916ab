// Metamorphic properties of the serving simulator (issue 6): more replicas
// scale offline throughput, an idle extra chip never lowers throughput, and
// the same seed gives the same answer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "serving/serve.hpp"

namespace cw {
namespace {

// A trace of identical requests (512 prompt, 128 output tokens).
std::string identical_trace() {
  std::string path = testing::TempDir() + "identical_requests.csv";
  std::ofstream f(path);
  f << "input_length,output_length\n";
  for (int i = 0; i < 64; ++i) f << "512,128\n";
  return path;
}

ServeOptions offline(int count, int64_t requests) {
  ServeOptions o;
  o.chip = "h100-sxm";
  o.model = "llama3.1-8b";
  o.precision = "fp8";
  o.count = count;
  o.tp = 1;
  o.dataset = "mlperf-llama3.1-8b";
  o.requests = requests;
  o.seed = 7;
  return o;
}

// Twice the replicas serving twice the identical requests: each replica
// sees the same work, so offline throughput doubles (issue 6: within 1%).
TEST(ServingMetamorphic, DoublingReplicasDoublesOfflineThroughput) {
  ServeOptions o1 = offline(1, 512), o2 = offline(2, 1024);
  o1.dataset = o2.dataset = "";
  o1.trace = o2.trace = identical_trace();
  ServeResult one = run_serve(o1);
  ServeResult two = run_serve(o2);
  EXPECT_NEAR(two.metrics.output_tokens_per_s / one.metrics.output_tokens_per_s, 2.0, 0.02);
}

// A chip added to a cluster (one more replica) never lowers throughput.
TEST(ServingMetamorphic, AnAddedChipNeverLowersThroughput) {
  double prev = 0;
  for (int count : {1, 2, 3, 4}) {
    double t = run_serve(offline(count, 600)).metrics.output_tokens_per_s;
    EXPECT_GE(t, prev * (1 - 1e-9)) << count << " chips";
    prev = t;
  }
}

TEST(ServingMetamorphic, SameSeedSameResult) {
  ServeOptions o = offline(2, 300);
  o.arrivals.kind = ArrivalKind::poisson;
  o.arrivals.rate = 20;
  ServeResult a = run_serve(o), b = run_serve(o);
  EXPECT_EQ(to_json(a).dump(), to_json(b).dump());
  o.seed = 8;
  EXPECT_NE(to_json(run_serve(o)).dump(), to_json(a).dump());
}

}  // namespace
}  // namespace cw
