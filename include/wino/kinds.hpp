// What a kernel set is for: the language its kernels are written in (and so
// the API that runs them), and the variant, the way a convolution is split
// into kernels.
#pragma once

namespace wino {

// glsl: Vulkan compute shaders; cuda: CUDA kernels.
enum class Backend { glsl, cuda };

// nonfused: filter transform, input transform, batched GEMM, output transform;
// fused: one kernel a tile; direct: the plain correlation, the reference kernel.
enum class Variant { fused, nonfused, direct };

}  // namespace wino
