// The errors' key functions: one typeinfo for each, in libwinogen, so a catch
// in one library matches a throw in another (the CUDA module, a user's code).
#include <wino/errors.hpp>

namespace wino {

InputError::~InputError() = default;
ProofError::~ProofError() = default;
DeviceError::~DeviceError() = default;

}  // namespace wino
