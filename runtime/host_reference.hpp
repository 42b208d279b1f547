// The reference every kernel is checked against: direct correlation in
// double on the host. NCHW input, KCRS filters, stride 1, zero padding per side.
#pragma once

#include "templates/layer.hpp"
#include "templates/passes.hpp"

#include <vector>

namespace wino {

std::vector<double> reference_conv2d(const ConvShape& shape, const std::vector<float>& input,
                                     const std::vector<float>& filters);

// Backward-data from its definition, the adjoint of reference_conv2d: each
// output gradient dy[n,k,y',x'] is spread back over the input positions its
// forward value read, dx[n,c,y'−p+i,x'−p+j] += dy·w[k,c,i,j]. dy is
// N,K,H',W' and dx N,C,H,W of the forward `shape`. Independent of the
// rotation and padding the kernels compute it by (pass_shape).
std::vector<double> reference_backward_data(const ConvShape& shape, const std::vector<float>& grad_output,
                                            const std::vector<float>& filters);

// The pass's reference: `activation` is what it reads beside the filters (x or dy).
std::vector<double> reference_pass(const ConvShape& shape, Pass pass, const std::vector<float>& activation,
                                   const std::vector<float>& filters);

}  // namespace wino
