// The in-process GLSL compiler (Vulkan part): every emitted GLSL kernel
// compiles to SPIR-V.
#include "runtime/glsl_compiler.hpp"
#include "templates/emitter.hpp"
#include "recipes/recipe_db.hpp"

#include <catch2/catch.hpp>

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
