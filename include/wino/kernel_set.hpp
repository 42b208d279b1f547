// The kernels that `wino_generate()` builds into a program, as plain data:
// the generated <target>_kernels.hpp holds a Registry of KernelSets (one per
// configuration, its kernels' systematic names and SPIR-V words or CUDA
// source) and, for a layer list or an ONNX model with a tuning database, the
// tuned set of each layer (and for a model, of each Conv node by its name).
// Conv2d runs a KernelSet directly.
#pragma once

#include <wino/kinds.hpp>
#include <wino/shape.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace wino {

struct GeneratedKernel {
    const char* name;  // wino_f4_3_gemm_t1x8_r16x8: the kernel's systematic name
    const char* kind;  // filter_transform, input_transform, gemm, output_transform, fused, direct
    std::span<const std::uint32_t> spirv;  // glsl: the compiled shader
    const char* source;                    // cuda: the kernel's source, for NVRTC; glsl: its GLSL
};

struct KernelSet {
    const char* name;  // wino_f4_3_nonfused_<the parameters of its kernels>
    Backend backend;
    Variant variant;
    TileSize m;  // F(m.h×m.w, r×s)
    int r, s;
    const char* params_json;  // every kernel parameter, as `wino-gen run --format json` writes "config"
    const char* points;       // as --points takes them; "": the default set
    Precision precision;
    Epilogue epilogue;
    std::span<const GeneratedKernel> kernels;  // in launch order
    Pass pass = Pass::forward;                 // sets written before passes existed still compile
    // Precision int8's clips (Int8Clips), which the set's kernels take as
    // data: V's, one a tap of the tile; U's cap (0: none); where they came
    // from ("percentile 99.9 of 1 inputs (the tuner's gate input)"). Empty
    // at other precisions.
    std::span<const float> clip_taps = {};
    float clip_weights = 0;
    const char* clip_source = "";
};

// A layer of the LAYERS file and the set tuned for it (for its set's pass).
struct LayerKernels {
    ConvShape shape;
    const KernelSet* set;
};

// A Conv node of the MODEL and its set: tuned for its shape in the tuning
// database, or the untuned one.
struct NodeKernels {
    const char* node;  // its name in the model ("/layer1/layer1.0/conv1/Conv")
    ConvShape shape;
    const KernelSet* set;
    bool tuned;
};

// A Conv node of the MODEL that no set runs, and why ("stride 2x2").
struct SkippedNode {
    const char* node;
    const char* reason;
};

// What find_node gives: the node's set, or null and why there is none.
struct NodeLookup {
    const KernelSet* set;
    const char* why;  // null where there is a set
};

struct Registry {
    std::span<const KernelSet> sets;
    std::span<const LayerKernels> layers;
    std::span<const NodeKernels> nodes = {};    // a MODEL's, in model order
    std::span<const SkippedNode> skipped = {};  // a MODEL's Conv nodes that no set runs

    // The set of the MODEL's node of that name; where it has none, why: the
    // reason the node was skipped, or that the model has no such Conv node.
    NodeLookup find_node(std::string_view node) const {
        for (const NodeKernels& n : nodes)
            if (node == n.node) return {n.set, nullptr};
        for (const SkippedNode& s : skipped)
            if (node == s.node) return {nullptr, s.reason};
        return {nullptr, "no Conv node of that name in the model"};
    }

    // The first set of that F(m.h×m.w, r×s) and variant, or null.
    const KernelSet* find(TileSize m, int r, int s, Variant variant) const {
        for (const KernelSet& set : sets)
            if (set.m == m && set.r == r && set.s == s && set.variant == variant) return &set;
        return nullptr;
    }
    // The set tuned for exactly this layer and pass, or null.
    const KernelSet* find(const ConvShape& shape, Pass pass = Pass::forward) const {
        for (const LayerKernels& l : layers)
            if (l.shape == shape && l.set->pass == pass) return l.set;
        return nullptr;
    }
    const KernelSet* find(std::string_view name) const {
        for (const KernelSet& s : sets)
            if (name == s.name) return &s;
        return nullptr;
    }
};

}  // namespace wino
