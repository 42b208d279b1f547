// The kernel kinds and variants as data. One entry per kind says everything
// about it that is not in its template (kernels/<name>.tmpl): the buffers it
// binds, its workgroup size, its launch grid, and the values its placeholders
// take (the meta-code that writes the unrolled transform bodies). A variant is
// a list of kinds in launch order.
#pragma once

#include <wino/kinds.hpp>
#include <wino/shape.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wino {

struct RecipeSet;
struct Dialect;
struct Tiling;
class KernelParams;

enum class KernelKind { filter_transform, input_transform, gemm, output_transform, fused, direct };
// scales: precision int8's quantization and dequantization factors (layer.hpp's int8_scale_index).
enum class BufferId { images, filters, u, v, product, result, bias, scales };

const char* to_string(BufferId buffer);  // its name in the kernels: "images", "u", ...

// A buffer as a kernel binds it: read, or written, `width` floats at a time.
struct BufferUse {
    BufferId buffer;
    bool writes;
    int width = 1;  // 1 or 4
    bool half = false;  // 16-bit elements (precision.hpp)
    bool integer = false;  // int32 words (precision int8's U and V codes, and M's sums)
    bool int8 = false;     // int8 codes (precision int8-io's input and output)
};

using TemplateValues = std::map<std::string, std::string>;

// What the product (the GEMM's, the fused kernel's) does to its operands
// before it multiplies them: takes them as read (fp32, or binary16 from a
// 16-bit buffer); rounds each to TF32, a 10-bit significand, to nearest with
// ties away from zero (PTX's cvt.rna.tf32.f32); or splits each into a TF32
// part and the TF32 rounding of the rest, and sums big·small, small·big and
// big·big in that order (CUTLASS's 3xTF32: small·small is left out); or
// takes int8 codes, packed 4 channels a 32-bit word (the transforms quantize
// them, per tap, through the scales buffer), and sums 4-way dot products in
// int32 (dp4a): the GEMM's working type is then int, its reduction runs over
// the words, and M holds the exact int32 sums; or quantizes them to 16-bit
// codes q, each held as two int8 codes (its high and low parts, CodeSplit), and
// sums the products of the parts that CodeSplit lists, each in a GEMM of its
// own (M's planes), into int32. The kernels spell it PRODUCT(a, b) and
// PRODUCT_FMA(a, b, c) (the preamble).
enum class ProductOperands { as_read, tf32, split_tf32, int8, split_int8 };
// Channels a 32-bit word of U and V holds.
inline constexpr int int8_channels_a_word = 4;
// The largest |code| (clamped to ±127, never −128), and the most channels
// whose sum of code products an int32 holds whatever the codes: a word's 4
// lanes of 127², over the words, within 2^31 − 1 (C = 133,144).
inline constexpr long long int8_largest_code = 127;
inline constexpr long long int8_largest_channels =
    std::numeric_limits<std::int32_t>::max() / (int8_channels_a_word * int8_largest_code * int8_largest_code) * int8_channels_a_word;

// Precision split-int8's codes, Ozaki's splitting on int8 products: a 16-bit
// code q, |q| <= largest_code, is high·radix + low with high = floor((q +
// radix/2) / radix), so high lies in ±127 and low in [−128, 127]. A product
// of two codes is radix²·high·high + radix·(high·low + low·high) + low·low.
// M holds two int32 planes a tap: high·high, summed over the channels' words,
// and high·low + low·high, one sum over twice the words, U's parts stored
// (high, low) against V's stored (low, high) (u_plane, v_plane). low·low is
// left out (as CUTLASS's 3xTF32 leaves out small·small): at most 2^14 of a
// product's 2^30, it errs about as much as the two codes' roundings do
// together, and a product of its own would cost a third more.
struct CodeSplit {
    static constexpr long long radix = 256;
    static constexpr int radix_bits = 8;
    static constexpr long long largest_code = int8_largest_code * (radix + 1);  // 32,639: high and low both in ±127
    static constexpr int parts = 2;   // U's and V's planes a tap: 0 high, 1 low
    static constexpr int planes = 2;  // M's planes a tap: high·high, then high·low + low·high
    // The planes' weights in a product of codes.
    static constexpr long long high_weight = radix * radix, mixed_weight = radix;
    static constexpr int u_plane(int part) { return part; }
    static constexpr int v_plane(int part) { return parts - 1 - part; }
    static constexpr long long high(long long q) { return (q + radix / 2) >> radix_bits; }
    static constexpr long long low(long long q) { return q - (high(q) << radix_bits); }
};
// Whether the product's operands are codes (int8, split-int8).
inline bool quantized(ProductOperands operands) { return operands == ProductOperands::int8 || operands == ProductOperands::split_int8; }
// The planes of U and V a tap has at a product's operands, and of M.
int operand_parts(ProductOperands operands);
int product_planes(ProductOperands operands);
// The largest |code| of the quantized products' operands (int8: 127; split-int8: CodeSplit's).
long long largest_code(ProductOperands operands);
// What the dequantization multiplies M's first plane by beside the steps: 1,
// or split-int8's radix² (high·high's weight in a product of codes).
long long high_product_weight(ProductOperands operands);
// The most one channel adds to a plane of M: 127², or split-int8's high·low +
// low·high, 2·127·128.
long long largest_plane_product(ProductOperands operands);
// The most channels whose sums of code products an int32 holds whatever the codes, at split-int8.
inline constexpr long long split_int8_largest_channels =
    std::numeric_limits<std::int32_t>::max() / (int8_channels_a_word * 2 * int8_largest_code * (CodeSplit::radix / 2)) * int8_channels_a_word;

// What a kernel set computes: an R×S correlation, by Winograd F(m_h×m_w, R×S)
// through one 1D recipe set per axis (h: over each column of a tile, along
// its rows; w: over each row), or directly where it has none. An axis whose
// filter size is 1 is F(1,1), the identity: a 1D layer, or 1×7.
struct ConvAlgorithm {
    int r = 3, s = 3;
    const RecipeSet* h = nullptr;
    const RecipeSet* w = nullptr;
    bool winograd() const { return h != nullptr; }
    TileSize m() const;  // a Winograd algorithm's
    static ConvAlgorithm square(const RecipeSet& set);  // the same F(m,r) on both axes
    static ConvAlgorithm winograd2d(const RecipeSet& h, const RecipeSet& w);
    static ConvAlgorithm direct(int r, int s);
};

// "f4_3" for F(4×4, 3×3), "f4x2_3x5" for F(4×2, 3×5): the algorithm's part of
// kernel and set names.
std::string algorithm_tag(TileSize m, int r, int s);
// "F(4,3)", "F(4x2,3x5)": how messages name it.
std::string algorithm_text(TileSize m, int r, int s);
// The alpha that --points are given for: that of the axes the filter is
// longer than 1 along (validate_axes makes them agree), else alpha_w.
int points_alpha(TileSize m, int r, int s);

struct KindSpec {
    KernelKind kind;
    const char* name;  // also its template's name and its part of the kernel names
    bool per_weight;   // runs once per weight tensor (set_filters), not per input
    bool needs_recipes;
    bool multiplies;  // computes the Winograd product (PRODUCT: ProductOperands shape its code)
    std::vector<BufferUse> (*buffers)(const KernelParams& params);
    int (*workgroup_size)(const KernelParams& params);
    std::array<std::uint32_t, 3> (*groups)(const ConvShape& shape, const Tiling& tiling, const KernelParams& params,
                                           int workgroup_size);
    // Kinds that need recipes get a Winograd algorithm; `operands` is the
    // precision's (int8 changes what the transforms store and read).
    TemplateValues (*values)(const ConvAlgorithm& algorithm, const KernelParams& params, const Dialect& dialect,
                             ProductOperands operands);
};

struct VariantSpec {
    Variant variant;
    const char* name;
    bool winograd;                  // tiles the layer (m applies)
    std::vector<KernelKind> kinds;  // in launch order
};

// The product sums the channels of a block apart, from zero, and then adds the
// block to the running sum: the rounding chain over C is C / block + block long
// instead of C, which is most of the layer error at C >= 64 (issue 15), for one
// add per block. The GEMM, the fused kernel and the layer error model all sum so.
inline constexpr int product_sum_block = 8;

// The tensor cores' tile (tensor_cores): M x N x K = 16 filters x 8 tiles x a
// block of 8 channel words, a warp's (a subgroup of 32's) mma.m16n8k8 in CUDA
// (m16n8k32 of int8 codes) and its cooperative matrices in GLSL
// (prelude.coop.glsl).
inline constexpr std::array<int, 3> tensor_core_tile = {16, 8, product_sum_block};
inline constexpr int tensor_core_lanes = 32;

// Shared memory a GEMM workgroup stages U and V in (gemm_staging), in bytes at
// 4 bytes a value; 0 where its threads read global memory. GLSL's tensor-core
// GEMM stages binary16 values, which cooperative matrices load, and stores
// each 16x8 tile of fp32 sums through shared memory, one tile a warp
// (prelude.coop.glsl).
long long gemm_shared_bytes(const KernelParams& params, Backend backend);

// Shared memory a fused workgroup needs at `positions` = alpha_h·alpha_w, in
// bytes at 4 bytes a value: a block of channels of its U and V, or its running
// sums at the end, whichever is more (fused.tmpl).
long long fused_shared_bytes(const KernelParams& params, int positions);
// The running sums a fused thread holds: its positions × its register tile.
int fused_sums(const KernelParams& params, int positions);

const std::vector<KindSpec>& kernel_kinds();
const KindSpec& spec_of(KernelKind kind);
const std::vector<VariantSpec>& variants();
const VariantSpec& spec_of(Variant variant);
const char* to_string(KernelKind kind);
const char* to_string(Variant variant);
// Throws InputError naming the variants.
// `what` names the text in the message ("--variant").
Variant parse_variant(const std::string& name, std::string_view what);

}  // namespace wino
