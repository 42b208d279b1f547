// Winograd and direct kernels on the Vulkan device (lavapipe here), with the
// Khronos validation layer on: every variant × m × r on awkward shapes, outputs
// poisoned with NaN and guard zones checked, errors bounded by the accuracy
// evaluator's figure for the tile size.
#include "accuracy.hpp"
#include "conv2d.hpp"
#include "errors.hpp"
#include "recipe_db.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace wino;

namespace {

VulkanDevice& device() {
    static VulkanDevice d({-1, true});
    return d;
}

std::vector<float> random_values(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

double relative_l2(const std::vector<float>& y, const std::vector<double>& ref) {
    double d2 = 0, r2 = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double d = std::isfinite(y[i]) ? y[i] - ref[i] : INFINITY;
        d2 += d * d;
        r2 += ref[i] * ref[i];
    }
    return std::sqrt(d2 / r2);
}

// The bound for F(m,r): a hundred times the evaluator's median tile error.
double error_bound(int m, int r) {
    static std::map<std::pair<int, int>, double> bounds;
    auto& b = bounds[{m, r}];
    if (b == 0) {
        const RecipeSet s = recipes_for(m, r, default_points(m + r - 1), {});
        b = 100 * measure_accuracy(s, {1000, 1, 0, EvaluationOrder::recipe}).error + 1e-6;
    }
    return b;
}

const std::vector<ConvShape> awkward_shapes(int r) {
    return {
        {1, 3, 11, 13, 5, r, r / 2},  // H, W not multiples of m; C, K not multiples of any tile
        {2, 1, 7, 9, 3, r, 1},        // N > 1, C = 1
        {1, 2, 1, 1, 17, r, r / 2},   // H = W = 1 with padding
        {1, 19, r + 2, r + 1, 7, r, 0},  // no padding, output smaller than a tile
    };
}

void check_layer(const ConvShape& shape, const ConvConfig& config, double bound) {
    INFO("shape N" << shape.N << " C" << shape.C << " H" << shape.H << " W" << shape.W << " K" << shape.K << " R"
                   << shape.R << " pad " << shape.pad << ", variant " << to_string(config.variant) << ", m "
                   << config.m);
    const std::vector<float> x = random_values(shape.input_size(), 11), w = random_values(shape.filter_size(), 12);
    VulkanConv2d conv(device(), shape, config);
    conv.set_filters(w);
    std::vector<float> y;
    conv.run(x, y);
    REQUIRE(y.size() == shape.output_size());
    CHECK_NOTHROW(conv.check_guards());
    CHECK(relative_l2(y, reference_conv2d(shape, x, w)) <= bound);
    INFO(device().last_validation_message());
    CHECK(device().validation_messages() == 0);
}

}  // namespace

TEST_CASE("Winograd kernels on Vulkan: every variant, m 2/4/6, r 3/5, awkward shapes") {
    for (Variant variant : {Variant::fused, Variant::nonfused})
        for (int r : {3, 5})
            for (int m : {2, 4, 6})
                for (const ConvShape& shape : awkward_shapes(r)) check_layer(shape, {variant, m, {}}, error_bound(m, r));
}

TEST_CASE("the direct kernel on Vulkan agrees with the reference") {
    for (int r : {3, 5, 7})
        for (const ConvShape& shape : awkward_shapes(r)) check_layer(shape, {Variant::direct, 4, {}}, 1e-6);
}

TEST_CASE("unroll factors and tiles change the code, not the result") {
    const ConvShape shape{1, 5, 10, 10, 6, 3, 1};
    for (int unroll : {1, 2, 4, 6}) {
        ConvConfig config{Variant::nonfused, 4, {}};
        config.params.unroll = unroll;
        config.params.gemm_reg_k = 4;
        config.params.gemm_reg_p = 12;
        config.params.gemm_wg_k = 2;
        check_layer(shape, config, error_bound(4, 3));
    }
    const ConvShape few_tiles{1, 9, 6, 6, 21, 3, 1};
    check_layer(few_tiles, {Variant::nonfused, 2, suggested_params(few_tiles, 2, Backend::glsl)}, error_bound(2, 3));
    CHECK(suggested_params(few_tiles, 2, Backend::glsl).gemm_wg_k == 8);
    // Output rows stored 4 at a time (m and W' multiples of 4): row tails (m 4)
    // and column tails (m 8), 4 tiles or 1 per transform thread.
    for (int tiles : {4, 1}) {
        ConvConfig rows{Variant::nonfused, 4, {}};
        rows.params.vector_rows = true;
        rows.params.transform_tiles = tiles;
        check_layer({1, 3, 7, 12, 5, 3, 1}, rows, error_bound(4, 3));
        rows.m = 8;
        check_layer({2, 2, 9, 12, 3, 3, 1}, rows, error_bound(8, 3));
    }
    CHECK(suggested_params({1, 3, 7, 12, 5, 3, 1}, 4, Backend::glsl).vector_rows);
    CHECK_FALSE(suggested_params({1, 3, 7, 13, 5, 3, 1}, 4, Backend::glsl).vector_rows);
    ConvConfig misfit{Variant::nonfused, 4, {}};
    misfit.params.vector_rows = true;
    CHECK_THROWS_WITH(validate_shape({1, 3, 7, 13, 5, 3, 1}, misfit), Catch::Contains("multiples of 4"));
    for (int m : {2, 4, 6}) {  // one tile per transform thread, as on CUDA
        ConvConfig single{Variant::nonfused, m, default_params(Backend::cuda)};
        for (const ConvShape& odd : awkward_shapes(3)) check_layer(odd, single, error_bound(m, 3));
    }
    ConvConfig fused{Variant::fused, 4, {}};
    fused.params.fused_wg_k = 8;
    fused.params.fused_wg_p = 8;
    check_layer(shape, fused, error_bound(4, 3));
}

TEST_CASE("a layer past the device or index limits is refused with a clear error") {
    CHECK_THROWS_WITH(validate_shape({1, 1 << 16, 1 << 10, 1 << 10, 1, 3, 1}, {Variant::fused, 4, {}}),
                      Catch::Contains("32-bit"));
    CHECK_THROWS_AS(validate_shape({1, 1, 2, 2, 1, 5, 0}, {Variant::fused, 4, {}}), InputError);
    CHECK_THROWS_AS(validate_shape({0, 1, 8, 8, 1, 3, 0}, {Variant::fused, 4, {}}), InputError);
    ConvConfig odd_tile{Variant::nonfused, 4, {}};
    odd_tile.params.gemm_reg_k = 6;
    CHECK_THROWS_WITH(validate_shape({1, 1, 8, 8, 1, 3, 1}, odd_tile), Catch::Contains("multiples of 4"));
    ConvConfig huge{Variant::fused, 4, {}};
    huge.params.fused_wg_k = 64;
    huge.params.fused_wg_p = 64;
    CHECK_THROWS_AS(VulkanConv2d(device(), {1, 1, 8, 8, 1, 3, 1}, huge), DeviceError);
    // Read-only buffers are texel buffers: element count and alignment limits.
    using Binding = VulkanDevice::Binding;
    const auto& limits = device().limits();
    CHECK_NOTHROW(device().check_texel_view(Binding::texels4, limits.minTexelBufferOffsetAlignment, 64));
    if (limits.minTexelBufferOffsetAlignment > 1)
        CHECK_THROWS_WITH(device().check_texel_view(Binding::texels1, limits.minTexelBufferOffsetAlignment + 1, 16),
                          Catch::Contains("not aligned"));
    CHECK_THROWS_WITH(device().check_texel_view(Binding::texels1, 0, 4 * (std::size_t(limits.maxTexelBufferElements) + 1)),
                      Catch::Contains("texels per texel buffer"));
    CHECK_THROWS_AS(device().check_texel_view(Binding::texels4, 0, 20), DeviceError);
}

TEST_CASE("the benchmark layers agree with the reference at full size", "[.][long]") {
    std::ifstream list(std::string(WINO_SOURCE_DIR) + "/examples/layers/ncnn-comparison.txt");
    REQUIRE(list);
    int layers = 0;
    for (std::string line; std::getline(list, line);) {
        std::istringstream fields(line);
        std::string name;
        ConvShape s;
        if (!(fields >> name >> s.N >> s.C >> s.H >> s.W >> s.K >> s.R >> s.pad) || name[0] == '#') continue;
        ++layers;
        for (int m : {4, 6}) check_layer(s, {Variant::nonfused, m, suggested_params(s, m, Backend::glsl)}, error_bound(m, s.R));
    }
    CHECK(layers == 5);
}
