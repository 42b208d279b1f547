// .npy files: round trip, and refusal of what is not float32 C-order.
#include "errors.hpp"
#include "npy.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <unistd.h>

using namespace wino;

TEST_CASE("npy float32 arrays round-trip") {
    const auto path = std::filesystem::temp_directory_path() / ("wino-npy-" + std::to_string(::getpid()) + ".npy");
    NpyArray a{{2, 3, 1, 2}, {}};
    for (int i = 0; i < 12; ++i) a.data.push_back(0.25f * i - 1.0f);
    write_npy(path, a);
    const NpyArray b = read_npy(path);
    CHECK(b.shape == a.shape);
    CHECK(b.data == a.data);
    std::filesystem::remove(path);
}

TEST_CASE("files that are not float32 C-order npy are refused with the file's name") {
    const auto path = std::filesystem::temp_directory_path() / ("wino-bad-" + std::to_string(::getpid()) + ".npy");
    std::ofstream(path) << "not numpy at all";
    CHECK_THROWS_WITH(read_npy(path), Catch::Contains(path.string()) && Catch::Contains("not a .npy"));
    NpyArray a{{4}, {1, 2, 3, 4}};
    write_npy(path, a);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4);
    CHECK_THROWS_WITH(read_npy(path), Catch::Contains("truncated"));
    CHECK_THROWS_AS(read_npy("/nonexistent/x.npy"), InputError);
    std::filesystem::remove(path);
}
