// NVRTC in process (no GPU needed): emitted kernels compile with ptxas's
// register and spill report, which the executor checks against the device
// before anything is loaded. Built with the CUDA toolkit only.
#include "cuda_compiler.hpp"
#include "emitter.hpp"
#include <wino/errors.hpp>
#include "executor.hpp"
#include "recipe_db.hpp"

#include <catch2/catch.hpp>

using namespace wino;

TEST_CASE("NVRTC compiles the 16-bit kernels (PTX f16, no cuda_fp16.h) with an epilogue, without spills") {
    Epilogue epilogue;
    epilogue.bias = true;
    epilogue.activation = Activation::leaky_relu;
    for (Precision precision : {Precision::fp16_storage, Precision::fp16, Precision::fp16_io}) {
        const RecipeSet recipes = recipes_for(4, 3, default_points(6), optimizer_options(precision));
        for (Variant v : {Variant::nonfused, Variant::fused})
            for (const EmittedKernel& k :
                 emit_variant(v, ConvAlgorithm::square(recipes), default_params(Backend::cuda), Backend::cuda, precision, epilogue)) {
                INFO(k.name);
                const CudaBinary binary = compile_cuda(k.source, k.name, 80);
                CHECK(binary.cubin.size() > 1000);
                CHECK(binary.spill_bytes == 0);
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
        CHECK(binary.registers >= 8);
        CHECK(binary.registers <= 255);
        CHECK(binary.spill_bytes == 0);
        CHECK(compile_cuda(k.source, k.name, 90).cubin == binary.cubin);  // cached
        // Registers go to warps of 32 threads in units of 256.
        const auto needed = static_cast<std::uint32_t>((32 * binary.registers + 255) / 256 * 256 * ((k.workgroup_size + 31) / 32));
        DeviceLimits limits{1024, {65535, 65535, 65535}, 49152};
        limits.max_registers = needed;
        CHECK_NOTHROW(check_registers(k, binary.registers, limits));
        limits.max_registers = needed - 1;
        CHECK_THROWS_AS(check_registers(k, binary.registers, limits), DeviceError);
        CHECK_THROWS_WITH(check_registers(k, binary.registers, limits), Catch::Contains(k.name));
    }
    CHECK_THROWS_AS(compile_cuda("__global__ void broken( {", "broken", 90), DeviceError);
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
                    CHECK(binary.spill_bytes == 0);
                }
        }
}
