// Run, check and time one layer.
#include "runtime/layer_run.hpp"

#include "recipes/accuracy.hpp"
#include "runtime/api_state.hpp"
#include "templates/epilogue.hpp"
#include "recipes/recipe_db.hpp"
#include "runtime/host_reference.hpp"
#include "runtime/layer_error.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <tuple>

namespace wino {

std::vector<float> random_tensor(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = uniform(rng);
    return v;
}

namespace {

template <class T>
LayerErrors compare(const std::vector<T>& y, const std::vector<double>& ref) {
    double diff2 = 0, ref2 = 0, max_abs = 0, max_ref = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double d = std::isfinite(y[i]) ? y[i] - ref[i] : INFINITY;
        diff2 += d * d;
        ref2 += ref[i] * ref[i];
        max_abs = std::max(max_abs, std::abs(d));
        max_ref = std::max(max_ref, std::abs(ref[i]));
    }
    return {std::sqrt(diff2) / std::max(std::sqrt(ref2), 1e-300), max_abs, max_abs / std::max(max_ref, 1e-300)};
}

}  // namespace

LayerErrors compare_with_reference(const std::vector<float>& y, const std::vector<double>& ref) { return compare(y, ref); }
LayerErrors compare_with_reference(const std::vector<double>& y, const std::vector<double>& ref) { return compare(y, ref); }

double layer_error_bound(int m, int r, const std::string& points) {
    static std::mutex guard;
    static std::map<std::tuple<int, int, std::string>, double> bounds;
    std::lock_guard lock(guard);
    auto [it, fresh] = bounds.try_emplace({m, r, points}, 0.0);
    if (fresh) {
        const RecipeSet s = recipes_for(m, r, points_or_default(points, m + r - 1), {});
        it->second = 100 * measure_accuracy(s, {1000, 1, 1, EvaluationOrder::recipe}).error + 1e-6;
    }
    return it->second;
}

double check_bound(const ConvConfig& config, const ConvShape& layer) {
    const ConvShape s = pass_shape(layer, config.pass, config.m);
    const PrecisionSpec& precision = spec_of(config.precision);
    // A sum of n products of either sign, rounded once an add, errs like a
    // random walk: √n roundings of the sum's own size, which for such a sum
    // grows as √n too, so relative to it the error is about √n·u. 10·√n·u
    // holds it with room (the direct kernel: 8e-7 measured at n = 2304).
    auto summed = [](double n, double unit_roundoff) { return 10 * std::sqrt(n) * unit_roundoff; };
    const double fp32_roundoff = std::ldexp(1.0, -24);
    if (spec_of(config.variant).winograd) {
        // An F(m_h×m_w, R×S) tile errs at most as the square tile of its worse
        // transformed axis; an axis of filter size 1 adds no rounding.
        const TileSize m = pass_tile(layer, config.pass, config.m);
        double bound = 0;
        for (const auto& [tile, r] : {std::pair{m.h, s.R}, std::pair{m.w, s.S}})
            if (r > 1) bound = std::max(bound, layer_error_bound(tile, r, config.points));
        bound *= precision.bound_factor;
        // That tile bound holds for the sums of a forward layer's channels (a
        // few hundred). Backward-filter's product sums N·H'·⌈W'/w⌉ terms, a
        // chain of one add per block of product_sum_block and the block's
        // own: its rounding grows with the chain's length, in the product's
        // arithmetic.
        if (spec_of(config.pass).derivation == Derivation::chunked)
            bound += summed(double(s.C) / product_sum_block + product_sum_block,
                            precision.half_arithmetic ? precision.unit_roundoff : fp32_roundoff);
        return bound;
    }
    // The direct kernel's sum in fp32, of C·R·S products (backward-filter's:
    // N·H'·W'); binary16 tensors round the input, the filters and the output
    // once each.
    const double products = spec_of(config.pass).derivation == Derivation::chunked
                                ? double(layer.N) * layer.out_h() * layer.out_w()
                                : double(s.C) * s.R * s.S;
    return summed(products, fp32_roundoff) + (precision.half_io ? 10 * precision.unit_roundoff : 0);
}

double check_bound(const ConvConfig& config, const ConvShape& shape, const std::vector<float>& input,
                   const std::vector<float>& filters, const std::vector<float>& bias) {
    return spec_of(config.precision).quantized() ? int8_check_bound(shape, config, input, filters, bias) : check_bound(config, shape);
}

double default_error_budget(Precision precision) { return fp32_error_budget * spec_of(precision).bound_factor; }

LayerReport run_layer(Device& device, const LayerJob& job) {
    LayerReport report;
    Conv2d conv = detail::Conv2dState::make(device, job.shape, job.config);
    conv.set_filters(job.filters);
    if (job.config.epilogue.bias) conv.set_bias(job.bias);
    const bool coded = spec_of(job.config.precision).int8_io;
    if (coded) conv.set_quantization(job.quantization);
    conv.run(job.input, report.output);
    report.kernels = conv.run(job.input, report.output);
    report.time_ms = total_ms(report.kernels);
    if (job.bench) {
        report.kernels = conv.median_times(job.input, job.warmup, job.repeats);
        report.time_ms = total_ms(report.kernels);
        if (job.baseline_direct) {
            // The same epilogue, so both times include it.
            Conv2d direct = detail::Conv2dState::make(
                device, job.shape,
                {Variant::direct, job.config.m, default_params(device.backend()), "", Precision::fp32, job.config.epilogue,
                 job.config.pass});
            direct.set_filters(job.filters);
            if (job.config.epilogue.bias) direct.set_bias(job.bias);
            report.baseline_ms = total_ms(direct.median_times(job.input, job.warmup, job.repeats));
        }
    }
    if (job.check && coded) {
        const TensorQuantization& q = job.quantization;
        const std::vector<float> input = dequantized(job.input, q.input_scale, q.input_zero_point);
        report.errors = compare_with_reference(dequantized(report.output, q.output_scale, q.output_zero_point),
                                               reference_output(job.shape, job.config.epilogue, input, job.filters, job.bias));
        report.errors->bound = int8_check_bound(job.shape, job.config, input, job.filters, job.bias, &q);
    } else if (job.check) {
        std::vector<double> reference = reference_pass(job.shape, job.config.pass, job.input, job.filters);
        apply_epilogue(job.config.epilogue, job.bias, job.shape, reference);
        report.errors = compare_with_reference(report.output, reference);
        report.errors->bound = check_bound(job.config, job.shape, job.input, job.filters, job.bias);
    }
    return report;
}

}  // namespace wino
