// The host reference: direct correlation in double.
#include "runtime/host_reference.hpp"

#include <algorithm>
#include <thread>

namespace wino {

// The output planes (n, k) are independent: large layers split them over
// every core (a batch-32 layer is billions of products).
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
                        for (int row = 0; row < oh; ++row) {
                            const int in_row = row - s.pad.top + i;
                            if (in_row < 0 || in_row >= s.H) continue;
                            for (int col = 0; col < ow; ++col) {
                                const int in_col = col - s.pad.left + j;
                                if (in_col < 0 || in_col >= s.W) continue;
                                out[std::size_t(row) * ow + col] += g * x[((n * s.C + c) * s.H + in_row) * s.W + in_col];
                            }
                        }
                    }
        }
    };
    const std::size_t count = std::size_t(s.N) * s.K;
    const double products = double(s.output_size()) * s.C * s.R * s.S;
    const std::size_t threads = products < 1e7 ? 1 : std::min<std::size_t>(count, std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(planes, count * t / threads, count * (t + 1) / threads);
    planes(0, count / threads);
    for (std::thread& worker : workers) worker.join();
    return y;
}

}  // namespace wino
