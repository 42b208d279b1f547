// The layer error model: the kernels' arithmetic on the host, stage by stage.
#include "runtime/layer_error.hpp"

#include "templates/layer_plan.hpp"
#include "generator/half.hpp"
#include "templates/kernel_kinds.hpp"
#include "recipes/recipe_run.hpp"
#include "runtime/host_reference.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <cmath>
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

// Each tap's values quantized to the int8 grid of its clip: round(x / s)
// clamped to ±127, times s, s = clip / 127 (a clip of 0 leaves zeros).
void quantize_per_tap(std::span<double> values, std::size_t a2, std::span<const double> clip) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double step = clip[i % a2] / 127;
        values[i] = step > 0 ? std::clamp(std::nearbyint(values[i] / step), -127.0, 127.0) * step : 0.0;
    }
}

// Per tap, the largest |value|, or the given percentile of |value|.
std::vector<double> tap_clips(std::span<const double> values, std::size_t a2, std::optional<double> percentile) {
    std::vector<double> clips(a2, 0.0);
    for (std::size_t xi = 0; xi < a2; ++xi) {
        std::vector<double> magnitudes;
        for (std::size_t i = xi; i < values.size(); i += a2) magnitudes.push_back(std::abs(values[i]));
        if (magnitudes.empty()) continue;
        const std::size_t at = percentile ? std::min(magnitudes.size() - 1, static_cast<std::size_t>(*percentile / 100 * magnitudes.size()))
                                          : magnitudes.size() - 1;
        std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<std::ptrdiff_t>(at), magnitudes.end());
        clips[xi] = magnitudes[at];
    }
    return clips;
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

}  // namespace

Int8Winograd int8_winograd_on_host(const ConvShape& s, const ConvAlgorithm& recipes, const std::vector<float>& x,
                                   const std::vector<float>& w, Int8Clip clip, double percentile) {
    validate_shape(s, {Variant::nonfused, recipes.m(), {}});
    if (x.size() != s.input_size() || w.size() != s.filter_size()) throw InputError("the tensors do not have the layer's sizes");
    const Tiles t = tiles_of(s, recipes.m());
    const std::size_t a2 = t.positions();
    std::vector<double> u, v, product, y;
    filter_stage<double>(s, t, recipes, w, u);
    input_stage<double>(s, t, recipes, x, v);
    Int8Winograd out;
    // U per filter k and tap, clipped at the largest |U| over k's channels.
    const std::size_t per_filter = static_cast<std::size_t>(s.C) * a2;
    for (std::size_t k = 0; k < static_cast<std::size_t>(s.K); ++k) {
        const std::span<double> filter(u.data() + k * per_filter, per_filter);
        const std::vector<double> clips = tap_clips(filter, a2, std::nullopt);
        quantize_per_tap(filter, a2, clips);
        out.u_clip.insert(out.u_clip.end(), clips.begin(), clips.end());
    }
    if (clip == Int8Clip::percentile) {
        out.v_clip = tap_clips(v, a2, percentile);
    } else {
        double largest = 0;
        for (float value : x) largest = std::max(largest, double(std::abs(value)));
        const std::vector<double> h = row_sums(recipes.h->input), along_w = row_sums(recipes.w->input);
        for (std::size_t xi = 0; xi < a2; ++xi) out.v_clip.push_back(h[xi / t.alpha_w] * along_w[xi % t.alpha_w] * largest);
    }
    quantize_per_tap(v, a2, out.v_clip);
    product_stage<double>(s, t, u, v, ProductOperands::as_read, product);
    output_stage<double>(s, t, recipes, product, out.output);
    return out;
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
double modelled_error(const ConvShape& s, const ConvAlgorithm& algorithm, Variant variant, Precision precision) {
    const std::vector<float> x = random_tensor(s.input_size(), 1), w = random_tensor(s.filter_size(), 2);
    const Arithmetic a = arithmetic_of(precision);
    return compare_with_reference(winograd_on_host(s, algorithm, x, w, {a, a, a, a}, roundings(variant, precision)),
                                  reference_conv2d(s, x, w))
        .relative;
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
