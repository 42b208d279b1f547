// The optional parts of a wino-gen build (CMake options, DESIGN.md): which
// this build has, and the one refusal of whatever needs a part it lacks.
#pragma once

#include <wino/errors.hpp>

#include <string_view>

namespace wino {

enum class Part { vulkan, cuda, tuner };

struct PartSpec {
    Part part;
    const char* name;    // "Vulkan"
    const char* option;  // the CMake option that builds it: "WINO_VULKAN"
    const char* needs;   // what that option needs installed
    bool built;          // whether this build has it
};

const PartSpec& spec_of(Part part);

// The refusal of what needs a part this build lacks: `what` (a sentence's
// subject, "a Vulkan executor") needs it, and how to build it.
InputError absent_part(Part part, std::string_view what);
// Throws absent_part when this build lacks the part.
void require_part(Part part, std::string_view what);

}  // namespace wino
