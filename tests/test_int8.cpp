// Precision int8's kernels on the Vulkan device (lavapipe here), with the
// Khronos validation layer on, against the int8 host model (layer_error.hpp)
// that computes what they compute, and against fp64; and its refusals.
#include <wino/conv2d.hpp>
#include <wino/errors.hpp>
#include "runtime/host_reference.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/layer_run.hpp"
#include "templates/layer_plan.hpp"
#include "templates/kernel_params.hpp"
#include "runtime/glsl_compiler.hpp"
#include "templates/epilogue.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace wino;

namespace {

Device& device() {
    static Device d({Backend::glsl, -1, true});
    return d;
}

ConvAlgorithm recipes_of(const ConvShape& s, TileSize m, LayerRecipes*& keep) {
    static std::vector<std::unique_ptr<LayerRecipes>> kept;
    kept.push_back(std::make_unique<LayerRecipes>(s, ConvConfig{.variant = Variant::nonfused, .m = m, .params = {}},
                                                  optimizer_options(Precision::int8)));
    keep = kept.back().get();
    return keep->algorithm();
}

// Small integers: exact in fp32, so V's transform is exact too.
std::vector<float> integers(std::size_t n, unsigned seed, int largest) {
    std::vector<float> v = random_tensor(n, seed);
    for (float& x : v) x = std::nearbyint(x * static_cast<float>(largest));
    return v;
}

std::vector<float> run_int8(const ConvShape& s, TileSize m, const Int8Clips& clips, const std::vector<float>& x,
                            const std::vector<float>& w, std::map<std::string, std::string> params = {},
                            Precision precision = Precision::int8) {
    KernelChoice choice{.variant = Variant::nonfused, .m = m, .params = std::move(params), .precision = precision};
    choice.clips = clips;
    Conv2d conv(device(), s, choice);
    conv.set_filters(w);
    std::vector<float> y;
    conv.run(x, y);
    return y;
}

}  // namespace

TEST_CASE("int8 and split-int8 kernels compute the host model: exactly quantized V, channels past a word's end, three tiles",
          "[vulkan]") {
    // C = 6: the second word of channels holds 2 (and 2 zero codes).
    const ConvShape s{2, 6, 10, 9, 5, 3, 1};
    const std::vector<float> x = integers(s.input_size(), 1, 3), w = integers(s.filter_size(), 2, 2);
    // F(6,3) at split-int8: 128 words of codes a transform thread, packed a part a pass.
    for (const auto& [m, precision] : {std::pair{2, Precision::int8}, {4, Precision::int8}, {2, Precision::split_int8},
                                       {4, Precision::split_int8}, {6, Precision::split_int8}}) {
        INFO("m " << m << ", " << to_string(precision));
        LayerRecipes* keep = nullptr;
        const ConvAlgorithm a = recipes_of(s, m, keep);
        const std::vector<double> reference = reference_conv2d(s, x, w);
        for (const Int8Calibration calibration : {Int8Calibration::exact_bound, Int8Calibration::percentile, Int8Calibration::mse}) {
            INFO(to_string(calibration));
            const Int8Clips clips = calibrate_int8(s, a, precision, {x}, calibration);
            const std::vector<double> model = int8_winograd_on_host(s, a, precision, x, w, clips);
            const std::vector<float> y = run_int8(s, m, clips, x, w, {}, precision);
            // The same codes, the same exact sums: what is left is fp32's rounding of the dequantized output
            // transform. At split-int8, whose steps are 257 times finer, fp32's transforms at F(4,3)'s √2 points
            // leave more codes a step from fp64's, and fp32 keeps 24 bits of the planes' sum.
            const LayerErrors to_model = compare_with_reference(y, model);
            INFO("relative " << to_model.relative << ", max_relative " << to_model.max_relative);
            const bool int8 = precision == Precision::int8;
            CHECK(to_model.relative < (int8 ? 1e-6 : 1e-4));
            CHECK(to_model.max_relative < (int8 ? 1e-5 : 1e-3));
            // And int8's own error, against fp64: the model's.
            const double device_error = compare_with_reference(y, reference).relative,
                         model_error = compare_with_reference(model, reference).relative;
            CHECK(device_error > 0);
            CHECK(device_error <= model_error * 1.001 + 1e-6);
        }
    }
}

TEST_CASE("int8 and split-int8 kernels on real-valued tensors: within the model's error, every GEMM shape", "[vulkan]") {
    const ConvShape s{1, 13, 11, 12, 7, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 3), w = random_tensor(s.filter_size(), 4);
    const std::vector<double> reference = reference_conv2d(s, x, w);
    LayerRecipes* keep = nullptr;
    const ConvAlgorithm a = recipes_of(s, 4, keep);
    for (const Precision precision : {Precision::int8, Precision::split_int8}) {
        const Int8Clips clips = calibrate_int8(s, a, precision, {random_tensor(s.input_size(), 5)}, default_calibration(precision));
        const std::vector<double> model = int8_winograd_on_host(s, a, precision, x, w, clips);
        const double model_error = compare_with_reference(model, reference).relative;
        for (const auto& params : std::vector<std::map<std::string, std::string>>{
                 {}, {{"gemm_subgroup", "off"}}, {{"gemm_staging", "shared"}}, {{"gemm_staging", "double"}, {"gemm_threads", "2,8"}},
                 {{"transform_tiles", "1"}}}) {
            INFO(to_string(precision) << ", " << params.size());
            const std::vector<float> y = run_int8(s, 4, clips, x, w, params, precision);
            // A code whose fp32 and fp64 values round either side of a half step may differ by one: rarely, and by a
            // step (at split-int8 more often, by a step 257 times finer).
            CHECK(compare_with_reference(y, model).relative < (precision == Precision::int8 ? 1e-3 : 1e-4));
            CHECK(compare_with_reference(y, reference).relative < model_error * 1.05);
        }
    }
}

TEST_CASE("int8 GEMMs whose subgroups share their loads give the same codes' sums, bit for bit", "[vulkan]") {
    // C = 45: 12 words of codes, a whole block of 8 words (where loads are
    // shared) and a tail of 4.
    const ConvShape s{1, 45, 11, 12, 7, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 3), w = random_tensor(s.filter_size(), 4);
    LayerRecipes* keep = nullptr;
    const Int8Clips clips = calibrate_int8(s, recipes_of(s, 4, keep), Precision::int8, {x}, Int8Calibration::percentile);
    for (const char* threads : {"1,8", "8,1", "2,4"}) {
        INFO(threads);
        const std::vector<float> alone = run_int8(s, 4, clips, x, w, {{"gemm_threads", threads}, {"gemm_subgroup", "off"}});
        CHECK(run_int8(s, 4, clips, x, w, {{"gemm_threads", threads}, {"gemm_subgroup", "8"}}) == alone);
    }
}

TEST_CASE("int8's and split-int8's int32 sums hold the most channels a layer has, every code at its largest: not one overflow",
          "[vulkan]") {
    // Inputs and filters of ones, V's clips far under every |V|: each code
    // that is not 0 is the largest, the same in every channel. At int8 that is
    // ±127, so a tap sums C·127² of one sign, 1,057,030,144 at C = 2^16; int32
    // holds twice that (int8_largest_channels, 133,144), and a layer has no
    // more channels. At split-int8 it is ±32,639 = 127·256 + 127: high and low
    // are both 127, so high·high sums C·127² and high·low + low·high
    // 2·C·127², 2,114,060,288 at C = 2^16, a step from int32's most; a
    // channel's most there, 2·127·128 (a low code can be −128), holds
    // split_int8_largest_channels, 66,052.
    REQUIRE(int8_largest_channels == 133144);
    REQUIRE(split_int8_largest_channels == 66052);
    REQUIRE(CodeSplit::high(CodeSplit::largest_code) == 127);
    REQUIRE(CodeSplit::low(CodeSplit::largest_code) == 127);
    REQUIRE(CodeSplit::low(-CodeSplit::largest_code) == -127);
    REQUIRE(CodeSplit::low(-128) == -128);
    const ConvShape s{1, max_channels, 2, 2, 1, 3, 1};
    const std::vector<float> x(s.input_size(), 1.0f), w(s.filter_size(), 1.0f);
    LayerRecipes* keep = nullptr;
    const ConvAlgorithm a = recipes_of(s, 2, keep);
    Int8Clips clips;
    clips.taps.assign(16, 1e-3f);
    clips.source = "far under every |V|";
    for (const Precision precision : {Precision::int8, Precision::split_int8}) {
        INFO(to_string(precision));
        double largest_sum = 0;
        const std::vector<double> model = int8_winograd_on_host(s, a, precision, x, w, clips, {}, &largest_sum);
        CHECK(largest_sum == double(s.C) * 127 * 127 * (precision == Precision::split_int8 ? 2 : 1));
        const std::vector<float> y = run_int8(s, 2, clips, x, w, {}, precision);
        CHECK(compare_with_reference(y, model).max_relative < 1e-5);
    }
    ConvShape past = s;
    past.C += 1;
    CHECK_THROWS_WITH(run_int8(past, 2, clips, std::vector<float>(past.input_size(), 1.0f), std::vector<float>(past.filter_size(), 1.0f)),
                      Catch::Contains("C must be from 1 to 65536, not 65537"));
}

TEST_CASE("int8 is refused where it cannot run, and without its clips", "[vulkan]") {
    const ConvShape s{1, 4, 8, 8, 4, 3, 1};
    KernelChoice choice{.variant = Variant::nonfused, .m = 2, .precision = Precision::int8};
    CHECK_THROWS_WITH(Conv2d(device(), s, choice),
                      "precision int8 needs 16 clips of V, one a tap of F(2,3)'s tile, not 0: calibrate them or give them");
    choice.clips.taps.assign(16, 1.0f);
    choice.variant = Variant::fused;
    CHECK_THROWS_WITH(Conv2d(device(), s, choice),
                      "precision int8 runs the nonfused variant: its transforms quantize U and V apart from the product");
    choice.variant = Variant::nonfused;
    choice.pass = Pass::backward_data;
    CHECK_THROWS_WITH(Conv2d(device(), s, choice), "precision int8 is for inference: the forward pass, not backward-data");
    KernelChoice fp32{.variant = Variant::nonfused, .m = 2};
    fp32.clips.taps.assign(16, 1.0f);
    CHECK_THROWS_WITH(Conv2d(device(), s, fp32), "clips are for precision int8, int8-io, split-int8 or split-int8-io, not fp32");
    choice.pass = Pass::forward;
    choice.clips.taps[5] = 0;
    Conv2d conv(device(), s, choice);
    CHECK_THROWS_WITH(conv.set_filters(random_tensor(s.filter_size(), 1)), "a clip of V must be positive and finite, not 0");
}

TEST_CASE("integer_dot: the GLSL GEMM's dot products by OpSDot, the same sums to the bit as bytes, on by default where the device has it", "[vulkan]") {
    // lavapipe offers shaderIntegerDotProduct (not accelerated): the kernels run here.
    const ConvShape s{1, 13, 11, 12, 7, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 3), w = random_tensor(s.filter_size(), 4);
    LayerRecipes* keep = nullptr;
    const ConvAlgorithm a = recipes_of(s, 4, keep);
    const Int8Clips clips = calibrate_int8(s, a, Precision::int8, {x}, Int8Calibration::mse);
    for (const auto& staging : std::vector<std::map<std::string, std::string>>{{}, {{"gemm_staging", "double"}, {"gemm_threads", "2,8"}}}) {
        std::map<std::string, std::string> dot = staging, bytes = staging;
        dot["integer_dot"] = "on";
        bytes["integer_dot"] = "off";
        const std::vector<float> by_dot = run_int8(s, 4, clips, x, w, dot);
        CHECK(by_dot == run_int8(s, 4, clips, x, w, bytes));
        CHECK(by_dot == run_int8(s, 4, clips, x, w, staging));  // the default here: lavapipe has it
    }
    // The instruction is in the GEMM's SPIR-V (OpSDot is 4450), and the kernel's name says so.
    KernelChoice choice{.variant = Variant::nonfused, .m = 4, .params = {{"integer_dot", "on"}}, .precision = Precision::int8};
    choice.clips = clips;
    const Conv2d conv(device(), s, choice);
    const auto names = conv.kernel_names();
    const auto gemm = std::find_if(names.begin(), names.end(), [](const std::string& n) { return n.find("_gemm_") != std::string::npos; });
    REQUIRE(gemm != names.end());
    CHECK(gemm->find("_dot") != std::string::npos);
    const ConvConfig config{.variant = Variant::nonfused, .m = 4, .params = suggested_params(s, 4, DeviceClass::cpu),
                            .precision = Precision::int8, .clips = clips};
    for (const bool on : {false, true}) {
        ConvConfig c = config;
        c.params[Param::integer_dot] = {on ? 1 : 0, 0};
        for (const EmittedKernel& k : make_plan(s, c, Backend::glsl).kernels) {
            const std::vector<std::uint32_t> spirv = compile_glsl(k.source);
            bool sdot = false;
            for (std::size_t i = 5; i < spirv.size(); i += spirv[i] >> 16) sdot |= (spirv[i] & 0xffff) == 4450;
            INFO(k.name);
            CHECK(sdot == (on && k.kind == KernelKind::gemm));
        }
    }
    // On by default (fit_to_device) where its constraints hold: GLSL, int8 or int8-io, a device with it, a GEMM.
    const auto gemm_name = [&](const KernelChoice& c) {
        const auto kernels = Conv2d(device(), s, c).kernel_names();
        return *std::find_if(kernels.begin(), kernels.end(), [](const std::string& n) { return n.find("_gemm") != std::string::npos; });
    };
    KernelChoice by_default{.variant = Variant::nonfused, .m = 4, .precision = Precision::int8};
    by_default.clips = clips;
    CHECK_THAT(gemm_name(by_default), Catch::EndsWith("_dot"));
    by_default.params = {{"integer_dot", "off"}};
    CHECK_THAT(gemm_name(by_default), !Catch::Contains("_dot"));
    CHECK_THAT(gemm_name({.variant = Variant::nonfused, .m = 4}), !Catch::Contains("_dot"));
    DeviceLimits with_dot{1024, {65535, 65535, 65535}, 32768};
    with_dot.integer_dot_product = true;
    DeviceLimits without_dot = with_dot;
    without_dot.integer_dot_product = false;
    const auto dot_of = [&](Precision precision, Backend backend, const DeviceLimits& limits, Variant variant = Variant::nonfused) {
        ConvConfig c = untuned_config(s, DeviceClass::cpu);
        c.variant = variant;
        c.precision = precision;
        return fit_to_device(c, backend, limits).params[Param::integer_dot][0] != 0;
    };
    CHECK(dot_of(Precision::int8, Backend::glsl, with_dot));
    CHECK(dot_of(Precision::int8_io, Backend::glsl, with_dot));
    CHECK_FALSE(dot_of(Precision::int8, Backend::glsl, without_dot));
    CHECK_FALSE(dot_of(Precision::int8, Backend::cuda, with_dot));
    CHECK_FALSE(dot_of(Precision::fp32, Backend::glsl, with_dot));
    CHECK_FALSE(dot_of(Precision::int8, Backend::glsl, with_dot, Variant::fused));  // no GEMM kernel
    // Refused at another precision, on CUDA, and on a device without it.
    KernelParams p = config.params;
    p[Param::integer_dot] = {1, 0};
    CHECK_THROWS_WITH(check_params(p, {.kinds = {KernelKind::gemm}, .precision = Precision::fp32}),
                      "integer_dot multiplies int8 codes: precision int8, int8-io, split-int8 or split-int8-io, not fp32");
    CHECK_THROWS_WITH(check_params(p, {.kinds = {KernelKind::gemm}, .backend = Backend::cuda, .precision = Precision::int8}),
                      "integer_dot is GLSL's (OpSDot): CUDA's int8 GEMM always uses dp4a");
    const DeviceLimits without{1024, {65535, 65535, 65535}, 32768};
    CHECK_THROWS_WITH(check_params(p, {.kinds = {KernelKind::gemm}, .shape = &s, .m = 4, .limits = &without, .precision = Precision::int8}),
                      "integer_dot needs a device with shaderIntegerDotProduct (VK_KHR_shader_integer_dot_product)");
}

namespace {

// An int8-io layer at these clips and coding, run on codes.
Conv2d coded_layer(const ConvShape& s, TileSize m, const Int8Clips& clips, const TensorQuantization& q, const std::vector<float>& w,
                   std::map<std::string, std::string> params = {}, const Epilogue& epilogue = {},
                   Precision precision = Precision::int8_io) {
    KernelChoice choice{.variant = Variant::nonfused, .m = m, .params = std::move(params), .precision = precision,
                        .epilogue = epilogue};
    choice.clips = clips;
    Conv2d conv(device(), s, choice);
    conv.set_filters(w);
    conv.set_quantization(q);
    return conv;
}

}  // namespace

TEST_CASE("int8-io and split-int8-io: int8 codes in, int8 codes out, as the host model codes its output, with zero points, saturation "
          "and an epilogue",
          "[vulkan]") {
    // W' = 12: vector_rows stores 4 codes at a time.
    const ConvShape s{2, 6, 10, 12, 5, 3, 1};
    const std::vector<float> w = random_tensor(s.filter_size(), 2), bias = random_tensor(static_cast<std::size_t>(s.K), 3);
    LayerRecipes* keep = nullptr;
    const ConvAlgorithm a = recipes_of(s, 4, keep);
    struct Coding {
        TensorQuantization q;
        Epilogue epilogue;
        const char* what;
    };
    // Input codes spread over [-120, 120] around the input's zero point.
    for (const Coding& c : {Coding{{0.01f, 3, 0.05f, -5}, {}, "zero points"},
                            Coding{{0.01f, 0, 0.004f, 0}, {}, "an output scale that saturates most values"},
                            Coding{{0.02f, -7, 0.08f, -128}, {true, Activation::relu}, "bias and ReLU, the output's zero at -128"}})
    for (const Precision precision : {Precision::int8_io, Precision::split_int8_io}) {
        INFO(c.what << ", " << to_string(precision));
        std::vector<float> codes = integers(s.input_size(), 1, 120);
        for (float& code : codes) code += static_cast<float>(c.q.input_zero_point);
        const std::vector<float> x = dequantized(codes, c.q.input_scale, c.q.input_zero_point);
        const Int8Clips clips = calibrate_int8(s, a, precision, {x}, default_calibration(precision));
        std::vector<double> model = int8_winograd_on_host(s, a, precision, x, w, clips);
        apply_epilogue(c.epilogue, bias, s, model);
        const std::vector<float> model_codes = quantized(model, c.q.output_scale, c.q.output_zero_point);
        for (const auto& params : std::vector<std::map<std::string, std::string>>{{}, {{"vector_rows", "on"}, {"transform_tiles", "4"}}}) {
            INFO(params.size());
            Conv2d conv = coded_layer(s, 4, clips, c.q, w, params, c.epilogue, precision);
            if (c.epilogue.bias) conv.set_bias(bias);
            CHECK(conv.tensor_type() == ElementType::int8);
            std::vector<float> y;
            conv.run(codes, y);
            REQUIRE(y.size() == model_codes.size());
            // The same codes but where fp32 and fp64 put a value either side of a half step: rarely, and by one.
            std::size_t differ = 0, saturated = 0;
            for (std::size_t i = 0; i < y.size(); ++i) {
                CHECK(y[i] == std::nearbyint(y[i]));
                CHECK(std::abs(y[i] - model_codes[i]) <= 1);
                differ += y[i] != model_codes[i];
                const double coded = model[i] / c.q.output_scale + c.q.output_zero_point;
                saturated += coded > 127.5 || coded < -128.5;
            }
            CHECK(differ <= y.size() / 200);
            if (c.q.output_scale < 0.01f) CHECK(saturated > y.size() / 2);
            else CHECK(saturated < y.size() / 20);
        }
    }
}

TEST_CASE("int8-io on device buffers: int8 Buffers of codes, the same codes as host vectors give", "[vulkan]") {
    const ConvShape s{1, 8, 9, 9, 4, 3, 1};
    const TensorQuantization q{0.01f, 2, 0.04f, 1};
    const std::vector<float> codes = integers(s.input_size(), 5, 100), w = random_tensor(s.filter_size(), 6);
    LayerRecipes* keep = nullptr;
    const ConvAlgorithm a = recipes_of(s, 2, keep);
    Conv2d conv = coded_layer(s, 2, calibrate_int8(s, a, Precision::int8, {dequantized(codes, q.input_scale, q.input_zero_point)}, Int8Calibration::mse), q, w);
    std::vector<float> from_host;
    conv.run(codes, from_host);
    Buffer input(device(), s.input_size(), ElementType::int8), output(device(), s.output_size(), ElementType::int8);
    std::vector<std::int8_t> x(codes.begin(), codes.end()), y(s.output_size(), 0);
    input.write(x);
    conv.run(input, output);
    output.read(y);
    CHECK(std::vector<float>(y.begin(), y.end()) == from_host);
    // Floats to an int8 buffer: to the nearest code, saturated.
    Buffer small(device(), 4, ElementType::int8);
    small.write(std::vector<float>{2.5f, -3.5f, 300.0f, -300.0f});
    std::vector<float> back(4);
    small.read(back);
    CHECK(back == std::vector<float>{2, -4, 127, -128});
    // An fp32 buffer is not the layer's.
    Buffer fp32(device(), s.input_size());
    CHECK_THROWS_WITH(conv.run(fp32, output), "the input buffer holds fp32 values, the layer's tensors at precision int8-io are int8");
    CHECK_THROWS_WITH(fp32.write(std::span<const std::int8_t>(x)), "int8 codes are for an int8 buffer; this one is fp32");
}

TEST_CASE("int8-io's scales and zero points are checked, and set before a run", "[vulkan]") {
    const ConvShape s{1, 4, 8, 8, 4, 3, 1};
    KernelChoice choice{.variant = Variant::nonfused, .m = 2, .precision = Precision::int8_io};
    choice.clips.taps.assign(16, 1.0f);
    Conv2d conv(device(), s, choice);
    conv.set_filters(random_tensor(s.filter_size(), 1));
    std::vector<float> y;
    CHECK_THROWS_WITH(conv.run(std::vector<float>(s.input_size(), 1.0f), y),
                      "precision int8-io codes its input and output: set their scales and zero points (set_quantization) before a run");
    const TensorQuantization good{0.1f, 0, 0.1f, 0};
    for (const auto& [bad, message] : std::vector<std::pair<TensorQuantization, std::string>>{
             {{0.0f, 0, 0.1f, 0}, "the input scale must be finite and positive, not 0"},
             {{-1.0f, 0, 0.1f, 0}, "the input scale must be finite and positive, not -1"},
             {{0.1f, 0, NAN, 0}, "the output scale must be finite and positive, not nan"},
             {{0.1f, 0, INFINITY, 0}, "the output scale must be finite and positive, not inf"},
             {{0.1f, 0, 1e-45f, 0}, "the output scale must be finite and positive, not 1e-45"},
             {{0.1f, 128, 0.1f, 0}, "the input zero point must be an int8, in [-128, 127], not 128"},
             {{0.1f, 0, 0.1f, -129}, "the output zero point must be an int8, in [-128, 127], not -129"}}) {
        CHECK_THROWS_WITH(conv.set_quantization(bad), message);
    }
    conv.set_quantization(good);
    CHECK_NOTHROW(conv.run(std::vector<float>(s.input_size(), 1.0f), y));
    // int8 keeps fp32 tensors: no coding to set.
    choice.precision = Precision::int8;
    Conv2d real(device(), s, choice);
    CHECK_THROWS_WITH(real.set_quantization(good), "precision int8 keeps its input and output in fp32: they have no int8 coding (precision int8-io or split-int8-io has one)");
}
