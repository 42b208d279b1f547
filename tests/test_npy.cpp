// .npy files: round trip, and refusal of what is not float32, float16 or int8 C-order.
#include <wino/errors.hpp>
#include "runtime/npy.hpp"

#include <catch2/catch.hpp>

#include <chrono>
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

TEST_CASE("npy float16 arrays round-trip: written rounded to nearest even, read back exactly") {
    const auto path = std::filesystem::temp_directory_path() / ("wino-npy16-" + std::to_string(::getpid()) + ".npy");
    NpyArray a{{3}, {0.1f, -65504.0f, 1.0f + 0x1p-11f}, ElementType::fp16};
    write_npy(path, a);
    CHECK(std::filesystem::file_size(path) == 128 + 3 * 2);  // a header padded to 64-byte lines, 2 bytes a value
    const NpyArray b = read_npy(path);
    CHECK(b.type == ElementType::fp16);
    CHECK(b.shape == a.shape);
    // 0.1 to the nearest binary16, 0.0999755859375; the tie 1 + 2^-11 to even, 1.
    CHECK(b.data == std::vector<float>{0.0999755859375f, -65504.0f, 1.0f});
    std::filesystem::remove(path);
}

TEST_CASE("npy int8 arrays round-trip: a byte a value, written to the nearest code and saturated") {
    const auto path = std::filesystem::temp_directory_path() / ("wino-npy8-" + std::to_string(::getpid()) + ".npy");
    NpyArray a{{2, 3}, {-128, 127, 0, 2.5f, -300, 41}, ElementType::int8};
    write_npy(path, a);
    CHECK(std::filesystem::file_size(path) == 128 + 6);  // a header padded to 64-byte lines, a byte a value
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find("'descr': '|i1'") != std::string::npos);
    const NpyArray b = read_npy(path);
    CHECK(b.type == ElementType::int8);
    CHECK(b.shape == a.shape);
    CHECK(b.data == std::vector<float>{-128, 127, 0, 2, -128, 41});
    CHECK_THROWS_WITH(require_real_values(b, path), Catch::Contains("int8 codes, not real values"));
    CHECK_NOTHROW(require_real_values(NpyArray{{1}, {1.0f}}, path));
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

namespace {

// A .npy file of the given version, header text and float count, byte by byte.
void write_raw(const std::filesystem::path& path, int version, const std::string& header, std::size_t floats,
               std::uint32_t claimed_header_len = 0) {
    std::string file = "\x93NUMPY";
    file += static_cast<char>(version);
    file += '\0';
    const std::uint32_t len = claimed_header_len ? claimed_header_len : static_cast<std::uint32_t>(header.size());
    for (int i = 0; i < (version == 1 ? 2 : 4); ++i) file += static_cast<char>((len >> (8 * i)) & 0xff);
    file += header;
    file.append(floats * 4, '\0');
    std::ofstream(path, std::ios::binary) << file;
}

}  // namespace

TEST_CASE("npy headers are checked before anything their size is allocated") {
    const auto path = std::filesystem::temp_directory_path() / ("wino-hostile-" + std::to_string(::getpid()) + ".npy");
    const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
    for (int version : {1, 2, 3}) {
        write_raw(path, version, header, 6);
        CHECK(read_npy(path).shape == std::vector<long long>{2, 3});
    }
    write_raw(path, 7, header, 6);
    CHECK_THROWS_WITH(read_npy(path), Catch::Contains("version 7"));
    // A 4 GiB header length: refused at once, nothing allocated.
    write_raw(path, 2, header, 6, 0xffffffffu);
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(read_npy(path), Catch::Contains("header of 4294967295 bytes"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    // A shape of 100000^4 floats on a file of 6: the data size against the file.
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000, 100000), }\n", 6);
    CHECK_THROWS_WITH(read_npy(path), Catch::Contains("truncated data") && Catch::Contains("more than 2^63"));
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 2), }\n", 6);
    CHECK_THROWS_WITH(read_npy(path), Catch::Contains("a dimension"));
    write_raw(path, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", 4);
    CHECK_THROWS_WITH(read_npy(path), Catch::Contains("not float32 ('<f4'), float16 ('<f2') or int8 ('|i1')"));
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(read_npy(std::filesystem::temp_directory_path()), Catch::Contains("a directory"));
}
