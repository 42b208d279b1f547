// The passes of a convolution as data: how --pass and the names call them,
// which of the layer's tensors each reads and writes, and the forward
// correlation its kernels compute. Flags, kernel and set names, the layer
// plan, the host reference and the tuning database all derive from this one
// table.
#pragma once

#include <wino/kinds.hpp>
#include <wino/shape.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wino {

// A tensor of the layer: x (N,C,H,W), w (K,C,R,S) or y (N,K,H',W').
enum class LayerTensor { x, w, y };
struct TensorSpec {
    LayerTensor tensor;
    const char* name;       // as messages name it when a pass reads it: "x", "w", "dy"
    const char* read_flag;  // `run`'s flag for the file it is read from: "input", "weights", "grad-output"
    const char* layout;     // "N,C,H,W"
    const char* layout_1d;  // of a 1D layer: "N,C,W"
};
const TensorSpec& spec_of(LayerTensor tensor);
std::size_t tensor_size(const ConvShape& layer, LayerTensor tensor);
// Its extents, in the order of its layout (or layout_1d).
std::vector<long long> tensor_dims(const ConvShape& layer, LayerTensor tensor, bool one_dimensional);

// How a pass's kernels take the layer: as it is; as backward-data's forward
// correlation (dy padded R−1−p, the filters turned by 180° with K and C
// swapped); or as backward-filter's chunked 1D product (chunked_shape).
enum class Derivation { layer, flipped, chunked };

struct PassSpec {
    Pass pass;
    const char* name;  // as --pass takes it: "backward-data"
    const char* tag;   // its part of kernel and set names: "" for forward, "bd"
    const char* help;
    // The layer's tensors in the kernels' images, filters and result buffers.
    LayerTensor images, filters, result;
    // What the result is called in messages: "y", "dx", "dw".
    const char* result_name;
    Derivation derivation;
    // The direct kernel's template: the forward loop over C·R·S taps, or
    // backward-filter's over the images and dy's positions.
    const char* direct_template;
};

const std::vector<PassSpec>& passes();
const PassSpec& spec_of(Pass pass);
const char* to_string(Pass pass);
// Throws InputError naming the passes; `what` names the text ("--pass").
Pass parse_pass(const std::string& name, std::string_view what);
// "forward, backward-data or backward-filter", for help texts.
std::string pass_names();

// Throws InputError for an epilogue on a backward pass: a bias or an
// activation belongs to the forward one.
void check_epilogue(Pass pass, const Epilogue& epilogue);

// The widths of dy's chunks backward-filter takes, F(S, w) for w in 2..9
// (WinRS's range): the tile (1, w) a backward-filter configuration names as m.
inline constexpr int min_chunk = 2, max_chunk = 9;
// The chunk plan: dy's W' columns of each row cut into ⌈W'/w⌉ chunks of w,
// the last zero-padded past W'. Of the widths whose F(S, w) keeps fp32's
// accuracy (alpha = S + w − 1 at most planned_max_alpha; F(2,S) where none
// does), the one that transforms the fewest positions over the row,
// (S + w − 1)·⌈W'/w⌉, ties to the smaller w: a width that divides W' wastes
// nothing. The tuner measures every width from 2 to 9.
int planned_chunk(const ConvShape& layer);
// The largest alpha of fp32-class tiles with the default points: F(6,3)
// errs 2.3e-6 on the tuner's gate, F(7,3) 1.2e-5, past fp32_error_budget
// (layer_run.hpp); F(7,9), alpha 15, 2e-5 on a 1x7 layer's filter gradient.
inline constexpr int planned_max_alpha = 8;
long long chunk_count(const ConvShape& layer, int w);

// The forward correlation the pass's kernels compute for `layer` at tile
// `m`: the layer itself; for backward-data dy (N,K,H',W') correlated with
// K×C filters into C outputs, padded R−1−p per side (where p > R−1 that
// padding is negative, a crop, which the kernels' clamped loads take as they
// are); for backward-filter with chunks of w = m.w columns, one image of
// N·H'·⌈W'/w⌉ channels (n, y, chunk) and C·R rows (c, i) of S + w − 1
// columns, correlated with K filters 1×w (dy's chunks) into K × C·R × S:
// dw itself. Only the layer (never this shape) is checked against the
// fields' ranges; throws InputError where backward-filter's channels pass
// 2^31 − 1.
ConvShape pass_shape(const ConvShape& layer, Pass pass, TileSize m);
// The tile the pass's kernels compute pass_shape with: m itself, or for
// backward-filter 1×S (a whole row of dw).
TileSize pass_tile(const ConvShape& layer, Pass pass, TileSize m);

// The layer's tensors as the pass_shape's forward correlation takes them, on
// the host (the error model's and the tests' way to run a pass as the forward
// problem it is): the images (dy, or backward-filter's gathered rows of x)
// and the filters (w turned, or dy's chunks, zero past W').
std::vector<float> pass_images(const ConvShape& layer, Pass pass, TileSize m, const std::vector<float>& images);
std::vector<float> pass_filters(const ConvShape& layer, Pass pass, TileSize m, const std::vector<float>& filters);

// The macros through which the kernels read the images and the filters as
// the pass lays them out (p.C and p.K are the pass_shape's, p.layer_* the
// layer's): FILTER_AT(k, c, e), the index of element e (0 ≤ e < r·s,
// row-major) of filter (k, c), and FILTER_VALUE(k, c, e), its value (zero
// past dy's edge for backward-filter); IMAGE_H, IMAGE_W and PATCH_AT(t, c,
// m_h, m_w), which declares the top row, left column and plane of tile t's
// patch in channel c of the image buffer. r and s are the kernel's filter;
// `images` and `filters` say which buffers the kernel reads.
std::string pass_macros(Pass pass, int r, int s, bool images, bool filters);

}  // namespace wino
