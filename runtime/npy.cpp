// .npy version 1.0/2.0 reader and 1.0 writer for little-endian float32.
#include "npy.hpp"

#include "atomic_file.hpp"
#include "errors.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>

namespace wino {

NpyArray read_npy(const std::filesystem::path& path) {
    auto fail = [&](const std::string& why) { return InputError(fmt::format("{}: {}", path.string(), why)); };
    std::ifstream in(path, std::ios::binary);
    if (!in) throw fail("cannot read it");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw fail("not a .npy file");
    std::size_t header_len = 0;
    unsigned char len[4] = {};
    if (magic[6] == 1) {
        in.read(reinterpret_cast<char*>(len), 2);
        header_len = len[0] | (len[1] << 8);
    } else {
        in.read(reinterpret_cast<char*>(len), 4);
        header_len = len[0] | (len[1] << 8) | (len[2] << 16) | (std::size_t(len[3]) << 24);
    }
    std::string header(header_len, '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) throw fail("truncated header");
    if (header.find("'descr': '<f4'") == std::string::npos) throw fail("not float32 ('<f4')");
    if (header.find("'fortran_order': False") == std::string::npos) throw fail("not in C order");
    std::smatch shape_match;
    if (!std::regex_search(header, shape_match, std::regex(R"('shape': \(([0-9, ]*)\))"))) throw fail("no shape");
    NpyArray a;
    std::stringstream dims(shape_match[1].str());
    for (std::string item; std::getline(dims, item, ',');)
        if (item.find_first_not_of(' ') != std::string::npos) a.shape.push_back(std::stoll(item));
    const long long count = std::accumulate(a.shape.begin(), a.shape.end(), 1LL, std::multiplies<>());
    a.data.resize(static_cast<std::size_t>(count));
    if (!in.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(count * 4)))
        throw fail(fmt::format("truncated data (shape needs {} floats)", count));
    return a;
}

void write_npy(const std::filesystem::path& path, const NpyArray& a) {
    std::vector<std::string> dims;
    for (long long d : a.shape) dims.push_back(std::to_string(d));
    std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}{}), }}",
                                     fmt::join(dims, ", "), dims.size() == 1 ? "," : "");
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string file = "\x93NUMPY";
    file += '\x01';
    file += '\x00';
    file += static_cast<char>(header.size() & 0xff);
    file += static_cast<char>(header.size() >> 8);
    file += header;
    file.append(reinterpret_cast<const char*>(a.data.data()), a.data.size() * sizeof(float));
    write_file_atomically(path, file);
}

}  // namespace wino
