// The in-process GLSL compiler (Vulkan part): every emitted GLSL kernel
// compiles to SPIR-V.
#include "runtime/glsl_compiler.hpp"
#include <wino/errors.hpp>
#include "templates/emitter.hpp"
#include "recipes/recipe_db.hpp"
#include "templates/precision.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <unistd.h>

using namespace wino;

TEST_CASE("every GLSL kernel compiles for m 2/4/6, r 3/5 and each unroll factor") {
    for (int r : {3, 5})
        for (int m : {2, 4, 6}) {
            const RecipeSet s = recipes_for(m, r, default_points(m + r - 1), {});
            for (int unroll : {0, 1, 2, 4, 6}) {
                KernelParams p;
                p[Param::unroll][0] = unroll;
                for (Variant v : {Variant::fused, Variant::nonfused})
                    for (const EmittedKernel& k : emit_variant(v, ConvAlgorithm::square(s), p, Backend::glsl)) {
                        INFO(k.name << " unroll " << unroll);
                        CHECK_NOTHROW(compile_glsl(k.source));
                    }
            }
        }
}

// GLSL's tensor-core GEMM (fp16-mixed) in SPIR-V: cooperative matrices
// (SPV_NV_cooperative_matrix) under the Vulkan memory model, one MulAdd a
// warp tile and block in the loop over whole blocks and one in the tail,
// each fragment loaded once a block; and spirv-val, for Vulkan 1.2, finds
// nothing wrong. lavapipe has no cooperative matrices, so this and the
// emulated run (test_conv2d) are what is checked here; NVIDIA's driver runs
// them in gpu-check.
TEST_CASE("GLSL's tensor-core GEMM is cooperative matrices, one MulAdd a warp tile and block, valid SPIR-V") {
    const RecipeSet s = recipes_for(4, 3, default_points(6), optimizer_options(Precision::fp16_mixed));
    struct Block {
        ParamValue threads, registers;
        const char* staging;
        int tiles_k, tiles_p;  // a warp's
    };
    // The GPU's 2x32 threads at 8x8 (two warps of 1x16 tiles), and 8x8 threads at 4x4 (two of 1x4).
    for (const Block& b : {Block{{2, 32}, {8, 8}, "double", 1, 16}, Block{{8, 8}, {4, 4}, "shared", 1, 4}}) {
        KernelParams p = default_params(Backend::cuda);
        p[Param::tensor_cores][0] = 1;
        p[Param::gemm_threads] = b.threads;
        p[Param::gemm_registers] = b.registers;
        p[Param::gemm_staging] = parse_value(param_spec(Param::gemm_staging), b.staging, ParamNaming::key);
        const EmittedKernel k = emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), p, Backend::glsl, Precision::fp16_mixed);
        INFO(k.name);
        CHECK(k.subgroups);
        const std::vector<std::uint32_t> spirv = compile_glsl(k.source);
        // Opcodes and capabilities of SPIR-V's registry: OpCapability 17; CooperativeMatrixNV 5357,
        // VulkanMemoryModel 5345; OpCooperativeMatrixLoadNV 5359, OpCooperativeMatrixMulAddNV 5361.
        std::map<int, int> opcodes;
        std::set<std::uint32_t> capabilities;
        for (std::size_t i = 5; i < spirv.size(); i += spirv[i] >> 16) {
            ++opcodes[static_cast<int>(spirv[i] & 0xffff)];
            if ((spirv[i] & 0xffff) == 17) capabilities.insert(spirv[i + 1]);
        }
        CHECK(capabilities.count(5357));
        CHECK(capabilities.count(5345));
        CHECK(opcodes[5361] == 2 * b.tiles_k * b.tiles_p);
        CHECK(opcodes[5359] == 2 * (b.tiles_k + b.tiles_p));
        const std::filesystem::path file =
            std::filesystem::temp_directory_path() / fmt::format("wino-cooperative-{}-{}.spv", ::getpid(), k.name);
        std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(spirv.data()),
                                                    static_cast<std::streamsize>(4 * spirv.size()));
        const int validated = std::system(fmt::format("spirv-val --target-env vulkan1.2 {} 2>&1", file.string()).c_str());
        std::filesystem::remove(file);
        CHECK(validated == 0);
    }
}

// Vulkan asks a cooperative load's and store's pointer and stride to be
// aligned to the lesser of 16 bytes and a row's (column's) natural alignment:
// 16 bytes for every fragment here (a column of U is 16 binary16 values, a row
// of V 8, a row of the sums 8 floats). The staged blocks' rows, padded as
// GemmBlock pads them, and their buffers are; so is each tile's first element
// (16 filters, 8 tiles). Every block shape of the tuner's candidates that
// splits into warps' tiles.
TEST_CASE("GLSL's tensor-core GEMM loads its fragments at 16-byte-aligned offsets and strides") {
    const RecipeSet s = recipes_for(4, 3, default_points(6), optimizer_options(Precision::fp16_mixed));
    static const std::regex load(R"(TC_LOAD_[AB]\([ab]\d+, staged_[uv], stage \* (\d+) \+ tile_([kp])\d+, (\d+)\))");
    int shapes = 0;
    for (const ParamValue& threads : param_spec(Param::gemm_threads).candidates)
        for (const ParamValue& registers : param_spec(Param::gemm_registers).candidates)
            for (const char* staging : {"shared", "double"}) {
                KernelParams p;
                p[Param::tensor_cores][0] = 1;
                p[Param::gemm_threads] = threads;
                p[Param::gemm_registers] = registers;
                p[Param::gemm_staging] = parse_value(param_spec(Param::gemm_staging), staging, ParamNaming::key);
                try {
                    check_params(p, {.kinds = {KernelKind::gemm}, .backend = Backend::glsl, .precision = Precision::fp16_mixed});
                } catch (const InputError&) {
                    continue;  // the block does not split into 16x8 tiles a warp
                }
                const EmittedKernel k = emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), p, Backend::glsl, Precision::fp16_mixed);
                INFO(k.name);
                int loads = 0;
                for (std::sregex_iterator it(k.source.begin(), k.source.end(), load), end; it != end; ++it, ++loads) {
                    constexpr int half_bytes = 2;
                    CHECK(std::stoi((*it)[1]) * half_bytes % 16 == 0);  // a staged buffer
                    CHECK(std::stoi((*it)[3]) * half_bytes % 16 == 0);  // a channel's row
                }
                CHECK(loads > 0);
                ++shapes;
            }
    CHECK(shapes >= 8);
}
