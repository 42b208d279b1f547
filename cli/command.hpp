// A CLI subcommand: its CLI11 parser and the action run once parsing succeeded.
// Actions throw InputError (exit 2) or ProofError (exit 1); main maps them.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace wino::cli {

struct Command {
    CLI::App* parser;
    std::function<void()> run;
};

Command add_matrices_command(CLI::App& app);
Command add_recipe_command(CLI::App& app);
Command add_accuracy_command(CLI::App& app);
Command add_search_command(CLI::App& app);
Command add_emit_command(CLI::App& app);
Command add_run_command(CLI::App& app);
// tune_command.cpp, or, in a build without the tuner part, tune_absent.cpp;
// both describe it so.
inline constexpr const char* tune_description = "Tune layers on a device into the tuning database (run then uses it)";
Command add_tune_command(CLI::App& app);
Command add_selftest_command(CLI::App& app);

}  // namespace wino::cli
