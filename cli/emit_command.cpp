// `wino-gen emit`: writes the kernels of a variant as readable GLSL (.comp) or
// CUDA (.cu) files, all of them renamed into place together. With
// --registry-unit it also writes the C++ unit wino_generate() compiles (and,
// for GLSL, the list of kernels for glslangValidator); with --layers, the
// kernel set of each layer of a list, tuned from --db; with --model, that of
// each Conv node of an ONNX model, and manifest.json, which node has which.
#include "generator/atomic_file.hpp"
#include "generator/stable_hash.hpp"
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include "templates/layer_plan.hpp"
#include "templates/emitter.hpp"
#include "cli/kernel_options.hpp"
#include "tuner/layer_list.hpp"
#include "tuner/model_layers.hpp"
#include "recipes/recipe_db.hpp"
#include "recipes/recipe_format.hpp"
#include "templates/registry_unit.hpp"
#include "tuner/tuned_configs.hpp"

#include <wino/errors.hpp>
#include "generator/json_text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <tuple>
#include <set>

namespace wino::cli {
namespace {

struct EmitCli {
    std::string backend, out = ".", registry_unit, layers, model, db, device_name, points, precision = "fp32", pass = "forward",
        activation = "none", max_error, device_class;
    std::optional<int> batch;
    std::string m = "4", filter_shape;
    bool bias = false;
    std::optional<int> r;
    bool no_fma = false;
    KernelOptions kernel;
    Int8ClipOptions clips;
};

using Files = std::vector<std::pair<std::filesystem::path, std::string>>;

void progress(const std::string& line) { fmt::print(stderr, "wino-gen: {}\n", line); }

// A set with clips is named after them too: layers whose kernels agree but
// whose clips do not each keep their own set.
UnitSet unit_set(const ConvConfig& config, const ConvShape& shape, Backend backend, std::vector<EmittedKernel> kernels) {
    std::string name = kernel_set_name(config.variant, config.m, shape.R, shape.S, config.params, config.precision, config.points,
                                       config.epilogue, config.pass);
    if (!config.clips.empty()) name += "_clips" + stable_hash(to_json(config.clips).dump()).substr(0, 8);
    return {name, backend, config.variant, config.m, shape.R, shape.S, config.params, config.points, config.precision,
            config.epilogue, config.pass, config.clips, std::move(kernels)};
}

// Precision int8's clips where the config has none (an untuned layer, or a
// configuration): --clip's; emit has no inputs to calibrate on.
void give_clips(const EmitCli& o, const ConvShape& shape, ConvConfig& config, const std::string& what) {
    if (!spec_of(config.precision).quantized() || (!config.clips.empty() && !o.clips.given())) return;
    if (!o.clips.given())
        throw InputError(fmt::format("{}: precision {} needs clips: give --clip c,αta,αtw, or tune the layer at {} (the "
                                     "tuning database keeps its clips) and emit it with --layers and --db",
                                     what, to_string(config.precision), to_string(config.precision)));
    config.clips = int8_clips_for(o.clips, shape, config, {}, "");
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

// Each layer's configuration from the tuning database (the untuned one where
// it has none), one set per distinct configuration, at --precision and
// --pass: the database's result at that precision for that pass. Per layer,
// its set's index in the unit and whether the set is tuned.
struct LayerSet {
    std::size_t set;
    bool tuned;
};
std::vector<LayerSet> add_layer_sets(const EmitCli& o, Backend backend, const std::vector<NamedLayer>& layers, RegistryUnit& unit) {
    const Precision precision = parse_precision(o.precision, "--precision");
    const Pass pass = parse_pass(o.pass, "--pass");
    const std::optional<double> max_error = max_error_of(o.max_error, precision);
    std::optional<std::pair<DeviceIdentity, TunedLookup>> tuned;
    if (!o.db.empty()) tuned = tuned_lookup(o.db, backend, o.device_name);
    std::vector<LayerSet> out;
    for (const NamedLayer& l : layers) {
        ConvConfig config = untuned_config(l.shape, device_class_of(o, backend), pass);
        config.precision = precision;
        bool found_tuned = false;
        if (tuned) {
            if (const TunedConfig found = tuned->second(l.shape, precision, pass, max_error); found.config) {
                config = *found.config;
                found_tuned = true;
            } else {
                progress(fmt::format("{}: no tuning result for {}; its kernels are the untuned ones", l.name, tuned->first.name));
            }
        }
        config.epilogue = epilogue_of(o);
        give_clips(o, l.shape, config, l.name);
        ConvPlan plan = make_plan(l.shape, config, backend);
        UnitSet set = unit_set(config, l.shape, backend, std::move(plan.kernels));
        std::size_t index = 0;
        while (index < unit.sets.size() && unit.sets[index].name != set.name) ++index;
        if (index == unit.sets.size()) unit.sets.push_back(std::move(set));
        out.push_back({index, found_tuned});
    }
    return out;
}

// --layers: each layer of the list and its set.
RegistryUnit layer_unit(const EmitCli& o, Backend backend) {
    RegistryUnit unit{o.registry_unit, {}, {}};
    const std::vector<NamedLayer> layers = read_layer_list(o.layers);
    const std::vector<LayerSet> sets = add_layer_sets(o, backend, layers, unit);
    for (std::size_t i = 0; i < layers.size(); ++i) unit.layers.push_back({layers[i].shape, sets[i].set});
    return unit;
}

// A C identifier from a file's stem: "resnet18-v1" -> "resnet18_v1".
std::string identifier_of(const std::filesystem::path& file) {
    std::string id = file.stem().string();
    std::replace_if(id.begin(), id.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return id.empty() || std::isdigit(static_cast<unsigned char>(id[0])) ? "model_" + id : id;
}

// --model: the set of each distinct shape of the model's Conv nodes (each
// shape's layer once, found by shape), every node with its shape's set, and
// the nodes no set runs with their reasons; and manifest.json, which says so.
RegistryUnit model_unit(const EmitCli& o, Backend backend, const ModelLayers& model) {
    RegistryUnit unit{o.registry_unit.empty() ? identifier_of(o.model) : o.registry_unit, {}, {}};
    for (const SkippedConv& s : model.skipped) {
        progress(fmt::format("skipped {}: {}", s.node, s.reason));
        unit.skipped.push_back({s.node, s.reason});
    }
    const std::vector<LayerSet> sets = add_layer_sets(o, backend, model.layers, unit);
    for (std::size_t i = 0; i < model.layers.size(); ++i) unit.layers.push_back({model.layers[i].shape, sets[i].set});
    for (const NamedLayer& node : model.nodes) {
        const auto layer = std::find_if(model.layers.begin(), model.layers.end(), [&](const NamedLayer& l) { return l.shape == node.shape; });
        const LayerSet& set = sets.at(static_cast<std::size_t>(layer - model.layers.begin()));
        unit.nodes.push_back({node.name, node.shape, set.set, set.tuned});
    }
    return unit;
}

nlohmann::ordered_json manifest(const EmitCli& o, Backend backend, const ModelLayers& model, const RegistryUnit& unit) {
    nlohmann::ordered_json nodes = nlohmann::ordered_json::array(), skipped = nlohmann::ordered_json::array();
    for (const UnitNode& n : unit.nodes)
        nodes.push_back({{"node", n.name}, {"shape", layer_json(n.shape)}, {"set", unit.sets[n.set].name}, {"tuned", n.tuned}});
    for (const UnitSkipped& s : unit.skipped) skipped.push_back({{"node", s.name}, {"reason", s.reason}});
    return {{"model", model.file_name},
            {"model_hash", model.hash},
            {"batch", o.batch.value_or(1)},
            {"backend", spec_of(backend).name},
            {"precision", o.precision},
            {"pass", o.pass},
            {"tuning_db", o.db.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(o.db)},
            {"registry_unit", unit.id},
            {"counts", {{"nodes", unit.nodes.size()}, {"sets", unit.sets.size()}, {"skipped", unit.skipped.size()}}},
            {"nodes", nodes},
            {"skipped", skipped}};
}

void emit(const EmitCli& o) {
    if (o.backend.empty()) throw InputError(fmt::format("emit needs --backend {}", backend_names()));
    const Backend backend = parse_backend(o.backend, "--backend");
    const BackendSpec& language = spec_of(backend);
    const bool listed = !o.layers.empty() || !o.model.empty();
    if (!o.layers.empty() && !o.model.empty()) throw InputError("give --layers or --model, not both");
    if (!o.layers.empty() && o.registry_unit.empty()) throw InputError("--layers needs --registry-unit");
    if (o.batch && o.model.empty()) throw InputError("--batch is for --model: the batch size its dynamic batch dimension stands for");
    if (!listed && (!o.db.empty() || !o.device_name.empty() || !o.max_error.empty()))
        throw InputError("--db, --device-name and --max-error need --layers or --model");
    if (listed && !o.points.empty()) throw InputError("--points is for one configuration, not --layers or --model");
    const Precision precision = parse_precision(o.precision, "--precision");
    const Pass pass = parse_pass(o.pass, "--pass");
    check_int8_clip_options(o.clips, precision);
    check_writable_folder(o.out);  // before recipes that may take minutes to make
    const std::filesystem::path out(o.out);
    Files files;
    RegistryUnit unit;
    if (!o.model.empty()) {
        const ModelLayers model = read_model_layers(o.model, o.batch.value_or(1));
        if (model.nodes.empty())
            throw InputError(fmt::format("{} has no convolution a Winograd kernel can run ({} Conv nodes skipped)", o.model,
                                         model.skipped.size()));
        unit = model_unit(o, backend, model);
        files.push_back({out / "manifest.json", to_readable_json(manifest(o, backend, model, unit))});
    } else if (!o.layers.empty()) {
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
        ConvConfig config{variant, m, params,
                          spec_of(variant).winograd ? canonical_points(o.points, tile, computed.R, computed.S) : "", precision,
                          epilogue_of(o), pass};
        check_epilogue(pass, config.epilogue);
        give_clips(o, shape, config, algorithm_text(shape, config));
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
    if (!unit.id.empty()) {
        files.push_back({out / (unit.id + ".cpp"), render_registry_unit(unit)});
        files.push_back({out / (unit.id + ".spirv.txt"), render_spirv_list(unit, language.extension)});
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
    add_int8_clip_options(sub, o->clips, "");
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
    sub->add_option("--model", o->model,
                    "instead of one configuration, the kernel set of each Conv node of this ONNX model that wino-gen runs "
                    "(stride 1, dilation 1, group 1), nodes of one shape sharing it, and manifest.json: each node's shape, "
                    "set and whether it is tuned, the skipped nodes with their reasons, the model's hash; the registry unit "
                    "is named after the model unless --registry-unit");
    sub->add_option("--batch", o->batch, "with --model: the batch size a dynamic batch dimension stands for")
        ->default_str("1")
        ->check(integer_range(layer_fields()[0].min, layer_fields()[0].max));
    sub->add_option("--db", o->db,
                    "with --layers or --model: each layer's configuration is the fastest in this tuning database at "
                    "--precision for --pass");
    sub->add_option("--device-name", o->device_name, "with --db holding several devices: the one whose name holds this");
    add_max_error_option(sub, o->max_error, "with --db, a tuned configuration's error budget");
    sub->add_option("--device-class", o->device_class,
                    "the devices the kernels are for, which decides the parameters they start from: cpu (lavapipe's "
                    "shapes) or gpu (CUDA's two-warp GEMM, also for Vulkan on a GPU) (default: cpu for glsl, gpu for cuda)");
    return {sub, [o] { emit(*o); }};
}

}  // namespace wino::cli
