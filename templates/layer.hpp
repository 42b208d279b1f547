// The layer a kernel set is made for, and the contract between the kernels and
// whatever runs them: the tiling, every buffer's size, and the argument block
// (push constants on Vulkan, a by-value struct on CUDA) that the emitter
// declares and the runtime fills from the one definition below.
// NCHW float32 input and output, KCRS filters, stride 1, zero padding.
#pragma once

#include "kernel_kinds.hpp"

#include <wino/shape.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wino {

// The range of each size of a layer, stated once: every source of a layer
// (--input-shape, --filters, --r, --pad, a layer file, a .npy header, an ONNX
// model, a tuning database) is read against it before anything is narrowed,
// and within it the padded extents and tile counts cannot overflow.
struct LayerField {
    const char* name;  // "N", ..., "pad": as layer files and JSON name it
    int ConvShape::*member;
    long long min, max;
};
const std::vector<LayerField>& layer_fields();

// The shape of N, C, H, W, K, R, pad; throws InputError naming the first
// field out of its range (and `context`, e.g. "layers.txt:3: ", before it).
ConvShape checked_shape(const std::array<long long, 7>& values, const std::string& context = "");
// The same for a shape already held, e.g. from flags parsed as int.
void check_ranges(const ConvShape& shape, const std::string& context = "");

// How a variant tiles a layer (all zero but k_padded for the direct kernel).
// U and V are read 4 values at a time, so K and the tile count are padded to
// groups of 4: the rows of U, V and M.
struct Tiling {
    long long alpha = 0, tiles_h = 0, tiles_w = 0, tiles = 0, k_padded = 0, tiles_padded = 0;
};

Tiling tiling_of(const ConvShape& shape, Variant variant, int m);

// Floats in a buffer for this layer and tiling.
long long buffer_floats(BufferId buffer, const ConvShape& shape, const Tiling& tiling);

// The kernels' argument block, every field a 32-bit int, in this order. The
// emitter writes the GLSL push-constant block and the CUDA struct from these
// names; the runtime passes the bytes of a KernelArgs.
// k_quads, p_quads: K and P (the tile count) in groups of 4, the padded widths.
#define WINO_KERNEL_ARGS(FIELD) \
    FIELD(N) FIELD(C) FIELD(H) FIELD(W) FIELD(K) FIELD(pad) FIELD(out_h) FIELD(out_w) FIELD(tiles_h) FIELD(tiles_w) \
    FIELD(P) FIELD(k_quads) FIELD(p_quads)

struct KernelArgs {
#define WINO_ARG_FIELD(name) std::int32_t name;
    WINO_KERNEL_ARGS(WINO_ARG_FIELD)
#undef WINO_ARG_FIELD
};

const std::vector<std::string>& kernel_arg_names();

// Throws InputError when a value does not fit the kernels' 32-bit ints.
KernelArgs kernel_args(const ConvShape& shape, const Tiling& tiling);

}  // namespace wino
