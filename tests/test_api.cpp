// The public API (<wino/conv2d.hpp>) on the Vulkan device: a Conv2d from a
// kernel choice and from a generated kernel set, run on host vectors and on
// device buffers the caller owns, and its refusals, each one exception.
#include "runtime/api_state.hpp"
#include "templates/layer_plan.hpp"
#include "runtime/glsl_compiler.hpp"
#include "runtime/layer_run.hpp"
#include "runtime/host_reference.hpp"

#include <wino/conv2d.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace wino;

namespace {

Device& vulkan() {
    static Device d({Backend::glsl, -1, true});
    return d;
}

const ConvShape odd{2, 3, 11, 13, 5, 3, 1};

// A kernel set as wino_generate() writes one: the plan's kernels, their names,
// sources and SPIR-V, and the parameters as JSON.
struct OwnedSet {
    std::vector<std::vector<std::uint32_t>> spirv;
    std::vector<GeneratedKernel> kernels;
    std::string params, name = "wino_f4_3_nonfused_test", points;
    std::vector<std::string> names, sources;
    KernelSet set() const {
        return {name.c_str(), Backend::glsl, Variant::nonfused, 4, 3, 3, params.c_str(), points.c_str(), Precision::fp32, {}, kernels};
    }
};

OwnedSet generated_set(const ConvShape& shape, const std::string& points = "") {
    const ConvConfig config{Variant::nonfused, 4, suggested_params(shape, 4, DeviceClass::cpu), points};
    const ConvPlan plan = make_plan(shape, config, Backend::glsl);
    OwnedSet s;
    s.points = points;
    s.params = to_json(config.params).dump();
    for (const EmittedKernel& k : plan.kernels) {
        s.spirv.push_back(compile_glsl(k.source));
        s.names.push_back(k.name);
        s.sources.push_back(k.source);
    }
    for (std::size_t i = 0; i < plan.kernels.size(); ++i)
        s.kernels.push_back({s.names[i].c_str(), to_string(plan.kernels[i].kind), s.spirv[i], s.sources[i].c_str()});
    return s;
}

}  // namespace

TEST_CASE("a Conv2d from a kernel choice runs on host vectors within the bound of F(m,r)") {
    for (const Variant variant : {Variant::nonfused, Variant::fused}) {
        Conv2d conv(vulkan(), odd, {variant, 4, {{"unroll", "2"}}});
        CHECK(conv.choice().params.at("unroll") == "2");
        const std::vector<float> x = random_tensor(odd.input_size(), 1), w = random_tensor(odd.filter_size(), 2);
        conv.set_filters(w);
        std::vector<float> y;
        const KernelTimes times = conv.run(x, y);
        CHECK(times.size() == conv.kernel_names().size() - 1);  // the filter transform ran in set_filters
        CHECK(compare_with_reference(y, reference_conv2d(odd, x, w)).relative <= layer_error_bound(4, 3));
    }
}

TEST_CASE("a backward-data Conv2d reads dy and writes dx, on host vectors and device buffers alike") {
    for (const Variant variant : {Variant::nonfused, Variant::fused, Variant::direct}) {
        KernelChoice choice{variant, variant == Variant::direct ? 1 : 2};
        choice.pass = Pass::backward_data;
        Conv2d conv(vulkan(), odd, choice);
        CHECK(conv.shape() == odd);  // the forward layer, whatever the pass
        CHECK(conv.choice().pass == Pass::backward_data);
        const std::vector<float> dy = random_tensor(odd.output_size(), 5), w = random_tensor(odd.filter_size(), 6);
        conv.set_filters(w);
        std::vector<float> dx;
        conv.run(dy, dx);
        REQUIRE(dx.size() == odd.input_size());
        CHECK(compare_with_reference(dx, reference_backward_data(odd, dy, w)).relative <=
              check_bound({.variant = variant, .m = choice.m, .params = {}, .pass = Pass::backward_data}, odd));
        Buffer input(vulkan(), odd.output_size()), output(vulkan(), odd.input_size());
        input.write(dy);
        conv.run(input, output);
        std::vector<float> on_device(odd.input_size());
        output.read(on_device);
        CHECK(on_device == dx);
        CHECK_THROWS_AS(conv.run(std::vector<float>(odd.input_size()), dx), InputError);  // x's size, not dy's
    }
}

TEST_CASE("a backward-filter Conv2d takes x and dy and gives dw, on host vectors and device buffers alike") {
    for (const Variant variant : {Variant::nonfused, Variant::fused, Variant::direct}) {
        KernelChoice choice{variant, TileSize(1, 4)};  // chunks of 4 of W' = 13 (odd's): the last one of 1
        choice.pass = Pass::backward_filter;
        Conv2d conv(vulkan(), odd, choice);
        CHECK(conv.shape() == odd);
        const std::vector<float> x = random_tensor(odd.input_size(), 7), dy = random_tensor(odd.output_size(), 8);
        std::vector<float> dw;
        conv.run(x, dy, dw);
        REQUIRE(dw.size() == odd.filter_size());
        CHECK(compare_with_reference(dw, reference_backward_filter(odd, x, dy)).relative <=
              check_bound({.variant = variant, .m = choice.m, .params = {}, .pass = Pass::backward_filter}, odd));
        // dy set, then x and dw in device buffers.
        Buffer input(vulkan(), odd.input_size()), output(vulkan(), odd.filter_size());
        input.write(x);
        conv.set_filters(dy);
        conv.run(input, output);
        std::vector<float> on_device(odd.filter_size());
        output.read(on_device);
        CHECK(on_device == dw);
        CHECK_THROWS_AS(conv.run(x, std::vector<float>(odd.filter_size()), dw), InputError);  // w's size, not dy's
    }
    Conv2d forward(vulkan(), odd);
    std::vector<float> dw;
    CHECK_THROWS_WITH(forward.run(random_tensor(odd.input_size(), 7), random_tensor(odd.output_size(), 8), dw),
                      "run(x, dy, dw) is backward-filter's; this Conv2d computes the forward pass");
}

TEST_CASE("a Conv2d runs on the caller's device buffers and gives what the host path gives") {
    Conv2d conv(vulkan(), odd);
    const std::vector<float> x = random_tensor(odd.input_size(), 3), w = random_tensor(odd.filter_size(), 4);
    conv.set_filters(w);
    std::vector<float> from_host;
    conv.run(x, from_host);
    Buffer input(vulkan(), odd.input_size()), output(vulkan(), odd.output_size());
    input.write(x);
    output.write(std::vector<float>(odd.output_size(), NAN));
    CHECK(total_ms(conv.run(input, output)) > 0);
    std::vector<float> on_device(odd.output_size());
    output.read(on_device);
    CHECK(on_device == from_host);
}

TEST_CASE("a generated kernel set runs with its own SPIR-V, at its own points") {
    for (const std::string points : {"", "0,1,-1,2,-2"}) {
        const OwnedSet s = generated_set(odd, points);
        Conv2d conv(vulkan(), odd, s.set());
        CHECK(conv.kernel_names() == s.names);
        CHECK(conv.choice().points == points);
        const std::vector<float> x = random_tensor(odd.input_size(), 5), w = random_tensor(odd.filter_size(), 6);
        conv.set_filters(w);
        std::vector<float> y;
        conv.run(x, y);
        CHECK(compare_with_reference(y, reference_conv2d(odd, x, w)).relative <= layer_error_bound(4, 3, points));
    }
    // a set's SPIR-V is of its points: named with others, it is not what this wino-gen makes
    OwnedSet other = generated_set(odd, "0,1,-1,2,-2");
    other.points = "";
    CHECK_THROWS_WITH(Conv2d(vulkan(), odd, other.set()), Catch::Contains("another version of wino-gen"));
}

TEST_CASE("a kernel choice takes points as --points does, the default set however written") {
    Conv2d conv(vulkan(), odd, {Variant::fused, 4, {}, "0,1,-1,2,-2"});
    CHECK(conv.choice().points == "0,1,-1,2,-2");
    CHECK(Conv2d(vulkan(), odd, {Variant::fused, 4, {}, "0,sqrt2,-sqrt2,1/sqrt(2),-sqrt(2)/2"}).choice().points.empty());
    const std::vector<float> x = random_tensor(odd.input_size(), 7), w = random_tensor(odd.filter_size(), 8);
    conv.set_filters(w);
    std::vector<float> y;
    conv.run(x, y);
    CHECK(compare_with_reference(y, reference_conv2d(odd, x, w)).relative <= layer_error_bound(4, 3, "0,1,-1,2,-2"));
    CHECK_THROWS_WITH(Conv2d(vulkan(), odd, {Variant::fused, 4, {}, "0,1"}), Catch::Contains("needs 5 finite points"));
}

TEST_CASE("the API refuses what it cannot run with one exception") {
    CHECK_THROWS_WITH(Conv2d(vulkan(), odd, {Variant::nonfused, 4, {{"no_such", "1"}}}),
                      "no kernel parameter is called 'no_such'");
    CHECK_THROWS_AS(Conv2d(vulkan(), odd, {Variant::nonfused, 0, {}}), InputError);
    CHECK_THROWS_AS(Conv2d(vulkan(), {1, 1, 2, 2, 1, 3, 0}), InputError);  // no output

    Conv2d conv(vulkan(), odd);
    Buffer small(vulkan(), odd.input_size() - 1), output(vulkan(), odd.output_size());
    CHECK_THROWS_WITH(conv.run(small, output), Catch::Contains("the input buffer holds"));
    CHECK_THROWS_AS(small.write(std::vector<float>(3)), InputError);

    OwnedSet other = generated_set(odd);
    other.names[0] += "_x";
    other.kernels[0].name = other.names[0].c_str();
    CHECK_THROWS_WITH(Conv2d(vulkan(), odd, other.set()), Catch::Contains("another version of wino-gen"));
    const OwnedSet s = generated_set(odd);
    KernelSet cuda = s.set();
    cuda.backend = Backend::cuda;
    CHECK_THROWS_WITH(Conv2d(vulkan(), odd, cuda), Catch::Contains("is cuda, the device runs glsl"));
    KernelSet r5 = s.set();
    r5.r = 5;
    CHECK_THROWS_AS(Conv2d(vulkan(), odd, r5), InputError);
}

TEST_CASE("a buffer of another device is refused") {
    Device second({Backend::glsl, -1, false});
    Conv2d conv(vulkan(), odd);
    Buffer input(second, odd.input_size()), output(vulkan(), odd.output_size());
    CHECK_THROWS_WITH(conv.run(input, output), "the buffer belongs to another device");
}

TEST_CASE("a kernel choice at fp16-storage runs with 16-bit intermediates, within its bound") {
    const ConvShape shape{1, 9, 10, 7, 6, 3, 1};
    Conv2d conv(vulkan(), shape, {Variant::nonfused, 4, {}, "", Precision::fp16_storage});
    CHECK(conv.choice().precision == Precision::fp16_storage);
    const std::vector<float> x = random_tensor(shape.input_size(), 3), w = random_tensor(shape.filter_size(), 4);
    conv.set_filters(w);
    std::vector<float> y;
    conv.run(x, y);
    const LayerErrors e = compare_with_reference(y, reference_conv2d(shape, x, w));
    CHECK(e.relative < 6e-3);
    CHECK(e.relative > 1e-5);
}


TEST_CASE("at an _io precision a Conv2d runs on binary16 buffers, and buffers of the other type are refused") {
    Conv2d conv(vulkan(), odd, {Variant::fused, 4, {}, "", Precision::fp16_io});
    REQUIRE(conv.tensor_type() == ElementType::fp16);
    const std::vector<float> x = random_tensor(odd.input_size(), 3), w = random_tensor(odd.filter_size(), 4);
    conv.set_filters(w);
    std::vector<float> from_host;
    conv.run(x, from_host);
    CHECK(compare_with_reference(from_host, reference_conv2d(odd, x, w)).relative < 1.5e-2);
    // The input written as its binary16 bits, the output read as them: what the host path gave.
    Buffer input(vulkan(), odd.input_size(), ElementType::fp16), output(vulkan(), odd.output_size(), ElementType::fp16);
    std::vector<std::uint16_t> bits(odd.input_size());
    for (std::size_t i = 0; i < bits.size(); ++i) {
        const _Float16 h = static_cast<_Float16>(x[i]);
        std::memcpy(&bits[i], &h, 2);
    }
    input.write(bits);
    output.write(std::vector<float>(odd.output_size(), NAN));
    conv.run(input, output);
    std::vector<std::uint16_t> out_bits(odd.output_size());
    output.read(out_bits);
    std::vector<float> on_device(odd.output_size());
    output.read(on_device);
    CHECK(on_device == from_host);
    for (std::size_t i = 0; i < out_bits.size(); ++i) {
        _Float16 h;
        std::memcpy(&h, &out_bits[i], 2);
        REQUIRE(static_cast<float>(h) == on_device[i]);
    }
    Buffer fp32_input(vulkan(), odd.input_size());
    CHECK_THROWS_WITH(conv.run(fp32_input, output), Catch::Contains("the input buffer holds fp32 values") &&
                                                        Catch::Contains("are fp16"));
    CHECK_THROWS_WITH(fp32_input.write(bits), Catch::Contains("binary16 bits are for an fp16 buffer"));
    CHECK_THROWS_AS(input.write(std::vector<std::uint16_t>(3)), InputError);
}

TEST_CASE("a kernel choice with an epilogue takes its bias once, and refuses a run without it") {
    Epilogue epilogue;
    epilogue.bias = true;
    epilogue.activation = Activation::relu;
    Conv2d conv(vulkan(), odd, {Variant::nonfused, 4, {}, "", Precision::fp32, epilogue});
    CHECK(conv.choice().epilogue == epilogue);
    const std::vector<float> x = random_tensor(odd.input_size(), 3), w = random_tensor(odd.filter_size(), 4),
                             bias = random_tensor(static_cast<std::size_t>(odd.K), 5);
    conv.set_filters(w);
    std::vector<float> y;
    CHECK_THROWS_WITH(conv.run(x, y), Catch::Contains("set_bias"));
    CHECK_THROWS_WITH(conv.set_bias(std::vector<float>(3)), Catch::Contains("the layer has K = 5 filters"));
    conv.set_bias(bias);
    conv.run(x, y);
    std::vector<double> reference = reference_conv2d(odd, x, w);
    for (std::size_t i = 0; i < reference.size(); ++i)
        reference[i] = std::max(0.0, reference[i] + bias[(i / (odd.out_h() * odd.out_w())) % odd.K]);
    CHECK(compare_with_reference(y, reference).relative < layer_error_bound(4, 3));
    CHECK(std::all_of(y.begin(), y.end(), [](float v) { return v >= 0; }));
    Conv2d bare(vulkan(), odd);
    CHECK_THROWS_WITH(bare.set_bias(bias), Catch::Contains("adds no bias"));
}
