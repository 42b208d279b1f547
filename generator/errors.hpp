// The two ways wino-gen refuses: bad input from the user (exit 2) and a failed
// internal proof or device step (exit 1). The CLI maps them to exit codes.
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

}  // namespace wino
