// `wino-gen emit`: writes the kernels of a variant as readable GLSL (.comp) or
// CUDA (.cu) files, each written atomically.
#include "atomic_file.hpp"
#include "command.hpp"
#include "shared_options.hpp"
#include "emitter.hpp"
#include <wino/errors.hpp>
#include "kernel_options.hpp"
#include "recipe_db.hpp"
#include "recipe_format.hpp"

#include <fmt/format.h>

#include <memory>

namespace wino::cli {
namespace {

struct EmitCli {
    std::string backend, out = ".";
    int m = 4, r = 3;
    bool no_fma = false;
    KernelOptions kernel;
};

void emit(const EmitCli& o) {
    if (o.backend.empty()) throw InputError(fmt::format("emit needs --backend {}", backend_names()));
    const Backend backend = parse_backend(o.backend);
    const Variant variant = parse_variant(o.kernel.variant.value_or(default_variant));
    validate_tile(o.m, o.r);
    KernelParams params = default_params(backend);
    apply_kernel_options(o.kernel, params);
    check_params(params, {spec_of(variant).kinds});
    check_writable_folder(o.out);  // before recipes that may take minutes to make
    OptimizerOptions options;
    options.fma = !o.no_fma;
    const RecipeSet recipes = recipes_for(o.m, o.r, default_points(o.m + o.r - 1), options,
                                          [](const std::string& line) { fmt::print(stderr, "wino-gen: {}\n", line); });
    const BackendSpec& language = spec_of(backend);
    std::vector<std::pair<std::filesystem::path, std::string>> files;
    for (const EmittedKernel& k : emit_variant(variant, &recipes, o.r, params, backend))
        files.push_back({std::filesystem::path(o.out) / (k.name + language.extension), k.source});
    if (*language.transform_header_extension)
        files.push_back({std::filesystem::path(o.out) / fmt::format("winograd_f{}_{}{}", o.m, o.r, language.transform_header_extension),
                         render_transform_header(recipes)});
    write_files_atomically(files);
    for (const auto& [file, text] : files) fmt::print("{}\n", file.string());
}

}  // namespace

Command add_emit_command(CLI::App& app) {
    auto o = std::make_shared<EmitCli>();
    CLI::App* sub = app.add_subcommand("emit", "Write the Winograd kernels of a variant as GLSL or CUDA source");
    sub->add_option("--backend", o->backend, backend_names());
    sub->add_option("--m", o->m, "output tile size")->default_str("4")->check(integer_range(1, max_alpha));
    sub->add_option("--r", o->r, "filter size")->default_str("3")->check(integer_range(1, max_alpha));
    add_kernel_options(sub, o->kernel);
    sub->add_flag("--no-fma", o->no_fma, "transform recipes without FMA");
    sub->add_option("--out", o->out, "folder for the kernel files")->default_str(".");
    return {sub, [o] { emit(*o); }};
}

}  // namespace wino::cli
