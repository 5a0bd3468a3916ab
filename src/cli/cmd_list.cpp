#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "config/data_dir.hpp"
#include "hardware/chip_loader.hpp"
#include "report/json_report.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw::cli {

void register_list(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("list", "List presets: chips, models, precisions or design spaces");
  auto what = std::make_shared<std::string>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("what", *what, "chips | models | precisions | spaces")
      ->required()
      ->check(CLI::IsMember({"chips", "models", "precisions", "spaces"}));
  add_format_option(*cmd, *out);
  cmd->callback([what, out] {
    std::vector<std::string> ids = *what == "chips"        ? list_chips()
                                   : *what == "models"     ? list_models()
                                   : *what == "precisions" ? list_precisions()
                                                           : list_presets("spaces", ".yaml");
    if (out->json()) {
      fmt::print("{}\n", nlohmann::json(ids).dump(2));
      return;
    }
    for (const auto& id : ids) fmt::print("{}\n", id);
  });
}

}  // namespace cw::cli
