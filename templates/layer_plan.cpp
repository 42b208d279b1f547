// Shape checks, the reference convolution, and the launch plan of a variant.
#include "templates/layer_plan.hpp"

#include <wino/errors.hpp>
#include "generator/checked.hpp"
#include "recipes/recipe_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace wino {

TileSize tile_for(const ConvShape& s, TileSize m, Pass pass) {
    if (spec_of(pass).derivation == Derivation::chunked) return {1, m.w};
    return {s.R == 1 ? 1 : m.h, s.S == 1 ? 1 : m.w};
}

ConvConfig computed_config(const ConvShape& layer, const ConvConfig& config) {
    ConvConfig computed = config;
    computed.m = pass_tile(layer, config.pass, config.m);
    return computed;
}

std::string algorithm_text(const ConvShape& layer, const ConvConfig& config) {
    const ConvShape s = pass_shape(layer, config.pass, config.m);
    return algorithm_text(pass_tile(layer, config.pass, config.m), s.R, s.S);
}

long long plan_buffer_floats(BufferId buffer, const ConvShape& layer, Pass pass, const ConvShape& s, const Tiling& tiling) {
    const PassSpec& spec = spec_of(pass);
    switch (buffer) {
        case BufferId::images: return static_cast<long long>(tensor_size(layer, spec.images));
        case BufferId::filters: return static_cast<long long>(tensor_size(layer, spec.filters));
        case BufferId::result: return static_cast<long long>(tensor_size(layer, spec.result));
        default: return buffer_floats(buffer, s, tiling);
    }
}

PointSet points_of(const ConvConfig& config, int m, int r) {
    return r == 1 ? default_points(m) : points_or_default(config.points, m + r - 1);
}

void validate_axes(const ConvShape& s, TileSize m, const std::string& points) {
    validate_tile(m.h, s.R);
    validate_tile(m.w, s.S);
    for (const auto& [name, size, tile] : {std::tuple{"R", s.R, m.h}, std::tuple{"S", s.S, m.w}})
        if (size == 1 && tile != 1)
            throw InputError(fmt::format("the filter's {} is 1, so that axis is not transformed and its tile is 1, not {}",
                                         name, tile));
    if (!points.empty() && s.R > 1 && s.S > 1 && m.h + s.R != m.w + s.S)
        throw InputError(fmt::format("the points are those of both axes, whose alphas differ ({} along H, {} along W): "
                                     "give an m per axis that makes them equal, or no points",
                                     m.h + s.R - 1, m.w + s.S - 1));
}

std::string canonical_points(const std::string& text, TileSize m, int r, int s) {
    validate_tile(m.h, r);
    validate_tile(m.w, s);
    const int alpha = points_alpha(m, r, s);
    const std::string given = finite_points_text(points_or_default(text, alpha));
    return given == finite_points_text(default_points(alpha)) ? "" : given;
}

LayerRecipes::LayerRecipes(const ConvShape& s, const ConvConfig& c, const OptimizerOptions& options,
                           const std::function<void(const std::string&)>& progress)
    : h_(recipes_for(c.m.h, s.R, points_of(c, c.m.h, s.R), options, progress)) {
    if (c.m.w != c.m.h || s.S != s.R) w_ = recipes_for(c.m.w, s.S, points_of(c, c.m.w, s.S), options, progress);
}

ConvAlgorithm LayerRecipes::algorithm() const { return ConvAlgorithm::winograd2d(h(), w()); }

// The quantized precisions' int32 sums cannot overflow at any C a layer has
// (they run the forward pass, whose channels are the layer's).
static_assert(max_channels <= int8_largest_channels && max_channels <= split_int8_largest_channels);

void validate_shape(const ConvShape& layer, const ConvConfig& c, ParamNaming naming) {
    check_ranges(layer);
    if (layer.out_h() < 1 || layer.out_w() < 1)
        throw InputError(fmt::format("a {} filter with pad {} leaves no output of a {}x{} input", filter_text(layer),
                                     padding_text(layer.pad), layer.H, layer.W));
    check_epilogue(c.pass, c.epilogue);
    const VariantSpec& variant = spec_of(c.variant);
    const bool chunked = spec_of(c.pass).derivation == Derivation::chunked;
    if (variant.winograd && chunked && (c.m.h != 1 || c.m.w < min_chunk || c.m.w > max_chunk))
        throw InputError(fmt::format("backward-filter's m is the width w of dy's chunks, 1,w (or w) with w from {} to {}, not {}",
                                     min_chunk, max_chunk, tile_json(c.m).dump()));
    const ConvShape s = pass_shape(layer, c.pass, c.m);
    const ConvConfig computed = computed_config(layer, c);
    if (variant.winograd) {
        if (layer.R == 1 && layer.S == 1)
            throw InputError("a 1x1 filter is not Winograd: the layer is one GEMM, K x C filters by C x N*H*W pixels "
                             "(a BLAS sgemm, or cuBLAS), or the direct variant here");
        validate_axes(s, computed.m, c.points);
        // The default sets are valid for every alpha validate_axes allows;
        // given points are parsed to be checked (the tuner asks this of every
        // candidate, and parsing is most of its cost).
        if (!c.points.empty()) {
            points_of(c, computed.m.h, s.R);
            points_of(c, computed.m.w, s.S);
        }
    } else if (!c.points.empty()) {
        throw InputError("the direct kernel has no interpolation points: points are for the nonfused and fused variants");
    }
    check_precision(c.variant, c.precision, c.pass);
    if (const bool int8 = spec_of(c.precision).quantized(); !int8 && !c.clips.empty()) {
        throw InputError(fmt::format("clips are for precision {}, not {}", quantized_precision_names(), to_string(c.precision)));
    } else if (int8) {
        const long long taps = tile_positions(layer, c);
        if (static_cast<long long>(c.clips.taps.size()) != taps)
            throw InputError(fmt::format("precision {} needs {} clips of V, one a tap of {}'s tile, not {}: calibrate them or "
                                         "give them", to_string(c.precision), taps, algorithm_text(layer, c), c.clips.taps.size()));

    }
    if (c.params[Param::cublas][0] && (spec_of(c.precision).half_intermediates() ||
                                       spec_of(c.precision).product_operands != ProductOperands::as_read))
        throw InputError(fmt::format("the cuBLAS product is SGEMM over fp32 U, V and M: not at precision {}", to_string(c.precision)));
    check_params(c.params, {.kinds = variant.kinds, .shape = &s, .m = computed.m, .naming = naming, .precision = c.precision});
    const Tiling tiling = tiling_of(s, c.variant, computed.m, operand_packing(c.precision));
    long long largest = 0;
    for (const KernelKind kind : variant.kinds)
        for (const BufferUse& use : spec_of(kind).buffers(c.params))
            largest = std::max(largest, plan_buffer_floats(use.buffer, layer, c.pass, s, tiling));
    if (largest > std::numeric_limits<std::int32_t>::max())
        throw InputError(fmt::format("this shape needs buffers of {} elements, past the kernels' 32-bit indices", largest));
}

long long tile_positions(const ConvShape& layer, const ConvConfig& config) {
    const TileSize m = pass_tile(layer, config.pass, config.m);
    const ConvShape s = pass_shape(layer, config.pass, config.m);
    return 1LL * (m.h + s.R - 1) * (m.w + s.S - 1);
}

ConvPlan make_plan(const ConvShape& layer, const ConvConfig& config, Backend backend) {
    validate_shape(layer, config);
    const ConvShape s = pass_shape(layer, config.pass, config.m);
    const ConvConfig computed = computed_config(layer, config);
    ConvPlan plan{layer, s, config, tiling_of(s, config.variant, computed.m, operand_packing(config.precision)), {}, {}, {}, {}, {}, {}};
    plan.args = kernel_args(layer, s, plan.tiling);
    std::optional<LayerRecipes>& recipes = plan.recipes;
    if (spec_of(config.variant).winograd) recipes.emplace(s, computed, optimizer_options(config.precision));
    plan.kernels = emit_variant(config.variant, recipes ? recipes->algorithm() : ConvAlgorithm::direct(layer.R, layer.S),
                                config.params, backend, config.precision, config.epilogue, config.pass);
    // The filter transform runs once per weight tensor where the filters are
    // w; backward-filter's are dy, new on every run.
    const bool filters_are_weights = spec_of(config.pass).filters == LayerTensor::w;
    for (std::size_t i = 0; i < plan.kernels.size(); ++i) {
        const EmittedKernel& k = plan.kernels[i];
        const KindSpec& kind = spec_of(k.kind);
        for (const BufferUse& use : k.buffers) {
            const auto elements = static_cast<std::size_t>(plan_buffer_floats(use.buffer, layer, config.pass, s, plan.tiling));
            plan.buffer_floats[use.buffer] = use.half ? (elements + 1) / 2 : use.int8 ? (elements + 3) / 4 : elements;
        }
        const Launch launch{i, kind.groups(s, plan.tiling, config.params, k.workgroup_size)};
        (kind.per_weight && filters_are_weights ? plan.filter_launches : plan.input_launches).push_back(launch);
    }
    return plan;
}

std::string precision_refusal(Precision precision, const DeviceLimits& limits) {
    const PrecisionSpec& spec = spec_of(precision);
    if ((spec.half_intermediates() || spec.half_io) && !limits.half_storage)
        return fmt::format("precision {} needs 16-bit storage buffers and 16-bit texel formats, which this "
                           "device does not offer (Vulkan: storageBuffer16BitAccess)",
                           spec.name);
    if (spec.int8_io && !limits.int8_storage)
        return fmt::format("precision {} needs 8-bit storage buffers and 8-bit integer texel formats, which this device does "
                           "not offer (Vulkan: storageBuffer8BitAccess); int8 keeps the input and output in fp32",
                           spec.name);
    if (spec.half_arithmetic && !limits.half_arithmetic)
        return fmt::format("precision {} needs fp16 arithmetic in shaders, which this device does not offer "
                           "(Vulkan: shaderFloat16 and shaderRoundingModeRTEFloat16); fp16-storage keeps the arithmetic in fp32",
                           spec.name);
    return "";
}

void check_device_limits(const ConvShape& layer, const ConvConfig& config, const DeviceLimits& limits) {
    const ConvShape s = pass_shape(layer, config.pass, config.m);
    const Tiling tiling = tiling_of(s, config.variant, pass_tile(layer, config.pass, config.m), operand_packing(config.precision));
    const PrecisionSpec& precision = spec_of(config.precision);
    if (const std::string refusal = precision_refusal(config.precision, limits); !refusal.empty()) throw DeviceError(refusal);
    for (const KernelKind kind : spec_of(config.variant).kinds) {
        const KindSpec& spec = spec_of(kind);
        for (const BufferUse& use : spec.buffers(config.params)) {
            const auto elements = static_cast<std::size_t>(plan_buffer_floats(use.buffer, layer, config.pass, s, tiling));
            const std::size_t bytes = elements * (is_half(precision, use.buffer) ? 2 : is_int8(precision, use.buffer) ? 1 : 4);
            if (use.writes && limits.max_buffer_bytes && bytes > limits.max_buffer_bytes)
                throw DeviceError(fmt::format("buffer '{}' needs {} bytes, past the device's {} per buffer", to_string(use.buffer),
                                              bytes, limits.max_buffer_bytes));
            if (!use.writes && limits.max_texel_elements && elements / use.width > limits.max_texel_elements)
                throw DeviceError(fmt::format("buffer '{}' is read as {} texels of {} elements, past the device's {} per texel buffer",
                                              to_string(use.buffer), elements / use.width, use.width, limits.max_texel_elements));
        }
        const std::array<std::uint32_t, 3> groups = spec.groups(s, tiling, config.params, spec.workgroup_size(config.params));
        for (int axis = 0; axis < 3; ++axis)
            if (groups[axis] > limits.max_groups[axis])
                throw DeviceError(fmt::format("the {} kernel needs {} workgroups along axis {}, the device allows {}", spec.name,
                                              groups[axis], axis, limits.max_groups[axis]));
    }
}

void fit_fused_block(KernelParams& p, const ConvShape& shape, TileSize m) {
    const int positions = (m.h + shape.R - 1) * (m.w + shape.S - 1);
    auto& [filters, tiles] = p[Param::fused_tile];
    auto& [reg_k, reg_t] = p[Param::fused_registers];
    while (fused_shared_bytes(p, positions) > 32 * 1024 && tiles * filters > 1) {
        (filters >= tiles ? filters : tiles) /= 2;
        reg_k = std::min(reg_k, filters);
        reg_t = std::min(reg_t, tiles);
    }
    while (fused_sums(p, positions) > 128) {
        if (reg_t > 1) reg_t /= 2;
        else if (reg_k > 1) reg_k /= 2;
        else p[Param::fused_positions][0] *= 2;
    }
}

KernelParams suggested_params(const ConvShape& layer, TileSize asked, DeviceClass device_class, Pass pass) {
    const ConvShape s = pass_shape(layer, pass, asked);
    const TileSize m = pass_tile(layer, pass, asked);
    KernelParams p(device_class);
    p[Param::vector_rows][0] = m.w % 4 == 0 && s.out_w() % 4 == 0;
    const long long tile_quads = (1LL * s.N * ((s.out_h() + m.h - 1) / m.h) * ((s.out_w() + m.w - 1) / m.w) + 3) / 4;
    if (tile_quads < p[Param::gemm_threads][1] * p[Param::gemm_registers][1] / 4) {
        const int threads = p[Param::gemm_threads][0] * p[Param::gemm_threads][1];
        p[Param::gemm_threads] = {8, std::max(1, threads / 8)};  // as many threads as the backend starts with
        p[Param::gemm_registers][1] = 4;
        // A block no wider along K than the filters need (in quads): an idle
        // part costs as much as a busy one. Backward-data's K is the layer's
        // C: K = 32 under 8 x 16 filters took 2.2 ms on lavapipe, under 8 x 4
        // 0.96; K = 96 1.67 ms under 8 x 16 and 1.41 under 8 x 12.
        auto& filters = p[Param::gemm_registers][0];
        const int threads_k = p[Param::gemm_threads][0];
        filters = std::min(filters, (s.K + 4 * threads_k - 1) / (4 * threads_k) * 4);
    }
    fit_fused_block(p, s, m);
    return p;
}

namespace {

// m = 4 where the axis's recipes have it, else their first.
int untuned_m(int r) {
    const std::vector<int> ms = standard_ms(r);
    return ms.empty() || std::find(ms.begin(), ms.end(), 4) != ms.end() ? 4 : ms.front();
}

}  // namespace

std::vector<int> standard_ms(int r) {
    std::vector<int> ms;
    for (auto [m, config_r] : standard_configs())
        if (config_r == r) ms.push_back(m);
    return ms;
}

ConvConfig untuned_config(const ConvShape& shape, DeviceClass device_class, Pass pass) {
    const TileSize m = spec_of(pass).derivation == Derivation::chunked ? TileSize(1, planned_chunk(shape))
                                                                        : tile_for(shape, {untuned_m(shape.R), untuned_m(shape.S)});
    return {.variant = Variant::nonfused, .m = m, .params = suggested_params(shape, m, device_class, pass), .pass = pass};
}

ConvConfig fit_to_device(ConvConfig config, Backend backend, const DeviceLimits& limits, const std::vector<Param>& given) {
    config.params = fit_to_device(config.params, {.kinds = spec_of(config.variant).kinds, .limits = &limits, .backend = backend,
                                                  .precision = config.precision}, given);
    return config;
}

nlohmann::ordered_json to_json(const ConvConfig& c) {
    // A square tile is one number: the keys of earlier databases.
    nlohmann::ordered_json j = {{"variant", to_string(c.variant)}, {"m", tile_json(c.m)}};
    if (!c.points.empty()) j["points"] = c.points;  // default points: the keys of earlier databases
    if (c.precision != Precision::fp32) j["precision"] = to_string(c.precision);  // so too fp32
    if (c.pass != Pass::forward) j["pass"] = to_string(c.pass);                    // and forward
    j.update(to_json(c.params));
    return j;
}

nlohmann::ordered_json to_json(const Int8Clips& clips) {
    return {{"taps", clips.taps}, {"weights", clips.weights}, {"source", clips.source}};
}

Int8Clips clips_from_json(const nlohmann::json& j) {
    const auto numbers = [](const nlohmann::json& v) { return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0; };
    if (!j.is_object() || !j.contains("taps") || !j["taps"].is_array() || j["taps"].empty() ||
        !std::all_of(j["taps"].begin(), j["taps"].end(), numbers) || !j.contains("weights") || !numbers(j["weights"]) ||
        !j.contains("source") || !j["source"].is_string())
        throw InputError(fmt::format("int8 clips are {{\"taps\": [a clip a tap], \"weights\": 0 or U's cap, \"source\": \"...\"}}, "
                                     "not {}", j.dump()));
    return {j["taps"].get<std::vector<float>>(), j["weights"].get<float>(), j["source"].get<std::string>()};
}

ConvConfig config_from_json(const nlohmann::json& j, Backend backend) {
    if (!j.is_object() || !j.contains("variant") || !j["variant"].is_string() || !j.contains("m") ||
        !(j["m"].is_number_integer() || (j["m"].is_array() && j["m"].size() == 2)))
        throw InputError(fmt::format("a configuration needs \"variant\" and \"m\" (a number, or [h, w]): {}", j.dump()));
    auto tile = [&](const nlohmann::json& v) { return static_cast<int>(json_integer(v, 1, max_alpha, "a configuration's m")); };
    const TileSize m = j["m"].is_array() ? TileSize(tile(j["m"][0]), tile(j["m"][1])) : TileSize(tile(j["m"]));
    if (j.contains("points") && !j["points"].is_string())
        throw InputError(fmt::format("a configuration's points are a string (\"0,1,-1,1/2,-2\"): {}", j.dump()));
    nlohmann::json params = j;
    if (j.contains("precision") && !j["precision"].is_string())
        throw InputError(fmt::format("a configuration's precision is a string (\"fp16-storage\"): {}", j.dump()));
    if (j.contains("pass") && !j["pass"].is_string())
        throw InputError(fmt::format("a configuration's pass is a string (\"backward-data\"): {}", j.dump()));
    for (const char* key : {"variant", "m", "points", "precision", "pass"}) params.erase(key);
    return {.variant = parse_variant(j["variant"].get<std::string>(), "a configuration's variant"),
            .m = m,
            .params = params_from_json(params, default_params(backend)),
            .points = j.value("points", ""),
            .precision = parse_precision(j.value("precision", "fp32"), "a configuration's precision"),
            .pass = parse_pass(j.value("pass", "forward"), "a configuration's pass")};
}

}  // namespace wino
