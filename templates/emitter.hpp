// The kernel emitter: fills a kind's neutral template (kernels/<kind>.tmpl)
// with the values its table entry computes from recipes and parameters, and
// puts the backend's preamble before it, giving GLSL compute shaders or CUDA
// kernels with the same logic. The emitter reads recipes, never matrices.
#pragma once

#include "templates/backends.hpp"
#include "templates/kernel_kinds.hpp"
#include "templates/kernel_params.hpp"
#include "recipes/optimizer.hpp"
#include "templates/epilogue.hpp"
#include "templates/passes.hpp"
#include "templates/precision.hpp"

#include <string>
#include <vector>

namespace wino {

struct EmittedKernel {
    KernelKind kind;
    std::string name;    // kernel_name()
    std::string source;  // complete GLSL or CUDA translation unit
    int workgroup_size;
    std::vector<BufferUse> buffers;  // in binding / argument order
    // Its threads counted by subgroups, which share loads (Param::gemm_subgroup)
    // or hold cooperative matrices (Param::tensor_cores in GLSL): a Vulkan
    // pipeline of it asks for full subgroups.
    bool subgroups = false;
};

// The systematic name of a kernel: wino_f<m>_<r>_<kind> (wino_direct_r<r> for
// the direct kernel; F(m×n, r×s) off the square: wino_f4x2_3x5_<kind>,
// wino_direct_r1x7), then the value of every parameter that shapes the kind,
// each as its tag and value: wino_f4_3_gemm_t1x8_r16x8,
// wino_f4_3_input_transform_ufull_wg64_tt4. Every shaping parameter is named,
// defaults included, so a name keeps its meaning when a default changes. A
// kernel that binds a 16-bit buffer names its precision after the kind
// (wino_f4_3_gemm_hs_t1x8_r16x8), and a transform at points other than the
// default names them by points_tag (wino_f4_3_input_transform_p1c2d3e4f_...).
// A kernel that writes the output names its epilogue, if any, after those
// (wino_f4_3_output_transform_bias_relu6_...). A kernel that reads the
// filters names a pass other than forward after the kind
// (wino_f4_3_filter_transform_bd_...): the others compute alike in every pass.
std::string kernel_name(KernelKind kind, const ConvAlgorithm& algorithm, const KernelParams& params,
                        Precision precision = Precision::fp32, const Epilogue& epilogue = {}, Pass pass = Pass::forward);

// The systematic name of a variant's kernel set, the CUTLASS way:
// wino_f<m>_<r>_<variant> (wino_direct_r<r>), then every parameter that shapes
// one of its kernels: wino_f4_3_nonfused_ufull_wg64_tt4_t1x8_r16x8, its pass
// other than forward after the variant (wino_f4_3_nonfused_bd_...), its
// precision where one of its kernels binds a 16-bit buffer, then its points'
// tag where `points` (as ConvConfig holds them) are not the default, then its
// epilogue's.
std::string kernel_set_name(Variant variant, TileSize m, int r, int s, const KernelParams& params,
                            Precision precision = Precision::fp32, const std::string& points = "",
                            const Epilogue& epilogue = {}, Pass pass = Pass::forward);

// The kinds that do not need recipes take a direct algorithm. Throws
// InputError for parameters out of range.
// The largest kernel source emitted (the largest standard kernel, F(10,7)
// fused with full unroll, is 160 KB): past it a compiler takes minutes.
inline constexpr std::size_t max_kernel_bytes = 2 << 20;

// Throws InputError for a kernel past max_kernel_bytes.
EmittedKernel emit_kernel(KernelKind kind, const ConvAlgorithm& algorithm, const KernelParams& params,
                          Backend backend, Precision precision = Precision::fp32, const Epilogue& epilogue = {},
                          Pass pass = Pass::forward);

// The kernels of a variant in launch order.
std::vector<EmittedKernel> emit_variant(Variant variant, const ConvAlgorithm& algorithm, const KernelParams& params,
                                        Backend backend, Precision precision = Precision::fp32,
                                        const Epilogue& epilogue = {}, Pass pass = Pass::forward);

}  // namespace wino
