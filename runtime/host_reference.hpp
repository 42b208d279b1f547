// The reference every kernel is checked against: direct correlation in
// double on the host. NCHW input, KCRS filters, stride 1, zero padding per side.
#pragma once

#include "templates/layer.hpp"

#include <vector>

namespace wino {

std::vector<double> reference_conv2d(const ConvShape& shape, const std::vector<float>& input,
                                     const std::vector<float>& filters);

}  // namespace wino
