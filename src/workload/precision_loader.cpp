#include "workload/precision_loader.hpp"

#include <filesystem>

#include "config/config_node.hpp"
#include "config/data_dir.hpp"
#include "config/did_you_mean.hpp"
#include "config/file_cache.hpp"

namespace cw {
namespace {

// Block-scaled 4-bit formats known by name, with their scale layout:
// NVFP4 (NVIDIA Blackwell): E2M1 elements, one FP8 E4M3 scale per 16;
// MXFP4 (OCP Microscaling spec v1.0): E2M1 elements, one E8M0 scale per 32.
struct NamedFormat {
  const char* name;
  Dtype dtype;
  int block_size;
  double scale_bits;
};
constexpr NamedFormat kNamedFormats[] = {
    {"nvfp4", Dtype::fp4, 16, 8},
    {"mxfp4", Dtype::fp4, 32, 8},
};

std::vector<std::string> valid_dtype_names() {
  std::vector<std::string> names = all_dtype_names();
  for (const auto& f : kNamedFormats) names.emplace_back(f.name);
  return names;
}

Dtype read_dtype(const ConfigNode& n) {
  const std::string s = n.as_string();
  if (auto d = parse_dtype(s)) return *d;
  std::vector<std::string> valid = valid_dtype_names();
  std::string near = closest_match(s, valid);
  std::string list;
  for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
  n.fail("unknown dtype '" + s + "'",
         (near.empty() ? "" : "did you mean '" + near + "'? ") + "valid: " + list);
}

// {dtype: fp8} or {dtype: fp4, block_size: 16, scale_bits: 8} or {dtype: nvfp4},
// optionally with compute: bf16 (weights stored in dtype, multiplied in bf16).
NumberFormat read_format(const ConfigNode& n) {
  n.expect_keys({"dtype", "block_size", "scale_bits", "compute"});
  NumberFormat f;
  ConfigNode dtype = n.required("dtype");
  bool named = false;
  for (const auto& nf : kNamedFormats) {
    if (dtype.as_string() != nf.name) continue;
    f = NumberFormat{nf.dtype, nf.block_size, nf.scale_bits, std::nullopt};
    named = true;
  }
  if (!named) f.dtype = read_dtype(dtype);
  if (auto b = n.optional("block_size")) {
    int64_t v = b->as_int();
    if (v <= 0 || v > (1 << 20))
      b->fail("must be a positive element count, got " + b->as_string(), "NVFP4 uses 16, MXFP4 32");
    f.block_size = static_cast<int>(v);
  }
  if (auto s = n.optional("scale_bits")) f.scale_bits = s->as_double_in(0, 64);
  if (f.block_size > 0 && f.scale_bits <= 0)
    n.fail("block_size needs scale_bits", "add scale_bits: 8 (FP8 E4M3 or E8M0 scales)");
  if (f.block_size == 0 && f.scale_bits > 0)
    n.fail("scale_bits needs block_size", "add block_size: the elements sharing one scale");
  if (auto c = n.optional("compute")) {
    f.compute = read_dtype(*c);
    if (dtype_bits(*f.compute) < dtype_bits(f.dtype))
      c->fail("compute in " + std::string(dtype_name(*f.compute)) +
                  " is narrower than the stored " + std::string(dtype_name(f.dtype)) + " weights",
              "compute is the dtype the matrix unit multiplies in: at least as wide as dtype "
              "(e.g. dtype: int4, compute: bf16)");
  }
  return f;
}

Precision read_precision(const ConfigNode& doc, const std::string& file_name) {
  if (!doc.is_map())
    doc.fail("expected a mapping of keys to values", "see docs/precision-format.md");
  doc.expect_keys({"name", "description", "activations", "attention_projections", "attention_math",
                   "dense_mlp", "moe_experts", "lm_head", "kv_cache"});
  Precision p;
  p.source_file = file_name;
  auto name = doc.optional("name");
  p.name = name ? name->as_string() : std::filesystem::path(file_name).stem().string();
  p.activations = read_dtype(doc.required("activations"));
  p.attention_projections = read_format(doc.required("attention_projections"));
  p.attention_math = read_format(doc.required("attention_math"));
  p.dense_mlp = read_format(doc.required("dense_mlp"));
  p.moe_experts = read_format(doc.required("moe_experts"));
  p.lm_head = read_format(doc.required("lm_head"));
  p.kv_cache = read_format(doc.required("kv_cache"));
  return p;
}

}  // namespace

Precision parse_precision(const std::string& yaml_text, const std::string& file_name) {
  return read_precision(ConfigNode::load_string(yaml_text, file_name), file_name);
}

Precision load_precision(const std::string& id_or_path) {
  std::filesystem::path path = resolve_preset(id_or_path, "precisions", ".yaml", "precision");
  return load_cached<Precision>(path, [](const std::string& text, const std::filesystem::path& p) {
    return read_precision(ConfigNode::load_string(text, p.string()), p.string());
  });
}

std::vector<std::string> list_precisions() {
  return list_presets("precisions", ".yaml");
}

}  // namespace cw
