// The passes of a convolution as data: how --pass and the names call them,
// which tensors each reads and writes, and the forward correlation its
// kernels compute. Flags, kernel and set names, the layer plan, the host
// reference and the tuning database all derive from this one table.
#pragma once

#include <wino/kinds.hpp>
#include <wino/shape.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace wino {

struct PassSpec {
    Pass pass;
    const char* name;  // as --pass takes it: "backward-data"
    const char* tag;   // its part of kernel and set names: "" for forward, "bd"
    const char* help;
    // The activation the kernels read beside the filters, as `run` names its
    // file: "input" (x, N,C,H,W) or "grad-output" (dy, N,K,H',W'); and what
    // they write, "output" (y) or "grad-input" (dx).
    const char* reads;
    const char* writes;
    // The kernels' filter (k, c) is the layer's w[c][k] turned by 180° (each
    // R×S block read backwards): the correlation that is backward-data's.
    bool flips_filters;
};

const std::vector<PassSpec>& passes();
const PassSpec& spec_of(Pass pass);
const char* to_string(Pass pass);
// Throws InputError naming the passes; `what` names the text ("--pass").
Pass parse_pass(const std::string& name, std::string_view what);
// "forward or backward-data", for help texts.
std::string pass_names();

// Throws InputError for an epilogue on a backward pass: a bias or an
// activation belongs to the forward one.
void check_epilogue(Pass pass, const Epilogue& epilogue);

// The forward correlation the pass's kernels compute for `layer`: the layer
// itself, or for backward-data dy (N,K,H',W') correlated with K×C filters
// into C outputs, padded R−1−p per side. Where p > R−1 that padding is
// negative, a crop, which the kernels' clamped loads take as they are; only
// the layer (never this shape) is checked against the fields' ranges.
ConvShape pass_shape(const ConvShape& layer, Pass pass);

// The layer's filters (K,C,R,S) as the pass_shape's forward correlation
// takes them: FILTER_AT's layout, on the host (the error model's and the
// tests' way to run a pass as the forward problem it is).
std::vector<float> pass_filters(const ConvShape& layer, Pass pass, const std::vector<float>& filters);

// The kernels' index of element e (0 ≤ e < r·s, row-major) of filter (k, c)
// in the filter buffer, as the pass lays it out: a #define FILTER_AT(k, c, e)
// for the kernels that read the filters (p.C and p.K are the pass_shape's).
std::string filter_at_macro(Pass pass, int r, int s);

}  // namespace wino
