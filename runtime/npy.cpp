// .npy reader (versions 1.0 to 3.0) and 1.0 writer for little-endian float32
// and float16, and int8;
// the header's lengths and shape are checked against the file before anything
// the size of the data is allocated.
#include "runtime/npy.hpp"

#include "generator/atomic_file.hpp"
#include "generator/checked.hpp"
#include "runtime/executor.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>

namespace wino {
namespace {

// numpy itself refuses headers past 10,000 bytes by default.
constexpr std::size_t max_header_bytes = 1 << 16;

// The element types' descr, as numpy writes it.
constexpr std::array<std::pair<ElementType, const char*>, 3> descriptions = {
    {{ElementType::fp32, "<f4"}, {ElementType::fp16, "<f2"}, {ElementType::int8, "|i1"}}};

const char* description_of(ElementType type) {
    for (const auto& [t, descr] : descriptions)
        if (t == type) return descr;
    throw std::logic_error("unknown element type");
}

}  // namespace

NpyArray read_npy(const std::filesystem::path& path) {
    auto fail = [&](const std::string& why) { return InputError(fmt::format("{}: {}", path.string(), why)); };
    std::ifstream in(path, std::ios::binary);
    if (!in) throw fail("cannot read it");
    if (std::filesystem::is_directory(path)) throw fail("a directory, not a .npy file");
    std::error_code ec;
    const std::uintmax_t file_bytes = std::filesystem::file_size(path, ec);
    if (ec) throw fail("cannot read it");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw fail("not a .npy file");
    const int version = static_cast<unsigned char>(magic[6]);
    if (version < 1 || version > 3) throw fail(fmt::format("format version {}.{} (1.0 to 3.0 only)", version, int(magic[7])));
    // Version 1 has a 2-byte header length, 2 and 3 a 4-byte one.
    unsigned char len[4] = {};
    const int len_bytes = version == 1 ? 2 : 4;
    if (!in.read(reinterpret_cast<char*>(len), len_bytes)) throw fail("truncated header");
    std::size_t header_len = len[0] | (len[1] << 8) | (std::size_t(len[2]) << 16) | (std::size_t(len[3]) << 24);
    const std::size_t data_start = 8 + len_bytes + header_len;
    if (header_len > max_header_bytes) throw fail(fmt::format("a header of {} bytes (at most {})", header_len, max_header_bytes));
    if (data_start > file_bytes) throw fail("truncated header");
    std::string header(header_len, '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) throw fail("truncated header");
    NpyArray a;
    const auto described = std::find_if(descriptions.begin(), descriptions.end(), [&](const auto& d) {
        return header.find(fmt::format("'descr': '{}'", d.second)) != std::string::npos;
    });
    if (described == descriptions.end()) throw fail("not float32 ('<f4'), float16 ('<f2') or int8 ('|i1')");
    a.type = described->first;
    const std::size_t element = element_bytes(a.type);
    if (header.find("'fortran_order': False") == std::string::npos) throw fail("not in C order");
    std::smatch shape_match;
    if (!std::regex_search(header, shape_match, std::regex(R"('shape': \(([0-9, ]*)\))"))) throw fail("no shape");
    std::stringstream dims(shape_match[1].str());
    long long count = 1;
    for (std::string item; std::getline(dims, item, ',');) {
        const std::size_t first = item.find_first_not_of(' '), last = item.find_last_not_of(' ');
        if (first == std::string::npos) continue;
        a.shape.push_back(parse_integer(item.substr(first, last - first + 1), 0, LLONG_MAX, path.string() + ": a dimension"));
        count = saturating_product({count, a.shape.back()});
    }
    if (count > static_cast<long long>((file_bytes - data_start) / element))
        throw fail(fmt::format("truncated data (shape {} needs {} values, the file holds {})", shape_match[1].str(),
                               count == LLONG_MAX ? std::string("more than 2^63") : std::to_string(count),
                               (file_bytes - data_start) / element));
    std::vector<std::byte> bytes(static_cast<std::size_t>(count) * element);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        throw fail(fmt::format("truncated data (shape needs {} values)", count));
    a.data = decode(bytes, static_cast<std::size_t>(count), a.type);
    return a;
}

void write_npy(const std::filesystem::path& path, const NpyArray& a) {
    std::vector<std::string> dims;
    for (long long d : a.shape) dims.push_back(std::to_string(d));
    std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}{}), }}",
                                     description_of(a.type), fmt::join(dims, ", "),
                                     dims.size() == 1 ? "," : "");
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string file = "\x93NUMPY";
    file += '\x01';
    file += '\x00';
    file += static_cast<char>(header.size() & 0xff);
    file += static_cast<char>(header.size() >> 8);
    file += header;
    const std::vector<std::byte> bytes = encode(a.data, a.type);
    file.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    write_file_atomically(path, file);
}

void require_real_values(const NpyArray& a, const std::filesystem::path& path) {
    if (a.type == ElementType::int8)
        throw InputError(fmt::format("{}: int8 codes, not real values (float32 or float16); only --input takes codes, at "
                                     "--precision {}, with --input-scale", path.string(), coded_precision_names()));
}

}  // namespace wino
