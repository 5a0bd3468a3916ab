#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "hardware/chip_loader.hpp"
#include "report/json_report.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw::cli {

void register_list(CLI::App& app) {
  auto* cmd = app.add_subcommand("list", "List presets: chips, models or precisions");
  auto what = std::make_shared<std::string>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("what", *what, "chips | models | precisions")
      ->required()
      ->check(CLI::IsMember({"chips", "models", "precisions"}));
  add_format_option(*cmd, *out);
  cmd->callback([what, out] {
    std::vector<std::string> ids = *what == "chips"    ? list_chips()
                                   : *what == "models" ? list_models()
                                                       : list_precisions();
    if (out->json()) {
      fmt::print("{}\n", nlohmann::json(ids).dump(2));
      return;
    }
    for (const auto& id : ids) fmt::print("{}\n", id);
  });
}

}  // namespace cw::cli
