// The tuner's search space for a layer on a device, derived from the variant
// table, the recipes (every m they allow for the layer's r) and the parameter
// table's candidate values; every constraint of the table that the device or
// the layer decides is applied before anything is compiled (EuroSys'20 Table 1;
// CLBlast's and Kernel Tuner's restrictions).
#pragma once

#include "templates/layer_plan.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace wino {

// One point of the space: what `run` takes as a ConvConfig.
using Candidate = ConvConfig;

// How the database keys a candidate: the compact dump of its to_json.
std::string candidate_key(const Candidate& candidate);

// `c` with every parameter that one of its switches leaves inert (the GEMM
// tiles under cuBLAS) set back to `start`'s value: the one form the space
// holds of candidates that run alike.
Candidate without_inert(Candidate c, const KernelParams& start);

// Every candidate the device can run on the layer, the untuned one first. The
// Winograd variants, the tiles of the standard recipes for R and S (square
// tiles for a square filter; with an axis of size 1, every m of the other;
// else the square tiles and those whose axes share alpha), and for each
// (variant, m) its suggested parameters, then the product of the candidate
// values of the parameters that shape the variant's kernels (the others keep
// their suggested value). Every candidate is at `precision`, which some
// parameters depend on (tensor cores take fp16-mixed), and for `pass`.
std::vector<Candidate> search_space(const ConvShape& shape, Backend backend, const DeviceLimits& limits,
                                    Precision precision = Precision::fp32, Pass pass = Pass::forward);

// Why the device cannot run the candidate on the layer (the shape's, the
// parameter table's or the device's refusal); empty when it can.
std::string refusal(const ConvShape& shape, const Candidate& candidate, Backend backend, const DeviceLimits& limits);

}  // namespace wino
