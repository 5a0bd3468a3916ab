// Every class of bad input in docs/errors.md, run through the chipwright
// binary as a user would: each must exit with code 2 (a user error, not a
// crash or an internal error, exit 70) and print the documented message.
#include <gtest/gtest.h>

#include "../support/cli_runner.hpp"
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "config/config_node.hpp"
#include "config/error.hpp"
#include "hardware/system_loader.hpp"

namespace {

using cw::test::CliRun;
using cw::test::run;
using cw::test::run_stdout;
using cw::test::temp_file;

// A file in the test's temporary directory; the returned path is what
// messages name.
// Runs the CLI and expects exit code 2 with `message` in its output.
void expect_user_error(const std::string& args, const std::string& message) {
  CliRun r = run(args);
  EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
  EXPECT_NE(r.out.find(message), std::string::npos)
      << args << "\nexpected: " << message << "\ngot: " << r.out;
  EXPECT_EQ(r.out.find("internal error"), std::string::npos) << r.out;
}

// A minimal valid chip (docs/chip-format.md); each test breaks one line of it.
const std::string kChip = R"(id: toy
name: Toy chip
vendor: test
die: {process: tsmc-n4}
power: {tdp: "700 W"}
matrix:
  clock: "1.5 GHz"
  cores: 4
  granule: {m: 16, n: 16, k: 16}
  peak: {bf16: "100 TFLOP/s"}
vector: {flops: "10 TFLOP/s", special_function: "1 TOP/s"}
memory:
  - {name: sram, scope: core, capacity: "256 KiB", bandwidth: "10 TB/s"}
  - {name: hbm, scope: chip, capacity: "80 GB", bandwidth: "2 TB/s"}
links: {type: NVLink, count: 4, bandwidth_per_link: "25 GB/s", latency: "1 us"}
efficiency: {memory_bandwidth: 0.9}
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// ---- chip YAML -------------------------------------------------------------

TEST(BadInput, ToyChipIsValid) {
  CliRun r = run("show chip " + temp_file("valid.yaml", kChip));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(BadInput, MalformedYaml) {
  std::string f = temp_file("malformed.yaml", "id: x\nname: [unclosed\n");
  expect_user_error("show chip " + f,
                    "error: " + f +
                        ":3:1: malformed YAML: end of sequence flow not found. "
                        "check indentation, colons and quoting near this position");
}

TEST(BadInput, EmptyYamlFile) {
  std::string f = temp_file("empty.yaml", "");
  expect_user_error("show chip " + f,
                    "error: " + f + ":1:1: key '(document)': expected a mapping of keys to values");
}

TEST(BadInput, UnknownKeyGetsDidYouMean) {
  std::string f = temp_file("unknown-key.yaml", replaced(kChip, "latency:", "latnecy:"));
  expect_user_error("show chip " + f, "error: " + f +
                                          ":15:64: key 'links.latnecy': unknown key. did you mean "
                                          "'latency'?");
}

TEST(BadInput, UnknownAccumulatorPlace) {
  std::string f =
      temp_file("accumulators.yaml",
                replaced(kChip, "  cores: 4\n", "  cores: 4\n  accumulators: core_memroy\n"));
  expect_user_error("show chip " + f, "error: " + f +
                                          ":9:17: key 'matrix.accumulators': unknown accumulator "
                                          "place 'core_memroy'. did you mean 'core_memory'?");
}

TEST(BadInput, MissingKey) {
  std::string f =
      temp_file("missing-key.yaml", replaced(kChip,
                                             "vector: {flops: \"10 TFLOP/s\", special_function: "
                                             "\"1 TOP/s\"}\n",
                                             ""));
  expect_user_error("show chip " + f, "error: " + f +
                                          ":1:1: key 'vector': required key is missing. add "
                                          "'vector:' to the document");
}

TEST(BadInput, BadUnit) {
  std::string f = temp_file("bad-unit.yaml", replaced(kChip, "\"2 TB/s\"", "\"2 TB\""));
  expect_user_error("show chip " + f, "error: " + f +
                                          ":14:60: key 'memory[1].bandwidth': expected a "
                                          "bandwidth such as \"3.35 TB/s\", got \"2 TB\" (unknown "
                                          "unit \"TB\")");
}

TEST(BadInput, MissingUnit) {
  std::string f = temp_file("no-unit.yaml", replaced(kChip, "\"80 GB\"", "80"));
  expect_user_error("show chip " + f, "error: " + f +
                                          ":14:40: key 'memory[1].capacity': expected a size such "
                                          "as \"80 GB\" or \"50 MiB\", got \"80\" (the unit is "
                                          "missing)");
}

TEST(BadInput, WrongYamlType) {
  std::string f = temp_file("wrong-type.yaml", replaced(kChip, "cores: 4", "cores: many"));
  expect_user_error(
      "show chip " + f,
      "error: " + f + ":8:10: key 'matrix.cores': expected a whole number, got \"many\"");
}

TEST(BadInput, ValueOutOfRange) {
  std::string f =
      temp_file("range.yaml", replaced(kChip, "memory_bandwidth: 0.9", "memory_bandwidth: 1.5"));
  expect_user_error("show chip " + f, "error: " + f +
                                          ":16:32: key 'efficiency.memory_bandwidth': must be a "
                                          "fraction in (0, 1], got 1.5. give achievable / peak "
                                          "streaming bandwidth, e.g. memory_bandwidth: 0.87");
  std::string z = temp_file("zero.yaml", replaced(kChip, "\"700 W\"", "\"0 W\""));
  expect_user_error("show chip " + z, "error: " + z +
                                          ":5:14: key 'power.tdp': must be greater than zero, got "
                                          "\"0 W\". give the board power, e.g. tdp: \"700 W\"");
}

TEST(BadInput, NonScalarYamlKey) {
  std::string f = temp_file("list-key.yaml", "? [a, b]\n: 1\n" + kChip);
  expect_user_error("show chip " + f,
                    "error: " + f +
                        ":1:3: a key must be a plain name. write `name: value`; lists, maps and ~ "
                        "cannot be keys");
}

TEST(BadInput, UnknownDtypeInChip) {
  std::string f = temp_file("chip-dtype.yaml", replaced(kChip, "bf16:", "bf17:"));
  expect_user_error("show chip " + f, "error: " + f +
                                          ":10:16: key 'matrix.peak.bf17': unknown dtype 'bf17'. "
                                          "valid dtypes: fp32, tf32, bf16, fp16, fp8, int8, fp4, "
                                          "int4");
}

// ---- presets and files -----------------------------------------------------

TEST(BadInput, UnknownPresetIds) {
  expect_user_error("show chip h100-sx",
                    "error: unknown chip 'h100-sx': did you mean 'h100-sxm'? (or give a path to "
                    "a chip file)");
  expect_user_error("show model llama3.1-8x",
                    "error: unknown model 'llama3.1-8x': did you mean 'llama3.1-8b'? (or give a "
                    "path to a model file)");
  expect_user_error("eval --chip h100-sxm --model llama3.1-8b --precision fp9",
                    "error: unknown precision 'fp9': did you mean 'fp4'? (or give a path to a "
                    "precision file)");
}

TEST(BadInput, OverlongPresetIdIsUnknownNotACrash) {
  const std::string id(300, 'x');
  expect_user_error("show chip " + id, "error: unknown chip '" + id + "': valid: a100-sxm");
  expect_user_error("show chip " + id + "/chip.yaml",
                    "error: " + id + "/chip.yaml: chip file not found");
}

TEST(BadInput, NonexistentFiles) {
  expect_user_error("show chip /nonexistent/chip.yaml",
                    "error: /nonexistent/chip.yaml: chip file not found. check the path, or give "
                    "a preset id (chipwright list chips)");
  expect_user_error("show model /nonexistent/config.json",
                    "error: /nonexistent/config.json: model file not found. check the path, or "
                    "give a preset id (chipwright list models)");
  expect_user_error("validate /nonexistent/cases.yaml",
                    "error: /nonexistent/cases.yaml: cannot open file. check that the path exists "
                    "and is readable");
}

// ---- HF config.json --------------------------------------------------------

const std::string kLlama = R"({
  "architectures": ["LlamaForCausalLM"],
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "num_hidden_layers": 32,
  "num_attention_heads": 32,
  "num_key_value_heads": 8,
  "vocab_size": 128256
})";

TEST(BadInput, ToyModelIsValid) {
  CliRun r = run("show model " + temp_file("valid.json", kLlama));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(BadInput, UnsupportedArchitecture) {
  std::string f = temp_file("bert.json", replaced(kLlama, "LlamaForCausalLM", "BertModel"));
  expect_user_error("show model " + f,
                    "error: " + f +
                        ":2:3: key 'architectures': unsupported architecture 'BertModel'. "
                        "supported: LlamaForCausalLM, MistralForCausalLM, MixtralForCausalLM");
}

TEST(BadInput, MalformedJson) {
  std::string f = temp_file("trailing-comma.json", replaced(kLlama, "128256\n", "128256,\n"));
  expect_user_error("show model " + f,
                    "error: " + f +
                        ":9:1: malformed JSON: syntax error while parsing object key - unexpected "
                        "'}'; expected string literal. check for a missing or trailing comma, "
                        "unquoted keys or comments (JSON allows none) near this position");
}

TEST(BadInput, JsonNumberOverflow) {
  std::string f = temp_file("overflow.json", replaced(kLlama, "4096,", "1e400,"));
  expect_user_error("show model " + f,
                    "error: " + f +
                        ": malformed JSON: number overflow parsing '1e400'. write numbers within "
                        "the range of a double (about 1.8e308)");
}

TEST(BadInput, WrongJsonType) {
  std::string f = temp_file("string-size.json", replaced(kLlama, "4096,", "\"4096\","));
  expect_user_error("show model " + f,
                    "error: " + f +
                        ":3:3: key 'hidden_size': expected a whole number, got string \"4096\". "
                        "write the number without quotes");
  std::string a = temp_file("array.json", "[1, 2]");
  expect_user_error("show model " + a,
                    "error: " + a +
                        ":1:1: expected a JSON object at the top level, got array. a config.json "
                        "is one {\"key\": value, ...} object");
}

TEST(BadInput, ImplausibleModelSize) {
  std::string f = temp_file("huge.json", replaced(kLlama, "4096,", "4611686018427387904,"));
  expect_user_error("show model " + f,
                    "error: " + f +
                        ":3:3: key 'hidden_size': is too large, got 4611686018427387904. no model "
                        "dimension exceeds 2147483647");
}

TEST(BadInput, MissingJsonKey) {
  std::string f = temp_file("no-layers.json", replaced(kLlama, "\"num_hidden_layers\": 32,\n", ""));
  expect_user_error("show model " + f,
                    "error: " + f +
                        ":1: key 'num_hidden_layers': required key is missing. add "
                        "\"num_hidden_layers\": <value>; LlamaForCausalLM configs need it");
}

// ---- precision recipes -----------------------------------------------------

const std::string kPrecision = R"(activations: bf16
attention_projections: {dtype: fp8}
attention_math: {dtype: bf16}
dense_mlp: {dtype: fp8}
moe_experts: {dtype: fp8}
lm_head: {dtype: bf16}
kv_cache: {dtype: fp8}
)";

TEST(BadInput, UnknownDtypeInPrecision) {
  std::string f = temp_file(
      "fp7.yaml", replaced(kPrecision, "dense_mlp: {dtype: fp8}", "dense_mlp: {dtype: fp7}"));
  expect_user_error("eval --chip h100-sxm --model llama3.1-8b --precision " + f,
                    "error: " + f +
                        ":4:20: key 'dense_mlp.dtype': unknown dtype 'fp7'. did you mean 'fp8'? "
                        "valid: fp32, tf32, bf16, fp16, fp8, int8, fp4, int4, nvfp4, mxfp4");
}

// ---- requests the chip or model cannot serve --------------------------------

TEST(BadInput, DtypeTheChipLacks) {
  expect_user_error("op gemm --chip a100-sxm --m 16 --n 16 --k 16 --dtype fp8",
                    "error: chip a100-sxm has no fp8 matrix support; supported: bf16, fp16, int8");
}

// The recipe's layer class the chip cannot run is named, and the hint lists
// only preset recipes the chip does run (groq-lpu: fp16 and int8 units, so
// int8's bf16 attention math rules int8 out). `plan` and `mlperf` report this
// cause instead of "no plan fits".
TEST(BadInput, PrecisionTheChipCannotRun) {
  const std::string fix = "choose a precision recipe the chip runs (--precision ID): ";
  expect_user_error("eval --chip a100-sxm --model llama3.1-8b --precision fp8",
                    "key 'attention_projections': precision 'fp8' computes in fp8 but chip "
                    "a100-sxm has no fp8 matrix support (it supports bf16, fp16, int8). " +
                        fix + "bf16, fp16, int8, mxfp4-w4a16, w4a16\n");
  expect_user_error("plan --chip groq-lpu --count 576 --model llama2-70b --precision int8",
                    "key 'attention_math': precision 'int8' computes in bf16 but chip groq-lpu "
                    "has no bf16 matrix support (it supports fp16, int8). " +
                        fix + "fp16\n");
  expect_user_error(
      "mlperf --chip groq-lpu --count 8 --benchmark llama2-70b --scenario offline",
      "chip groq-lpu has no fp8 matrix support (it supports fp16, int8). " + fix + "fp16\n");
}

TEST(BadInput, ModelDoesNotFit) {
  expect_user_error("eval --chip h100-sxm --model llama3.1-405b --precision bf16 --tp 1",
                    "error: llama3.1-405b at precision bf16 does not fit on 1 x h100-sxm: needs");
}

TEST(BadInput, TensorParallelismMustDivideHeads) {
  expect_user_error("eval --chip h100-sxm --model llama3.1-8b --tp 3",
                    "3 does not divide the 32 attention heads of llama3.1-8b");
}

// ---- command-line flags ----------------------------------------------------

TEST(BadInput, BadCliFlags) {
  expect_user_error("eval --chip h100-sxm --model llama3.1-8b --bogus",
                    "The following argument was not expected: --bogus");
  expect_user_error("eval --chip h100-sxm --model llama3.1-8b --format xml",
                    "--format: xml not in {table,json}");
  expect_user_error("op gemm --chip h100-sxm --m -5 --n 16 --k 16", "--m: Value -5 not in range");
  expect_user_error("op gemm --chip h100-sxm --m 16 --n 16 --k 16 --dtype fp7",
                    "error: --dtype: unknown dtype 'fp7'; valid: fp32, tf32, bf16, fp16, fp8, "
                    "int8, fp4, int4");
  expect_user_error("", "A subcommand is required");
  expect_user_error("list gpus", "what: gpus not in {chips,models,precisions,spaces}");
}

TEST(BadInput, TensorParallelDegreeMustBeAWholeNumber) {
  expect_user_error("eval --chip h100-sxm --model llama3.1-8b --tp 1.5",
                    "error: --tp: expected a whole number of chips or 'auto', got '1.5'");
  expect_user_error("eval --chip h100-sxm --model llama3.1-8b --tp 99999999999",
                    "error: --tp: expected a whole number of chips or 'auto', got '99999999999'");
}

// ---- calibration cases -----------------------------------------------------

const std::string kCase =
    "- {id: a, kind: gemm, chip: h100-sxm, m: 16, n: 16, k: 16, dtype: bf16, metric: tflops, "
    "measured: 1, source: test}\n";

TEST(BadInput, UnknownCalibrationKind) {
  std::string f = temp_file("kind.yaml", replaced(kCase, "kind: gemm", "kind: gemmm"));
  expect_user_error("validate " + f,
                    "error: " + f +
                        ":1:17: key '[0].kind': unknown case kind 'gemmm'. did you "
                        "mean 'gemm'?");
}

TEST(BadInput, DuplicateCaseId) {
  std::string f = temp_file("dup.yaml", kCase + replaced(kCase, "m: 16", "m: 32"));
  expect_user_error("validate " + f, "error: " + f + ":2:8: key '[1].id': duplicate case id 'a'");
}

TEST(BadInput, UnknownCaseKey) {
  std::string f =
      temp_file("case-key.yaml", replaced(kCase, "source: test", "source: test, seq: 5"));
  expect_user_error("validate " + f,
                    "error: " + f +
                        ":1:116: key '[0].seq': unknown key. valid: id, kind, chip, count, metric, "
                        "measured, source, software, m, n, k, dtype");
}

TEST(BadInput, NonPositiveMeasuredValue) {
  std::string f = temp_file("neg.yaml", replaced(kCase, "measured: 1,", "measured: -1,"));
  expect_user_error("validate " + f,
                    "error: " + f + ":1:99: key '[0].measured': measured value must be positive");
}

// ---- request traces (serve --trace) -----------------------------------------

std::string serve_trace(const std::string& path) {
  return "serve --chip h100-sxm --model llama3.1-8b --offline --trace " + path;
}

TEST(BadInput, TraceBadField) {
  std::string f = temp_file("bad-field.csv", "input_length,output_length\n100,200\n50,x\n");
  expect_user_error(serve_trace(f), "error: " + f +
                                        ":3:4: key 'output_length': 'x' is not a whole number of "
                                        "tokens >= 1. lengths are positive integers, e.g. 512");
}

TEST(BadInput, TraceUnknownColumn) {
  std::string f = temp_file("bad-header.csv", "input_len,output_length\n100,200\n");
  expect_user_error(serve_trace(f), "error: " + f +
                                        ":1:1: unknown trace column 'input_len'. did you mean "
                                        "'input_length'?");
}

TEST(BadInput, TraceWrongFieldCount) {
  std::string f = temp_file("count.csv", "100,200\n50\n");
  expect_user_error(serve_trace(f), "error: " + f + ":2:1: expected 2 fields, found 1.");
}

TEST(BadInput, TraceWithoutRequests) {
  std::string f = temp_file("empty.csv", "# nothing\n");
  expect_user_error(serve_trace(f), "error: " + f +
                                        ": the trace has no requests. add lines of "
                                        "input_length,output_length[,arrival_s]");
  expect_user_error(serve_trace("/nonexistent/trace.csv"),
                    "error: /nonexistent/trace.csv: cannot open the trace file. check the path "
                    "given to --trace");
}

// ---- system YAML (no CLI flag reads one yet: the library call) -------------

TEST(BadInput, SystemUnknownTopology) {
  try {
    cw::parse_system(cw::ConfigNode::load_string(
        "id: s\nname: s\nchip: h100-sxm\ncount: 8\nscale_up: {topology: ring, domain: 8}\n",
        "system.yaml"));
    FAIL() << "expected a UserError";
  } catch (const cw::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("system.yaml:5:22: key 'scale_up.topology': unknown "
                                         "topology 'ring'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
