// The convolution layers of an ONNX model (shapes inferred by ONNX's own
// shape inference): every Conv node a Winograd kernel can run becomes a layer
// to tune, every other Conv node is listed with the reason it is not one.
// QLinearConv nodes on int8 codes are layers too, as precision int8-io runs
// them (uint8 ones are listed: int8 codes only).
#pragma once

#include "tuner/layer_list.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace wino {

struct SkippedConv {
    std::string node;    // the node's name, else its first output
    std::string reason;  // "stride 2x2", "1x1 filter: a GEMM, not Winograd", ...
};

struct ModelLayers {
    // One per distinct shape, in model order; a shape that several nodes share
    // is named after the first, with the count ("conv2 (x3)").
    std::vector<NamedLayer> layers;
    std::vector<SkippedConv> skipped;
    // Every Conv node a Winograd kernel can run, by its name, in model order.
    std::vector<NamedLayer> nodes = {};
    std::string file_name = "";  // the model's, without its folder
    std::string hash = "";       // "fnv1a64:<16 hex digits>" of the model's bytes (stable_hash)
};

// `batch` stands for a symbolic (dynamic) batch dimension. Throws InputError
// for a file that is not a readable ONNX model or whose shapes cannot be
// inferred.
ModelLayers read_model_layers(const std::filesystem::path& model, int batch);

}  // namespace wino
