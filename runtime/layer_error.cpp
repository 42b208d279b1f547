// The layer error model: the kernels' arithmetic on the host, stage by stage.
#include "runtime/layer_error.hpp"

#include "templates/layer_plan.hpp"
#include "generator/half.hpp"
#include "templates/kernel_kinds.hpp"
#include "recipes/recipe_run.hpp"
#include "runtime/executor.hpp"
#include "runtime/host_reference.hpp"
#include "templates/epilogue.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <cmath>
#include <limits>
#include <optional>
#include <span>

namespace wino {
namespace {

// How the kernels cut the layer: F(m_h×m_w, R×S) tiles of alpha_h×alpha_w positions.
struct Tiles {
    int m_h, m_w, alpha_h, alpha_w, tiles_h, tiles_w, count;
    std::size_t positions() const { return static_cast<std::size_t>(alpha_h) * alpha_w; }
};

Tiles tiles_of(const ConvShape& s, TileSize m) {
    const int th = (s.out_h() + m.h - 1) / m.h, tw = (s.out_w() + m.w - 1) / m.w;
    return {m.h, m.w, m.h + s.R - 1, m.w + s.S - 1, th, tw, s.N * th * tw};
}

// The three transforms of both axes in the stage's arithmetic.
template <class T>
struct AxisRuns {
    RecipeRun<T> h, w;
};

// U[(k·C + c)·α_h·α_w + ξ]: each filter transformed.
template <class T>
void filter_stage(const ConvShape& s, const Tiles& t, const ConvAlgorithm& a, const std::vector<float>& w,
                  std::vector<double>& u) {
    const AxisRuns<T> run{RecipeRun<T>(a.h->filter), RecipeRun<T>(a.w->filter)};
    const std::size_t a2 = t.positions(), r2 = static_cast<std::size_t>(s.R) * s.S;
    u.assign(static_cast<std::size_t>(s.K) * s.C * a2, 0.0);
    std::vector<T> g(r2), out(a2), scratch, values;
    for (std::size_t kc = 0; kc < static_cast<std::size_t>(s.K) * s.C; ++kc) {
        for (std::size_t i = 0; i < r2; ++i) g[i] = static_cast<T>(w[kc * r2 + i]);
        run_2d(run.h, run.w, g.data(), out.data(), scratch, values);
        std::copy(out.begin(), out.end(), u.begin() + kc * a2);
    }
}

// V[(c·P + p)·α_h·α_w + ξ]: each tile's α_h×α_w patch (zero outside the image) transformed.
template <class T>
void input_stage(const ConvShape& s, const Tiles& t, const ConvAlgorithm& a, const std::vector<float>& x,
                 std::vector<double>& v) {
    const AxisRuns<T> run{RecipeRun<T>(a.h->input), RecipeRun<T>(a.w->input)};
    const std::size_t a2 = t.positions();
    v.assign(static_cast<std::size_t>(s.C) * t.count * a2, 0.0);
    std::vector<T> d(a2), out(a2), scratch, values;
    for (int c = 0; c < s.C; ++c)
        for (int p = 0; p < t.count; ++p) {
            const int n = p / (t.tiles_h * t.tiles_w), top = (p / t.tiles_w) % t.tiles_h * t.m_h - s.pad.top,
                      left = p % t.tiles_w * t.m_w - s.pad.left;
            for (int i = 0; i < t.alpha_h; ++i)
                for (int j = 0; j < t.alpha_w; ++j) {
                    const int h = top + i, w = left + j;
                    d[i * t.alpha_w + j] = h >= 0 && h < s.H && w >= 0 && w < s.W
                                               ? static_cast<T>(x[((static_cast<std::size_t>(n) * s.C + c) * s.H + h) * s.W + w])
                                               : T(0);
                }
            run_2d(run.h, run.w, d.data(), out.data(), scratch, values);
            std::copy(out.begin(), out.end(), v.begin() + (static_cast<std::size_t>(c) * t.count + p) * a2);
        }
}

// TF32 rounding as the kernels round (ProductOperands): on the fp32 bits, to
// nearest with ties away from zero. A double (a stage in fp64) is rounded to
// fp32 first.
double to_tf32(double x) {
    std::uint32_t bits = std::bit_cast<std::uint32_t>(static_cast<float>(x));
    bits = (bits + 0x1000u) & 0xffffe000u;
    return std::bit_cast<float>(bits);
}

// u·v + part as the product computes it: an FMA of the operands as read, of
// their TF32 roundings, or of their split TF32 parts (big·small, small·big,
// big·big), in T.
template <class T>
T product_fma(ProductOperands operands, double u, double v, T part) {
    using std::fma;
    if (operands == ProductOperands::as_read) return fma(static_cast<T>(u), static_cast<T>(v), part);
    if constexpr (std::is_same_v<T, Half>) {
        throw std::logic_error("TF32 operands are multiplied in fp32");
    } else {
        const T u_big = static_cast<T>(to_tf32(u)), v_big = static_cast<T>(to_tf32(v));
        if (operands == ProductOperands::tf32) return fma(u_big, v_big, part);
        const T u_small = static_cast<T>(to_tf32(static_cast<T>(u) - u_big)),
                v_small = static_cast<T>(to_tf32(static_cast<T>(v) - v_big));
        return fma(u_big, v_big, fma(u_small, v_big, fma(u_big, v_small, part)));
    }
}

// M[(k·P + p)·α_h·α_w + ξ] = Σ_c U·V, c ascending, each step one FMA into the
// block's partial sum (product_fma), each block of product_sum_block channels
// then added.
template <class T>
void product_stage(const ConvShape& s, const Tiles& t, const std::vector<double>& u, const std::vector<double>& v,
                   ProductOperands operands, std::vector<double>& product) {
    const std::size_t a2 = t.positions();
    product.assign(static_cast<std::size_t>(s.K) * t.count * a2, 0.0);
    std::vector<T> acc(a2), part(a2);
    for (int k = 0; k < s.K; ++k)
        for (int p = 0; p < t.count; ++p) {
            std::fill(acc.begin(), acc.end(), T(0));
            for (int block = 0; block < s.C; block += product_sum_block) {
                std::fill(part.begin(), part.end(), T(0));
                for (int c = block; c < std::min(s.C, block + product_sum_block); ++c) {
                    const double* uk = &u[(static_cast<std::size_t>(k) * s.C + c) * a2];
                    const double* vp = &v[(static_cast<std::size_t>(c) * t.count + p) * a2];
                    for (std::size_t xi = 0; xi < a2; ++xi) part[xi] = product_fma(operands, uk[xi], vp[xi], part[xi]);
                }
                for (std::size_t xi = 0; xi < a2; ++xi) acc[xi] += part[xi];
            }
            std::copy(acc.begin(), acc.end(), product.begin() + (static_cast<std::size_t>(k) * t.count + p) * a2);
        }
}

// y: each product tile transformed to m_h×m_w, the part inside the output kept.
template <class T>
void output_stage(const ConvShape& s, const Tiles& t, const ConvAlgorithm& a, const std::vector<double>& product,
                  std::vector<double>& y) {
    const AxisRuns<T> run{RecipeRun<T>(a.h->output), RecipeRun<T>(a.w->output)};
    const std::size_t a2 = t.positions();
    y.assign(s.output_size(), 0.0);
    std::vector<T> in(a2), out(static_cast<std::size_t>(t.m_h) * t.m_w), scratch, values;
    for (int k = 0; k < s.K; ++k)
        for (int p = 0; p < t.count; ++p) {
            const double* tile = &product[(static_cast<std::size_t>(k) * t.count + p) * a2];
            for (std::size_t xi = 0; xi < a2; ++xi) in[xi] = static_cast<T>(tile[xi]);
            run_2d(run.h, run.w, in.data(), out.data(), scratch, values);
            const int n = p / (t.tiles_h * t.tiles_w), top = (p / t.tiles_w) % t.tiles_h * t.m_h, left = p % t.tiles_w * t.m_w;
            for (int i = 0; i < t.m_h && top + i < s.out_h(); ++i)
                for (int j = 0; j < t.m_w && left + j < s.out_w(); ++j)
                    y[((static_cast<std::size_t>(n) * s.K + k) * s.out_h() + top + i) * s.out_w() + left + j] =
                        out[i * t.m_w + j];
        }
}

// fp16 to nearest even from the fp32 value, as the kernels store a float; an
// out-of-range value becomes ±inf, as on the device. A Half is unchanged.
void round_to_half(std::vector<double>& values) {
    for (double& x : values) x = to_binary16(static_cast<float>(x));
}

// Calls stage with a value of the arithmetic's type.
template <class Stage>
void in_arithmetic(Arithmetic arithmetic, Stage&& stage) {
    switch (arithmetic) {
        case Arithmetic::fp16: return stage(Half());
        case Arithmetic::fp32: return stage(0.0f);
        case Arithmetic::fp64: return stage(0.0);
    }
}

}  // namespace

Arithmetic arithmetic_of(Precision precision) {
    return spec_of(precision).half_arithmetic ? Arithmetic::fp16 : Arithmetic::fp32;
}

const char* to_string(LayerStage stage) {
    switch (stage) {
        case LayerStage::filter_transform: return "filter_transform";
        case LayerStage::input_transform: return "input_transform";
        case LayerStage::product: return "product";
        case LayerStage::output_transform: return "output_transform";
    }
    throw std::logic_error("unknown stage");
}

std::vector<double> winograd_on_host(const ConvShape& s, const ConvAlgorithm& recipes, const std::vector<float>& input,
                                     const std::vector<float>& filters, const std::array<Arithmetic, 4>& arithmetic,
                                     const Roundings& rounded) {
    validate_shape(s, {Variant::nonfused, recipes.m(), {}});
    if (recipes.r != s.R || recipes.s != s.S)
        throw InputError(fmt::format("the recipes are for {}x{} filters, the layer's are {}", recipes.r, recipes.s, filter_text(s)));
    if (input.size() != s.input_size() || filters.size() != s.filter_size())
        throw InputError("the tensors do not have the layer's sizes");
    const Tiles t = tiles_of(s, recipes.m());
    // binary16 tensors: the input and filters as the device holds them.
    auto held = [&](const std::vector<float>& tensor) {
        std::vector<float> out(tensor);
        if (rounded.tensors)
            for (float& x : out) x = static_cast<float>(to_binary16(x));
        return out;
    };
    const std::vector<float> x = held(input), w = held(filters);
    std::vector<double> u, v, product, y;
    in_arithmetic(arithmetic[0], [&](auto type) { filter_stage<decltype(type)>(s, t, recipes, w, u); });
    if (rounded.u) round_to_half(u);
    in_arithmetic(arithmetic[1], [&](auto type) { input_stage<decltype(type)>(s, t, recipes, x, v); });
    if (rounded.v) round_to_half(v);
    in_arithmetic(arithmetic[2], [&](auto type) { product_stage<decltype(type)>(s, t, u, v, rounded.operands, product); });
    if (rounded.product) round_to_half(product);
    in_arithmetic(arithmetic[3], [&](auto type) { output_stage<decltype(type)>(s, t, recipes, product, y); });
    if (rounded.tensors) round_to_half(y);
    return y;
}

namespace {

// Each tap's values as the kernels code them at its clip, `largest` (int8's
// 127, split-int8's 32,639) a side: x times the factor largest / clip (an
// fp32 in the scales buffer), the product rounded to fp32 (as theirs is: 6 ×
// fl(127/12) lies half an fp32 ulp under 63.5, and rounds to it), then to
// nearest even, clamped to ±largest (a clip of 0 gives 0).
void code_per_tap(std::span<double> values, std::size_t a2, std::span<const double> clip, long long largest) {
    const double most = static_cast<double>(largest);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float factor = static_cast<float>(most / clip[i % a2]);
        const double scaled = static_cast<float>(static_cast<float>(values[i]) * factor);
        values[i] = clip[i % a2] > 0 ? std::clamp(std::nearbyint(scaled), -most, most) : 0.0;
    }
}

// Each tap's |values|, the taps interleaved in `values` (a2 apart).
std::vector<std::vector<double>> tap_magnitudes(std::span<const double> values, std::size_t a2) {
    std::vector<std::vector<double>> taps(a2);
    for (std::size_t i = 0; i < values.size(); ++i) taps[i % a2].push_back(std::abs(values[i]));
    return taps;
}

// The given percentile of the magnitudes (the largest at 100).
double percentile_of(std::vector<double> magnitudes, double percentile) {
    if (magnitudes.empty()) return 0;
    const std::size_t at = std::min(magnitudes.size() - 1, static_cast<std::size_t>(percentile / 100 * magnitudes.size()));
    std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<std::ptrdiff_t>(at), magnitudes.end());
    return magnitudes[at];
}

// The clip of least squared quantization error at `largest_code` levels a
// side: the largest |value| scaled by each of 200 steps from 1/200 to 1, the
// first least kept.
double least_squares_clip(const std::vector<double>& magnitudes, long long largest_code) {
    const double largest = magnitudes.empty() ? 0 : *std::max_element(magnitudes.begin(), magnitudes.end());
    const double levels = static_cast<double>(largest_code);
    double best = largest, best_error = INFINITY;
    for (int step = 1; step <= 200; ++step) {
        const double clip = largest * step / 200, scale = clip / levels;
        double error = 0;
        for (double m : magnitudes) {
            const double q = std::min(std::nearbyint(m / scale), levels) * scale;
            error += (m - q) * (m - q);
        }
        if (error < best_error) best = clip, best_error = error;
    }
    return best;
}

// |row| sums of a recipe's matrix, from its run on unit vectors.
std::vector<double> row_sums(const Recipe& recipe) {
    const RecipeRun<double> run(recipe);
    const auto inputs = static_cast<std::size_t>(run.inputs()), outputs = static_cast<std::size_t>(run.outputs());
    std::vector<double> sums(outputs, 0.0), unit(inputs, 0.0), out(outputs), values;
    for (std::size_t j = 0; j < inputs; ++j) {
        std::fill(unit.begin(), unit.end(), 0.0);
        unit[j] = 1;
        run.run(unit.data(), 1, out.data(), 1, values);
        for (std::size_t i = 0; i < out.size(); ++i) sums[i] += std::abs(out[i]);
    }
    return sums;
}

void check_clips(const Int8Clips& clips, std::size_t a2) {
    if (clips.taps.size() != a2)
        throw InputError(fmt::format("precision int8 needs {} clips of V, one a tap, not {}", a2, clips.taps.size()));
    for (float clip : clips.taps)
        if (!(clip > 0) || !std::isfinite(clip)) throw InputError(fmt::format("a clip of V must be positive and finite, not {}", clip));
    if (!(clips.weights >= 0) || !std::isfinite(clips.weights))
        throw InputError(fmt::format("the clip of U must be positive and finite (0: none), not {}", clips.weights));
}

// A tap no input reaches (all zero) keeps the smallest positive clip: its codes are 0 either way.
Int8Clips with_positive_taps(Int8Clips clips) {
    for (float& clip : clips.taps)
        if (!(clip > 0)) clip = std::numeric_limits<float>::min();
    return clips;
}

// U's clips per filter and tap ([k·a2 + ξ]) from the transformed filters
// (filter_stage's u): each filter's largest |U| at the tap, capped at `cap` where it is set.
std::vector<double> u_clips_of(const ConvShape& s, std::size_t a2, const std::vector<double>& u, float cap) {
    const std::size_t per_filter = static_cast<std::size_t>(s.C) * a2;
    std::vector<double> out;
    for (std::size_t k = 0; k < static_cast<std::size_t>(s.K); ++k)
        for (const std::vector<double>& magnitudes : tap_magnitudes(std::span<const double>(u.data() + k * per_filter, per_filter), a2)) {
            const double largest = percentile_of(magnitudes, 100);
            out.push_back(cap > 0 ? std::min(largest, double(cap)) : largest);
        }
    return out;
}

const std::array<std::pair<Int8Calibration, const char*>, 3> calibration_names = {
    {{Int8Calibration::exact_bound, "exact-bound"}, {Int8Calibration::percentile, "percentile"}, {Int8Calibration::mse, "mse"}}};

}  // namespace

const char* to_string(Int8Calibration calibration) {
    for (const auto& [value, name] : calibration_names)
        if (value == calibration) return name;
    throw std::logic_error("unknown calibration");
}

Int8Calibration default_calibration(Precision precision) {
    return spec_of(precision).product_operands == ProductOperands::split_int8 ? Int8Calibration::exact_bound : Int8Calibration::percentile;
}

Int8Calibration parse_int8_calibration(const std::string& name, std::string_view what) {
    for (const auto& [value, text] : calibration_names)
        if (name == text) return value;
    throw InputError(fmt::format("{} must be exact-bound, percentile or mse, not '{}'", what, name));
}

Int8Clips exact_bound_clips(const ConvShape& s, const ConvAlgorithm& recipes, double largest) {
    const Tiles t = tiles_of(s, recipes.m());
    const std::vector<double> h = row_sums(recipes.h->input), along_w = row_sums(recipes.w->input);
    Int8Clips clips;
    for (std::size_t xi = 0; xi < t.positions(); ++xi)
        clips.taps.push_back(static_cast<float>(h[xi / t.alpha_w] * along_w[xi % t.alpha_w] * largest));
    clips.source = fmt::format("exact bound for |x| <= {}", largest);
    return with_positive_taps(clips);
}

Int8Clips calibrate_int8(const ConvShape& s, const ConvAlgorithm& recipes, Precision precision, const std::vector<std::vector<float>>& inputs,
                         Int8Calibration calibration, double percentile) {
    if (inputs.empty()) throw InputError("int8 calibration needs at least one input");
    if (!(percentile > 0 && percentile <= 100)) throw InputError(fmt::format("the percentile must be in (0, 100], not {}", percentile));
    if (calibration == Int8Calibration::exact_bound) {
        double largest = 0;
        for (const std::vector<float>& x : inputs)
            for (float value : x) largest = std::max(largest, double(std::abs(value)));
        return exact_bound_clips(s, recipes, largest);
    }
    const Tiles t = tiles_of(s, recipes.m());
    const std::size_t a2 = t.positions();
    std::vector<std::vector<double>> taps(a2);
    for (const std::vector<float>& x : inputs) {
        if (x.size() != s.input_size()) throw InputError("a calibration input does not have the layer's input size");
        std::vector<double> v;
        input_stage<double>(s, t, recipes, x, v);
        std::vector<std::vector<double>> these = tap_magnitudes(v, a2);
        for (std::size_t xi = 0; xi < a2; ++xi) taps[xi].insert(taps[xi].end(), these[xi].begin(), these[xi].end());
    }
    Int8Clips clips;
    for (const std::vector<double>& magnitudes : taps)
        clips.taps.push_back(static_cast<float>(calibration == Int8Calibration::percentile ? percentile_of(magnitudes, percentile)
                                                                                          : least_squares_clip(magnitudes, largest_code(spec_of(precision).product_operands))));
    clips.source = calibration == Int8Calibration::percentile ? fmt::format("percentile {} of {} inputs", percentile, inputs.size())
                                                              : fmt::format("least squared error of {} inputs", inputs.size());
    return with_positive_taps(clips);
}

std::vector<double> int8_u_clips(const ConvShape& s, const ConvAlgorithm& recipes, const std::vector<float>& w, const Int8Clips& clips) {
    if (w.size() != s.filter_size()) throw InputError("the filters do not have the layer's size");
    const Tiles t = tiles_of(s, recipes.m());
    std::vector<double> u;
    filter_stage<double>(s, t, recipes, w, u);
    return u_clips_of(s, t.positions(), u, clips.weights);
}

std::vector<float> int8_scales(const ConvShape& s, const ConvAlgorithm& recipes, Precision precision, const std::vector<float>& w,
                               const Int8Clips& clips, const TensorQuantization& quantization) {
    const Tiles t = tiles_of(s, recipes.m());
    const auto a2 = static_cast<long long>(t.positions());
    check_clips(clips, static_cast<std::size_t>(a2));
    const std::vector<double> u_clip = int8_u_clips(s, recipes, w, clips);
    const ProductOperands operands = spec_of(precision).product_operands;
    const double levels = static_cast<double>(largest_code(operands)), weight = static_cast<double>(high_product_weight(operands));
    std::vector<float> scales(static_cast<std::size_t>(int8_scale_index(TensorField::count, a2, s.K)), 0.0f);
    auto at = [&](ScaleRegion region, long long tap, long long k) { return static_cast<std::size_t>(int8_scale_index(region, a2, s.K, tap, k)); };
    for (long long xi = 0; xi < a2; ++xi) {
        const double v_clip = clips.taps[static_cast<std::size_t>(xi)];
        scales[at(ScaleRegion::v_inverse, xi, 0)] = static_cast<float>(levels / v_clip);
        for (long long k = 0; k < s.K; ++k) {
            const double clip = u_clip[static_cast<std::size_t>(k * a2 + xi)];
            scales[at(ScaleRegion::u_inverse, xi, k)] = clip > 0 ? static_cast<float>(levels / clip) : 0.0f;
            scales[at(ScaleRegion::dequantize, xi, k)] = static_cast<float>(clip * v_clip / (levels * levels) * weight);
        }
    }
    write_tensor_scales(scales, s, recipes, quantization);
    return scales;
}

namespace {

// The output's coding multiplies by this (TensorField::output_inverse_scale).
float inverse_of(float scale) { return scale > 0 ? static_cast<float>(1.0 / scale) : 0.0f; }

}  // namespace

void write_tensor_scales(std::vector<float>& scales, const ConvShape& s, const ConvAlgorithm& recipes, const TensorQuantization& q) {
    const long long a2 = static_cast<long long>(tiles_of(s, recipes.m()).positions());
    auto at = [&](TensorField field) -> float& { return scales.at(static_cast<std::size_t>(int8_scale_index(field, a2, s.K))); };
    at(TensorField::input_scale) = q.input_scale;
    at(TensorField::input_zero_point) = static_cast<float>(q.input_zero_point);
    at(TensorField::output_inverse_scale) = inverse_of(q.output_scale);
    at(TensorField::output_zero_point) = static_cast<float>(q.output_zero_point);
}

void check_quantization(const TensorQuantization& q) {
    for (const auto& [what, scale] : {std::pair{"input", q.input_scale}, {"output", q.output_scale}})
        if (!(std::isfinite(scale) && scale > 0 && std::isfinite(1.0f / scale)))
            throw InputError(fmt::format("the {} scale must be finite and positive, not {}", what, scale));
    for (const auto& [what, zero_point] : {std::pair{"input", q.input_zero_point}, {"output", q.output_zero_point}})
        if (zero_point < -128 || zero_point > 127)
            throw InputError(fmt::format("the {} zero point must be an int8, in [-128, 127], not {}", what, zero_point));
}

std::vector<float> dequantized(const std::vector<float>& codes, float scale, int zero_point) {
    std::vector<float> out(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) out[i] = (codes[i] - static_cast<float>(zero_point)) * scale;
    return out;
}

std::vector<float> quantized(const std::vector<double>& values, float scale, int zero_point) {
    const float inverse = inverse_of(scale);
    std::vector<float> out(values.size());
    // Rounded, then moved by the zero point and saturated, as the kernels code (int8_code saturates).
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = int8_code(std::nearbyint(static_cast<float>(values[i]) * inverse) + zero_point);
    return out;
}

std::vector<double> reference_output(const ConvShape& s, const Epilogue& epilogue, const std::vector<float>& x,
                                     const std::vector<float>& w, const std::vector<float>& bias) {
    std::vector<double> y = reference_conv2d(s, x, w);
    apply_epilogue(epilogue, bias, s, y);
    return y;
}

float data_scale(const std::vector<double>& values) {
    double largest = 0;
    for (double value : values) largest = std::max(largest, std::abs(value));
    return largest > 0 ? static_cast<float>(largest / 127) : 1.0f;
}

TensorQuantization data_quantization(const ConvShape& s, const Epilogue& epilogue, const std::vector<float>& x,
                                     const std::vector<float>& w, const std::vector<float>& bias) {
    return {data_scale({x.begin(), x.end()}), 0, data_scale(reference_output(s, epilogue, x, w, bias)), 0};
}

std::vector<double> int8_winograd_on_host(const ConvShape& s, const ConvAlgorithm& recipes, Precision precision, const std::vector<float>& x,
                                          const std::vector<float>& w, const Int8Clips& clips, Int8Quantized quantized,
                                          double* largest_sum) {
    validate_shape(s, {Variant::nonfused, recipes.m(), {}});
    if (x.size() != s.input_size() || w.size() != s.filter_size()) throw InputError("the tensors do not have the layer's sizes");
    const Tiles t = tiles_of(s, recipes.m());
    const std::size_t a2 = t.positions();
    check_clips(clips, a2);
    const ProductOperands operands = spec_of(precision).product_operands;
    const long long levels = largest_code(operands);
    std::vector<double> u, v, product, y;
    filter_stage<double>(s, t, recipes, w, u);
    input_stage<double>(s, t, recipes, x, v);
    const std::vector<double> u_clip = u_clips_of(s, a2, u, clips.weights);
    const std::vector<double> v_clip(clips.taps.begin(), clips.taps.end());
    // U and V as codes, each step (clip / levels) taken out until the sums
    // are dequantized; an operand left exact keeps its values, a step of 1.
    const std::size_t per_filter = static_cast<std::size_t>(s.C) * a2;
    if (quantized.u)
        for (std::size_t k = 0; k < static_cast<std::size_t>(s.K); ++k)
            code_per_tap(std::span<double>(u.data() + k * per_filter, per_filter), a2,
                         std::span<const double>(u_clip.data() + k * a2, a2), levels);
    if (quantized.v) code_per_tap(v, a2, v_clip, levels);
    auto step = [&](bool coded, double clip) { return coded ? clip / static_cast<double>(levels) : 1.0; };
    // The sums of codes, exact in fp64 (far under 2^53): at split-int8 with
    // both operands coded, M's two planes as the GEMM sums them (high·high,
    // and high·low + low·high), weighed together as the output transform
    // does; else the codes' products.
    if (operands == ProductOperands::split_int8 && quantized.u && quantized.v) {
        auto part_of = [](const std::vector<double>& codes, int part) {
            std::vector<double> out(codes.size());
            for (std::size_t i = 0; i < codes.size(); ++i) {
                const auto q = static_cast<long long>(codes[i]);
                out[i] = static_cast<double>(part ? CodeSplit::low(q) : CodeSplit::high(q));
            }
            return out;
        };
        const std::vector<double> u_high = part_of(u, 0), u_low = part_of(u, 1), v_high = part_of(v, 0), v_low = part_of(v, 1);
        std::vector<double> high, high_low, low_high;
        product_stage<double>(s, t, u_high, v_high, ProductOperands::as_read, high);
        product_stage<double>(s, t, u_high, v_low, ProductOperands::as_read, high_low);
        product_stage<double>(s, t, u_low, v_high, ProductOperands::as_read, low_high);
        product.resize(high.size());
        for (std::size_t i = 0; i < high.size(); ++i) {
            const double mixed = high_low[i] + low_high[i];
            product[i] = high[i] * static_cast<double>(CodeSplit::high_weight) + mixed * static_cast<double>(CodeSplit::mixed_weight);
            if (largest_sum) *largest_sum = std::max({*largest_sum, std::abs(high[i]), std::abs(mixed)});
        }
    } else {
        product_stage<double>(s, t, u, v, ProductOperands::as_read, product);
        if (largest_sum && quantized.u && quantized.v)
            for (double sum : product) *largest_sum = std::max(*largest_sum, std::abs(sum));
    }
    for (std::size_t i = 0; i < product.size(); ++i) {
        const std::size_t k = i / (static_cast<std::size_t>(t.count) * a2), xi = i % a2;
        product[i] *= step(quantized.u, u_clip[k * a2 + xi]) * step(quantized.v, v_clip[xi]);
    }
    output_stage<double>(s, t, recipes, product, y);
    return y;
}

Int8ErrorModel model_int8_error(const ConvShape& s, const ConvAlgorithm& recipes, Precision precision, const std::vector<float>& x,
                                const std::vector<float>& w, const Int8Clips& clips, const TensorQuantization* coding) {
    const std::vector<double> reference = reference_conv2d(s, x, w);
    // At int8-io: the real values the input's codes stand for, and the output as its codes stand for it.
    const std::vector<float> coded_x =
        coding ? dequantized(quantized({x.begin(), x.end()}, coding->input_scale, coding->input_zero_point), coding->input_scale,
                             coding->input_zero_point)
               : x;
    auto coded = [&](const std::vector<double>& y) {
        if (!coding) return y;
        const std::vector<float> decoded =
            dequantized(quantized(y, coding->output_scale, coding->output_zero_point), coding->output_scale, coding->output_zero_point);
        return std::vector<double>(decoded.begin(), decoded.end());
    };
    Int8ErrorModel model;
    model.all = compare_with_reference(coded(int8_winograd_on_host(s, recipes, precision, coded_x, w, clips, {}, &model.largest_sum)), reference);
    model.v_quantized = compare_with_reference(int8_winograd_on_host(s, recipes, precision, x, w, clips, {.u = false}), reference);
    model.u_quantized = compare_with_reference(int8_winograd_on_host(s, recipes, precision, x, w, clips, {.v = false}), reference);
    if (coding) model.tensors = compare_with_reference(coded(reference_conv2d(s, coded_x, w)), reference);
    // The baseline codes its output too where the layer does: QLinearConv's int8 direct convolution.
    model.direct = compare_with_reference(coded(int8_direct_on_host(s, x, w)), reference);
    const double words = (s.C + int8_channels_a_word - 1) / int8_channels_a_word;
    model.sum_bound = words * int8_channels_a_word * static_cast<double>(largest_plane_product(spec_of(precision).product_operands));
    return model;
}

double int8_check_bound(const ConvShape& s, const ConvConfig& config, const std::vector<float>& x, const std::vector<float>& w,
                        const std::vector<float>& bias, const TensorQuantization* coding) {
    const LayerRecipes recipes(s, computed_config(s, config), optimizer_options(config.precision));
    std::vector<double> model = int8_winograd_on_host(s, recipes.algorithm(), config.precision, x, w, config.clips);
    const std::vector<double> reference = reference_output(s, config.epilogue, x, w, bias);
    apply_epilogue(config.epilogue, bias, s, model);
    if (coding) {
        const std::vector<float> decoded = dequantized(quantized(model, coding->output_scale, coding->output_zero_point),
                                                       coding->output_scale, coding->output_zero_point);
        model.assign(decoded.begin(), decoded.end());
    }
    return 1.05 * compare_with_reference(model, reference).relative + 1e-5;
}

Int8Clips calibrate_int8(const ConvShape& s, const ConvConfig& config, const std::vector<std::vector<float>>& inputs,
                         Int8Calibration calibration, double percentile) {
    const LayerRecipes recipes(s, computed_config(s, config), optimizer_options(config.precision));
    return calibrate_int8(s, recipes.algorithm(), config.precision, inputs, calibration, percentile);
}

Int8Clips exact_bound_clips(const ConvShape& s, const ConvConfig& config, double largest) {
    const LayerRecipes recipes(s, computed_config(s, config), optimizer_options(config.precision));
    return exact_bound_clips(s, recipes.algorithm(), largest);
}

std::vector<double> int8_direct_on_host(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& w) {
    // The int8 codes (exact in float), and their scale.
    auto codes = [](const std::vector<float>& tensor, double& step) {
        double largest = 0;
        for (float value : tensor) largest = std::max(largest, double(std::abs(value)));
        step = largest / 127;
        std::vector<float> q(tensor.size(), 0.0f);
        if (step > 0)
            for (std::size_t i = 0; i < q.size(); ++i) q[i] = static_cast<float>(std::clamp(std::nearbyint(tensor[i] / step), -127.0, 127.0));
        return q;
    };
    double x_step = 0, w_step = 0;
    const std::vector<float> qx = codes(x, x_step), qw = codes(w, w_step);
    std::vector<double> y = reference_conv2d(s, qx, qw);  // integer sums, exact in double
    for (double& value : y) value *= x_step * w_step;
    return y;
}

LayerErrorModel model_layer_error(const ConvShape& s, const ConvAlgorithm& recipes, const std::vector<float>& input,
                                  const std::vector<float>& filters, const Roundings& rounded, Arithmetic arithmetic) {
    const std::vector<double> ref = reference_conv2d(s, input, filters);
    const std::array<Arithmetic, 4> device{arithmetic, arithmetic, arithmetic, arithmetic};
    LayerErrorModel model{compare_with_reference(winograd_on_host(s, recipes, input, filters, device, rounded), ref), {}, {}};
    for (std::size_t i = 0; i < layer_stages.size(); ++i) {
        std::array<Arithmetic, 4> alone{};
        alone[i] = arithmetic;
        model.stages[i] = compare_with_reference(winograd_on_host(s, recipes, input, filters, alone), ref);
    }
    for (auto [name, member] : {std::pair{"u", &Roundings::u}, {"v", &Roundings::v}, {"product", &Roundings::product},
                                {"tensors", &Roundings::tensors}})
        if (rounded.*member) {
            Roundings alone;
            alone.*member = true;
            model.storage.push_back({name, compare_with_reference(winograd_on_host(s, recipes, input, filters, {}, alone), ref)});
        }
    if (rounded.operands != ProductOperands::as_read) {
        Roundings alone;
        alone.operands = rounded.operands;
        model.storage.push_back({"operands", compare_with_reference(winograd_on_host(s, recipes, input, filters, {}, alone), ref)});
    }
    return model;
}

namespace {

// The modelled relative L2 error of `algorithm` on the small layer `s`, on
// seeded tensors, computed as `variant`'s kernels compute at `precision`.
// At int8, V's clips are those of least squared error on the input itself
// (the best a calibration can do), so points are ranked by what their
// transforms' ranges leave to quantization.
double modelled_error(const ConvShape& s, const ConvAlgorithm& algorithm, Variant variant, Precision precision) {
    const std::vector<float> x = random_tensor(s.input_size(), 1), w = random_tensor(s.filter_size(), 2);
    const Arithmetic a = arithmetic_of(precision);
    const std::vector<double> y =
        spec_of(precision).quantized()
            ? int8_winograd_on_host(s, algorithm, precision, x, w, calibrate_int8(s, algorithm, precision, {x}, Int8Calibration::mse))
            : winograd_on_host(s, algorithm, x, w, {a, a, a, a}, roundings(variant, precision));
    return compare_with_reference(y, reference_conv2d(s, x, w)).relative;
}

}  // namespace

double modelled_layer_error(const ToomCook1D& algorithm, int channels, Precision precision) {
    const int side = 4 * algorithm.m;
    const ConvShape s{1, channels, side, side, 8, algorithm.r, algorithm.r / 2};
    const RecipeSet recipes = optimize_recipes(algorithm, optimizer_options(precision));
    return modelled_error(s, ConvAlgorithm::square(recipes), Variant::nonfused, precision);
}

double modelled_config_error(const ConvShape& layer, const ConvConfig& config) {
    // The pass's kernels compute a forward correlation (passes.hpp): its
    // channels are what the error grows with. A crop (negative padding) keeps
    // the rows it removes, so the small layer keeps an output.
    // Backward-filter's channels are its sum over images, rows and chunks.
    ConvShape s = pass_shape(layer, config.pass, config.m);
    const ConvConfig computed = computed_config(layer, config);
    s.N = 1;
    s.K = 8;
    s.H = std::min(s.H, 4 * computed.m.h + std::max(0, -(s.pad.top + s.pad.bottom)));
    s.W = std::min(s.W, 4 * computed.m.w + std::max(0, -(s.pad.left + s.pad.right)));
    const LayerRecipes recipes(s, computed, optimizer_options(config.precision));
    return modelled_error(s, recipes.algorithm(), config.variant, config.precision);
}

}  // namespace wino
