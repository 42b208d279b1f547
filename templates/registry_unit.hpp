// A registry unit: the C++ source that wino_generate() compiles into a
// program for one kernel set (or a layer list's tuned sets), defining the
// <wino/kernel_set.hpp> records of its kernels. GLSL kernels carry their
// SPIR-V, which the build compiles with glslangValidator into headers the unit
// includes (the SPIR-V list says which); CUDA kernels carry their source.
#pragma once

#include "templates/emitter.hpp"
#include "templates/layer.hpp"

#include <string>
#include <vector>

namespace wino {

struct UnitSet {
    std::string name;  // kernel_set_name()
    Backend backend;
    Variant variant;
    TileSize m;
    int r, s;
    KernelParams params;
    std::string points;                  // as ConvConfig holds them ("": the default set)
    Precision precision;
    Epilogue epilogue;
    Pass pass;
    Int8Clips clips;                     // precision int8's (data the kernels read), else empty
    std::vector<EmittedKernel> kernels;  // in launch order
};

struct UnitLayer {
    ConvShape shape;
    std::size_t set;  // index into the unit's sets
};

// A model's Conv node and its set; or, with no set, why it has none.
struct UnitNode {
    std::string name;
    ConvShape shape;
    std::size_t set;
    bool tuned;
};
struct UnitSkipped {
    std::string name, reason;
};

struct RegistryUnit {
    // A C identifier: the unit's symbols are wino_generated::<id>_sets,
    // <id>_layers, <id>_nodes and <id>_skipped.
    std::string id;
    std::vector<UnitSet> sets;
    std::vector<UnitLayer> layers;
    std::vector<UnitNode> nodes = {};
    std::vector<UnitSkipped> skipped = {};
};

// The header glslangValidator writes for a GLSL kernel, and its array.
std::string spirv_header(const EmittedKernel& kernel);
std::string spirv_array(const EmittedKernel& kernel);

// Throws InputError for an id that is not a C identifier.
std::string render_registry_unit(const RegistryUnit& unit);
// One line per distinct GLSL kernel: "<kernel file> <header> <array>", the
// build's work list for glslangValidator (empty for CUDA).
std::string render_spirv_list(const RegistryUnit& unit, const std::string& extension);

}  // namespace wino
