// wino-gen: one binary, one subcommand per stage of the pipeline (DESIGN.md, CLI).
// Exit codes: 0 ok, 2 bad input (one line on stderr), 1 failure.
#include "generator/atomic_file.hpp"
#include "cli/command.hpp"
#include <wino/errors.hpp>
#include <wino/version.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    wino::remove_temporaries_on_signals();
    CLI::App app{"wino-gen: exact Winograd convolution matrices, transform recipes and GPU kernels"};
    app.require_subcommand(1);
    app.set_version_flag("--version", fmt::format("wino-gen {}", wino::version));
    std::vector<wino::cli::Command> commands = {wino::cli::add_matrices_command(app),
                                                wino::cli::add_recipe_command(app),
                                                wino::cli::add_accuracy_command(app),
                                                wino::cli::add_search_command(app),
                                                wino::cli::add_emit_command(app),
                                                wino::cli::add_run_command(app),
                                                wino::cli::add_tune_command(app),
                                                wino::cli::add_selftest_command(app)};
    std::vector<std::string> names;
    for (const wino::cli::Command& command : commands) names.push_back(command.parser->get_name());
    if (argc > 1 && argv[1][0] != '-' && std::find(names.begin(), names.end(), argv[1]) == names.end()) {
        fmt::print(stderr, "wino-gen: unknown subcommand '{}' (one of: {})\n", argv[1], fmt::join(names, ", "));
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
        return app.exit(version);
    } catch (const CLI::ParseError& bad) {
        fmt::print(stderr, "wino-gen: {}\n", bad.what());
        return 2;
    }
    try {
        for (const wino::cli::Command& command : commands)
            if (command.parser->parsed()) command.run();
        return 0;
    } catch (const wino::InputError& bad) {
        fmt::print(stderr, "wino-gen: {}\n", bad.what());
        return 2;
    } catch (const std::exception& failure) {
        fmt::print(stderr, "wino-gen: {}\n", failure.what());
        return 1;
    }
}
