// The layer error model (runtime/layer_error): exact when every stage runs in
// fp64 (so its tiling, padding and indices are the kernels'), and within 2x
// of what the Vulkan device measures on the same tensors at m = 2, 4, 6.
#include "runtime/api_state.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/layer_run.hpp"
#include "recipes/point_search.hpp"
#include "recipes/recipe_db.hpp"
#include "runtime/host_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace wino;

namespace {

RecipeSet recipes(int m, int r) { return recipes_for(m, r, default_points(m + r - 1), {}); }

}  // namespace

TEST_CASE("the host pipeline in fp64 is the convolution, on odd shapes with padding and N > 1") {
    for (const ConvShape& s : {ConvShape{2, 3, 11, 13, 5, 3, 1}, ConvShape{1, 4, 9, 7, 3, 5, 2}, ConvShape{1, 2, 5, 6, 2, 3, 0},
                               ConvShape{1, 21, 7, 6, 3, 3, 1}})
        for (int m : {2, 4, 6}) {
            INFO("m " << m << " R " << s.R << " H " << s.H << " W " << s.W);
            const std::vector<float> x = random_tensor(s.input_size(), 3), w = random_tensor(s.filter_size(), 4);
            const LayerErrors e = compare_with_reference(winograd_on_host(s, ConvAlgorithm::square(recipes(m, s.R)), x, w, {}), reference_conv2d(s, x, w));
            CHECK(e.relative < 1e-13);
            CHECK(e.max_relative < 1e-13);
        }
}

TEST_CASE("int8 direct on tensors already on the int8 grid is the convolution, to their float rounding") {
    const ConvShape s{2, 3, 9, 8, 4, 3, 1};
    // Codes k / 127 of a scale whose largest code, 127, is present: quantizing changes nothing.
    auto on_grid = [](std::size_t n, unsigned seed, float scale) {
        std::vector<float> v = random_tensor(n, seed);
        for (float& x : v) x = std::nearbyint(x * 127) / 127 * scale;
        v[0] = scale;
        return v;
    };
    const std::vector<float> x = on_grid(s.input_size(), 5, 2.0f), w = on_grid(s.filter_size(), 6, 0.5f);
    const std::vector<double> direct = int8_direct_on_host(s, x, w), reference = reference_conv2d(s, x, w);
    CHECK(compare_with_reference(direct, reference).relative < 1e-6);  // int8's own error here is about 5e-3
}

TEST_CASE("int8 calibration: the exact bound holds every value, percentiles and least squares clip inside it, deterministically") {
    const ConvShape s{1, 6, 12, 10, 5, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 7), w = random_tensor(s.filter_size(), 8);
    const std::vector<std::vector<float>> inputs = {x, random_tensor(s.input_size(), 9)};
    const std::vector<double> reference = reference_conv2d(s, x, w);
    const double direct = compare_with_reference(int8_direct_on_host(s, x, w), reference).relative;
    for (int m : {2, 4}) {
        INFO("m " << m);
        const RecipeSet set = recipes(m, 3);
        const ConvAlgorithm a = ConvAlgorithm::square(set);
        const std::size_t taps = static_cast<std::size_t>((m + 2) * (m + 2));
        const Int8Clips bound = calibrate_int8(s, a, Precision::int8, inputs, Int8Calibration::exact_bound),
                        all = calibrate_int8(s, a, Precision::int8, inputs, Int8Calibration::percentile, 100),
                        percentile = calibrate_int8(s, a, Precision::int8, inputs, Int8Calibration::percentile),
                        least = calibrate_int8(s, a, Precision::int8, inputs, Int8Calibration::mse);
        for (const Int8Clips* c : {&bound, &all, &percentile, &least}) REQUIRE(c->taps.size() == taps);
        for (std::size_t xi = 0; xi < taps; ++xi) {
            CHECK(bound.taps[xi] >= all.taps[xi] * (1 - 1e-6));  // no value passes the bound
            CHECK(percentile.taps[xi] <= all.taps[xi]);
            CHECK(least.taps[xi] <= all.taps[xi]);
            CHECK(least.taps[xi] > 0);
        }
        CHECK(percentile.source == "percentile 99.9 of 2 inputs");
        // Calibration is deterministic: the same inputs give the same clips.
        CHECK(calibrate_int8(s, a, Precision::int8, inputs, Int8Calibration::mse) == least);
        CHECK(calibrate_int8(s, a, Precision::int8, inputs, Int8Calibration::percentile) == percentile);
        // U's clips are per filter and tap, each filter's largest |U|, capped where asked.
        const std::vector<double> u = int8_u_clips(s, a, w, percentile);
        REQUIRE(u.size() == static_cast<std::size_t>(s.K) * taps);
        Int8Clips capped = percentile;
        capped.weights = static_cast<float>(*std::max_element(u.begin(), u.end()) / 2);
        const std::vector<double> u_capped = int8_u_clips(s, a, w, capped);
        for (std::size_t i = 0; i < u.size(); ++i) CHECK(u_capped[i] == std::min(u[i], double(capped.weights)));
        // Quantized, the layer errs about as 8 bits do: more than nothing, a few times the int8 direct convolution.
        for (const Int8Clips* c : {&bound, &percentile, &least}) {
            const double e = compare_with_reference(int8_winograd_on_host(s, a, Precision::int8, x, w, *c), reference).relative;
            CHECK(e > 0);
            CHECK(e < 50 * direct);
        }
        // Least squares is the best clip of V's own error, so it beats the exact bound on the layer.
        CHECK(compare_with_reference(int8_winograd_on_host(s, a, Precision::int8, x, w, least), reference).relative <
              compare_with_reference(int8_winograd_on_host(s, a, Precision::int8, x, w, bound), reference).relative);
    }
}

TEST_CASE("int8 scales are laid out as the kernels index them, and bad clips are refused") {
    const ConvShape s{1, 3, 8, 8, 2, 3, 1};
    const std::vector<float> w = random_tensor(s.filter_size(), 3);
    const RecipeSet set = recipes(2, 3);
    const ConvAlgorithm a = ConvAlgorithm::square(set);
    Int8Clips clips;
    for (int xi = 0; xi < 16; ++xi) clips.taps.push_back(0.5f + xi);
    const TensorQuantization coding{0.5f, -3, 0.25f, 7};
    const std::vector<float> scales = int8_scales(s, a, Precision::int8, w, clips, coding);
    const std::vector<double> u = int8_u_clips(s, a, w, clips);
    // The regions end to end: 16 taps of V, 16·K of U and of their product, int8-io's 4 fields.
    REQUIRE(scales.size() == static_cast<std::size_t>(16 + 2 * 16 * s.K + 4));
    REQUIRE(scales.size() == static_cast<std::size_t>(int8_scale_index(TensorField::count, 16, s.K)));
    auto field = [&](TensorField f) { return scales[static_cast<std::size_t>(int8_scale_index(f, 16, s.K))]; };
    CHECK(field(TensorField::input_scale) == 0.5f);
    CHECK(field(TensorField::input_zero_point) == -3.0f);
    CHECK(field(TensorField::output_inverse_scale) == 4.0f);
    CHECK(field(TensorField::output_zero_point) == 7.0f);
    for (int xi = 0; xi < 16; ++xi) {
        CHECK(scales[static_cast<std::size_t>(int8_scale_index(ScaleRegion::v_inverse, 16, s.K, xi))] == Approx(127 / clips.taps[static_cast<std::size_t>(xi)]));
        for (int k = 0; k < s.K; ++k) {
            const double u_clip = u[static_cast<std::size_t>(k * 16 + xi)];
            CHECK(scales[static_cast<std::size_t>(int8_scale_index(ScaleRegion::u_inverse, 16, s.K, xi, k))] == Approx(127 / u_clip));
            CHECK(scales[static_cast<std::size_t>(int8_scale_index(ScaleRegion::dequantize, 16, s.K, xi, k))] ==
                  Approx(u_clip * clips.taps[static_cast<std::size_t>(xi)] / (127.0 * 127.0)));
        }
    }
    Int8Clips short_clips = clips;
    short_clips.taps.pop_back();
    CHECK_THROWS_WITH(int8_scales(s, a, Precision::int8, w, short_clips), "precision int8 needs 16 clips of V, one a tap, not 15");
    Int8Clips negative = clips;
    negative.taps[3] = -1;
    CHECK_THROWS_WITH(int8_scales(s, a, Precision::int8, w, negative), "a clip of V must be positive and finite, not -1");
    negative = clips;
    negative.weights = -2;
    CHECK_THROWS_WITH(int8_scales(s, a, Precision::int8, w, negative), "the clip of U must be positive and finite (0: none), not -2");
    CHECK_THROWS_WITH(calibrate_int8(s, a, Precision::int8, {}, Int8Calibration::mse), "int8 calibration needs at least one input");
    CHECK_THROWS_WITH(parse_int8_calibration("max", "--calibration"), "--calibration must be exact-bound, percentile or mse, not 'max'");
}

TEST_CASE("int8's error by stage: each quantization alone errs less than both, the int32 sums within their bound") {
    const ConvShape s{1, 24, 12, 12, 6, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 5), w = random_tensor(s.filter_size(), 6);
    const RecipeSet set = recipes(4, 3);
    const ConvAlgorithm a = ConvAlgorithm::square(set);
    const Int8Clips clips = calibrate_int8(s, a, Precision::int8, {x}, Int8Calibration::mse);
    const Int8ErrorModel model = model_int8_error(s, a, Precision::int8, x, w, clips);
    const std::vector<double> reference = reference_conv2d(s, x, w);
    CHECK(model.all.relative == compare_with_reference(int8_winograd_on_host(s, a, Precision::int8, x, w, clips), reference).relative);
    CHECK(model.direct.relative == compare_with_reference(int8_direct_on_host(s, x, w), reference).relative);
    for (const LayerErrors& alone : {model.v_quantized, model.u_quantized}) {
        CHECK(alone.relative > 0);
        CHECK(alone.relative < model.all.relative);
    }
    // Rounding errors of V and U are uncorrelated: their squares add up to the whole's, near enough.
    const double summed = std::hypot(model.v_quantized.relative, model.u_quantized.relative);
    CHECK(model.all.relative == Approx(summed).epsilon(0.15));
    // 6 words of 4 channels, 127² a lane; the seeded sums use a part of it.
    CHECK(model.sum_bound == 24.0 * 127 * 127);
    CHECK(model.largest_sum > 0.05 * model.sum_bound);
    CHECK(model.largest_sum <= model.sum_bound);
    CHECK(model.largest_sum == std::nearbyint(model.largest_sum));
    // Codes of ±127 in every lane reach the bound: every V past a clip far under it, U at its filters' own.
    Int8Clips tiny = clips;
    std::fill(tiny.taps.begin(), tiny.taps.end(), 1e-6f);
    const ConvShape ones_shape{1, 22, 4, 4, 1, 3, 1};
    const Int8ErrorModel ones = model_int8_error(ones_shape, a, Precision::int8, std::vector<float>(ones_shape.input_size(), 1.0f),
                                                 std::vector<float>(ones_shape.filter_size(), 1.0f), tiny);
    CHECK(ones.largest_sum == 22.0 * 127 * 127);
    CHECK(ones.sum_bound == 24.0 * 127 * 127);  // 6 words: the last one's two empty lanes count in the bound
}

TEST_CASE("split-int8 keeps 16-bit codes as two int8 codes: its error far under int8's, low·low's share, its planes' sums in bound") {
    const ConvShape s{1, 24, 12, 12, 6, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 5), w = random_tensor(s.filter_size(), 6);
    const std::vector<double> reference = reference_conv2d(s, x, w);
    // The split of every code: high·radix + low, both within int8.
    for (long long q = -CodeSplit::largest_code; q <= CodeSplit::largest_code; ++q) {
        const long long high = CodeSplit::high(q), low = CodeSplit::low(q);
        REQUIRE(high * CodeSplit::radix + low == q);
        REQUIRE(std::abs(high) <= 127);
        REQUIRE((low >= -128 && low <= 127));
    }
    for (int m : {2, 4, 6}) {
        INFO("m " << m);
        const RecipeSet set = recipes(m, 3);
        const ConvAlgorithm a = ConvAlgorithm::square(set);
        const Int8Clips clips = calibrate_int8(s, a, Precision::split_int8, {x}, Int8Calibration::mse);
        const Int8ErrorModel split = model_int8_error(s, a, Precision::split_int8, x, w, clips);
        const Int8ErrorModel int8 = model_int8_error(s, a, Precision::int8, x, w, calibrate_int8(s, a, Precision::int8, {x}, Int8Calibration::mse));
        // 2^8 times int8's levels a side: about 1/256 of its error, and far under the int8 direct convolution's.
        CHECK(split.all.relative < int8.all.relative / 100);
        CHECK(split.all.relative < split.direct.relative / 4);
        // low·low, left out, errs about as much as the two roundings together
        // (a low code is up to 128, a rounding half a step of 32,639): the whole
        // is over their sum in squares, and under twice it.
        const double roundings = std::hypot(split.v_quantized.relative, split.u_quantized.relative);
        CHECK(split.all.relative > roundings * 1.1);
        CHECK(split.all.relative < roundings * 2);
        // A plane's sums: 6 words of 4 lanes, 2·127·128 a lane (high·low + low·high).
        CHECK(split.sum_bound == 24.0 * 2 * 127 * 128);
        CHECK(split.largest_sum <= split.sum_bound);
        CHECK(split.largest_sum > 0.05 * split.sum_bound);
    }
}

TEST_CASE("the layer objective at int8 models int8: its error grows with the tile, far above fp32's") {
    double last = 0;
    for (int m : {2, 4, 6}) {
        const ToomCook1D algorithm = build_toom_cook(m, 3, default_points(m + 2));
        const double int8 = modelled_layer_error(algorithm, 16, Precision::int8),
                     fp32 = modelled_layer_error(algorithm, 16, Precision::fp32);
        INFO("m " << m << ": int8 " << int8 << ", fp32 " << fp32);
        CHECK(int8 > 1000 * fp32);
        CHECK(int8 > 1.5 * last);
        last = int8;
    }
    // The tuner's prediction for a config: the same model, at int8.
    const ConvShape layer{1, 16, 40, 40, 8, 3, 1};
    const double predicted = modelled_config_error(layer, {.variant = Variant::nonfused, .m = 4, .params = {}, .precision = Precision::int8});
    CHECK(predicted > 1e-2);
    CHECK(predicted < 1e-1);
}

TEST_CASE("the model's error agrees with the device's within 2x at m = 2, 4, 6", "[vulkan]") {
    Device device;
    const ConvShape s{1, 32, 20, 20, 16, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 1), w = random_tensor(s.filter_size(), 2);
    const std::vector<double> ref = reference_conv2d(s, x, w);
    for (int m : {2, 4, 6}) {
        const LayerErrorModel model = model_layer_error(s, ConvAlgorithm::square(recipes(m, 3)), x, w);
        LayerJob job;
        job.shape = s;
        job.config = {Variant::nonfused, m, suggested_params(s, m, DeviceClass::cpu)};
        job.input = x;
        job.filters = w;
        job.check = true;
        const LayerReport device_run = run_layer(device, job);
        const LayerErrors measured = compare_with_reference(device_run.output, ref);
        INFO("m " << m << ": model " << model.all.relative << " / " << model.all.max_relative << ", device "
                  << measured.relative << " / " << measured.max_relative);
        CHECK(model.all.relative <= 2 * measured.relative);
        CHECK(model.all.relative >= measured.relative / 2);
        CHECK(model.all.max_relative <= 2 * measured.max_relative);
        CHECK(model.all.max_relative >= measured.max_relative / 2);
        for (const LayerErrors& stage : model.stages) {
            CHECK(stage.relative > 0);
            CHECK(stage.relative <= model.all.relative * 2);
        }
    }
}

TEST_CASE("the default F(4,3) is at least as accurate as ncnn's on ncnn's first comparison layer, on the device", "[vulkan]") {
    // ncnn's Vulkan F(4,3) on this layer (examples/layers/ncnn-comparison.txt):
    // max|y - ref| / max|ref| = 8.3e-7 on uniform [-1, 1) tensors (issue 15).
    // Ours: the sqrt(2) points and channel blocks of product_sum_block.
    Device device;
    const ConvShape s{1, 64, 56, 56, 64, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 1), w = random_tensor(s.filter_size(), 2);
    const std::vector<double> ref = reference_conv2d(s, x, w);
    for (Variant v : {Variant::nonfused, Variant::fused}) {
        LayerJob job;
        job.shape = s;
        job.config = {v, 4, suggested_params(s, 4, DeviceClass::cpu)};
        job.input = x;
        job.filters = w;
        const LayerErrors measured = compare_with_reference(run_layer(device, job).output, ref);
        INFO(to_string(v) << ": " << measured.max_relative);
        CHECK(measured.max_relative <= 8.3e-7);
    }
    // A C that is no multiple of the block (a full block and a tail) sums the same on device and host.
    const ConvShape odd{1, 21, 9, 10, 5, 3, 1};
    const std::vector<float> xo = random_tensor(odd.input_size(), 5), wo = random_tensor(odd.filter_size(), 6);
    LayerJob job;
    job.shape = odd;
    job.config = {Variant::nonfused, 4, suggested_params(odd, 4, DeviceClass::cpu)};
    job.input = xo;
    job.filters = wo;
    const std::vector<double> refo = reference_conv2d(odd, xo, wo);
    const LayerErrors device_error = compare_with_reference(run_layer(device, job).output, refo);
    const LayerErrorModel model = model_layer_error(odd, ConvAlgorithm::square(recipes(4, 3)), xo, wo);
    CHECK(device_error.relative <= 2 * model.all.relative);
    CHECK(device_error.relative >= model.all.relative / 2);
}

TEST_CASE("the layer objective ranks by the layer error model: reproducible, never worse than its seed") {
    // F(3,3) from the root 0, 1, -1: one step of the beam, over rationals and c*sqrt(2).
    SearchOptions o;
    o.alpha = 5;
    o.beam = 1;
    o.threads = 1;
    o.radicands = {2};
    o.objective = [](const ToomCook1D& t) { return modelled_layer_error(t, 4); };
    o.seeds = {parse_points("0,sqrt2,-sqrt2,sqrt2/2", 5)};
    const SearchResult a = search_points(o);
    o.threads = 2;
    const SearchResult b = search_points(o);
    CHECK(point_strings(a.points) == point_strings(b.points));
    CHECK(a.error == b.error);
    CHECK(a.error <= modelled_layer_error(build_toom_cook(3, 3, o.seeds[0]), 4));
    CHECK(a.error == modelled_layer_error(build_toom_cook(3, 3, a.points), 4));
}

TEST_CASE("16-bit and TF32 precisions: the model rounds what the device rounds, and the balanced scaling keeps M in range at m = 6", "[vulkan]") {
    Device device;
    const ConvShape s{2, 24, 13, 11, 10, 3, 1};  // N > 1, tails in H, W, C and K
    const std::vector<float> x = random_tensor(s.input_size(), 1), w = random_tensor(s.filter_size(), 2);
    const std::vector<double> ref = reference_conv2d(s, x, w);
    for (Precision precision : {Precision::fp16_storage, Precision::fp16, Precision::fp16_storage_io, Precision::fp16_mixed,
                                Precision::tf32, Precision::split_tf32})
        for (Variant v : {Variant::nonfused, Variant::fused})
            for (int m : {2, 4, 6}) {
                const RecipeSet balanced = recipes_for(m, 3, default_points(m + 2), optimizer_options(precision));
                const LayerErrorModel model =
                    model_layer_error(s, ConvAlgorithm::square(balanced), x, w, roundings(v, precision), arithmetic_of(precision));
                LayerJob job;
                job.shape = s;
                job.config = {v, m, suggested_params(s, m, DeviceClass::cpu), "", precision};
                job.input = x;
                job.filters = w;
                const LayerErrors measured = compare_with_reference(run_layer(device, job).output, ref);
                INFO(to_string(precision) << " " << to_string(v) << " m " << m << ": model " << model.all.relative
                                          << ", device " << measured.relative);
                // The same roundings in the same order: agreement to 10%, far inside the 2x asked of the
                // model. In fp16, lavapipe rounds an FMA's product before the sum (half.hpp): 20%.
                CHECK(model.all.relative == Approx(measured.relative).epsilon(precision == Precision::fp16 ? 0.2 : 0.1));
                // Rounded to binary16: U and V (the fused kernel binds only U), M where the precision keeps it
                // in 16 bits, and the tensors at the _io precisions; the product's operands at the TF32 ones.
                const PrecisionSpec& spec = spec_of(precision);
                const std::size_t half_buffers = spec.half_operands ? (v == Variant::nonfused ? 2u + spec.half_product : 1u) : 0u;
                CHECK(model.storage.size() ==
                      half_buffers + spec.half_io + (spec.product_operands != ProductOperands::as_read));
            }
    // Op-count scaling lets M pass fp16's 65504 at m = 6 on ncnn-comparison's 128-channel layer; balanced does not,
    // at either 16-bit precision.
    const ConvShape wide{1, 128, 28, 28, 128, 3, 1};
    const std::vector<float> xw = random_tensor(wide.input_size(), 1), ww = random_tensor(wide.filter_size(), 2);
    const std::vector<double> refw = reference_conv2d(wide, xw, ww);
    for (auto [precision, bound] : {std::pair{Precision::fp16_storage, 1e-2}, {Precision::fp16, 3e-2}}) {
        INFO(to_string(precision));
        const Arithmetic a = arithmetic_of(precision);
        auto error_with = [&, precision = precision](const OptimizerOptions& options) {
            const RecipeSet r = recipes_for(6, 3, default_points(8), options);
            return compare_with_reference(
                       winograd_on_host(wide, ConvAlgorithm::square(r), xw, ww, {a, a, a, a}, roundings(Variant::nonfused, precision)), refw)
                .relative;
        };
        CHECK_FALSE(std::isfinite(error_with(OptimizerOptions{})));
        CHECK(error_with(optimizer_options(precision)) < bound);
    }
}

TEST_CASE("fp16-mixed sums binary16 operands in fp32: below fp16-storage's error and well below fp16's") {
    for (int m : {2, 4, 6}) {
        INFO("m " << m);
        const ToomCook1D algorithm = build_toom_cook(m, 3, default_points(m + 2));
        const double mixed = modelled_layer_error(algorithm, 128, Precision::fp16_mixed),
                     storage = modelled_layer_error(algorithm, 128, Precision::fp16_storage),
                     half = modelled_layer_error(algorithm, 128, Precision::fp16);
        CHECK(mixed < storage);
        CHECK(2 * mixed < half);
        CHECK(mixed <= layer_error_bound(m, 3) * spec_of(Precision::fp16_mixed).bound_factor);
    }
}

TEST_CASE("TF32 operands err as binary16 ones do, and split into three TF32 products within 2x of fp32") {
    for (int m : {2, 4, 6}) {
        INFO("m " << m);
        const ToomCook1D algorithm = build_toom_cook(m, 3, default_points(m + 2));
        const double tf32 = modelled_layer_error(algorithm, 128, Precision::tf32),
                     split = modelled_layer_error(algorithm, 128, Precision::split_tf32),
                     mixed = modelled_layer_error(algorithm, 128, Precision::fp16_mixed),
                     fp32 = modelled_layer_error(algorithm, 128, Precision::fp32);
        INFO("tf32 " << tf32 << ", split-tf32 " << split << ", fp16-mixed " << mixed << ", fp32 " << fp32);
        // The same 11-bit significand for the operands, a wider range (the scaling differs: fp16-mixed's is balanced).
        CHECK(tf32 == Approx(mixed).epsilon(0.5));
        CHECK(tf32 <= layer_error_bound(m, 3) * spec_of(Precision::tf32).bound_factor);
        CHECK(split > fp32 / 2);  // the split products still round
        CHECK(split <= 2 * fp32);
        CHECK(100 * split < tf32);
        CHECK(split <= layer_error_bound(m, 3) * spec_of(Precision::split_tf32).bound_factor);
    }
}

TEST_CASE("non-square and 1D layers: the host pipeline in fp64 is the convolution, and the model matches the device", "[vulkan]") {
    Device device;
    const std::vector<ConvShape> shapes = {
        {2, 6, 13, 11, 5, 1, 7, Padding(0, 3)},           // 1x7
        {1, 6, 12, 9, 5, 7, 1, Padding(3, 2, 0, 0)},      // 7x1, one side short
        {2, 8, 9, 10, 6, 3, 5, Padding::same(3, 5)},      // 3x5
        {1, 8, 1, 40, 4, 1, 5, Padding(0, 0, 2, 2)}};     // 1D
    for (const ConvShape& s : shapes)
        for (const TileSize asked : {TileSize(2), TileSize(4), TileSize(4, 2)}) {
            const TileSize m = asked.square() ? tile_for(s, asked) : asked;
            if ((s.R == 1 && m.h != 1) || (s.S == 1 && m.w != 1)) continue;
            INFO(layer_text(s) << ", m " << m.h << "x" << m.w);
            const std::vector<float> x = random_tensor(s.input_size(), 3), w = random_tensor(s.filter_size(), 4);
            const std::vector<double> ref = reference_conv2d(s, x, w);
            for (Precision precision : {Precision::fp32, Precision::fp16_storage}) {
                const ConvConfig config{Variant::nonfused, m, suggested_params(s, m, DeviceClass::cpu), "", precision};
                const LayerRecipes recipes(s, config, optimizer_options(precision));
                if (precision == Precision::fp32) {
                    const LayerErrors exact = compare_with_reference(winograd_on_host(s, recipes.algorithm(), x, w, {}), ref);
                    CHECK(exact.relative < 1e-13);
                }
                const LayerErrorModel model = model_layer_error(s, recipes.algorithm(), x, w,
                                                                roundings(Variant::nonfused, precision), arithmetic_of(precision));
                LayerJob job;
                job.shape = s;
                job.config = config;
                job.input = x;
                job.filters = w;
                const LayerErrors measured = compare_with_reference(run_layer(device, job).output, ref);
                INFO(to_string(precision) << ": model " << model.all.relative << ", device " << measured.relative);
                // fp32: within 2x, as for square layers; fp16-storage: the same roundings of U, V and M, to 10%.
                if (precision == Precision::fp32) {
                    CHECK(measured.relative <= 2 * model.all.relative);
                    CHECK(measured.relative >= model.all.relative / 2);
                } else {
                    CHECK(model.all.relative == Approx(measured.relative).epsilon(0.1));
                }
            }
        }
}
