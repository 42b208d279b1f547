// The kernel emitter: fills the neutral templates (kernels/*.tmpl) from recipes
// and prepends the backend prelude and interface, giving GLSL compute shaders or
// CUDA kernels with the same logic. The emitter reads recipes, never matrices.
#pragma once

#include "optimizer.hpp"

#include <map>
#include <string>
#include <vector>

namespace wino {

enum class Backend { glsl, cuda };
enum class KernelKind { filter_transform, input_transform, gemm, output_transform, fused, direct };
enum class Variant { fused, nonfused, direct };

Backend parse_backend(const std::string& name);
Variant parse_variant(const std::string& name);
const char* to_string(KernelKind kind);
const char* to_string(Variant variant);

// Tuning parameters of the emitted kernels (EuroSys'20 Table 1).
struct KernelParams {
    int unroll = 0;              // transform loops: 1, 2, 4, 6...; 0 = full
    int workgroup_size = 64;     // 1D kernels
    int gemm_wg_k = 1, gemm_wg_p = 8;    // GEMM threads per workgroup along k and p
    int gemm_reg_k = 16, gemm_reg_p = 8; // GEMM register tile, multiples of 4
    int fused_wg_k = 16, fused_wg_p = 4; // fused: filters × tiles per workgroup
    // Tiles per input/output transform thread: 4 moves V and M 4 values at a
    // time (cheap on lavapipe), 1 keeps registers low (CUDA spills at alpha 8).
    int transform_tiles = 4;
    // The output transform stores each row of a tile 4 values at a time; needs
    // m and the output width W' to be multiples of 4 (validate_shape checks).
    bool vector_rows = false;
};

// The parameters to start from on a backend.
KernelParams default_params(Backend backend);

// Throws InputError unless every size is positive, the GEMM register tile is
// made of whole groups of 4 (U and V are read 4 values at a time) and
// transform_tiles is 1 or 4.
void validate_params(const KernelParams& params);

struct BufferSpec {
    std::string name;
    bool writes;
    int width = 1;  // floats per element the kernel reads or writes: 1 or 4
};

struct EmittedKernel {
    KernelKind kind;
    std::string name;    // e.g. winograd_f4_3_input_transform
    std::string source;  // complete GLSL or CUDA translation unit
    int workgroup_size;
    std::vector<BufferSpec> buffers;  // in binding / argument order
};

// The push-constant / parameter block shared by every kernel, in order.
const std::vector<std::string>& kernel_parameter_names();

// `recipes` may be null for the direct kernel.
EmittedKernel emit_kernel(KernelKind kind, const RecipeSet* recipes, int r, const KernelParams& params,
                          Backend backend);

// The kernels of a variant in launch order (fused: filter transform, fused;
// nonfused: filter, input, gemm, output; direct: direct).
std::vector<EmittedKernel> emit_variant(Variant variant, const RecipeSet* recipes, int r, const KernelParams& params,
                                        Backend backend);

// The three 1D transforms of a recipe set as __host__ __device__ functions
// (winograd_f<m>_<r>_{input,filter,output}(x, x_stride, y, y_stride)), for CUDA
// code and for host C++ alike.
std::string emit_transform_header(const RecipeSet& recipes);

// Replaces every %(name); throws std::logic_error naming a placeholder without a
// value or a value without a placeholder.
std::string fill_template(const std::string& text, const std::map<std::string, std::string>& values);

// "full" → 0, a positive number → itself; anything else is an InputError.
int parse_unroll(const std::string& text);

// The divisor of n closest to the requested unroll factor; n (the full loop)
// for 0 or when n has no divisor but 1 and itself.
int effective_unroll(int n, int requested);

}  // namespace wino
