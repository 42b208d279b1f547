// The selftest's configurations, and one case's run and check.
#include "runtime/selftest.hpp"

#include "templates/epilogue.hpp"
#include "templates/layer.hpp"
#include "templates/precision.hpp"
#include "runtime/host_reference.hpp"
#include "runtime/layer_error.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

namespace wino {
namespace {

// Tails everywhere: H, W not multiples of any tile, C and K of no block, N > 1.
const ConvShape awkward_3x3{2, 5, 13, 11, 7, 3, 1};
const ConvShape awkward_5x5{1, 4, 11, 9, 6, 5, 2};
const ConvShape deep_3x3{2, 21, 13, 11, 7, 3, 1};  // two whole blocks of channels for the GEMM, and a tail
const ConvShape row_1x7{1, 6, 12, 10, 5, 1, 7, Padding(0, 0, 3, 3)};
const ConvShape column_7x1{1, 6, 10, 12, 5, 7, 1, Padding(3, 3, 0, 0)};
const ConvShape rect_3x5{2, 4, 11, 13, 6, 3, 5, Padding(1, 1, 2, 2)};
const ConvShape line_1d{2, 5, 1, 29, 6, 1, 3, Padding(0, 0, 1, 1)};  // N,C,W: H = 1

// A case's seeded tensor: what the pass reads as its images (seed 21) or filters (22).
std::vector<float> case_tensor(const ConvShape& shape, Pass pass, LayerTensor tensor) {
    return random_tensor(tensor_size(shape, tensor), tensor == spec_of(pass).filters ? 22 : 21);
}

std::string precision_and_epilogue(const ConvConfig& c) {
    std::string text;
    if (c.pass != Pass::forward) text += fmt::format(", {}", to_string(c.pass));
    if (c.precision != Precision::fp32) text += fmt::format(", {}", to_string(c.precision));
    if (c.epilogue.bias) text += ", bias";
    if (c.epilogue.activation != Activation::none) text += fmt::format(", {}", activation_text(c.epilogue));
    if (c.params[Param::cublas][0]) text += ", cuBLAS";
    if (const ParamValue& staging = c.params[Param::gemm_staging]; staging[0])
        text += fmt::format(", GEMM staging {}", value_text(param_spec(Param::gemm_staging), staging));
    if (c.params[Param::tensor_cores][0]) text += ", tensor cores";
    if (c.params[Param::integer_dot][0]) text += ", integer dot";
    if (const int lanes = c.params[Param::gemm_subgroup][0])
        text += fmt::format(", threads {} sharing loads by {} lanes",
                            value_text(param_spec(Param::gemm_threads), c.params[Param::gemm_threads]), lanes);
    if (c.variant == Variant::fused && c.params[Param::fused_positions][0] > 1)
        text += fmt::format(", block {}, registers {}, positions in {}",
                            value_text(param_spec(Param::fused_tile), c.params[Param::fused_tile]),
                            value_text(param_spec(Param::fused_registers), c.params[Param::fused_registers]),
                            c.params[Param::fused_positions][0]);
    return text;
}

class Cases {
public:
    Cases(Backend backend, const DeviceLimits& limits) : backend_(backend), limits_(limits) {}

    // A case of `variant` at output tile m (along the axes whose filter is over 1).
    ConvConfig& add(const ConvShape& shape, Variant variant, TileSize m, bool quick, Precision precision = Precision::fp32,
                    Epilogue epilogue = {}, Pass pass = Pass::forward) {
        const TileSize tile = tile_for(shape, m, pass);
        cases_.push_back({"", shape,
                          {variant, tile, suggested_params(shape, tile, limits_.device_class, pass), "", precision, epilogue, pass},
                          quick});
        ConvConfig& config = cases_.back().config;
        // A quantized precision's clips calibrated on the input the case runs.
        if (spec_of(precision).quantized())
            config.clips = calibrate_int8(shape, config, {case_tensor(shape, pass, LayerTensor::x)}, default_calibration(precision));
        return config;
    }
    bool supports(Precision precision) const { return precision_refusal(precision, limits_).empty(); }
    bool vendor_gemm() const { return limits_.vendor_gemm; }
    // Whether the device refuses the GEMM's parameters at a precision (tensor cores it lacks).
    bool refuses(const KernelParams& params, Precision precision) const {
        try {
            check_params(params, {.kinds = {KernelKind::gemm}, .limits = &limits_, .backend = backend_, .precision = precision});
        } catch (const InputError&) {  // a precision the backend's tensor cores do not take
            return true;
        } catch (const DeviceError&) {
            return true;
        }
        return false;
    }

    std::vector<SelftestCase> take(bool quick, std::optional<Pass> pass) {
        std::vector<SelftestCase> chosen;
        for (SelftestCase& c : cases_) {
            if ((quick && !c.quick) || (pass && c.config.pass != *pass)) continue;
            const bool winograd = spec_of(c.config.variant).winograd;
            c.name = fmt::format("{} {}{}", winograd ? fmt::format("{} {}", to_string(c.config.variant),
                                                                       algorithm_text(c.shape, c.config))
                                                      : std::string(to_string(c.config.variant)),
                                 layer_text(c.shape), precision_and_epilogue(c.config));
            chosen.push_back(c);
        }
        return chosen;
    }

private:
    Backend backend_;
    DeviceLimits limits_;
    std::vector<SelftestCase> cases_;
};

}  // namespace

std::vector<SelftestCase> selftest_cases(Backend backend, const DeviceLimits& limits, bool quick, std::optional<Pass> pass) {
    Cases cases(backend, limits);
    std::vector<Variant> winograd;
    for (const VariantSpec& v : variants())
        if (v.winograd) winograd.push_back(v.variant);
    // Tile sizes and filter sizes.
    for (Variant v : winograd) {
        for (int m : {2, 4, 6}) cases.add(awkward_3x3, v, m, m == (v == Variant::nonfused ? 4 : 2));
        for (int m : {2, 4}) cases.add(awkward_5x5, v, m, m == 2 && v == Variant::nonfused);
    }
    // Non-square and 1D filters, each axis's own tile.
    for (Variant v : winograd) {
        cases.add(row_1x7, v, 4, false);
        cases.add(column_7x1, v, 4, false);
        cases.add(rect_3x5, v, TileSize(4, 2), v == Variant::nonfused);
        cases.add(line_1d, v, 4, v == Variant::fused);
    }
    // Every padding form: none, one-sided, per side, wider than the filter's half.
    for (const Padding& pad : {Padding(0), Padding(2, 0, 0, 2), Padding(0, 1, 1, 0), Padding(2)}) {
        ConvShape shape = awkward_3x3;
        shape.pad = pad;
        cases.add(shape, Variant::nonfused, 4, pad == Padding(2, 0, 0, 2));
    }
    // The epilogue: bias and each activation, with parameters that clip both sides.
    for (const ActivationSpec& a : activations()) {
        Epilogue e{true, a.activation, 0.25f, -0.5f, 0.75f};
        cases.add(awkward_3x3, Variant::nonfused, 4, a.activation == Activation::relu, Precision::fp32, e);
    }
    cases.add(awkward_3x3, Variant::fused, 2, false, Precision::fp32, {true, Activation::relu6});
    // Every precision the device has, on each variant that takes it.
    // int8 at both tiles, on the layer whose C is no whole number of words,
    // and with the GEMM's blocks of channel words whole and not.
    for (const PrecisionSpec& p : precisions()) {
        if (p.precision == Precision::fp32 || !cases.supports(p.precision)) continue;
        const bool first = p.precision == Precision::fp16_storage || p.precision == Precision::int8;
        for (const auto& [variant, m] : {std::pair{Variant::nonfused, 4}, std::pair{Variant::fused, 2}, std::pair{Variant::direct, 1}}) {
            try {
                check_precision(variant, p.precision);
                cases.add(awkward_3x3, variant, m, first && variant == Variant::nonfused, p.precision);
            } catch (const InputError&) {  // the direct kernel computes in fp32; int8 is the nonfused variant's
            }
        }
    }
    if (cases.supports(Precision::int8)) {
        cases.add(awkward_3x3, Variant::nonfused, 2, false, Precision::int8);
        cases.add(ConvShape{1, 70, 9, 10, 6, 3, 1}, Variant::nonfused, 4, false, Precision::int8).params[Param::gemm_staging] = {2, 0};
        // The GLSL GEMM's dot products by the device's instruction, where it has one.
        KernelParams dot = suggested_params(awkward_3x3, tile_for(awkward_3x3, 4), limits.device_class);
        dot[Param::integer_dot][0] = 1;
        if (!cases.refuses(dot, Precision::int8)) cases.add(awkward_3x3, Variant::nonfused, 4, false, Precision::int8).params = dot;
    }
    // split-int8's three product planes a tap through the staged GEMM, at F(6,3).
    if (cases.supports(Precision::split_int8))
        cases.add(ConvShape{1, 70, 9, 10, 6, 3, 1}, Variant::nonfused, 6, false, Precision::split_int8).params[Param::gemm_staging] = {2, 0};
    // The direct kernel.
    const ConvShape direct_shapes[] = {awkward_3x3, awkward_5x5, row_1x7, line_1d};
    for (const ConvShape& shape : direct_shapes) cases.add(shape, Variant::direct, 1, &shape == direct_shapes);
    cases.add(awkward_5x5, Variant::direct, 1, false, Precision::fp32, {true, Activation::leaky_relu, 0.25f});
    // The GEMM's operands staged in shared memory; on tensor cores where the device has them.
    const ParamSpec& staging = param_spec(Param::gemm_staging);
    for (int staged = 1; staged <= staging.max; ++staged)
        cases.add(deep_3x3, Variant::nonfused, 4, false).params[Param::gemm_staging] = {staged, 0};
    for (const PrecisionSpec& p : precisions())
        if (p.tensor_core_product() && cases.supports(p.precision))
            for (int m : {2, 4}) {
                KernelParams params = suggested_params(deep_3x3, tile_for(deep_3x3, m), limits.device_class);
                params[Param::gemm_staging] = {2, 0};
                params[Param::tensor_cores][0] = 1;
                if (cases.refuses(params, p.precision)) continue;
                cases.add(deep_3x3, Variant::nonfused, m, m == 4 && p.precision == Precision::fp16_mixed, p.precision).params = params;
            }
    // The global GEMM's loads shared by a subgroup's lanes, where the device's
    // subgroups shuffle: of U (a row of threads a subgroup wide), of V (a
    // column), of both (rows of half a subgroup), and at int8.
    if (const int lanes = static_cast<int>(limits.subgroup_size))
        for (const auto& [threads, precision] : {std::pair{ParamValue{1, lanes}, Precision::fp32}, {ParamValue{lanes, 1}, Precision::fp32},
                                                 {ParamValue{2, lanes / 2}, Precision::fp32}, {ParamValue{1, lanes}, Precision::int8}}) {
            KernelParams params = suggested_params(deep_3x3, tile_for(deep_3x3, 4), limits.device_class);
            params[Param::gemm_threads] = threads;
            params[Param::gemm_registers] = {8, 8};
            params[Param::gemm_subgroup] = {lanes, 0};
            if (!cases.supports(precision) || cases.refuses(params, precision)) continue;
            cases.add(deep_3x3, Variant::nonfused, 4, threads[0] == 1 && precision == Precision::fp32, precision).params = params;
        }
    // The fused kernel's blocks: register tiles, positions split evenly (36 in
    // 9 groups) and not (16 in 9), K and the tiles not filling a block.
    for (int m : {2, 4}) {
        KernelParams& params = cases.add(deep_3x3, Variant::fused, m, m == 4).params;
        params[Param::fused_tile] = {8, 8};
        params[Param::fused_registers] = {2, 4};
        params[Param::fused_positions] = {9, 0};
    }
    // The non-fused product by the vendor's BLAS.
    if (cases.vendor_gemm())
        for (int m : {4, 6}) cases.add(awkward_3x3, Variant::nonfused, m, m == 4).params[Param::cublas][0] = 1;
    // The backward passes: both Winograd variants at two tiles of the square
    // filter, the non-square and 1D filters, padding on one side and past
    // R − 1, a 16-bit precision, and the direct kernel. Backward-data's tiles
    // are m; backward-filter's are the widths of dy's chunks, which do and do
    // not divide W' (11 here).
    struct BackwardTiles {
        Pass pass;
        int square_small, square, five, padded;
        TileSize rect;
        int line, row;
    };
    for (const BackwardTiles& t : {BackwardTiles{Pass::backward_data, 2, 4, 2, 4, TileSize(4, 2), 4, 4},
                                   BackwardTiles{Pass::backward_filter, 2, 4, 3, 6, TileSize(4), 5, 2}}) {
        for (Variant v : winograd) {
            for (int m : {t.square_small, t.square}) cases.add(awkward_3x3, v, m, m == t.square && v == Variant::nonfused, Precision::fp32, {}, t.pass);
            cases.add(awkward_5x5, v, t.five, false, Precision::fp32, {}, t.pass);
            cases.add(rect_3x5, v, t.rect, false, Precision::fp32, {}, t.pass);
            cases.add(line_1d, v, t.line, v == Variant::fused, Precision::fp32, {}, t.pass);
        }
        cases.add(row_1x7, Variant::nonfused, t.row, false, Precision::fp32, {}, t.pass);
        for (const Padding& pad : {Padding(2, 0, 0, 2), Padding(3)}) {
            ConvShape shape = awkward_3x3;
            shape.pad = pad;
            cases.add(shape, Variant::nonfused, t.padded, false, Precision::fp32, {}, t.pass);
        }
        if (cases.supports(Precision::fp16_storage)) cases.add(awkward_3x3, Variant::nonfused, t.square, false, Precision::fp16_storage, {}, t.pass);
        for (const ConvShape& shape : {awkward_3x3, rect_3x5})
            cases.add(shape, Variant::direct, 1, shape == awkward_3x3, Precision::fp32, {}, t.pass);
    }
    return cases.take(quick, pass);
}

SelftestResult run_selftest_case(Executor& executor, const SelftestCase& c, bool corrupt) {
    SelftestResult result;
    try {
        const PassSpec& pass = spec_of(c.config.pass);
        const std::vector<float> x = case_tensor(c.shape, c.config.pass, pass.images),
                                 w = case_tensor(c.shape, c.config.pass, pass.filters),
                                 bias = random_tensor(static_cast<std::size_t>(c.shape.K), 23);
        const ConvConfig& config = c.config;
        const std::unique_ptr<LoadedLayer> layer = executor.load(c.shape, config);
        layer->set_filters(w);
        if (c.config.epilogue.bias) layer->set_bias(bias);
        // int8-io runs on x's codes, as run codes x without scales given,
        // and is checked on the real values they stand for.
        const std::optional<TensorQuantization> coding =
            spec_of(config.precision).int8_io ? std::optional(data_quantization(c.shape, config.epilogue, x, w, bias)) : std::nullopt;
        const std::vector<float> input = coding ? quantized({x.begin(), x.end()}, coding->input_scale, 0) : x,
                                 real_input = coding ? dequantized(input, coding->input_scale, 0) : x;
        if (coding) layer->set_quantization(*coding);
        std::vector<float> y;
        layer->run(input, y);  // poisoned first: an unwritten value stays NaN (int8: -128)
        layer->check_guards();
        if (coding) y = dequantized(y, coding->output_scale, 0);
        if (corrupt) y[y.size() / 2] = NAN;
        std::vector<double> reference = reference_pass(c.shape, c.config.pass, real_input, w);
        apply_epilogue(c.config.epilogue, bias, c.shape, reference);
        result.errors = compare_with_reference(y, reference);
        result.errors->bound = coding ? int8_check_bound(c.shape, config, real_input, w, bias, &*coding)
                                      : check_bound(config, c.shape, real_input, w, bias);
        result.ms = total_ms(layer->median_run(input, 1, 3));
        if (!result.errors->passed())
            result.failure = fmt::format("rel_err {:.3e} past the bound {:.3e}", result.errors->relative, result.errors->bound);
    } catch (const std::exception& failure) {
        result.failure = failure.what();
        if (result.failure.empty()) result.failure = "failed";
    }
    return result;
}

}  // namespace wino
