// Winograd and direct kernels on the Vulkan device (lavapipe here), with the
// Khronos validation layer on: every variant × m × r on awkward shapes, outputs
// poisoned with NaN and guard zones checked, errors bounded by the accuracy
// evaluator's figure for the tile size.
#include "recipes/accuracy.hpp"
#include <wino/errors.hpp>
#include "runtime/api_state.hpp"
#include "templates/epilogue.hpp"
#include "tuner/layer_list.hpp"
#include "runtime/layer_run.hpp"
#include "runtime/vulkan_executor.hpp"
#include "runtime/glsl_compiler.hpp"
#include "recipes/recipe_db.hpp"
#include "templates/meta_code.hpp"
#include "tests/test_support.hpp"
#include "runtime/host_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

using namespace wino;

namespace {

// One device for every test, opened through the API as run opens it.
Device& api_device() {
    static Device d({Backend::glsl, -1, true});
    return d;
}

VulkanExecutor& executor() { return dynamic_cast<VulkanExecutor&>(detail::DeviceState::executor_of(api_device())); }

VulkanDevice& device() { return executor().device(); }


const std::vector<ConvShape> awkward_shapes(int r) {
    return {
        {1, 3, 11, 13, 5, r, r / 2},  // H, W not multiples of m; C, K not multiples of any tile
        {2, 1, 7, 9, 3, r, 1},        // N > 1, C = 1
        {1, 2, 1, 1, 17, r, r / 2},   // H = W = 1 with padding
        {1, 19, r + 2, r + 1, 7, r, 0},  // no padding, output smaller than a tile
    };
}

// The layer's output on check_layer's seeded tensors, without a bias.
std::vector<float> output(const ConvShape& shape, const ConvConfig& config) {
    const std::unique_ptr<LoadedLayer> conv = executor().load(shape, config);
    conv->set_filters(random_tensor(shape.filter_size(), 12));
    std::vector<float> y;
    conv->run(random_tensor(shape.input_size(), 11), y);
    CHECK_NOTHROW(conv->check_guards());
    return y;
}

void check_layer(const ConvShape& shape, const ConvConfig& config, double bound) {
    INFO("shape " << layer_text(shape) << ", variant " << to_string(config.variant) << ", m " << config.m.h << "x" << config.m.w);
    const std::vector<float> x = random_tensor(shape.input_size(), 11), w = random_tensor(shape.filter_size(), 12),
                             bias = random_tensor(static_cast<std::size_t>(shape.K), 13);
    const std::unique_ptr<LoadedLayer> conv = executor().load(shape, config);
    conv->set_filters(w);
    if (config.epilogue.bias) conv->set_bias(bias);
    std::vector<float> y;
    conv->run(x, y);
    REQUIRE(y.size() == shape.output_size());
    CHECK_NOTHROW(conv->check_guards());
    std::vector<double> reference = reference_conv2d(shape, x, w);
    apply_epilogue(config.epilogue, bias, shape, reference);
    CHECK(compare_with_reference(y, reference).relative <= bound);
    INFO(device().last_validation_message());
    CHECK(device().validation_messages() == 0);
}

}  // namespace

TEST_CASE("Winograd kernels on Vulkan: every variant, m 2/4/6, r 3/5, awkward shapes", "[sweep]") {
    for (Variant variant : {Variant::fused, Variant::nonfused})
        for (int r : {3, 5})
            for (int m : {2, 4, 6})
                for (const ConvShape& shape : awkward_shapes(r))
                    check_layer(shape, {variant, m, suggested_params(shape, m, DeviceClass::cpu)}, layer_error_bound(m, r));
}

TEST_CASE("a timing runs as many times as fit its slice of device time, between its least and its most") {
    const ConvShape small{1, 2, 8, 8, 2, 3, 1};
    const std::unique_ptr<LoadedLayer> conv = executor().load(small, {Variant::nonfused, 4, {}});
    conv->set_filters(random_tensor(small.filter_size(), 1));
    const std::vector<float> x = random_tensor(small.input_size(), 2);
    const LoadedLayer::TimedRuns fixed = conv->median_run(x, 1, LoadedLayer::RunCount{5, 5, 0});
    CHECK(fixed.runs == 5);
    const double one = total_ms(fixed.median);
    REQUIRE(one > 0);
    // A slice of about 40 runs: more than the least, fewer than the most.
    const LoadedLayer::TimedRuns sliced = conv->median_run(x, 0, LoadedLayer::RunCount{3, 1000, 40 * one});
    CHECK(sliced.runs > 3);
    CHECK(sliced.runs < 1000);
    CHECK(conv->median_run(x, 0, LoadedLayer::RunCount{3, 7, 1e9}).runs == 7);
    CHECK(conv->median_run(x, 0, LoadedLayer::RunCount{4, 1000, 1e-9}).runs == 4);
}

TEST_CASE("a GPU's parameters run in GLSL too (Vulkan on a GPU starts from them): every variant, m 2/4/6, r 3 and 5, awkward shapes, fp32 and fp16-storage", "[sweep]") {
    // lavapipe is a CPU device: it starts from the cpu class's parameters.
    REQUIRE(executor().limits().device_class == DeviceClass::cpu);
    REQUIRE_FALSE(KernelParams(DeviceClass::gpu) == KernelParams(DeviceClass::cpu));
    for (Precision precision : {Precision::fp32, Precision::fp16_storage})
        for (Variant variant : {Variant::fused, Variant::nonfused})
            for (int r : {3, 5})
                for (int m : {2, 4, 6})
                    for (const ConvShape& shape : awkward_shapes(r)) {
                        INFO(to_string(precision));
                        const double bound = layer_error_bound(m, r) * spec_of(precision).bound_factor;
                        check_layer(shape, {variant, m, suggested_params(shape, m, DeviceClass::gpu), "", precision}, bound);
                    }
}

TEST_CASE("16-bit and TF32 precisions on Vulkan: both variants, m 2/4/6, awkward shapes, 16-bit buffers guarded like the others", "[sweep]") {
    REQUIRE(executor().limits().half_storage);
    REQUIRE(executor().limits().half_arithmetic);
    // About 3x the relative L2 error of ncnn-comparison's 128-channel layer: at fp16-storage 6.0e-4, 1.8e-3,
    // 7.3e-3 at m 2, 4, 6 (fp16's 11 bits, as the tile amplifies them); at fp16 1.6e-3, 5.1e-3, 2.1e-2 (the
    // product's sum over C in fp16 too).
    const std::map<Precision, std::map<int, double>> bounds = {
        {Precision::fp16_storage, {{2, 2e-3}, {4, 6e-3}, {6, 2.5e-2}}},
        {Precision::fp16, {{2, 5e-3}, {4, 1.5e-2}, {6, 6e-2}}},
        {Precision::fp16_storage_io, {{2, 3e-3}, {4, 7e-3}, {6, 2.5e-2}}},
        {Precision::fp16_mixed, {{2, 2e-3}, {4, 6e-3}, {6, 2.5e-2}}},  // fp16-storage's: M in fp32 only lowers it
        {Precision::tf32, {{2, 2e-3}, {4, 6e-3}, {6, 2.5e-2}}},        // fp16-mixed's: the same 11-bit operands
        {Precision::split_tf32, {{2, 2 * layer_error_bound(2, 3)}, {4, 2 * layer_error_bound(4, 3)}, {6, 2 * layer_error_bound(6, 3)}}}};
    for (const auto& [precision, bound] : bounds)
        for (Variant variant : {Variant::fused, Variant::nonfused})
            for (int m : {2, 4, 6})
                for (const ConvShape& shape : awkward_shapes(3)) {
                    INFO(to_string(precision));
                    check_layer(shape, {variant, m, suggested_params(shape, m, DeviceClass::cpu), "", precision}, bound.at(m));
                }
}

TEST_CASE("epilogues on Vulkan: bias and each activation, every variant, m 2/4, vector rows, fp16", "[sweep]") {
    std::vector<Epilogue> epilogues;
    for (const ActivationSpec& a : activations())
        for (bool bias : {false, true}) {
            Epilogue e;
            e.bias = bias;
            e.activation = a.activation;
            // Parameters that clip on both sides of random outputs (|y| about 1 to 3 here).
            e.alpha = 0.25f;
            e.low = -0.5f;
            e.high = 0.75f;
            epilogues.push_back(e);
        }
    const ConvShape shape{2, 5, 9, 12, 6, 3, 1};  // tails in H, K; W' = 12 for vector rows
    for (const Epilogue& e : epilogues) {
        INFO("epilogue " << epilogue_tag(e));
        for (Variant variant : {Variant::fused, Variant::nonfused})
            for (int m : {2, 4}) {
                ConvConfig config{variant, m, suggested_params(shape, m, DeviceClass::cpu)};
                config.epilogue = e;
                check_layer(shape, config, layer_error_bound(m, 3));
            }
        ConvConfig rows{Variant::nonfused, 4, {}};
        rows.params[Param::vector_rows][0] = 1;
        rows.epilogue = e;
        check_layer(shape, rows, layer_error_bound(4, 3));
        ConvConfig direct{Variant::direct, 4, {}};
        direct.epilogue = e;
        check_layer(shape, direct, 1e-6);
        ConvConfig half{Variant::fused, 4, suggested_params(shape, 4, DeviceClass::cpu), "", Precision::fp16};
        half.epilogue = e;
        check_layer(shape, half, 1.5e-2);
    }
}

TEST_CASE("non-square filters and tiles on Vulkan: 1x7 7x1 3x1 1x3 3x5 5x3 2x4, tiles 2, 4 and 4x2, asymmetric and same padding, 1D, fp16-storage", "[sweep]") {
    std::vector<ConvShape> shapes;
    for (const auto& [R, S] : {std::pair{1, 7}, {7, 1}, {3, 1}, {1, 3}, {3, 5}, {5, 3}, {2, 4}}) {
        shapes.push_back({1, 3, 11, 13, 5, R, S, Padding(R / 2, S / 2)});       // tails along both axes
        shapes.push_back({2, 1, 7, 9, 3, R, S, Padding(R - 1, 0, 0, S - 1)});   // N > 1, C = 1, one side each
        shapes.push_back({1, 2, 1, 1, 17, R, S, Padding::same(R, S)});           // H = W = 1, "same"
    }
    shapes.push_back({2, 3, 1, 37, 4, 1, 5, Padding(0, 0, 2, 2)});  // 1D
    shapes.push_back({1, 9, 1, 30, 6, 1, 3, Padding(0, 0, 0, 2)});  // 1D, padded at the end only
    for (const ConvShape& shape : shapes)
        for (const TileSize asked : {TileSize(2), TileSize(4), TileSize(4, 2)}) {
            const TileSize m = asked.square() ? tile_for(shape, asked) : asked;
            if ((shape.R == 1 && m.h != 1) || (shape.S == 1 && m.w != 1)) continue;
            const ConvConfig nonfused{Variant::nonfused, m, suggested_params(shape, m, DeviceClass::cpu)};
            check_layer(shape, nonfused, check_bound(nonfused, shape));
            if (asked == TileSize(2)) continue;  // the fused kernel and fp16 at the larger tiles, for time
            const ConvConfig fused{Variant::fused, m, suggested_params(shape, m, DeviceClass::cpu)};
            check_layer(shape, fused, check_bound(fused, shape));
            const ConvConfig half{Variant::fused, m, suggested_params(shape, m, DeviceClass::cpu), "", Precision::fp16_storage};
            check_layer(shape, half, check_bound(half, shape));
        }
    for (const ConvShape& shape : shapes) check_layer(shape, {Variant::direct, 4, {}}, 1e-6);
}

TEST_CASE("the direct kernel on Vulkan agrees with the reference") {
    for (int r : {3, 5, 7})
        for (const ConvShape& shape : awkward_shapes(r)) check_layer(shape, {Variant::direct, 4, {}}, 1e-6);
}

TEST_CASE("unroll factors and tiles change the code, not the result") {
    const ConvShape shape{1, 5, 10, 10, 6, 3, 1};
    for (int unroll : {1, 2, 4, 6}) {
        ConvConfig config{Variant::nonfused, 4, {}};
        config.params[Param::unroll][0] = unroll;
        config.params[Param::gemm_registers] = {4, 12};
        config.params[Param::gemm_threads][0] = 2;
        check_layer(shape, config, layer_error_bound(4, 3));
    }
    const ConvShape few_tiles{1, 9, 6, 6, 21, 3, 1};
    check_layer(few_tiles, {Variant::nonfused, 2, suggested_params(few_tiles, 2, DeviceClass::cpu)}, layer_error_bound(2, 3));
    CHECK(suggested_params(few_tiles, 2, DeviceClass::cpu)[Param::gemm_threads][0] == 8);
    // Output rows stored 4 at a time (m and W' multiples of 4): row tails (m 4)
    // and column tails (m 8), 4 tiles or 1 per transform thread.
    for (int tiles : {4, 1}) {
        ConvConfig rows{Variant::nonfused, 4, {}};
        rows.params[Param::vector_rows][0] = 1;
        rows.params[Param::transform_tiles][0] = tiles;
        check_layer({1, 3, 7, 12, 5, 3, 1}, rows, layer_error_bound(4, 3));
        rows.m = 8;
        check_layer({2, 2, 9, 12, 3, 3, 1}, rows, layer_error_bound(8, 3));
    }
    CHECK(suggested_params({1, 3, 7, 12, 5, 3, 1}, 4, DeviceClass::cpu)[Param::vector_rows][0]);
    CHECK_FALSE(suggested_params({1, 3, 7, 13, 5, 3, 1}, 4, DeviceClass::cpu)[Param::vector_rows][0]);
    ConvConfig misfit{Variant::nonfused, 4, {}};
    misfit.params[Param::vector_rows][0] = 1;
    CHECK_THROWS_WITH(validate_shape({1, 3, 7, 13, 5, 3, 1}, misfit), Catch::Contains("multiples of 4"));
    for (int m : {2, 4, 6}) {  // one tile per transform thread, as on CUDA
        ConvConfig single{Variant::nonfused, m, default_params(Backend::cuda)};
        for (const ConvShape& odd : awkward_shapes(3)) check_layer(odd, single, layer_error_bound(m, 3));
    }
    ConvConfig fused{Variant::fused, 4, {}};
    fused.params[Param::fused_tile] = {8, 8};
    check_layer(shape, fused, layer_error_bound(4, 3));
}

TEST_CASE("GEMM staging in shared memory changes where U and V are read, not one bit of the result") {
    const ParamSpec& staging = param_spec(Param::gemm_staging);
    // C = 21: two whole blocks of channels and a tail; C = 5: the tail alone.
    for (const ConvShape& shape : {ConvShape{2, 21, 9, 14, 19, 3, 1}, ConvShape{2, 5, 9, 14, 19, 3, 1}})
        for (const Precision precision : {Precision::fp32, Precision::fp16_storage, Precision::fp16})
            for (const auto& [threads, registers] : {std::pair{ParamValue{1, 8}, ParamValue{16, 8}},
                                                     {ParamValue{4, 16}, ParamValue{4, 4}},    // fewer quads than threads
                                                     {ParamValue{8, 1}, ParamValue{8, 16}}}) {
                const bool first = precision == Precision::fp32 && threads == ParamValue{1, 8};
                if ((shape.C < 8 && !first) || (precision != Precision::fp32 && threads != ParamValue{1, 8})) continue;
                ConvConfig config{Variant::nonfused, 4, {}, "", precision};
                config.params[Param::gemm_threads] = threads;
                config.params[Param::gemm_registers] = registers;
                INFO(layer_text(shape) << " " << to_string(precision) << " threads " << threads[0] << "x" << threads[1]);
                const std::vector<float> global = output(shape, config);
                check_layer(shape, config, check_bound(config, shape));
                for (const char* staged : {"shared", "double"}) {
                    INFO(staged);
                    config.params[Param::gemm_staging] = parse_value(staging, staged, ParamNaming::key);
                    CHECK(output(shape, config) == global);
                }
            }
}

TEST_CASE("a subgroup's shared loads change which lane loads U and V, not one bit of the result") {
    const int lanes = static_cast<int>(executor().limits().subgroup_size);
    if (!lanes) {
        WARN("this Vulkan device has no fixed-size compute subgroups with shuffles: nothing to share");
        return;
    }
    // Rows of threads as wide as a subgroup (its lanes share U), one thread
    // wide (they share V), narrower (both), and wider (U; each lane its own
    // V). C = 21: whole blocks of channels and a tail; K = 19 and P = 2·3·4
    // tiles: the last groups clamped.
    const ConvShape shape{2, 21, 9, 14, 19, 3, 1};
    for (const Precision precision : {Precision::fp32, Precision::fp16})
        for (const auto& [threads, registers] : {std::pair{ParamValue{1, lanes}, ParamValue{16, 8}},
                                                 {ParamValue{lanes, 1}, ParamValue{16, 4}},
                                                 {ParamValue{2, lanes / 2}, ParamValue{8, 8}},
                                                 {ParamValue{1, 2 * lanes}, ParamValue{4, 4}}}) {
            if (precision != Precision::fp32 && threads != ParamValue{1, lanes}) continue;
            ConvConfig config{Variant::nonfused, 4, {}, "", precision};
            config.params[Param::gemm_threads] = threads;
            config.params[Param::gemm_registers] = registers;
            INFO(to_string(precision) << " threads " << threads[0] << "x" << threads[1]);
            const std::vector<float> alone = output(shape, config);
            config.params[Param::gemm_subgroup] = {lanes, 0};
            CHECK(output(shape, config) == alone);
            check_layer(shape, config, check_bound(config, shape));
        }
}

namespace {

const Launch& gemm_launch(const ConvPlan& plan) {
    const auto gemm = std::find_if(plan.input_launches.begin(), plan.input_launches.end(),
                                   [&](const Launch& l) { return plan.kernels[l.kernel].kind == KernelKind::gemm; });
    REQUIRE(gemm != plan.input_launches.end());
    return *gemm;
}

// The plan's GEMM, from `source` (its kernel's, or a stand-in), run on `u`
// and `v` (words, as the plan's buffers hold them): M, poisoned first so that
// a value it misses shows.
std::vector<std::uint32_t> gemm_product(const ConvPlan& plan, const std::string& source, const std::vector<std::uint32_t>& u,
                                        const std::vector<std::uint32_t>& v) {
    const Launch& gemm = gemm_launch(plan);
    const EmittedKernel& k = plan.kernels[gemm.kernel];
    const std::map<BufferId, std::vector<std::uint32_t>> words = {
        {BufferId::u, u}, {BufferId::v, v}, {BufferId::product, std::vector<std::uint32_t>(plan.buffer_floats.at(BufferId::product), 0x7fc00001u)}};
    std::vector<VulkanDevice::Binding> bindings;
    std::vector<std::unique_ptr<VulkanDevice::Buffer>> buffers;
    std::vector<VulkanDevice::BufferView> views;
    for (const BufferUse& use : k.buffers) {
        const std::vector<std::uint32_t>& data = words.at(use.buffer);
        REQUIRE(data.size() == plan.buffer_floats.at(use.buffer));
        bindings.push_back(binding_of(use));
        buffers.push_back(device().make_buffer(4 * data.size()));
        std::memcpy(buffers.back()->floats(), data.data(), 4 * data.size());
        views.push_back({buffers.back().get(), 0, 4 * data.size()});
    }
    const VulkanDevice::Pipeline pipeline = device().make_pipeline(compile_glsl(source), bindings, sizeof(KernelArgs), k.subgroups);
    device().run({{&pipeline, views, &plan.args, {gemm.groups[0], gemm.groups[1], gemm.groups[2]}}});
    const auto product = std::find_if(k.buffers.begin(), k.buffers.end(), [](const BufferUse& use) { return use.buffer == BufferId::product; });
    const VulkanDevice::Buffer& m = *buffers[static_cast<std::size_t>(product - k.buffers.begin())];
    std::vector<std::uint32_t> out(plan.buffer_floats.at(BufferId::product));
    std::memcpy(out.data(), m.floats(), 4 * out.size());
    return out;
}

// `source` with prelude.coop.glsl's cooperative matrices emulated per thread
// (tests/cooperative_matrix_emulation.glsl), and without the extension they need.
std::string with_emulated_cooperative_matrices(std::string source) {
    const std::string prelude = template_text("prelude.coop.glsl");
    const std::size_t at = source.find(prelude);
    REQUIRE(at != std::string::npos);
    source.replace(at, prelude.size(), test::slurp(std::string(WINO_SOURCE_DIR) + "/tests/cooperative_matrix_emulation.glsl"));
    for (const std::string extension : {"GL_NV_cooperative_matrix", "GL_KHR_memory_scope_semantics"}) {
        const std::string line = "#extension " + extension + " : require\n";
        REQUIRE(source.find(line) != std::string::npos);
        source.erase(source.find(line), line.size());
    }
    return source;
}

}  // namespace

// GLSL's tensor-core GEMM (fp16-mixed) with its cooperative matrices emulated
// (with_emulated_cooperative_matrices): lavapipe has none, so this runs the
// rest of it here: the warps' tiles, the binary16 staging, the zeros past C,
// the tiles stored through shared memory and their bounds. What the NVIDIA
// driver's matrices do is gpu-check's to run. Against the GEMM without tensor
// cores on the same U and V: the same block sums in the same order, so the
// same M. C = 21: two whole blocks of channels and a tail; K = 24: the second
// row of warps' tile half past K; 3x3 tiles (12 padded): the second column of
// tiles half past the padded P. One warp of 1x4 tiles, and two of them one
// above the other; single and double staging.
TEST_CASE("GLSL's tensor-core GEMM, its cooperative matrices emulated, gives the same M as the GEMM without them") {
    const ConvShape shape{1, 21, 10, 12, 24, 3, 1};
    int compared = 0;
    for (const auto& [threads, registers] : {std::pair{ParamValue{4, 8}, ParamValue{4, 4}}, {ParamValue{8, 8}, ParamValue{4, 4}}})
        for (const char* staged : {"shared", "double"}) {
            INFO("threads " << threads[0] << "x" << threads[1] << ", " << staged);
            ConvConfig cores{Variant::nonfused, 4, {}, "", Precision::fp16_mixed};
            cores.params[Param::gemm_threads] = threads;
            cores.params[Param::gemm_registers] = registers;
            cores.params[Param::gemm_staging] = parse_value(param_spec(Param::gemm_staging), staged, ParamNaming::key);
            ConvConfig tensor_cores = cores;
            tensor_cores.params[Param::tensor_cores][0] = 1;
            const ConvPlan on_cores = make_plan(shape, cores, Backend::glsl), on_tensor_cores = make_plan(shape, tensor_cores, Backend::glsl);
            // Two binary16 values in [-1, 1) a word.
            std::mt19937 random(5);
            auto words = [&](std::size_t n) {
                std::vector<std::uint32_t> w(n);
                for (std::uint32_t& word : w)
                    for (int half = 0; half < 2; ++half) {
                        const _Float16 h = static_cast<_Float16>(std::uniform_real_distribution<float>(-1, 1)(random));
                        std::uint16_t bits;
                        std::memcpy(&bits, &h, sizeof bits);
                        word |= std::uint32_t{bits} << (16 * half);
                    }
                return w;
            };
            const std::vector<std::uint32_t> u = words(on_cores.buffer_floats.at(BufferId::u)), v = words(on_cores.buffer_floats.at(BufferId::v));
            const std::vector<std::uint32_t> expected = gemm_product(on_cores, on_cores.kernels[gemm_launch(on_cores).kernel].source, u, v);
            const EmittedKernel& gemm = on_tensor_cores.kernels[gemm_launch(on_tensor_cores).kernel];
            CHECK(gemm.subgroups);  // warps are subgroups: full ones
            const std::vector<std::uint32_t> got = gemm_product(on_tensor_cores, with_emulated_cooperative_matrices(gemm.source), u, v);
            // M[xi][k][p], p over the padded tiles; the tiles past P are not M's.
            const KernelArgs& a = on_cores.args;
            const int positions = 36;
            int differing = 0, zero = 0;
            for (int xi = 0; xi < positions; ++xi)
                for (int k = 0; k < a.K; ++k)
                    for (int p = 0; p < a.P; ++p) {
                        const std::size_t at = (static_cast<std::size_t>(xi) * a.K + k) * a.p_quads * 4 + p;
                        float e, g;
                        std::memcpy(&e, &expected[at], sizeof e);
                        std::memcpy(&g, &got[at], sizeof g);
                        differing += !(e == g);  // NaN (unwritten) differs
                        zero += e == 0;
                        ++compared;
                    }
            CHECK(differing == 0);
            CHECK(zero < positions * a.K * a.P / 100);
        }
    CHECK(compared == 4 * 36 * 24 * 9);
}

TEST_CASE("a layer past the device or index limits is refused with a clear error") {
    CHECK_THROWS_WITH(validate_shape({1, 1 << 16, 1 << 10, 1 << 10, 1, 3, 1}, {Variant::fused, 4, {}}),
                      Catch::Contains("32-bit"));
    CHECK_THROWS_AS(validate_shape({1, 1, 2, 2, 1, 5, 0}, {Variant::fused, 4, {}}), InputError);
    CHECK_THROWS_AS(validate_shape({0, 1, 8, 8, 1, 3, 0}, {Variant::fused, 4, {}}), InputError);
    ConvConfig odd_tile{Variant::nonfused, 4, {}};
    odd_tile.params[Param::gemm_registers][0] = 6;
    CHECK_THROWS_WITH(validate_shape({1, 1, 8, 8, 1, 3, 1}, odd_tile), Catch::Contains("multiples of 4"));
    ConvConfig huge{Variant::fused, 4, {}};
    huge.params[Param::fused_tile] = {1, 1024};  // 1024 tiles of alpha² floats: past the shared memory
    huge.params[Param::fused_registers] = {1, 1};
    huge.params[Param::fused_positions] = {1, 0};
    CHECK_THROWS_AS(executor().load({1, 1, 8, 8, 1, 3, 1}, huge), DeviceError);
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
    int layers = 0;
    for (const NamedLayer& l : read_layer_list(std::string(WINO_SOURCE_DIR) + "/examples/layers/ncnn-comparison.txt")) {
        ++layers;
        const ConvShape& s = l.shape;
        for (int m : {4, 6}) check_layer(s, {Variant::nonfused, m, suggested_params(s, m, DeviceClass::cpu)}, layer_error_bound(m, s.R));
    }
    CHECK(layers == 5);
}

TEST_CASE("a layer is run, checked and timed through the executor interface") {
    const DeviceIdentity& id = executor().identity();
    CHECK(id.backend == Backend::glsl);
    CHECK_FALSE(id.name.empty());
    CHECK(id.label.rfind("vulkan:", 0) == 0);
    LayerJob job;
    job.shape = {1, 4, 9, 10, 6, 3, 1};
    job.config = {Variant::nonfused, 4, suggested_params(job.shape, 4, DeviceClass::cpu)};
    job.input = random_tensor(job.shape.input_size(), 3);
    job.filters = random_tensor(job.shape.filter_size(), 4);
    job.check = job.bench = job.baseline_direct = true;
    job.repeats = 3;
    const LayerReport report = run_layer(api_device(), job);
    REQUIRE(report.errors);
    CHECK(report.errors->relative <= layer_error_bound(4, 3));
    CHECK(report.baseline_ms.value_or(0) > 0);
    REQUIRE(report.kernels.size() == 3);  // input transform, GEMM, output transform: the per-input kernels
    CHECK(report.kernels[1].first.find("_gemm_") != std::string::npos);
    CHECK(report.time_ms == Approx(total_ms(report.kernels)));
    // A NaN in the output is an infinite error, never a small one.
    std::vector<float> poisoned = report.output;
    poisoned[5] = NAN;
    CHECK(std::isinf(compare_with_reference(poisoned, reference_conv2d(job.shape, job.input, job.filters)).relative));
}
