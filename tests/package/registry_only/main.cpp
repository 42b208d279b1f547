// Each generated set is found in its registry, with its kernels: SPIR-V words
// for GLSL, a kernel's source for CUDA.
#include "nvrtc_kernels.hpp"
#include "spirv_kernels.hpp"

#include <cstdio>
#include <cstring>

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

}  // namespace

int main() {
    using wino::Variant;
    const wino::Registry& spirv = spirv_kernels::registry();
    expect(spirv.sets.size() == 4, "the GLSL registry holds F(4,3) and F(1x4,1x7), nonfused and fused");
    const wino::KernelSet* f4 = spirv.find(wino::TileSize(4), 3, 3, Variant::nonfused);
    expect(f4 && f4->kernels.size() == 4, "F(4,3) nonfused has its four kernels");
    bool words = f4 != nullptr;
    for (const wino::GeneratedKernel& k : f4 ? f4->kernels : std::span<const wino::GeneratedKernel>{})
        words = words && !k.spirv.empty() && k.spirv[0] == 0x07230203u;  // SPIR-V's magic number
    expect(words, "every kernel of it is SPIR-V");
    expect(spirv.find(wino::TileSize(1, 4), 1, 7, Variant::fused) != nullptr, "F(1x4,1x7) fused is found");
    const wino::KernelSet* f2 = nvrtc_kernels::registry().find(wino::TileSize(2), 5, 5, Variant::nonfused);
    expect(f2 && !f2->kernels.empty() && std::strstr(f2->kernels[0].source, "__global__") != nullptr,
           "F(2,5)'s CUDA kernels are sources for NVRTC");
    return failures == 0 ? 0 : 1;
}
