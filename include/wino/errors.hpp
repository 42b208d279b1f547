// The ways wino-gen refuses, as exceptions: bad input from the user (the CLI's
// exit 2), a failed internal proof, and a device that cannot run or failed to
// run a kernel (exit 1). Every message is one line that names what is wrong.
#pragma once

#include <stdexcept>

namespace wino {

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
    ~InputError() override;
};

struct ProofError : std::runtime_error {
    using std::runtime_error::runtime_error;
    ~ProofError() override;
};

struct DeviceError : std::runtime_error {
    using std::runtime_error::runtime_error;
    ~DeviceError() override;
};

}  // namespace wino
