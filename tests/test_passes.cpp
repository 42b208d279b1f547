// The pass table and backward-data's derivation as a forward correlation:
// the shape and filters the kernels compute on, checked exactly against the
// host reference of the definition; names, JSON and refusals.
#include "runtime/host_reference.hpp"
#include "templates/emitter.hpp"
#include "templates/layer_plan.hpp"
#include "tests/test_support.hpp"

#include <wino/errors.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <random>

using namespace wino;

namespace {

// Small integers: every product and sum in double is exact, so two orders of
// summation give the same bits.
std::vector<float> integers(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> value(-4, 4);
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(value(rng));
    return v;
}

}  // namespace

TEST_CASE("each pass parses by its name, and a bad one is refused naming them all") {
    for (const PassSpec& spec : passes()) CHECK(parse_pass(spec.name, "--pass") == spec.pass);
    CHECK_THROWS_WITH(parse_pass("backward", "--pass"),
                      "--pass must be forward, backward-data or backward-filter, not 'backward'");
}

TEST_CASE("backward-data is the forward correlation of pass_shape with pass_filters: exactly the definition's gradient") {
    const ConvShape layers[] = {
        {2, 3, 9, 11, 4, 3, 3, Padding(1)},
        {1, 2, 7, 8, 3, 3, 3, Padding(0)},
        {1, 2, 7, 8, 3, 3, 3, Padding(3, 1, 0, 4)},  // past R - 1: the kernels' padding a crop
        {2, 3, 10, 9, 2, 3, 5, Padding(1, 1, 2, 2)},
        {1, 4, 8, 12, 3, 1, 7, Padding(0, 0, 3, 3)},
        {2, 3, 1, 20, 4, 1, 3, Padding(0, 0, 1, 2)},  // 1D
        {1, 2, 6, 6, 3, 2, 4, Padding::same(2, 4)},
    };
    for (const ConvShape& layer : layers) {
        INFO(layer_text(layer));
        const ConvShape computed = pass_shape(layer, Pass::backward_data, 4);
        CHECK(computed.N == layer.N);
        CHECK(computed.C == layer.K);
        CHECK(computed.K == layer.C);
        CHECK(computed.output_size() == layer.input_size());  // dx has x's shape
        CHECK(computed.input_size() == layer.output_size());  // from dy
        const std::vector<float> dy = integers(layer.output_size(), 1), w = integers(layer.filter_size(), 2);
        CHECK(reference_conv2d(computed, dy, pass_filters(layer, Pass::backward_data, 4, w)) ==
              reference_backward_data(layer, dy, w));
        CHECK(pass_shape(layer, Pass::forward, 4) == layer);
        CHECK(pass_filters(layer, Pass::forward, 4, w) == w);
    }
}

TEST_CASE("backward-filter is the forward correlation of pass_shape with pass_images and pass_filters: exactly the definition's gradient, at every chunk width") {
    const ConvShape layers[] = {
        {2, 3, 9, 11, 4, 3, 3, Padding(1)},
        {1, 2, 7, 8, 3, 3, 3, Padding(0)},
        {1, 2, 7, 8, 3, 3, 3, Padding(3, 1, 0, 4)},  // past R - 1
        {2, 3, 10, 9, 2, 3, 5, Padding(1, 1, 2, 2)},
        {1, 4, 8, 12, 3, 1, 7, Padding(0, 0, 3, 3)},
        {2, 3, 1, 20, 4, 1, 3, Padding(0, 0, 1, 2)},  // 1D
        {1, 2, 6, 6, 3, 2, 4, Padding::same(2, 4)},
        {1, 2, 6, 7, 3, 5, 1, Padding(2, 2, 0, 0)},   // 5x1: F(1, w)
    };
    for (const ConvShape& layer : layers)
        for (int w = min_chunk; w <= max_chunk; ++w) {
            INFO(layer_text(layer) << ", chunks of " << w);
            const TileSize m{1, w};
            const ConvShape computed = pass_shape(layer, Pass::backward_filter, m);
            CHECK(computed.N == 1);
            CHECK(computed.C == layer.N * layer.out_h() * ((layer.out_w() + w - 1) / w));  // (n, y, chunk)
            CHECK(computed.K == layer.K);
            CHECK(computed.S == w);
            CHECK(computed.output_size() == layer.filter_size());  // dw itself, K,C,R,S
            CHECK(pass_tile(layer, Pass::backward_filter, m) == TileSize(1, layer.S));
            const std::vector<float> x = integers(layer.input_size(), 1), dy = integers(layer.output_size(), 2);
            CHECK(reference_conv2d(computed, pass_images(layer, Pass::backward_filter, m, x),
                                   pass_filters(layer, Pass::backward_filter, m, dy)) == reference_backward_filter(layer, x, dy));
        }
}

TEST_CASE("the chunk plan takes the width that transforms the fewest positions of dy's rows") {
    // Widths up to alpha 8, F(3, 6): 56 in chunks of 6 transforms 8·10 = 80
    // positions, of 5 7·12 = 84, of 4 6·14 = 84.
    CHECK(planned_chunk({1, 64, 56, 56, 64, 3, 3, Padding(1)}) == 6);
    // 14: three chunks of 5 (21) beat three of 6 (24) and four of 4 (24).
    CHECK(planned_chunk({1, 256, 14, 14, 256, 3, 3, Padding(1)}) == 5);
    // 13 is prime: 3 chunks of 5, the last with two columns zero-padded (21).
    CHECK(planned_chunk({1, 8, 13, 13, 8, 3, 3, Padding(1)}) == 5);
    CHECK(chunk_count({1, 8, 13, 13, 8, 3, 3, Padding(1)}, 5) == 3);
    // 7 wide filters: only F(7, 2) keeps alpha 8.
    CHECK(planned_chunk({1, 8, 28, 28, 8, 7, 7, Padding(3)}) == 2);
    // Every planned width is one backward-filter takes.
    for (int W = 1; W <= 64; ++W) {
        const int w = planned_chunk({1, 1, 3, W + 2, 1, 3, 3, Padding(0)});
        CHECK(w >= min_chunk);
        CHECK(w <= max_chunk);
    }
}

TEST_CASE("backward-filter refuses a tile that is not a chunk width, and runs the dy transform on every run") {
    const ConvShape layer{2, 4, 12, 13, 6, 3, 3, Padding(1)};
    for (const TileSize bad : {TileSize(4), TileSize(1, 1), TileSize(1, 10)}) {
        ConvConfig config{Variant::nonfused, bad, KernelParams(DeviceClass::cpu)};
        config.pass = Pass::backward_filter;
        CHECK_THROWS_WITH(validate_shape(layer, config), Catch::Contains("backward-filter's m is the width w of dy's chunks"));
    }
    const ConvConfig config = untuned_config(layer, DeviceClass::cpu, Pass::backward_filter);
    CHECK(config.m == TileSize(1, planned_chunk(layer)));
    const ConvPlan plan = make_plan(layer, config, Backend::glsl);
    CHECK(plan.filter_launches.empty());  // dy is new on every run
    CHECK(plan.input_launches.size() == 4);
    CHECK(plan.buffer_floats.at(BufferId::images) == layer.input_size());
    CHECK(plan.buffer_floats.at(BufferId::filters) == layer.output_size());
    CHECK(plan.buffer_floats.at(BufferId::result) == layer.filter_size());
    for (const EmittedKernel& k : plan.kernels) {
        INFO(k.name);
        const bool gathers = k.kind == KernelKind::filter_transform || k.kind == KernelKind::input_transform;
        CHECK((k.name.find("_bf") != std::string::npos) == gathers);
        CHECK(k.name.find(fmt::format("f1x3_1x{}", config.m.w)) != std::string::npos);  // F(3, w) along W
    }
    ConvConfig direct{Variant::direct, 1, KernelParams(DeviceClass::cpu)};
    direct.pass = Pass::backward_filter;
    CHECK(make_plan(layer, direct, Backend::glsl).kernels.at(0).name.starts_with("wino_direct_r3_bf_"));
}

TEST_CASE("the kernels that read the filters name the pass, and the set names it after the variant") {
    const ConvShape layer{1, 4, 12, 12, 6, 3, 3, Padding(1)};
    for (const Variant variant : {Variant::nonfused, Variant::fused, Variant::direct}) {
        const TileSize m = variant == Variant::direct ? TileSize(1) : TileSize(4);
        ConvConfig config{variant, m, suggested_params(layer, m, DeviceClass::cpu, Pass::backward_data)};
        config.pass = Pass::backward_data;
        const ConvPlan plan = make_plan(layer, config, Backend::glsl);
        CHECK(plan.shape == pass_shape(layer, Pass::backward_data, 4));
        ConvConfig forward = config;
        forward.pass = Pass::forward;
        const ConvPlan forward_plan = make_plan(layer, forward, Backend::glsl);
        for (std::size_t i = 0; i < plan.kernels.size(); ++i) {
            const EmittedKernel& k = plan.kernels[i];
            const bool reads_filters = k.kind == KernelKind::filter_transform || k.kind == KernelKind::direct;
            INFO(k.name);
            CHECK((k.name.find("_bd") != std::string::npos) == reads_filters);
            CHECK((k.source == forward_plan.kernels[i].source) == !reads_filters);
            if (reads_filters) CHECK(k.source.find("#define FILTER_AT(k, c, e) (((c) * p.K + (k)) * 9 + 8 - (e))") != std::string::npos);
        }
        const std::string set = kernel_set_name(variant, m, 3, 3, config.params, Precision::fp32, "", {}, Pass::backward_data);
        CHECK(set.find(variant == Variant::direct ? std::string("wino_direct_r3_bd") : fmt::format("_{}_bd_", to_string(variant))) !=
              std::string::npos);
    }
}

TEST_CASE("a configuration's JSON names a pass other than forward, and reads it back") {
    ConvConfig config = untuned_config({1, 4, 12, 12, 6, 3, 3, Padding(1)}, DeviceClass::cpu, Pass::backward_data);
    CHECK(config.pass == Pass::backward_data);
    CHECK(to_json(config)["pass"] == "backward-data");
    CHECK(config_from_json(to_json(config), Backend::glsl) == config);
    config.pass = Pass::forward;
    CHECK_FALSE(to_json(config).contains("pass"));  // the keys of databases written before passes
    nlohmann::json bad = to_json(config);
    bad["pass"] = "sideways";
    CHECK_THROWS_WITH(config_from_json(bad, Backend::glsl),
                      "a configuration's pass must be forward, backward-data or backward-filter, not 'sideways'");
    bad["pass"] = 2;
    CHECK_THROWS_AS(config_from_json(bad, Backend::glsl), InputError);
}

TEST_CASE("a backward pass refuses an epilogue, and takes padding past R - 1 that its kernels crop") {
    const ConvShape layer{1, 4, 12, 12, 6, 3, 3, Padding(4)};
    ConvConfig config{Variant::nonfused, 4, suggested_params(layer, 4, DeviceClass::cpu, Pass::backward_data)};
    config.pass = Pass::backward_data;
    CHECK_NOTHROW(validate_shape(layer, config));
    CHECK(pass_shape(layer, Pass::backward_data, 4).pad == Padding(-2));
    config.epilogue.bias = true;
    CHECK_THROWS_WITH(validate_shape(layer, config),
                      "the backward-data pass has no epilogue: a bias or an activation belongs to the forward pass");
}
