// `wino-gen emit`: writes the kernels of a variant as readable GLSL (.comp) or
// CUDA (.cu) files, all of them renamed into place together. With
// --registry-unit it also writes the C++ unit wino_generate() compiles (and,
// for GLSL, the list of kernels for glslangValidator); with --layers, the
// kernel set of each layer of a list, tuned from --db.
#include "generator/atomic_file.hpp"
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include "templates/layer_plan.hpp"
#include "templates/emitter.hpp"
#include "cli/kernel_options.hpp"
#include "tuner/layer_list.hpp"
#include "recipes/recipe_db.hpp"
#include "recipes/recipe_format.hpp"
#include "templates/registry_unit.hpp"
#include "tuner/tuned_configs.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <tuple>
#include <set>

namespace wino::cli {
namespace {

struct EmitCli {
    std::string backend, out = ".", registry_unit, layers, db, device_name, points, precision = "fp32", pass = "forward",
        activation = "none", max_error, device_class;
    std::string m = "4", filter_shape;
    bool bias = false;
    std::optional<int> r;
    bool no_fma = false;
    KernelOptions kernel;
};

using Files = std::vector<std::pair<std::filesystem::path, std::string>>;

void progress(const std::string& line) { fmt::print(stderr, "wino-gen: {}\n", line); }

UnitSet unit_set(const ConvConfig& config, const ConvShape& shape, Backend backend, std::vector<EmittedKernel> kernels) {
    return {kernel_set_name(config.variant, config.m, shape.R, shape.S, config.params, config.precision, config.points,
                            config.epilogue, config.pass),
            backend, config.variant, config.m, shape.R, shape.S, config.params, config.points, config.precision,
            config.epilogue, config.pass, std::move(kernels)};
}

Epilogue epilogue_of(const EmitCli& o) {
    Epilogue epilogue;
    epilogue.bias = o.bias;
    parse_activation(o.activation, epilogue, "--activation");
    return epilogue;
}

// The class of device the untuned kernels start from: --device-class, else the backend's usual one.
DeviceClass device_class_of(const EmitCli& o, Backend backend) {
    return o.device_class.empty() ? spec_of(backend).usual_device : parse_device_class(o.device_class, "--device-class");
}

// --layers: each layer's configuration from the tuning database (the untuned
// one where it has none), one set per distinct configuration.
// At --precision and --pass: the database's result at that precision for that pass.
RegistryUnit layer_unit(const EmitCli& o, Backend backend) {
    const Precision precision = parse_precision(o.precision, "--precision");
    const Pass pass = parse_pass(o.pass, "--pass");
    const std::optional<double> max_error = max_error_of(o.max_error, precision);
    RegistryUnit unit{o.registry_unit, {}, {}};
    std::optional<std::pair<DeviceIdentity, TunedLookup>> tuned;
    if (!o.db.empty()) tuned = tuned_lookup(o.db, backend, o.device_name);
    for (const NamedLayer& l : read_layer_list(o.layers)) {
        ConvConfig config = untuned_config(l.shape, device_class_of(o, backend), pass);
        config.precision = precision;
        if (tuned) {
            if (const TunedConfig found = tuned->second(l.shape, precision, pass, max_error); found.config)
                config = *found.config;
            else
                progress(fmt::format("{}: no tuning result for {}; its kernels are the untuned ones", l.name,
                                     tuned->first.name));
        }
        config.epilogue = epilogue_of(o);
        ConvPlan plan = make_plan(l.shape, config, backend);
        UnitSet set = unit_set(config, l.shape, backend, std::move(plan.kernels));
        std::size_t index = 0;
        while (index < unit.sets.size() && unit.sets[index].name != set.name) ++index;
        if (index == unit.sets.size()) unit.sets.push_back(std::move(set));
        unit.layers.push_back({l.shape, index});
    }
    return unit;
}

void emit(const EmitCli& o) {
    if (o.backend.empty()) throw InputError(fmt::format("emit needs --backend {}", backend_names()));
    const Backend backend = parse_backend(o.backend, "--backend");
    const BackendSpec& language = spec_of(backend);
    if (!o.layers.empty() && o.registry_unit.empty()) throw InputError("--layers needs --registry-unit");
    if (o.layers.empty() && (!o.db.empty() || !o.device_name.empty() || !o.max_error.empty()))
        throw InputError("--db, --device-name and --max-error need --layers");
    if (!o.layers.empty() && !o.points.empty()) throw InputError("--points is for one configuration, not --layers");
    const Precision precision = parse_precision(o.precision, "--precision");
    const Pass pass = parse_pass(o.pass, "--pass");
    check_writable_folder(o.out);  // before recipes that may take minutes to make
    const std::filesystem::path out(o.out);
    Files files;
    RegistryUnit unit;
    if (!o.layers.empty()) {
        unit = layer_unit(o, backend);
    } else {
        const Variant variant = parse_variant(o.kernel.variant.value_or(default_variant), "--variant");
        // The kernels' filter: what they are for beyond their sizes is the layer's.
        // A layer of one output position stands for every layer of the filter.
        ConvShape shape;
        std::tie(shape.R, shape.S) =
            o.filter_shape.empty() ? std::pair{o.r.value_or(3), o.r.value_or(3)} : parse_filter_shape(o.filter_shape, "--filter-shape", true);
        shape.H = shape.R;
        shape.W = shape.S;
        const TileSize m = parse_tile(o.m, shape, pass);
        if (spec_of(variant).winograd && spec_of(pass).derivation == Derivation::chunked)
            validate_shape(shape, {.variant = variant, .m = m, .params = {}, .pass = pass}, ParamNaming::flag);
        // What the pass's kernels compute, F(tile, computed R×S).
        const ConvShape computed = pass_shape(shape, pass, m);
        const TileSize tile = pass_tile(shape, pass, m);
        KernelParams params(device_class_of(o, backend));
        fit_fused_block(params, computed, tile);  // where the flags do not say
        apply_kernel_options(o.kernel, params);
        check_params(params, {.kinds = spec_of(variant).kinds, .naming = ParamNaming::flag, .backend = backend, .precision = precision});
        check_precision(variant, precision);
        const ConvConfig config{variant, m, params,
                                spec_of(variant).winograd ? canonical_points(o.points, tile, computed.R, computed.S) : "", precision,
                                epilogue_of(o), pass};
        check_epilogue(pass, config.epilogue);
        std::optional<LayerRecipes> recipes;
        if (spec_of(variant).winograd) {
            if (shape.R == 1 && shape.S == 1) throw InputError("a 1x1 filter is not Winograd: emit --variant direct");
            validate_axes(computed, tile, o.points);
            // The recipes run's plan takes at this precision (balanced for 16-bit intermediates).
            OptimizerOptions options = optimizer_options(precision);
            options.fma = !o.no_fma;
            recipes.emplace(computed, computed_config(shape, config), options, progress);
        }
        unit = {o.registry_unit,
                {unit_set(config, shape, backend,
                          emit_variant(variant, recipes ? recipes->algorithm() : ConvAlgorithm::direct(shape.R, shape.S),
                                       params, backend, precision, config.epilogue, pass))},
                {}};
        if (recipes && *language.transform_header_extension) {
            std::set<std::string> headers;
            for (const RecipeSet* axis : {&recipes->h(), &recipes->w()}) {
                const std::string name = fmt::format("winograd_f{}_{}{}", axis->algorithm.m, axis->algorithm.r,
                                                     language.transform_header_extension);
                if (headers.insert(name).second) files.push_back({out / name, render_transform_header(*axis)});
            }
        }
    }
    std::set<std::string> written;
    for (const UnitSet& set : unit.sets)
        for (const EmittedKernel& k : set.kernels)
            if (written.insert(k.name).second) files.push_back({out / (k.name + language.extension), k.source});
    if (!o.registry_unit.empty()) {
        files.push_back({out / (o.registry_unit + ".cpp"), render_registry_unit(unit)});
        files.push_back({out / (o.registry_unit + ".spirv.txt"), render_spirv_list(unit, language.extension)});
    }
    write_files_atomically(files);
    for (const auto& [file, text] : files) fmt::print("{}\n", file.string());
}

}  // namespace

Command add_emit_command(CLI::App& app) {
    auto o = std::make_shared<EmitCli>();
    CLI::App* sub = app.add_subcommand("emit", "Write the Winograd kernels of a variant as GLSL or CUDA source");
    sub->add_option("--backend", o->backend, backend_names());
    add_tile_option(sub, o->m, "output tile (default 4)");
    add_filter_options(sub, o->r, o->filter_shape);
    add_kernel_options(sub, o->kernel);
    sub->add_flag("--no-fma", o->no_fma, "transform recipes without FMA");
    add_points_option(sub, o->points);
    add_precision_option(sub, o->precision);
    add_pass_option(sub, o->pass);
    sub->add_flag("--bias", o->bias, "the kernels that write the output add a bias of K values (a buffer named bias)");
    add_activation_option(sub, o->activation);
    sub->add_option("--out", o->out, "folder for the kernel files")->default_str(".");
    sub->add_option("--registry-unit", o->registry_unit,
                    "also write <ID>.cpp, the kernel set as <wino/kernel_set.hpp> records for wino_generate(), and "
                    "<ID>.spirv.txt, the GLSL kernels for glslangValidator; ID is a C identifier");
    sub->add_option("--layers", o->layers,
                    "instead of one configuration, the kernel set of each layer of this list (\"name N C H W K R pad\" a "
                    "line; R may be RxS, pad as --pad takes it)");
    sub->add_option("--db", o->db,
                    "with --layers: each layer's configuration is the fastest in this tuning database at --precision "
                    "for --pass");
    sub->add_option("--device-name", o->device_name, "with --db holding several devices: the one whose name holds this");
    add_max_error_option(sub, o->max_error, "with --db, a tuned configuration's error budget");
    sub->add_option("--device-class", o->device_class,
                    "the devices the kernels are for, which decides the parameters they start from: cpu (lavapipe's "
                    "shapes) or gpu (CUDA's two-warp GEMM, also for Vulkan on a GPU) (default: cpu for glsl, gpu for cuda)");
    return {sub, [o] { emit(*o); }};
}

}  // namespace wino::cli
