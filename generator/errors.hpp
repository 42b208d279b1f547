// The ways wino-gen refuses: bad input from the user (exit 2), a failed internal
// proof (exit 1), and a device that cannot run or failed to run a kernel
// (exit 1). The CLI maps them to exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace wino {

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ProofError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct DeviceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace wino
