// The layer a kernel set is made for, and the contract between the kernels and
// whatever runs them: the tiling, every buffer's size, and the argument block
// (push constants on Vulkan, a by-value struct on CUDA) that the emitter
// declares and the runtime fills from the one definition below.
// NCHW input and output, KCRS filters, stride 1, zero padding per side.
#pragma once

#include "templates/kernel_kinds.hpp"

#include <wino/shape.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wino {

// The range of each size of a layer, stated once: every source of a layer
// (--input-shape, --filters, --filter-shape, --pad, a layer file, a .npy
// header, an ONNX model, a tuning database) is read against it before
// anything is narrowed, and within it the padded extents and tile counts
// cannot overflow. A size is a member of the shape, or (side) of its padding.
struct LayerField {
    const char* name;  // "N", ..., "S", "pad_top", ...: as layer files, JSON and the tuning database name it
    int ConvShape::*member;
    int Padding::*side;
    long long min, max;
    int get(const ConvShape& shape) const { return member ? shape.*member : shape.pad.*side; }
    void set(ConvShape& shape, int value) const { (member ? shape.*member : shape.pad.*side) = value; }
};
// N, C, H, W, K, R, S, pad_top, pad_bottom, pad_left, pad_right.
inline constexpr std::size_t layer_field_count = 11;
// The most channels (and images, filters, pad a side) a layer has.
inline constexpr int max_channels = 1 << 16;
const std::vector<LayerField>& layer_fields();
const LayerField& layer_field(std::string_view name);  // throws std::logic_error for a name not in the table

// The shape of the fields' values in their order; throws InputError naming
// the first field out of its range (and `context`, e.g. "layers.txt:3: ",
// before it).
ConvShape checked_shape(const std::array<long long, layer_field_count>& values, const std::string& context = "");
// The same for a shape already held, e.g. from flags parsed as int.
void check_ranges(const ConvShape& shape, const std::string& context = "");

// A filter's size as --filter-shape and layer lists write it: "R,S" (or
// "RxS"), "S" for a 1D layer's (R = 1), or "R" for R×R where `one_number_is`
// says square. Throws InputError naming `what`.
std::pair<int, int> parse_filter_shape(const std::string& text, const std::string& what, bool one_number_is_square);
// Padding as --pad takes it: "P" every side, "PH,PW" rows and columns,
// "top,bottom,left,right", or "same" (Padding::same of the R×S filter).
// Throws InputError naming `what`.
Padding parse_padding(const std::string& text, int R, int S, const std::string& what);
// How messages and layer lists write it back: "1", "0,3", "0,1,0,1".
std::string padding_text(const Padding& pad);
// "3x3", "1x7": a filter's size.
std::string filter_text(const ConvShape& shape);
// "1x192x17x17 -> 192, 1x7, pad 0,3": a layer as messages write it.
std::string layer_text(const ConvShape& shape);
// {"N": 1, ..., "S": 7, "pad_top": 0, ...}: every layer field by its name, as
// JSON outputs and the tuning export write a layer.
nlohmann::ordered_json layer_json(const ConvShape& shape);
// A tile (or a filter's R, S) in JSON: one number when square, as earlier
// versions wrote m and r, else [h, w].
nlohmann::ordered_json tile_json(TileSize tile);

// How a variant tiles a layer (all zero but k_padded for the direct kernel).
// U and V are read 4 values at a time, so K and the tile count are padded to
// groups of 4: the rows of U, V and M.
// alpha_h·alpha_w tile positions (alpha_h = m.h + R − 1, alpha_w = m.w + S − 1).
// U and V hold the channels in words of `channel_lanes` (4 int8 codes at the
// quantized precisions, else 1): channel_words of them, the GEMM's reduction;
// and a tap's values in `operand_parts` planes (split-int8's high and low
// codes, else 1), which the GEMM multiplies into `product_planes` planes of M
// a tap (CodeSplit's products).
struct OperandPacking {
    int channel_lanes = 1, operand_parts = 1, product_planes = 1;
};
struct Tiling {
    long long alpha_h = 0, alpha_w = 0, tiles_h = 0, tiles_w = 0, tiles = 0, k_padded = 0, tiles_padded = 0;
    long long channel_words = 0;
    OperandPacking packing;
    long long positions() const { return alpha_h * alpha_w; }
    long long operand_planes() const { return positions() * packing.operand_parts; }
    long long product_planes() const { return positions() * packing.product_planes; }
};

Tiling tiling_of(const ConvShape& shape, Variant variant, TileSize m, OperandPacking packing = {});

// Values in a buffer for this layer and tiling (U and V: channel_words words a row of k or tiles).
long long buffer_floats(BufferId buffer, const ConvShape& shape, const Tiling& tiling);

// Precision int8's scales buffer: each tap's V quantization factor (127 /
// clip), then per tap and filter U's (127 / clip), then their dequantization
// factor (the product of the two scales, clip_U·clip_V / 127²), then
// int8-io's coding of its tensors (TensorQuantization). Its index of a
// region's entry: region v_inverse is [tap], tensors [field] (TensorField),
// the others [tap·K + k].
enum class ScaleRegion { v_inverse, u_inverse, dequantize, tensors };
// The tensors region's entries, as floats: the output's is 1 / scale, which
// the kernels multiply by.
enum class TensorField { input_scale, input_zero_point, output_inverse_scale, output_zero_point, count };
long long int8_scale_index(ScaleRegion region, long long positions, long long K, long long tap, long long k = 0);
long long int8_scale_index(TensorField field, long long positions, long long K);

// The kernels' argument block, every field a 32-bit int, in this order. The
// emitter writes the GLSL push-constant block and the CUDA struct from these
// names; the runtime passes the bytes of a KernelArgs.
// pad_top, pad_left: where the output's first row and column start in the
// input (the bottom and right padding only decide out_h and out_w);
// k_quads, p_quads: K and P (the tile count) in groups of 4, the padded widths;
// c_words: the words U and V hold a channel position in (Tiling::channel_words).
// The first fields are the pass_shape's, what the kernels compute; layer_*
// are the layer's own, which backward-filter's gathers of x and dy index by.
#define WINO_KERNEL_ARGS(FIELD) \
    FIELD(N) FIELD(C) FIELD(H) FIELD(W) FIELD(K) FIELD(pad_top) FIELD(pad_left) FIELD(out_h) FIELD(out_w) FIELD(tiles_h) FIELD(tiles_w) \
    FIELD(P) FIELD(k_quads) FIELD(p_quads) FIELD(layer_N) FIELD(layer_C) FIELD(layer_H) FIELD(layer_W) FIELD(layer_R)         \
    FIELD(layer_out_h) FIELD(layer_out_w) FIELD(layer_pad_top) FIELD(layer_pad_left) FIELD(c_words)

struct KernelArgs {
#define WINO_ARG_FIELD(name) std::int32_t name;
    WINO_KERNEL_ARGS(WINO_ARG_FIELD)
#undef WINO_ARG_FIELD
};

const std::vector<std::string>& kernel_arg_names();

// Throws InputError when a value does not fit the kernels' 32-bit ints.
// `shape` is the pass_shape of `layer`.
KernelArgs kernel_args(const ConvShape& layer, const ConvShape& shape, const Tiling& tiling);

}  // namespace wino
