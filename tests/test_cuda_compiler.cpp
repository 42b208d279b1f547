// NVRTC in process (no GPU needed): emitted kernels compile, and ptxas's
// report (read with NVRTC's cross-process cache off: CUDA_CACHE_DISABLE=1 in
// tests/CMakeLists.txt) shows no spills; check_registers refuses a workgroup
// past the device's registers. Built with the CUDA toolkit only.
#include "runtime/cuda_compiler.hpp"
#include "templates/emitter.hpp"
#include <wino/errors.hpp>
#include "runtime/executor.hpp"
#include "recipes/recipe_db.hpp"
#include "runtime/selftest.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace wino;

TEST_CASE("NVRTC compiles the 16-bit kernels (PTX f16, no cuda_fp16.h) with an epilogue, without spills") {
    Epilogue epilogue;
    epilogue.bias = true;
    epilogue.activation = Activation::leaky_relu;
    for (Precision precision : {Precision::fp16_storage, Precision::fp16, Precision::fp16_io, Precision::fp16_mixed}) {
        const RecipeSet recipes = recipes_for(4, 3, default_points(6), optimizer_options(precision));
        for (Variant v : {Variant::nonfused, Variant::fused})
            for (const EmittedKernel& k :
                 emit_variant(v, ConvAlgorithm::square(recipes), default_params(Backend::cuda), Backend::cuda, precision, epilogue)) {
                INFO(k.name);
                const CudaBinary binary = compile_cuda(k.source, k.name, 80);
                CHECK(binary.cubin.size() > 1000);
                REQUIRE(ptxas_report(binary.log));
                CHECK(ptxas_report(binary.log)->spill_bytes == 0);
                if (precision == Precision::fp16_mixed && k.kind == KernelKind::gemm) {
                    // binary16 operands, an fp32 product.
                    CHECK_THAT(k.source, Catch::Contains("const wino_half* __restrict__ u"));
                    CHECK_THAT(k.source, Catch::Contains("const wino_half* __restrict__ v"));
                    CHECK_THAT(k.source, Catch::Contains("float4* __restrict__ product"));
                }
                if (spec_of(precision).half_arithmetic && spec_of(k.kind).needs_recipes) {
                    // Constants are bits, not conversions at run time.
                    CHECK_THAT(k.source, Catch::Contains("wino_f16_bits(0x"));
                }
            }
    }
}

TEST_CASE("NVRTC reports each kernel's registers, and a workgroup past the device's registers is refused") {
    const RecipeSet recipes = recipes_for(6, 3, default_points(8), {});
    for (const EmittedKernel& k : emit_variant(Variant::nonfused, ConvAlgorithm::square(recipes), default_params(Backend::cuda), Backend::cuda)) {
        INFO(k.name);
        const CudaBinary binary = compile_cuda(k.source, k.name, 90);
        CHECK(binary.cubin.size() > 1000);
        const std::optional<PtxasReport> report = ptxas_report(binary.log);
        REQUIRE(report);
        CHECK(report->registers >= 8);
        CHECK(report->registers <= 255);
        CHECK(report->spill_bytes == 0);
        CHECK(compile_cuda(k.source, k.name, 90).cubin == binary.cubin);  // cached
        // Registers go to warps of 32 threads in units of 256.
        const auto needed = static_cast<std::uint32_t>((32 * report->registers + 255) / 256 * 256 * ((k.workgroup_size + 31) / 32));
        DeviceLimits limits{1024, {65535, 65535, 65535}, 49152};
        limits.max_registers = needed;
        CHECK_NOTHROW(check_registers(k, report->registers, limits));
        limits.max_registers = needed - 1;
        CHECK_THROWS_AS(check_registers(k, report->registers, limits), DeviceError);
        CHECK_THROWS_WITH(check_registers(k, report->registers, limits), Catch::Contains(k.name));
    }
    CHECK_THROWS_AS(compile_cuda("__global__ void broken( {", "broken", 90), DeviceError);
}

TEST_CASE("a log without ptxas's report (a compile NVRTC served from its cache) has no report, and decides nothing") {
    CHECK_FALSE(ptxas_report(""));
    CHECK_FALSE(ptxas_report("nvrtc: warning: something else"));
    const std::optional<PtxasReport> report = ptxas_report(
        "ptxas info    : Used 40 registers, used 0 barriers\n"
        "ptxas         .     0 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads\n");
    REQUIRE(report);
    CHECK(report->registers == 40);
    CHECK(report->spill_bytes == 12);
}

TEST_CASE("non-square tiles compile through NVRTC with 0 spills: F(1x6,1x7), F(4x2,3x5), F(6x1,3x1), fp32 and fp16") {
    for (const auto& [m, r] : {std::pair{TileSize(1, 6), std::pair{1, 7}}, {TileSize(4, 2), {3, 5}}, {TileSize(6, 1), {3, 1}}})
        for (Precision precision : {Precision::fp32, Precision::fp16}) {
            const ConvShape shape{1, 8, 12, 12, 8, r.first, r.second, Padding(r.first / 2, r.second / 2)};
            const ConvConfig config{Variant::nonfused, m, default_params(Backend::cuda), "", precision};
            const LayerRecipes recipes(shape, config, optimizer_options(precision));
            for (Variant v : {Variant::nonfused, Variant::fused})
                for (const EmittedKernel& k : emit_variant(v, recipes.algorithm(), default_params(Backend::cuda), Backend::cuda, precision)) {
                    INFO(k.name);
                    const CudaBinary binary = compile_cuda(k.source, k.name, 80);
                    CHECK(binary.cubin.size() > 1000);
                    REQUIRE(ptxas_report(binary.log));
                    CHECK(ptxas_report(binary.log)->spill_bytes == 0);
                }
        }
}

TEST_CASE("every kernel of the CUDA selftest compiles through NVRTC for sm_90 without spills, backward-data included", "[ptxas]") {
    DeviceLimits limits{1024, {65535, 65535, 65535}, 49152};
    limits.half_storage = limits.half_arithmetic = limits.vendor_gemm = limits.tensor_cores = limits.tf32_tensor_cores = limits.int8_storage = true;
    limits.device_class = DeviceClass::gpu;
    limits.subgroup_size = 32;
    std::set<std::string> sources;
    const std::vector<SelftestCase> cases = selftest_cases(Backend::cuda, limits, false);
    // The GEMM's staging and the tensor cores, at each precision they take, are among them.
    for (Precision precision : {Precision::fp16_mixed, Precision::tf32, Precision::split_tf32, Precision::int8, Precision::int8_io})
        CHECK(std::any_of(cases.begin(), cases.end(), [&](const SelftestCase& c) {
            return c.config.params[Param::tensor_cores][0] != 0 && c.config.precision == precision;
        }));
    CHECK(std::any_of(cases.begin(), cases.end(), [](const SelftestCase& c) { return c.config.params[Param::gemm_staging][0] == 1; }));
    // And the warps that share their loads, at int8 too.
    for (Precision precision : {Precision::fp32, Precision::int8})
        CHECK(std::any_of(cases.begin(), cases.end(), [&](const SelftestCase& c) {
            return c.config.params[Param::gemm_subgroup][0] == 32 && c.config.precision == precision;
        }));
    // And the backward-data kernels, which read the filters turned and transposed.
    CHECK(std::count_if(cases.begin(), cases.end(), [](const SelftestCase& c) { return c.config.pass == Pass::backward_data; }) >= 10);
    // And backward-filter's, which gather x's rows and dy's chunks.
    CHECK(std::count_if(cases.begin(), cases.end(), [](const SelftestCase& c) { return c.config.pass == Pass::backward_filter; }) >= 10);
    for (const SelftestCase& c : cases)
        for (const EmittedKernel& k : make_plan(c.shape, c.config, Backend::cuda).kernels) {
            if (!sources.insert(k.source).second) continue;
            INFO(c.name << ": " << k.name);
            const CudaBinary binary = compile_cuda(k.source, k.name, 90);
            REQUIRE(ptxas_report(binary.log));
            CHECK(ptxas_report(binary.log)->spill_bytes == 0);
        }
    CHECK(sources.size() > 40);
}
