// NumPy .npy files of float32 in C order: the tensors `wino-gen run` reads and
// writes.
#pragma once

#include <filesystem>
#include <vector>

namespace wino {

struct NpyArray {
    std::vector<long long> shape;
    std::vector<float> data;
};

// Throws InputError naming the file and the problem (not .npy, not <f4, Fortran
// order, truncated).
NpyArray read_npy(const std::filesystem::path& path);
void write_npy(const std::filesystem::path& path, const NpyArray& array);  // atomic

}  // namespace wino
