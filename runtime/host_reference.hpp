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

// Backward-filter from its definition: dw[k,c,i,j] = Σ over n and the
// output positions (y', x') of x[n,c,y'−p+i,x'−p+j]·dy[n,k,y',x'], the
// pairs over_tap gives; dw is K,C,R,S. Independent of the chunks the kernels
// compute it by (pass_shape).
std::vector<double> reference_backward_filter(const ConvShape& shape, const std::vector<float>& input,
                                              const std::vector<float>& grad_output);

// The pass's reference, from the layer tensors its kernels' images and
// filters buffers hold (PassSpec::images, filters): x and w, dy and w, x and dy.
std::vector<double> reference_pass(const ConvShape& shape, Pass pass, const std::vector<float>& images,
                                   const std::vector<float>& filters);

}  // namespace wino
