// The host reference: direct correlation in double.
#include "runtime/host_reference.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace wino {
namespace {

// Runs planes(first, last) over [0, count) independent planes: a large layer
// splits them over every core (a batch-32 layer is billions of products).
template <class Planes>
void over_planes(std::size_t count, const ConvShape& s, const Planes& planes) {
    const double products = double(s.output_size()) * s.C * s.R * s.S;
    const std::size_t threads = products < 1e7 ? 1 : std::min<std::size_t>(count, std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(planes, count * t / threads, count * (t + 1) / threads);
    planes(0, count / threads);
    for (std::thread& worker : workers) worker.join();
}

// Calls tap(output, input) for each pair of an output position and the input
// position that filter tap (i, j) reads for it, as offsets in their planes:
// the correlation's index arithmetic, zero padding by leaving pairs out.
template <class Tap>
void over_tap(const ConvShape& s, int i, int j, const Tap& tap) {
    const int oh = s.out_h(), ow = s.out_w();
    for (int row = 0; row < oh; ++row) {
        const int in_row = row - s.pad.top + i;
        if (in_row < 0 || in_row >= s.H) continue;
        for (int col = 0; col < ow; ++col) {
            const int in_col = col - s.pad.left + j;
            if (in_col < 0 || in_col >= s.W) continue;
            tap(std::size_t(row) * ow + col, std::size_t(in_row) * s.W + in_col);
        }
    }
}

}  // namespace

// The output planes (n, k) are independent.
std::vector<double> reference_conv2d(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& w) {
    std::vector<double> y(s.output_size(), 0.0);
    const int oh = s.out_h(), ow = s.out_w();
    auto planes = [&](std::size_t first, std::size_t last) {
        for (std::size_t plane = first; plane < last; ++plane) {
            const std::size_t n = plane / s.K, k = plane % s.K;
            double* out = &y[plane * oh * ow];
            for (int c = 0; c < s.C; ++c)
                for (int i = 0; i < s.R; ++i)
                    for (int j = 0; j < s.S; ++j) {
                        const double g = w[((k * s.C + c) * s.R + i) * s.S + j];
                        const float* in = &x[(n * s.C + c) * s.H * s.W];
                        over_tap(s, i, j, [&](std::size_t o, std::size_t p) { out[o] += g * in[p]; });
                    }
        }
    };
    over_planes(std::size_t(s.N) * s.K, s, planes);
    return y;
}

// The input planes (n, c) are independent; each gathers from every k.
std::vector<double> reference_backward_data(const ConvShape& s, const std::vector<float>& dy, const std::vector<float>& w) {
    std::vector<double> dx(s.input_size(), 0.0);
    const int oh = s.out_h(), ow = s.out_w();
    auto planes = [&](std::size_t first, std::size_t last) {
        for (std::size_t plane = first; plane < last; ++plane) {
            const std::size_t n = plane / s.C, c = plane % s.C;
            double* out = &dx[plane * s.H * s.W];
            for (int k = 0; k < s.K; ++k)
                for (int i = 0; i < s.R; ++i)
                    for (int j = 0; j < s.S; ++j) {
                        const double g = w[((k * s.C + c) * s.R + i) * s.S + j];
                        const float* in = &dy[(n * s.K + k) * oh * ow];
                        over_tap(s, i, j, [&](std::size_t o, std::size_t p) { out[p] += g * in[o]; });
                    }
        }
    };
    over_planes(std::size_t(s.N) * s.C, s, planes);
    return dx;
}

// The filter pairs (k, c) are independent; each sums over every image.
std::vector<double> reference_backward_filter(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& dy) {
    std::vector<double> dw(s.filter_size(), 0.0);
    const int oh = s.out_h(), ow = s.out_w();
    auto pairs = [&](std::size_t first, std::size_t last) {
        for (std::size_t pair = first; pair < last; ++pair) {
            const std::size_t k = pair / s.C, c = pair % s.C;
            for (int n = 0; n < s.N; ++n)
                for (int i = 0; i < s.R; ++i)
                    for (int j = 0; j < s.S; ++j) {
                        double& out = dw[(pair * s.R + i) * s.S + j];
                        const float* in = &x[(n * s.C + c) * s.H * s.W];
                        const float* grad = &dy[(n * s.K + k) * oh * ow];
                        over_tap(s, i, j, [&](std::size_t o, std::size_t p) { out += double(grad[o]) * in[p]; });
                    }
        }
    };
    over_planes(std::size_t(s.K) * s.C, s, pairs);
    return dw;
}

std::vector<double> reference_pass(const ConvShape& s, Pass pass, const std::vector<float>& images,
                                   const std::vector<float>& filters) {
    switch (pass) {
        case Pass::forward: return reference_conv2d(s, images, filters);
        case Pass::backward_data: return reference_backward_data(s, images, filters);
        case Pass::backward_filter: return reference_backward_filter(s, images, filters);
    }
    throw std::logic_error("unknown pass");
}

}  // namespace wino
