// The optional parts of a wino-gen build (CMake options, DESIGN.md): which
// this build has, and the one refusal of whatever needs a part it lacks.
#pragma once

#include <string>
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

// Why what needs a part this build lacks cannot be had: `what` (a sentence's
// subject, "a Vulkan executor") needs the part, and how to build it.
std::string absent_part(Part part, std::string_view what);
// Throws InputError (absent_part) when this build lacks the part: what the
// CLI asks before it opens anything, so a missing part is bad input there.
// The library's own refusal of a device is DeviceError, as for any device
// that is not there.
void require_part(Part part, std::string_view what);

}  // namespace wino
