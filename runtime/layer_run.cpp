// Run, check and time one layer.
#include "runtime/layer_run.hpp"

#include "recipes/accuracy.hpp"
#include "runtime/api_state.hpp"
#include "templates/epilogue.hpp"
#include "recipes/recipe_db.hpp"
#include "runtime/host_reference.hpp"

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
    const ConvShape s = pass_shape(layer, config.pass);
    if (spec_of(config.variant).winograd) {
        // An F(m_h×m_w, R×S) tile errs at most as the square tile of its worse
        // transformed axis; an axis of filter size 1 adds no rounding.
        double bound = 0;
        for (const auto& [m, r] : {std::pair{config.m.h, s.R}, std::pair{config.m.w, s.S}})
            if (r > 1) bound = std::max(bound, layer_error_bound(m, r, config.points));
        return bound * spec_of(config.precision).bound_factor;
    }
    // The direct kernel's sum in fp32; binary16 tensors round the input, the
    // filters and the output once each.
    const PrecisionSpec& precision = spec_of(config.precision);
    return 10 * std::sqrt(double(s.C) * s.R * s.S) * std::ldexp(1.0, -24) + (precision.half_io ? 10 * precision.unit_roundoff : 0);
}

double default_error_budget(Precision precision) { return fp32_error_budget * spec_of(precision).bound_factor; }

LayerReport run_layer(Device& device, const LayerJob& job) {
    LayerReport report;
    Conv2d conv = detail::Conv2dState::make(device, job.shape, job.config);
    conv.set_filters(job.filters);
    if (job.config.epilogue.bias) conv.set_bias(job.bias);
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
    if (job.check) {
        std::vector<double> reference = reference_pass(job.shape, job.config.pass, job.input, job.filters);
        apply_epilogue(job.config.epilogue, job.bias, job.shape, reference);
        report.errors = compare_with_reference(report.output, reference);
        report.errors->bound = check_bound(job.config, job.shape);
    }
    return report;
}

}  // namespace wino
