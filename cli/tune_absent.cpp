// `wino-gen tune` in a build without the tuner part: it takes any arguments
// and says how to build the part.
#include "cli/command.hpp"

#include "generator/build_parts.hpp"
#include <wino/errors.hpp>

namespace wino::cli {

Command add_tune_command(CLI::App& app) {
    CLI::App* sub = app.add_subcommand("tune", tune_description);
    sub->allow_extras();
    return {sub, [] { throw InputError(absent_part(Part::tuner, "tune")); }};
}

}  // namespace wino::cli
